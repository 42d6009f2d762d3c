//! A GitLab CI pipeline: the root file and its local includes merged (SPEC-domain B2, B3),
//! `!reference` resolved, `extends` applied with GitLab's deep merge, `default:` applied.

use std::collections::HashMap;

use shipshape_yaml::{FileId, NodeId, Tree};

use super::keywords::{
    DEFAULT_STAGES, MAX_EXTENDS_ANCESTORS, MAX_REFERENCE_DEPTH, TOP_LEVEL_KEYWORDS,
};
use super::services::{self, CiService, Variable};
use super::value::{MapEntry, Origin, Value};

/// One file of a pipeline, with the document that holds the pipeline.
#[derive(Clone, Copy)]
pub struct PipelineSource<'a> {
    pub file: FileId,
    pub tree: &'a Tree,
    pub root: NodeId,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PipelineError {
    /// `!reference [path]` names nothing.
    UnknownReference { origin: Origin, path: Vec<String> },
    /// `!reference` nested deeper than GitLab allows.
    ReferenceTooDeep { origin: Origin, path: Vec<String> },
    /// `!reference` that leads back to itself (`!reference [.a, script]` inside `.a:
    /// script:`, directly or through other references).
    CircularReference { origin: Origin, path: Vec<String> },
    /// `extends` names a job or template that does not exist.
    UnknownExtends {
        job: String,
        name: String,
        origin: Origin,
    },
    /// `extends` chains that loop back.
    ExtendsCycle {
        job: String,
        chain: Vec<String>,
        origin: Origin,
    },
    /// More ancestors than GitLab allows.
    ExtendsTooDeep {
        job: String,
        chain: Vec<String>,
        origin: Origin,
    },
    /// Copying values into place (`!reference` when `reference`; otherwise `extends` and
    /// `default:`) would create more than [`MAX_EXPANDED_NODES`]: expansion stopped there,
    /// and the pipeline is `truncated`. Reported once per pipeline, at the reference or
    /// job where the budget ran out.
    TooManyNodes { origin: Origin, reference: bool },
}

/// Values copied into place by `!reference`, `extends` and `default:` per pipeline at
/// most, beyond the files' own: GitLab bounds their depth, not their breadth (twelve
/// templates of four references to the previous one are 4^11 script lines).
pub const MAX_EXPANDED_NODES: usize = 1_000_000;

/// What is left of [`MAX_EXPANDED_NODES`], and whether it ran out.
struct Budget {
    left: usize,
    exceeded: bool,
}

impl Budget {
    /// Takes the nodes of `value` from the budget, or (when they do not fit) records the
    /// first excess and says no. Counting stops at the budget, so a refused copy costs
    /// no more than what is left.
    fn take(
        &mut self,
        value: &Value,
        origin: Origin,
        reference: bool,
        errors: &mut Vec<PipelineError>,
    ) -> bool {
        let mut n = 0usize;
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            n += 1;
            if n > self.left {
                return self.refuse(origin, reference, errors);
            }
            match v {
                Value::Seq { items, .. } => stack.extend(items),
                Value::Map { entries, .. } => stack.extend(entries.iter().map(|e| &e.value)),
                _ => {}
            }
        }
        self.left -= n;
        true
    }

    /// Takes one node (a reference followed, a node created).
    fn take_one(
        &mut self,
        origin: Origin,
        reference: bool,
        errors: &mut Vec<PipelineError>,
    ) -> bool {
        if self.left == 0 {
            return self.refuse(origin, reference, errors);
        }
        self.left -= 1;
        true
    }

    fn refuse(&mut self, origin: Origin, reference: bool, errors: &mut Vec<PipelineError>) -> bool {
        self.left = 0;
        if !self.exceeded {
            self.exceeded = true;
            errors.push(PipelineError::TooManyNodes { origin, reference });
        }
        false
    }
}

#[derive(Clone, Debug)]
pub struct Job {
    pub name: String,
    /// The job's key (in the file whose definition came last).
    pub key: Origin,
    /// Name starts with `.`: a template that never runs.
    pub hidden: bool,
    /// As written (includes merged, references resolved), before `extends`.
    pub own: Value,
    /// After `extends` and `default:`.
    pub value: Value,
    /// The `extends` names as written.
    pub extends: Vec<(String, Origin)>,
}

/// A `needs:` entry naming a job of this pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Need {
    pub job: String,
    pub origin: Origin,
    pub optional: bool,
}

impl Job {
    /// The stage, and where it is set (None: GitLab's default `test`).
    pub fn stage(&self) -> (String, Option<Origin>) {
        match self.value.get("stage") {
            Some(v @ Value::Scalar { text, .. }) => (text.to_string(), Some(v.origin())),
            _ => ("test".into(), None),
        }
    }

    /// Whether the job runs something: `script`, `run` or `trigger`.
    pub fn has_action(&self) -> bool {
        ["script", "run", "trigger"]
            .iter()
            .any(|k| self.value.get(k).is_some())
    }

    /// The lines of `script`, `before_script` or `after_script` (nested lists flattened).
    pub fn script(&self, key: &str) -> Vec<&Value> {
        self.value.get(key).map(Value::strings).unwrap_or_default()
    }

    /// `needs:` entries that name a job of this pipeline (not another project or pipeline).
    pub fn needs(&self) -> Vec<Need> {
        needs_of(self.value.get("needs"))
    }

    pub fn dependencies(&self) -> Vec<(String, Origin)> {
        self.value
            .get("dependencies")
            .map(|d| {
                d.items()
                    .iter()
                    .filter_map(|i| Some((i.as_str()?.to_string(), i.origin())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The job's image name: `image: x` or `image: {name: x}`.
    pub fn image(&self) -> Option<&str> {
        let image = self.value.get("image")?;
        image
            .as_str()
            .or_else(|| image.get("name").and_then(Value::as_str))
    }

    pub fn services(&self) -> Vec<CiService> {
        services::services(self.value.get("services"))
    }
}

pub fn needs_of(value: Option<&Value>) -> Vec<Need> {
    let Some(list) = value else { return Vec::new() };
    list.items()
        .iter()
        .filter_map(|item| match item {
            Value::Scalar { text, origin, .. } => Some(Need {
                job: text.to_string(),
                origin: *origin,
                optional: false,
            }),
            Value::Map { .. }
                if item.get("project").is_none() && item.get("pipeline").is_none() =>
            {
                let job = item.get("job")?;
                Some(Need {
                    job: job.as_str()?.to_string(),
                    origin: job.origin(),
                    optional: item.get("optional").and_then(Value::as_str) == Some("true"),
                })
            }
            _ => None,
        })
        .collect()
}

#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    pub root_file: FileId,
    /// The root file and the files it includes, in merge order (the root last).
    pub files: Vec<FileId>,
    /// The merged top level, references resolved.
    pub top: Option<Value>,
    pub jobs: Vec<Job>,
    /// Stages in order, with where each is declared (None for the defaults).
    pub stages: Vec<(String, Option<Origin>)>,
    pub stages_declared: bool,
    /// Top-level `variables:`.
    pub variables: Vec<Variable>,
    pub errors: Vec<PipelineError>,
    /// Some include could not be read here (project, remote, template, component): names
    /// it defines are unknown, so rules stay silent about names they cannot find.
    pub open_includes: bool,
    /// Aliases expanded past the value budget (an alias bomb), or `!reference`/`extends`
    /// past [`MAX_EXPANDED_NODES`]: some values are missing.
    pub truncated: bool,
    /// Index of `jobs` by name (the first of each name), built on first use.
    job_index: std::sync::OnceLock<HashMap<String, usize>>,
}

impl Pipeline {
    pub fn job(&self, name: &str) -> Option<&Job> {
        let index = self.job_index.get_or_init(|| {
            let mut index = HashMap::with_capacity(self.jobs.len());
            for (i, j) in self.jobs.iter().enumerate() {
                index.entry(j.name.clone()).or_insert(i);
            }
            index
        });
        index.get(name).map(|&i| &self.jobs[i])
    }

    pub fn visible_jobs(&self) -> impl Iterator<Item = &Job> {
        self.jobs.iter().filter(|j| !j.hidden)
    }

    pub fn stage_index(&self, stage: &str) -> Option<usize> {
        self.stages.iter().position(|(s, _)| s == stage)
    }

    /// The variables a job sees: the top-level ones (unless `inherit:variables` says
    /// otherwise) overridden by its own.
    pub fn job_variables(&self, job: &Job) -> Vec<Variable> {
        let inherit = job.value.get("inherit").and_then(|i| i.get("variables"));
        let mut out: Vec<Variable> = match inherit {
            Some(Value::Scalar { text, .. }) if &**text == "false" => Vec::new(),
            Some(list @ Value::Seq { .. }) => {
                let names: Vec<&str> = list.items().iter().filter_map(Value::as_str).collect();
                self.variables
                    .iter()
                    .filter(|v| names.contains(&v.name.as_str()))
                    .cloned()
                    .collect()
            }
            _ => self.variables.clone(),
        };
        for v in services::variables(job.value.get("variables")) {
            match out.iter_mut().find(|o| o.name == v.name) {
                Some(existing) => *existing = v,
                None => out.push(v),
            }
        }
        out
    }
}

/// Keys `default:` gives to jobs that lack them.
const DEFAULT_KEYS: &[&str] = &[
    "after_script",
    "artifacts",
    "before_script",
    "cache",
    "hooks",
    "id_tokens",
    "image",
    "interruptible",
    "retry",
    "services",
    "tags",
    "timeout",
];
/// Deprecated top-level defaults.
const TOP_LEVEL_DEFAULTS: &[&str] = &[
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// Values created per pipeline at most, beyond the files' own nodes: aliases may repeat a
/// part a few times over, an alias bomb expands no further.
const VALUE_BUDGET: usize = 200_000;

/// Builds a pipeline from its files in merge order (included files first, the root last).
pub fn build(root_file: FileId, sources: &[PipelineSource<'_>], open_includes: bool) -> Pipeline {
    let mut budget = VALUE_BUDGET + 4 * sources.iter().map(|s| s.tree.len()).sum::<usize>();
    let mut pipeline = Pipeline {
        root_file,
        files: sources.iter().map(|s| s.file).collect(),
        open_includes,
        ..Pipeline::default()
    };
    let mut top: Option<Value> = None;
    for source in sources {
        let value = Value::from_tree(source.file, source.tree, source.root, &mut budget);
        if !value.is_map() {
            continue;
        }
        top = Some(match top {
            Some(mut t) => {
                t.merge_from(value);
                t
            }
            None => value,
        });
    }
    pipeline.truncated = budget == 0;
    let Some(raw_top) = top else { return pipeline };
    let mut errors = Vec::new();
    let mut expansion = Budget {
        left: MAX_EXPANDED_NODES,
        exceeded: false,
    };
    // Most pipelines have no `!reference`: then the merged value is already resolved.
    let top = if has_references(&raw_top) {
        // GitLab applies `extends` before it resolves `!reference` (`Config#build_config`:
        // `Extendable`, then `Yaml::Tags::Resolver`): a reference into a template reads
        // the template with its own `extends` applied. Errors of that `extends` are
        // reported by the pass over every job below, not here.
        let extended_targets = extended_reference_targets(&raw_top);
        let mut index: HashMap<&str, &Value> = raw_top
            .entries()
            .iter()
            .rev()
            .map(|e| (&*e.key, &e.value))
            .collect();
        for (name, value) in &extended_targets {
            index.insert(name, value);
        }
        let top = Top { index };
        resolve_references(&raw_top, &top, &mut Vec::new(), &mut expansion, &mut errors)
    } else {
        raw_top
    };
    pipeline.errors = errors;

    pipeline.variables = services::variables(top.get("variables"));
    match top.get("stages") {
        Some(stages) => {
            pipeline.stages_declared = true;
            pipeline.stages.push((".pre".into(), None));
            for s in stages.strings() {
                let name = s.as_str().unwrap_or_default();
                if name != ".pre" && name != ".post" {
                    pipeline.stages.push((name.to_string(), Some(s.origin())));
                }
            }
            pipeline.stages.push((".post".into(), None));
        }
        None => {
            pipeline.stages = DEFAULT_STAGES
                .iter()
                .map(|s| (s.to_string(), None))
                .collect()
        }
    }

    let defaults = defaults(&top);
    let templates = templates_of(&top);
    let mut resolved: HashMap<String, Value> = HashMap::new();
    for entry in top.entries() {
        if TOP_LEVEL_KEYWORDS.contains(&&*entry.key) || !entry.value.is_map() {
            continue;
        }
        let name = entry.key.to_string();
        let mut value = extended(
            &name,
            &templates,
            &mut resolved,
            &mut Vec::new(),
            None,
            &mut expansion,
            &mut pipeline.errors,
        );
        let hidden = name.starts_with('.');
        if !hidden {
            apply_defaults(
                &mut value,
                &defaults,
                entry.key_origin,
                &mut expansion,
                &mut pipeline.errors,
            );
        }
        pipeline.jobs.push(Job {
            extends: extends_names(&entry.value),
            name,
            key: entry.key_origin,
            hidden,
            own: entry.value.clone(),
            value,
        });
    }
    pipeline.truncated |= expansion.exceeded;
    pipeline.top = Some(top);
    pipeline
}

fn extends_names(job: &Value) -> Vec<(String, Origin)> {
    match job.get("extends") {
        Some(v @ Value::Scalar { text, .. }) => vec![(text.to_string(), v.origin())],
        Some(list) => list
            .items()
            .iter()
            .filter_map(|i| Some((i.as_str()?.to_string(), i.origin())))
            .collect(),
        None => Vec::new(),
    }
}

/// A job's value with its `extends` chain applied; `via` is the `extends` entry of the
/// child that asks for it (None for the job itself). What a job extends is memoised in
/// `done`; a job asked for itself (an empty `chain`) is not: most jobs are nobody's
/// parent, and keeping a copy of each would double the pipeline's memory.
fn extended(
    name: &str,
    templates: &HashMap<&str, &MapEntry>,
    done: &mut HashMap<String, Value>,
    chain: &mut Vec<String>,
    via: Option<Origin>,
    budget: &mut Budget,
    errors: &mut Vec<PipelineError>,
) -> Value {
    let entry = templates[name];
    let own = &entry.value;
    // A value handed down to a child is a copy: it counts against the budget (past it,
    // the child gets nothing from this parent).
    if let Some(origin) = via {
        let fits = match done.get(name) {
            Some(v) => budget.take(v, origin, false, errors),
            None => budget.take(own, origin, false, errors),
        };
        if !fits {
            return Value::Null(entry.key_origin);
        }
    }
    if let Some(v) = done.get(name) {
        return v.clone();
    }
    let remember = !chain.is_empty();
    let parents = extends_names(own);
    if parents.is_empty() {
        if remember {
            done.insert(name.to_string(), own.clone());
        }
        return own.clone();
    }
    chain.push(name.to_string());
    let mut merged: Option<Value> = None;
    for (parent, origin) in &parents {
        let job = chain[0].clone();
        if chain.iter().any(|c| c == parent) {
            let mut cycle = chain.clone();
            cycle.push(parent.clone());
            errors.push(PipelineError::ExtendsCycle {
                job,
                chain: cycle,
                origin: *origin,
            });
            continue;
        }
        if chain.len() > MAX_EXTENDS_ANCESTORS {
            let mut deep = chain.clone();
            deep.push(parent.clone());
            errors.push(PipelineError::ExtendsTooDeep {
                job,
                chain: deep,
                origin: *origin,
            });
            continue;
        }
        if !templates.contains_key(parent.as_str()) {
            errors.push(PipelineError::UnknownExtends {
                job: name.to_string(),
                name: parent.clone(),
                origin: *origin,
            });
            continue;
        }
        let base = extended(
            parent,
            templates,
            done,
            chain,
            Some(*origin),
            budget,
            errors,
        );
        if base.is_null() {
            continue;
        }
        merged = Some(match merged {
            Some(mut m) => {
                m.merge_from(base);
                m
            }
            None => base,
        });
    }
    chain.pop();
    let value = match merged {
        Some(mut base) => {
            base.merge_from(own.clone());
            base
        }
        None => own.clone(),
    };
    if remember {
        done.insert(name.to_string(), value.clone());
    }
    value
}

/// The top-level mappings by name: what `extends` may name.
fn templates_of(top: &Value) -> HashMap<&str, &MapEntry> {
    top.entries()
        .iter()
        .filter(|e| e.value.is_map())
        .map(|e| (&*e.key, e))
        .collect()
}

/// What `default:` (and the deprecated top-level keys) give to every job.
fn defaults(top: &Value) -> Vec<MapEntry> {
    let mut out: Vec<MapEntry> = top
        .get("default")
        .map(|d| d.entries().to_vec())
        .unwrap_or_default();
    for key in TOP_LEVEL_DEFAULTS {
        if let Some(e) = top.entry(key)
            && !out.iter().any(|o| &*o.key == *key)
        {
            out.push(e.clone());
        }
    }
    out.retain(|e| DEFAULT_KEYS.contains(&&*e.key));
    out
}

fn apply_defaults(
    job: &mut Value,
    defaults: &[MapEntry],
    key: Origin,
    budget: &mut Budget,
    errors: &mut Vec<PipelineError>,
) {
    let inherit = job.get("inherit").and_then(|i| i.get("default")).cloned();
    let allowed = |key: &str| match &inherit {
        Some(Value::Scalar { text, .. }) => &**text != "false",
        Some(list @ Value::Seq { .. }) => list.items().iter().any(|i| i.as_str() == Some(key)),
        _ => true,
    };
    if let Value::Map { entries, .. } = job {
        for d in defaults {
            if allowed(&d.key)
                && !entries.iter().any(|e| e.key == d.key)
                && budget.take(&d.value, key, false, errors)
            {
                entries.push(d.clone());
            }
        }
    }
}

/// Replaces every `!reference` with what it names in `top` (as written, before
/// `extends`), nested references too; a reference list item that names a list is spliced
/// into the enclosing list (scripts, rules).
/// Whether a `!reference` occurs anywhere in `value`.
fn has_references(value: &Value) -> bool {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Reference { .. } => return true,
            Value::Seq { items, .. } => stack.extend(items),
            Value::Map { entries, .. } => stack.extend(entries.iter().map(|e| &e.value)),
            Value::Null(_) | Value::Scalar { .. } => {}
        }
    }
    false
}

/// The merged top level, with its keys indexed (a pipeline of thousands of jobs, each
/// referencing a template).
struct Top<'v> {
    /// The first entry of each key, as `Value::entry` finds it (a template with its own
    /// `extends`, as extended).
    index: HashMap<&'v str, &'v Value>,
}

/// `chain` holds the paths of the references being followed: a reference to one of them,
/// or to a value that holds one of them, leads back to itself. Every reference followed
/// and every node created inside one counts against `budget`; past it, references stay
/// unresolved.
fn resolve_references(
    value: &Value,
    top: &Top<'_>,
    chain: &mut Vec<(Vec<String>, Origin)>,
    budget: &mut Budget,
    errors: &mut Vec<PipelineError>,
) -> Value {
    let depth = chain.len();
    // Reported at the outermost reference: the one in the job that asked for it all.
    if let Some((_, outer)) = chain.first()
        && !budget.take_one(*outer, true, errors)
    {
        return Value::Null(value.origin());
    }
    match value {
        Value::Reference { .. } if budget.exceeded => value.clone(),
        Value::Reference { path, origin } => match lookup(top, path) {
            _ if chain.iter().any(|(c, _)| c.starts_with(path)) => {
                errors.push(PipelineError::CircularReference {
                    origin: *origin,
                    path: path.clone(),
                });
                value.clone()
            }
            _ if depth >= MAX_REFERENCE_DEPTH => {
                errors.push(PipelineError::ReferenceTooDeep {
                    origin: *origin,
                    path: path.clone(),
                });
                value.clone()
            }
            Some(found) => {
                chain.push((path.clone(), *origin));
                let resolved = resolve_references(found, top, chain, budget, errors);
                chain.pop();
                resolved
            }
            None => {
                errors.push(PipelineError::UnknownReference {
                    origin: *origin,
                    path: path.clone(),
                });
                value.clone()
            }
        },
        Value::Seq { items, origin } => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let resolved = resolve_references(item, top, chain, budget, errors);
                match (item, resolved) {
                    (Value::Reference { .. }, Value::Seq { items: inner, .. }) => out.extend(inner),
                    (_, r) => out.push(r),
                }
            }
            Value::Seq {
                items: out,
                origin: *origin,
            }
        }
        Value::Map { entries, origin } => Value::Map {
            entries: entries
                .iter()
                .map(|e| MapEntry {
                    key: e.key.clone(),
                    key_origin: e.key_origin,
                    value: resolve_references(&e.value, top, chain, budget, errors),
                })
                .collect(),
            origin: *origin,
        },
        other => other.clone(),
    }
}

/// The templates a `!reference` names that have an `extends` of their own, each with its
/// `extends` chain applied (references inside still unresolved, as in GitLab).
fn extended_reference_targets(top: &Value) -> HashMap<String, Value> {
    let mut named: Vec<&str> = Vec::new();
    let mut stack = vec![top];
    while let Some(v) = stack.pop() {
        match v {
            Value::Reference { path, .. } => {
                if let Some(first) = path.first() {
                    named.push(first);
                }
            }
            Value::Seq { items, .. } => stack.extend(items),
            Value::Map { entries, .. } => stack.extend(entries.iter().map(|e| &e.value)),
            Value::Null(_) | Value::Scalar { .. } => {}
        }
    }
    let templates = templates_of(top);
    let mut budget = Budget {
        left: MAX_EXPANDED_NODES,
        exceeded: false,
    };
    let mut done = HashMap::new();
    let mut out = HashMap::new();
    for name in named {
        if out.contains_key(name)
            || TOP_LEVEL_KEYWORDS.contains(&name)
            || templates
                .get(name)
                .is_none_or(|e| e.value.get("extends").is_none())
        {
            continue;
        }
        let value = extended(
            name,
            &templates,
            &mut done,
            &mut Vec::new(),
            None,
            &mut budget,
            &mut Vec::new(),
        );
        out.insert(name.to_string(), value);
    }
    out
}

fn lookup<'v>(top: &Top<'v>, path: &[String]) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    let found = *top.index.get(first.as_str())?;
    if rest.is_empty() {
        return Some(found);
    }
    found.entry_at(rest).map(|e| &e.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline(texts: &[&str]) -> (Pipeline, Vec<shipshape_yaml::ParsedYaml>) {
        let parsed: Vec<_> = texts.iter().map(|t| shipshape_yaml::parse(t)).collect();
        let sources: Vec<PipelineSource> = parsed
            .iter()
            .enumerate()
            .map(|(i, p)| PipelineSource {
                file: FileId(i as u32),
                tree: &p.tree,
                root: p.tree.root().unwrap(),
            })
            .collect();
        (
            build(FileId(texts.len() as u32 - 1), &sources, false),
            parsed,
        )
    }

    #[test]
    fn extends_deep_merges_and_replaces_lists() {
        let (p, _) = pipeline(&["\
.base:
  image: python:3.12
  variables: {A: '1', B: '2'}
  script: [base]
.lint:
  stage: lint
  variables: {B: '3'}
test:
  extends: [.base, .lint]
  variables: {C: '4'}
  script: [own]
"]);
        let test = p.job("test").unwrap();
        assert_eq!(
            test.value.get("image").and_then(Value::as_str),
            Some("python:3.12")
        );
        assert_eq!(test.stage().0, "lint");
        let vars: Vec<(String, Option<String>)> = p
            .job_variables(test)
            .into_iter()
            .map(|v| (v.name, v.value))
            .collect();
        assert_eq!(
            vars,
            [
                ("A".into(), Some("1".into())),
                ("B".into(), Some("3".into())),
                ("C".into(), Some("4".into()))
            ]
        );
        let script: Vec<&str> = test
            .script("script")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(script, ["own"]);
        assert!(p.errors.is_empty());
    }

    #[test]
    fn extends_errors() {
        let (p, _) = pipeline(&[
            "a:\n  extends: .missing\n  script: [x]\n.b:\n  extends: .c\n.c:\n  extends: .b\nd:\n  extends: .b\n  script: [y]\n",
        ]);
        assert!(p.errors.iter().any(
            |e| matches!(e, PipelineError::UnknownExtends { name, .. } if name == ".missing")
        ));
        assert!(
            p.errors
                .iter()
                .any(|e| matches!(e, PipelineError::ExtendsCycle { .. }))
        );
        let mut chain = String::new();
        for i in 0..13 {
            chain.push_str(&format!(".l{i}:\n  extends: .l{}\n", i + 1));
        }
        chain.push_str(".l13:\n  script: [x]\nj:\n  extends: .l0\n");
        let (p, _) = pipeline(&[&chain]);
        assert!(
            p.errors
                .iter()
                .any(|e| matches!(e, PipelineError::ExtendsTooDeep { .. })),
            "{:?}",
            p.errors
        );
    }

    #[test]
    fn references_resolve_and_splice() {
        let (p, _) = pipeline(&["\
.setup:
  script: [a, b]
  variables: {X: '1'}
job:
  variables: !reference [.setup, variables]
  script:
    - !reference [.setup, script]
    - c
bad:
  script: [!reference [.nope, script]]
"]);
        let job = p.job("job").unwrap();
        let script: Vec<&str> = job
            .script("script")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(script, ["a", "b", "c"]);
        assert_eq!(p.job_variables(job)[0].name, "X");
        assert!(
            matches!(&p.errors[..], [PipelineError::UnknownReference { path, .. }] if path[0] == ".nope")
        );
    }

    #[test]
    fn references_read_templates_with_their_extends_applied() {
        let (p, _) = pipeline(&["\
.base:
  variables: {A: '1'}
.variables:
  extends: .base
  variables: {B: '2'}
job:
  variables: !reference [.variables, variables]
  script: [make]
"]);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let job = p.job("job").unwrap();
        let mut names: Vec<String> = p.job_variables(job).into_iter().map(|v| v.name).collect();
        names.sort();
        assert_eq!(names, ["A", "B"]);
    }

    #[test]
    fn includes_merge_with_the_root_winning_and_defaults_apply() {
        let (p, _) = pipeline(&[
            "default:\n  image: alpine:3.20\nstages: [build, test]\nbuild:\n  stage: build\n  script: [make]\n",
            "build:\n  script: [make all]\ntest:\n  script: [make test]\n  inherit:\n    default: false\n",
        ]);
        let build = p.job("build").unwrap();
        assert_eq!(build.script("script")[0].as_str(), Some("make all"));
        assert_eq!(build.stage().0, "build");
        assert_eq!(
            build.value.get("image").and_then(Value::as_str),
            Some("alpine:3.20")
        );
        assert!(p.job("test").unwrap().value.get("image").is_none());
        let stages: Vec<&str> = p.stages.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(stages, [".pre", "build", "test", ".post"]);
    }
}
