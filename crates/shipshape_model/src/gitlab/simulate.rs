//! Which jobs GitLab adds to a pipeline: `workflow:rules`, job `rules`, `only`/`except`
//! and `include:rules`, evaluated over a [`Context`] with three-valued answers (SPEC-domain
//! B7; docs/pipeline-contexts.md).
//!
//! `rules`: the first rule whose `if`, `changes` and `exists` all hold decides; its `when`
//! (or the job's, `on_success` by default) adds the job unless it is `never`; no match
//! leaves the job out. A rule that may or may not match makes every later rule a
//! possibility too, so the answer is the set of outcomes some assignment of the unknowns
//! reaches. `only`/`except`: every key given must match (`except`: excludes when every key
//! matches); a job with none of `rules`, `only`, `except` has `only: [branches, tags]`.

use super::contexts::{Context, RefKind};
use super::evaluate::{Facts, Known, Tri, truth};
use super::expression;
use super::pipeline::Job;
use super::value::{Origin, Value};

/// What the repository holds, for `exists:` and `changes:`.
pub trait Repository {
    /// Whether a file of the repository matches the glob (`Maybe` when not known here).
    fn exists(&self, glob: &str) -> Tri;
    /// Whether `path` matches the glob, with `changes:`'s `File.fnmatch` flags.
    fn glob_matches(&self, glob: &str, path: &str) -> bool;
}

/// How a job (or the pipeline, for `workflow:`) was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// A rule decided (`decided_by` is the rule).
    Rule,
    /// No rule matches (or may match, when `Maybe`).
    NoRuleMatched,
    /// `only:`/`except:` (`decided_by` is the key), or the default `only: [branches, tags]`.
    OnlyExcept,
    /// No `workflow:rules`: every pipeline is created.
    NoWorkflow,
    /// What decides may come from a file shipshape cannot read (a remote or project
    /// include): unknown.
    OpenInclude,
}

/// Whether a job is in the pipeline (or whether the pipeline is created).
#[derive(Clone, Debug)]
pub struct Decision {
    pub runs: Tri,
    /// `when` of the job when it runs (GitLab's words; an unknown value reads as
    /// `on_success`, and is a schema finding).
    pub when: &'static str,
    /// `rules:allow_failure` of the deciding rule, else the job's.
    pub allow_failure: Option<bool>,
    /// The rule or the `only`/`except` key that decided; for `NoRuleMatched`, the
    /// `rules` key.
    pub decided_by: Option<Origin>,
    pub why: Why,
    /// `rules:needs` of the deciding rule, which replace the job's `needs`.
    pub needs: Option<Value>,
    /// `rules:variables` (`workflow:rules:variables`) of the deciding rule.
    pub variables: Vec<(String, String)>,
    /// When the deciding rule may or may not match: what it depends on.
    pub unknown: Option<&'static str>,
}

impl Decision {
    fn new(runs: Tri, when: &str, why: Why, decided_by: Option<Origin>) -> Decision {
        Decision {
            runs,
            when: when_word(when),
            allow_failure: None,
            decided_by,
            why,
            needs: None,
            variables: Vec::new(),
            unknown: None,
        }
    }
}

/// The `when` values GitLab knows.
const WHEN_WORDS: &[&str] = &[
    "on_success",
    "on_failure",
    "always",
    "manual",
    "delayed",
    "never",
];

fn when_word(when: &str) -> &'static str {
    WHEN_WORDS
        .iter()
        .find(|w| **w == when)
        .copied()
        .unwrap_or("on_success")
}

/// Rules deeper than this in nested lists (from `!reference`) are not flattened (GitLab's
/// limit is 10).
const MAX_RULE_NESTING: usize = 10;

/// The rule items of a `rules:` list, nested lists flattened: maps, and what stands for
/// rules not known here (an unresolved `!reference`, `$[[ inputs.x ]]`).
pub fn rule_items(list: &Value) -> Vec<&Value> {
    fn walk<'v>(v: &'v Value, depth: usize, out: &mut Vec<&'v Value>) {
        match v {
            Value::Seq { items, .. } if depth < MAX_RULE_NESTING => {
                for i in items {
                    walk(i, depth + 1, out);
                }
            }
            Value::Map { .. } | Value::Reference { .. } => out.push(v),
            Value::Scalar { .. } if v.as_str().is_some_and(|t| t.contains("$[[")) => out.push(v),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(list, 0, &mut out);
    out
}

/// Evaluates a `rules:` list; `default_when` is the job's `when` (`always` for
/// `workflow:` and `include:`).
pub fn rules(
    list: &Value,
    default_when: &str,
    facts: &dyn Facts,
    cx: &Context,
    repo: &dyn Repository,
) -> Decision {
    // Rules written as `$[[ inputs.x ]]` or an unresolved `!reference`: not known here.
    if !matches!(list, Value::Seq { .. }) {
        return Decision::new(Tri::Maybe, default_when, Why::OpenInclude, None);
    }
    let mut include_possible: Option<Decision> = None;
    let mut exclude_possible: Option<Decision> = None;
    let mut reached_end = true;
    for rule in rule_items(list) {
        let matched = match rule {
            Value::Map { .. } => rule_matches(rule, facts, cx, repo),
            _ => Tri::Maybe,
        };
        if matched == Tri::No {
            continue;
        }
        let when = rule
            .get("when")
            .and_then(Value::as_str)
            .unwrap_or(default_when);
        let mut d = Decision::new(Tri::Yes, when, Why::Rule, Some(rule.origin()));
        d.allow_failure = rule
            .get("allow_failure")
            .and_then(Value::as_str)
            .map(|a| a == "true");
        d.needs = rule.get("needs").cloned();
        d.variables = string_pairs(rule.get("variables"));
        if matched == Tri::Maybe {
            d.unknown = Some(maybe_because(rule, facts, cx, repo));
        }
        if when == "never" {
            exclude_possible.get_or_insert(d);
        } else {
            include_possible.get_or_insert(d);
        }
        if matched == Tri::Yes {
            reached_end = false;
            break;
        }
    }
    if reached_end {
        exclude_possible.get_or_insert_with(|| {
            Decision::new(
                Tri::No,
                default_when,
                Why::NoRuleMatched,
                Some(list.origin()),
            )
        });
    }
    match (include_possible, exclude_possible) {
        (Some(d), None) => d,
        (None, Some(mut d)) => {
            d.runs = Tri::No;
            d
        }
        (Some(mut d), Some(_)) => {
            d.runs = Tri::Maybe;
            d
        }
        (None, None) => Decision::new(Tri::No, default_when, Why::NoRuleMatched, None),
    }
}

fn string_pairs(value: Option<&Value>) -> Vec<(String, String)> {
    value
        .map(|v| {
            v.entries()
                .iter()
                .filter_map(|e| {
                    let text = e
                        .value
                        .as_str()
                        .or_else(|| e.value.get("value")?.as_str())?;
                    Some((e.key.to_string(), text.to_string()))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether one rule's `if`, `changes` and `exists` all hold.
pub fn rule_matches(rule: &Value, facts: &dyn Facts, cx: &Context, repo: &dyn Repository) -> Tri {
    let mut result = Tri::Yes;
    if let Some(condition) = rule.get("if") {
        result = result.and(condition_truth(condition, facts));
    }
    if let Some(changes) = rule.get("changes") {
        result = result.and(changes_truth(changes, cx, repo));
    }
    if let Some(exists) = rule.get("exists") {
        result = result.and(exists_truth(exists, repo));
    }
    result
}

/// Expressions parsed so far on this thread: a pipeline is evaluated once per kind of
/// pipeline, and its jobs share their conditions (templates), so each text is parsed once.
/// Bounded: cleared when it grows past [`PARSED_CACHE_MAX`].
const PARSED_CACHE_MAX: usize = 10_000;

thread_local! {
    static PARSED: std::cell::RefCell<std::collections::HashMap<Box<str>, Option<expression::Node>>> =
        std::cell::RefCell::default();
}

/// What a rule that may or may not match depends on, in words.
fn maybe_because(
    rule: &Value,
    facts: &dyn Facts,
    cx: &Context,
    repo: &dyn Repository,
) -> &'static str {
    if !rule.is_map() {
        return "rules not known here (`!reference` or `$[[ inputs ]]`)";
    }
    if rule
        .get("if")
        .is_some_and(|c| condition_truth(c, facts) == Tri::Maybe)
    {
        return "its `if:` depends on a variable or a branch or tag name not known";
    }
    if rule
        .get("changes")
        .is_some_and(|c| changes_truth(c, cx, repo) == Tri::Maybe)
    {
        return "`changes:` (which files the push changes is not known)";
    }
    "`exists:` (files not known here)"
}

/// An `if:` value: an expression that does not parse (reported by
/// invalid-rules-expression) or is not text is unknown.
fn condition_truth(condition: &Value, facts: &dyn Facts) -> Tri {
    let Some(text) = condition.as_str() else {
        return Tri::Maybe;
    };
    PARSED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= PARSED_CACHE_MAX && !cache.contains_key(text) {
            cache.clear();
        }
        let node = cache
            .entry(text.into())
            .or_insert_with(|| expression::parse(text).ok().map(|e| e.node));
        match node {
            Some(node) => truth(node, facts),
            None => Tri::Maybe,
        }
    })
}

/// The glob list of `changes:`/`exists:`: a list, or `{paths: [...]}`.
fn globs(value: &Value) -> Vec<&str> {
    let list = value.get("paths").unwrap_or(value);
    match list {
        Value::Scalar { text, .. } => vec![&**text],
        _ => list.items().iter().filter_map(Value::as_str).collect(),
    }
}

fn changes_truth(changes: &Value, cx: &Context, repo: &dyn Repository) -> Tri {
    if changes.get("compare_to").is_some() {
        return Tri::Maybe;
    }
    match (cx.source.as_str(), cx.ref_kind) {
        // Tags and pipelines without a push event: `changes` always holds.
        ("push", RefKind::Tag) | ("schedule" | "web" | "api" | "trigger" | "pipeline", _) => {
            Tri::Yes
        }
        ("push" | "merge_request_event", _) => {
            let Some(changed) = &cx.changed else {
                return Tri::Maybe;
            };
            let mut result = Tri::No;
            for glob in globs(changes) {
                if glob.contains('$') {
                    result = result.or(Tri::Maybe);
                } else if changed.iter().any(|p| repo.glob_matches(glob, p)) {
                    return Tri::Yes;
                }
            }
            result
        }
        _ => Tri::Maybe,
    }
}

fn exists_truth(exists: &Value, repo: &dyn Repository) -> Tri {
    // Another project's files are not here.
    if exists.get("project").is_some() {
        return Tri::Maybe;
    }
    let mut result = Tri::No;
    for glob in globs(exists) {
        let found = if glob.contains('$') {
            Tri::Maybe
        } else {
            repo.exists(glob.trim_start_matches('/'))
        };
        result = result.or(found);
        if result == Tri::Yes {
            break;
        }
    }
    result
}

/// `only:` or `except:` of a job: whether it matches (every key given matches). GitLab
/// deep-merges `only:` over its default `{refs: [branches, tags]}` (`Entry::Policy#value`):
/// an `only:` map without `refs` keeps the default refs.
fn policy_matches(
    policy: &Value,
    only: bool,
    facts: &dyn Facts,
    cx: &Context,
    repo: &dyn Repository,
) -> Tri {
    match policy {
        Value::Map { entries, .. } => {
            let mut result = if only && policy.get("refs").is_none() {
                kind_default(cx)
            } else {
                Tri::Yes
            };
            for e in entries {
                let key = match &*e.key {
                    "refs" => refs_match(&e.value, cx),
                    "variables" => e
                        .value
                        .items()
                        .iter()
                        .fold(Tri::No, |acc, v| acc.or(condition_truth(v, facts))),
                    "changes" => changes_truth(&e.value, cx, repo),
                    // Whether a Kubernetes integration is active is not in the files.
                    _ => Tri::Maybe,
                };
                result = result.and(key);
            }
            result
        }
        other => refs_match(other, cx),
    }
}

fn refs_match(refs: &Value, cx: &Context) -> Tri {
    let patterns: Vec<&str> = match refs {
        Value::Scalar { text, .. } => vec![&**text],
        _ => refs.items().iter().filter_map(Value::as_str).collect(),
    };
    patterns
        .iter()
        .fold(Tri::No, |acc, p| acc.or(ref_matches(p, cx)))
}

/// One `only`/`except` ref pattern (`lib/gitlab/ci/build/policy/refs.rb`).
fn ref_matches(pattern: &str, cx: &Context) -> Tri {
    // `pattern@group/project`: the project path is not known here.
    let (pattern, project) = match pattern.split_once('@') {
        Some((p, _)) => (p, Tri::Maybe),
        None => (pattern, Tri::Yes),
    };
    let kind = |wanted: RefKind| match cx.ref_kind {
        RefKind::Any => Tri::Maybe,
        k => Tri::from_bool(k == wanted),
    };
    let source = cx.source.trim_end_matches("_event");
    let result = match pattern {
        "branches" => kind(RefKind::Branch),
        "tags" => kind(RefKind::Tag),
        _ if pattern == source || pattern.strip_suffix('s') == Some(source) => Tri::Yes,
        _ if super::keywords::REF_KEYWORDS.contains(&pattern) => Tri::No,
        // A name or a pattern is matched against the ref of branch and tag pipelines only.
        _ if cx.ref_kind == RefKind::MergeRequest => Tri::No,
        _ => match cx.ref_name() {
            Known::Text(name) => match expression::as_pattern(pattern) {
                Some((body, flags)) => expression::compile_regex(body, flags)
                    .map_or(Tri::Maybe, |re| Tri::from_bool(re.is_match(&name))),
                None => Tri::from_bool(name == pattern),
            },
            _ => Tri::Maybe,
        },
    };
    result.and(project)
}

/// What a job's decision depends on beyond the job itself.
#[derive(Clone, Copy, Debug)]
pub struct JobSetting {
    /// Files shipshape cannot read may set the job's `rules`: a job without its own is
    /// then unknown.
    pub open: bool,
    /// The pipeline has `workflow:rules`: GitLab then drops the default
    /// `only: [branches, tags]` (`Entry::Processable#compose!`), and a job without
    /// `rules`, `only` and `except` runs in every pipeline.
    pub workflow_rules: bool,
}

/// Whether a job is added to the pipeline of `cx`.
pub fn job(
    job: &Job,
    facts: &dyn Facts,
    cx: &Context,
    repo: &dyn Repository,
    setting: JobSetting,
) -> Decision {
    let job_when = job
        .value
        .get("when")
        .and_then(Value::as_str)
        .unwrap_or("on_success");
    let mut d = if let Some(list) = job.value.get("rules") {
        rules(list, job_when, facts, cx, repo)
    } else {
        let only = job.value.get("only");
        let except = job.value.get("except");
        if setting.open && only.is_none() && except.is_none() {
            return Decision::new(Tri::Maybe, job_when, Why::OpenInclude, None);
        }
        let included = match only {
            Some(o) => policy_matches(o, true, facts, cx, repo),
            None if setting.workflow_rules => Tri::Yes,
            None => kind_default(cx),
        };
        let excluded = except.map_or(Tri::No, |e| policy_matches(e, false, facts, cx, repo));
        let decided_by = match (included, excluded) {
            (Tri::No, _) => only.map(Value::origin),
            (_, Tri::Yes | Tri::Maybe) => except.map(Value::origin),
            _ => only.map(Value::origin),
        };
        Decision::new(
            included.and(!excluded),
            job_when,
            Why::OnlyExcept,
            decided_by,
        )
    };
    if d.allow_failure.is_none() {
        d.allow_failure = job
            .value
            .get("allow_failure")
            .and_then(Value::as_str)
            .map(|a| a == "true");
    }
    d
}

/// `only: [branches, tags]`, the default.
fn kind_default(cx: &Context) -> Tri {
    match cx.ref_kind {
        RefKind::Branch | RefKind::Tag => Tri::Yes,
        RefKind::MergeRequest => Tri::No,
        RefKind::Any => Tri::Yes,
    }
}

/// Whether the pipeline is created: `workflow:rules` (`when: always`/`never`).
pub fn workflow(
    top: Option<&Value>,
    facts: &dyn Facts,
    cx: &Context,
    repo: &dyn Repository,
    open: bool,
) -> Decision {
    match top
        .and_then(|t| t.get("workflow"))
        .and_then(|w| w.get("rules"))
    {
        Some(list) => rules(list, "always", facts, cx, repo),
        None if open => Decision::new(Tri::Maybe, "always", Why::OpenInclude, None),
        None => Decision::new(Tri::Yes, "always", Why::NoWorkflow, None),
    }
}

/// Most instances GitLab creates of one job (`parallel` maximum).
pub const MAX_INSTANCES: usize = 200;

/// The names GitLab gives a job's instances: `job 1/3` for `parallel: 3`, `job: [a, b]`
/// for each combination of a `parallel: matrix` row (values in the row's key order).
pub fn instance_names(job: &Job) -> Vec<String> {
    let name = &job.name;
    match job.value.get("parallel") {
        Some(Value::Scalar { text, .. }) => match text.parse::<usize>() {
            // `parallel: 1` is one job named `job 1/1` (GitLab's number strategy).
            Ok(n) if (1..=MAX_INSTANCES).contains(&n) => {
                (1..=n).map(|i| format!("{name} {i}/{n}")).collect()
            }
            _ => vec![name.clone()],
        },
        Some(p) => match p.get("matrix") {
            Some(matrix) => {
                let mut out = Vec::new();
                for row in matrix.items() {
                    let mut combos: Vec<Vec<String>> = vec![Vec::new()];
                    for e in row.entries() {
                        let values: Vec<String> = match &e.value {
                            Value::Seq { items, .. } => items
                                .iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect(),
                            v => v.as_str().map(str::to_string).into_iter().collect(),
                        };
                        combos = combos
                            .into_iter()
                            .flat_map(|c| {
                                values.iter().map(move |v| {
                                    let mut c = c.clone();
                                    c.push(v.clone());
                                    c
                                })
                            })
                            .take(MAX_INSTANCES)
                            .collect();
                    }
                    out.extend(
                        combos
                            .into_iter()
                            .map(|c| format!("{name}: [{}]", c.join(", "))),
                    );
                    if out.len() >= MAX_INSTANCES {
                        out.truncate(MAX_INSTANCES);
                        break;
                    }
                }
                if out.is_empty() {
                    vec![name.clone()]
                } else {
                    out
                }
            }
            None => vec![name.clone()],
        },
        None => vec![name.clone()],
    }
}

/// A job's variables over a context: what GitLab predefines (and values given on the
/// command line) first; then, when the context counts them, the pipeline's own
/// `variables:` (later pairs override earlier ones).
pub struct Scope<'a> {
    pub context: &'a Context,
    pub yaml: Vec<(String, String)>,
}

impl Facts for Scope<'_> {
    fn value(&self, name: &str) -> Known {
        if let Some(k) = self.context.predefined(name) {
            return k;
        }
        if !self.context.yaml_values_known {
            return Known::Unknown;
        }
        match self.yaml.iter().rfind(|(n, _)| n == name) {
            // A value that refers to other variables is expanded by GitLab; not here.
            Some((_, v)) if v.contains('$') => Known::Unknown,
            Some((_, v)) => Known::Text(v.clone()),
            // Told everything (`shipshape pipeline`): a variable neither in the files nor
            // given is unset, as in a project without CI/CD variables.
            None => Known::Unset,
        }
    }

    fn distinct(&self, a: &str, b: &str) -> bool {
        self.context.distinct(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::contexts::CONTEXTS;
    use crate::gitlab::pipeline::{PipelineSource, build};
    use shipshape_yaml::FileId;

    fn pipeline(yaml: &str) -> crate::gitlab::Pipeline {
        let parsed = shipshape_yaml::parse(yaml);
        let source = PipelineSource {
            file: FileId(0),
            tree: &parsed.tree,
            root: parsed.tree.root().unwrap(),
        };
        build(FileId(0), &[source], false)
    }

    struct NoFiles;

    impl Repository for NoFiles {
        fn exists(&self, _: &str) -> Tri {
            Tri::No
        }
        fn glob_matches(&self, glob: &str, path: &str) -> bool {
            glob == path
        }
    }

    /// Whether each job runs in the context `id`.
    fn runs(yaml: &str, id: &str) -> Vec<(String, Tri)> {
        let pipeline = pipeline(yaml);
        let spec = CONTEXTS.iter().find(|c| c.id == id).unwrap();
        let cx = Context::from_spec(spec);
        let setting = JobSetting {
            open: false,
            workflow_rules: yaml.contains("workflow:"),
        };
        pipeline
            .visible_jobs()
            .map(|j| (j.name.clone(), job(j, &cx, &cx, &NoFiles, setting).runs))
            .collect()
    }

    #[test]
    fn rules_first_match_and_maybe() {
        let yaml = "a:\n  script: x\n  rules:\n    - if: $DEPLOY == \"yes\"\n      when: never\n    - if: $CI_COMMIT_TAG\nb:\n  script: x\n  rules:\n    - when: never\n    - when: always\n";
        assert_eq!(
            runs(yaml, "tag"),
            vec![("a".into(), Tri::Maybe), ("b".into(), Tri::No)]
        );
        assert_eq!(runs(yaml, "push-branch")[0].1, Tri::No);
    }

    #[test]
    fn only_except_defaults_and_merge() {
        let yaml = "plain:\n  script: x\nvars:\n  script: x\n  only:\n    variables: [$CI]\nmr:\n  script: x\n  only: [merge_requests]\nnot-tags:\n  script: x\n  except: [tags]\n";
        let mr = runs(yaml, "merge-request");
        assert_eq!(mr[0].1, Tri::No, "no rules: branches and tags only");
        assert_eq!(mr[1].1, Tri::No, "only: variables keeps the default refs");
        assert_eq!(mr[2].1, Tri::Yes);
        let tag = runs(yaml, "tag");
        assert_eq!(tag[3].1, Tri::No);
        assert_eq!(tag[0].1, Tri::Yes);
        // With workflow:rules the default refs are dropped: jobs without rules run in
        // merge request pipelines too.
        let with_workflow = format!("workflow:\n  rules:\n    - when: always\n{yaml}");
        assert_eq!(runs(&with_workflow, "merge-request")[0].1, Tri::Yes);
    }

    #[test]
    fn exists_changes_and_unknown_rules() {
        let yaml = "e:\n  script: x\n  rules:\n    - exists: [Dockerfile]\nc:\n  script: x\n  rules:\n    - changes: [src/**]\ni:\n  script: x\n  rules: $[[ inputs.rules ]]\n";
        let push = runs(yaml, "push-branch");
        assert_eq!(push[0].1, Tri::No);
        assert_eq!(push[1].1, Tri::Maybe, "changes without a diff");
        assert_eq!(push[2].1, Tri::Maybe, "rules from inputs");
        assert_eq!(runs(yaml, "tag")[1].1, Tri::Yes, "changes holds for tags");
    }

    #[test]
    fn matrix_and_parallel_names() {
        let yaml = "m:\n  script: x\n  parallel:\n    matrix:\n      - P: [a, b]\n        Q: z\n      - P: c\np:\n  script: x\n  parallel: 2\n";
        let pipeline = pipeline(yaml);
        assert_eq!(
            instance_names(pipeline.job("m").unwrap()),
            vec!["m: [a, z]", "m: [b, z]", "m: [c]"]
        );
        assert_eq!(
            instance_names(pipeline.job("p").unwrap()),
            vec!["p 1/2", "p 2/2"]
        );
    }
}
