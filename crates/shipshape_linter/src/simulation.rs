//! Which jobs each kind of pipeline runs: the model's evaluator
//! (`shipshape_model::gitlab::simulate`) applied to a whole `CiPipeline` with what the
//! workspace knows: conditional includes (`include:rules`), the repository's files for
//! `exists:`, `workflow:rules:variables`. Used by the rules that check every kind of
//! pipeline, by `shipshape pipeline` and by the language server's hover.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use shipshape_model::gitlab::contexts::Context;
use shipshape_model::gitlab::evaluate::Tri;
use shipshape_model::gitlab::simulate::{self, JobSetting, Repository, Scope, rule_items};
use shipshape_model::gitlab::{Job, Origin, Value};
use shipshape_yaml::FileId;

use crate::pipeline_runs::{JobRun, PipelineRun};
use crate::workspace::{CiPipeline, IncludeOutcome, ResolvedInclude, Workspace};

/// The repository's answers for `exists:` (globs evaluated against its files when the
/// workspace was built) and `changes:` glob matching.
struct RepoFacts<'a> {
    exists: Option<&'a HashMap<String, bool>>,
}

impl Repository for RepoFacts<'_> {
    fn exists(&self, glob: &str) -> Tri {
        match self.exists.and_then(|m| m.get(glob)) {
            Some(&found) => Tri::from_bool(found),
            None => Tri::Maybe,
        }
    }

    fn glob_matches(&self, glob: &str, path: &str) -> bool {
        fnmatch(glob).is_some_and(|g| g.is_match(path))
    }
}

/// A `changes:`/`exists:` glob as GitLab matches it (Ruby `File.fnmatch` with
/// `FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB`: `*` stays within a directory, `**/`
/// crosses them, `{a,b}` alternates, dot files match).
pub fn fnmatch(glob: &str) -> Option<globset::GlobMatcher> {
    globset::GlobBuilder::new(glob.trim_start_matches('/'))
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// Every kind of pipeline the rules check, built once and shared by every simulation.
static ALL_CONTEXTS: LazyLock<Vec<Arc<Context>>> =
    LazyLock::new(|| Context::all().into_iter().map(Arc::new).collect());

/// The pipeline in every context its file can run in: a child pipeline only as a child;
/// a fragment (a file checked without what includes or triggers it) as either. Not kept:
/// the rules compute it once per pipeline while they check it (`PipelineContext`), so a
/// monorepo's 50,000 pipelines never hold their simulations all at once.
pub fn simulations(ws: &Workspace, pipeline: &CiPipeline) -> Vec<PipelineRun> {
    ALL_CONTEXTS
        .iter()
        .filter(|c| c.child == pipeline.child || pipeline.fragment)
        .map(|c| simulate(ws, pipeline, c.clone()))
        .collect()
}

/// The pipeline in one context.
pub fn simulate(ws: &Workspace, pipeline: &CiPipeline, context: Arc<Context>) -> PipelineRun {
    let model = &pipeline.model;
    let repo = RepoFacts {
        exists: ws.exists_facts.get(&model.root_file),
    };
    let open = model.open_includes || model.truncated;
    let globals: Vec<(String, String)> = model
        .variables
        .iter()
        .filter_map(|v| Some((v.name.clone(), v.value.clone()?)))
        .collect();
    let scope = Scope {
        context: &context,
        yaml: globals.clone(),
    };
    let created = simulate::workflow(model.top.as_ref(), &scope, &context, &repo, open);
    let conditions = include_conditions(ws, pipeline, &context, &repo);
    let setting = JobSetting {
        open,
        workflow_rules: model
            .top
            .as_ref()
            .and_then(|t| t.get("workflow"))
            .and_then(|w| w.get("rules"))
            .is_some(),
    };
    let mut jobs = Vec::new();
    for (index, job) in model.jobs.iter().enumerate() {
        if job.hidden {
            continue;
        }
        // Only a context that counts the files' variables reads them (the rules' contexts
        // take them as unknown): no copy per job and context then.
        let mut yaml = Vec::new();
        if context.yaml_values_known {
            yaml = globals.clone();
            if created.runs == Tri::Yes {
                yaml.extend(created.variables.iter().cloned());
            }
            yaml.extend(
                model
                    .job_variables(job)
                    .into_iter()
                    .filter_map(|v| Some((v.name, v.value?))),
            );
        }
        let scope = Scope {
            context: &context,
            yaml,
        };
        let mut decision = simulate::job(job, &scope, &context, &repo, setting);
        if has_unresolved_extends(pipeline, job) {
            decision.runs = Tri::Maybe;
        }
        let (condition, include_rules) = conditions
            .get(&job.key.file)
            .copied()
            .unwrap_or((Tri::Yes, None));
        jobs.push(JobRun {
            job: index,
            runs: decision.runs.and(condition),
            include_rules: (condition != Tri::Yes).then_some(include_rules).flatten(),
            decision,
        });
    }
    PipelineRun::new(context, created, jobs, model.jobs.len())
}

/// A job whose `extends` names a template the pipeline lacks has lost what the template
/// would give it, `rules` included: unknown.
fn has_unresolved_extends(pipeline: &CiPipeline, job: &Job) -> bool {
    use shipshape_model::gitlab::PipelineError;
    pipeline.model.errors.iter().any(|e| match e {
        PipelineError::UnknownExtends { job: j, .. }
        | PipelineError::ExtendsCycle { job: j, .. }
        | PipelineError::ExtendsTooDeep { job: j, .. } => *j == job.name,
        _ => false,
    })
}

/// For each file of the pipeline, whether the includes that lead to it are taken in this
/// context (`include:rules`), and the rules that may leave it out.
fn include_conditions(
    ws: &Workspace,
    pipeline: &CiPipeline,
    context: &Context,
    repo: &RepoFacts<'_>,
) -> HashMap<FileId, (Tri, Option<Origin>)> {
    let root = pipeline.model.root_file;
    let mut conditions: HashMap<FileId, (Tri, Option<Origin>)> = HashMap::new();
    conditions.insert(root, (Tri::Yes, None));
    let mut stack = vec![root];
    // A file's condition only grows (No, Maybe, Yes): each is pushed at most three times.
    while let Some(file) = stack.pop() {
        let (here, here_rules) = conditions[&file];
        for include in ws.ci_includes.get(&file).into_iter().flatten() {
            let IncludeOutcome::Files(ids) = &include.outcome else {
                continue;
            };
            if include.child {
                continue;
            }
            let (taken, rules) = match include_taken(ws, include, context, repo) {
                Some((t, o)) => (here.and(t), Some(o)),
                None => (here, here_rules),
            };
            for &id in ids {
                let better = conditions.get(&id).is_none_or(|(c, _)| taken > *c);
                if better {
                    conditions.insert(id, (taken, rules.or(here_rules)));
                    stack.push(id);
                }
            }
        }
    }
    conditions
}

/// An include entry's `rules:` as a value, read from its file's tree (None: it has none).
fn include_rules(files: &crate::workspace::Files, include: &ResolvedInclude) -> Option<Value> {
    let origin = include.include.rules?;
    let tree = files.file(origin.file).tree()?;
    // A `rules:` list is small; the budget only stops an alias bomb.
    let mut budget = 10_000;
    Some(Value::from_tree(
        origin.file,
        tree,
        origin.node,
        &mut budget,
    ))
}

/// An include's `rules:`, evaluated (None: it has none).
fn include_taken(
    ws: &Workspace,
    include: &ResolvedInclude,
    context: &Context,
    repo: &RepoFacts<'_>,
) -> Option<(Tri, Origin)> {
    let list = include_rules(&ws.files, include)?;
    // Include rules see predefined and project variables, not the pipeline's own.
    let decision = simulate::rules(&list, "always", context, context, repo);
    Some((decision.runs, list.origin()))
}

/// Every `exists:` glob of a pipeline's rules (jobs, `workflow:`, `include:`), to be
/// evaluated against the repository's files while the workspace is built.
pub fn exists_globs(
    pipeline: &CiPipeline,
    ci_includes: &HashMap<FileId, Vec<ResolvedInclude>>,
    files: &crate::workspace::Files,
) -> Vec<String> {
    let model = &pipeline.model;
    let included: Vec<Value> = model
        .files
        .iter()
        .flat_map(|file| ci_includes.get(file).into_iter().flatten())
        .filter_map(|include| include_rules(files, include))
        .collect();
    let workflow = model
        .top
        .as_ref()
        .and_then(|t| t.get("workflow"))
        .and_then(|w| w.get("rules"));
    let lists = model
        .jobs
        .iter()
        .filter_map(|job| job.value.get("rules"))
        .chain(workflow)
        .chain(&included);
    let mut out = Vec::new();
    for list in lists {
        for rule in rule_items(list) {
            let Some(exists) = rule.get("exists") else {
                continue;
            };
            let globs = exists.get("paths").unwrap_or(exists);
            let items: Vec<&Value> = match globs {
                Value::Seq { items, .. } => items.iter().collect(),
                other => vec![other],
            };
            out.extend(
                items
                    .into_iter()
                    .filter_map(Value::as_str)
                    .filter(|g| !g.contains('$'))
                    .map(|g| g.trim_start_matches('/').to_string()),
            );
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Which of `globs` some repository file matches. A listing cut at the walk's bound says
/// nothing about the files it left out: a glob it does not match is then not recorded
/// (unknown), only the ones it does.
pub fn evaluate_exists(globs: &[String], listing: &[String]) -> HashMap<String, bool> {
    let complete = listing.len() < crate::fs::MAX_WALK_FILES;
    globs
        .iter()
        .filter_map(|g| {
            let found = fnmatch(g).is_some_and(|m| listing.iter().any(|p| m.is_match(p)));
            (found || complete).then(|| (g.clone(), found))
        })
        .collect()
}
