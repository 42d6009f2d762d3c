//! The Compose invocations of CI jobs (ARCHITECTURE section 7): every `docker compose` /
//! `docker-compose` command in a job's scripts (after `extends` and `!reference`),
//! followed through the script's `cd`s and `export`s, and resolved against the files it
//! reads: its `-f` files (or `COMPOSE_FILE`, or the default file names) in the job's
//! working directory, the project they form, and the variables that reach Compose's
//! interpolation.

use shipshape_model::interpolation::is_dynamic;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use shipshape_model::compose::files::{BASE_NAMES, OVERRIDE_NAMES};
use shipshape_model::compose_cli::{self, Invocation};
use shipshape_model::gitlab::{Job, Origin};
use shipshape_model::shell::{self, ScriptState, Word};

use crate::fs::FileSystem;
use crate::paths::normalize;
use crate::pipelines::IncludeResolver;
use crate::runs::{ComposeRun, FileArg, MissingFile, RunFiles, RunVariables};
use crate::settings::JobLink;
use crate::workspace::{CiPipeline, Files, PipelineId};

/// A run found in a pipeline, with the paths it needs before the files are loaded.
pub struct PendingRun {
    pub pipeline: PipelineId,
    pub run: ComposeRun,
    /// (path, where it is named) for each Compose file, in order.
    files: Vec<(PathBuf, Option<MissingFile>)>,
    env_files: Vec<PathBuf>,
}

impl PendingRun {
    /// The Compose files it reads, found or not.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|(p, _)| p.as_path())
    }
}

/// Every Compose file and env file the runs of the workspace's pipelines read.
pub fn wanted_paths(runs: &[PendingRun]) -> (BTreeSet<PathBuf>, BTreeSet<PathBuf>) {
    let compose = runs
        .iter()
        .flat_map(|r| {
            r.files
                .iter()
                .filter(|(_, m)| m.is_none())
                .map(|(p, _)| p.clone())
        })
        .collect();
    let env = runs
        .iter()
        .flat_map(|r| r.env_files.iter().cloned())
        .collect();
    (compose, env)
}

/// Finds the Compose commands of every visible job of every pipeline.
pub fn discover(
    files: &Files,
    pipelines: &[CiPipeline],
    resolver: &IncludeResolver<'_>,
    fs: &dyn FileSystem,
    links: &[JobLink],
) -> Vec<PendingRun> {
    // Jobs start in the repository root (CI_PROJECT_DIR).
    let roots: Vec<Vec<PathBuf>> = pipelines
        .iter()
        .map(|p| resolver.roots(&files.file(p.model.root_file).dir()))
        .collect();
    pipelines
        .par_iter()
        .zip(roots)
        .enumerate()
        .flat_map_iter(|(index, (pipeline, roots))| {
            pipeline_runs(fs, links, PipelineId(index as u32), pipeline, &roots)
        })
        .collect()
}

/// What every run of one job shares.
struct JobScope<'a> {
    fs: &'a dyn FileSystem,
    /// The places the repository root may be (see `IncludeResolver::roots`).
    roots: &'a [PathBuf],
    pipeline: PipelineId,
    job: &'a Job,
    job_vars: &'a [shipshape_model::gitlab::services::Variable],
}

/// The runs of one pipeline's jobs, in job order.
fn pipeline_runs(
    fs: &dyn FileSystem,
    links: &[JobLink],
    index: PipelineId,
    pipeline: &CiPipeline,
    roots: &[PathBuf],
) -> Vec<PendingRun> {
    let model = &pipeline.model;
    // Jobs are independent: a 1,000-job pipeline is read on every core.
    let jobs: Vec<&Job> = model.visible_jobs().collect();
    jobs.par_iter()
        .flat_map_iter(|job| job_runs(fs, links, index, model, job, roots))
        .collect()
}

/// The runs of one job, in script order.
fn job_runs(
    fs: &dyn FileSystem,
    links: &[JobLink],
    pipeline: PipelineId,
    model: &shipshape_model::gitlab::Pipeline,
    job: &Job,
    roots: &[PathBuf],
) -> Vec<PendingRun> {
    let mut out = Vec::new();
    let job_vars = model.job_variables(job);
    let scope = JobScope {
        fs,
        roots,
        pipeline,
        job,
        job_vars: &job_vars,
    };
    let vars = script_variables(&job_vars, &ScriptState::default());
    for link in links.iter().filter(|l| l.job == job.name) {
        out.push(linked_run(&scope, &vars, link));
    }
    // Files the script makes stay on disk for `after_script`, a new shell otherwise.
    let mut made_by_script = (Vec::new(), Vec::new());
    for (keys, after) in [
        (&["before_script", "script"][..], false),
        (&["after_script"][..], true),
    ] {
        let mut state = ScriptState::new(
            std::mem::take(&mut made_by_script.0),
            std::mem::take(&mut made_by_script.1),
        );
        for key in keys {
            for line in job.script(key) {
                let Some(text) = line.as_str() else { continue };
                for command in shell::commands(text) {
                    if let Some(invocation) = compose_cli::parse(&command) {
                        let (invocation, expansions) =
                            expand_variables(&command, text, &job_vars, &state)
                                .unwrap_or((invocation, Vec::new()));
                        out.push(resolve(
                            &scope,
                            &state,
                            line.origin(),
                            invocation,
                            after,
                            &expansions,
                        ));
                    }
                    state.follow(&command);
                }
            }
        }
        made_by_script = (state.earlier_words, state.made_dirs);
    }
    out
}

/// An unquoted `$VAR` / `${VAR}` of a Compose command line, split into the words its
/// value (set in the job's or the global `variables:`) becomes.
struct Expansion {
    /// The `$VAR` word in the script line.
    range: std::ops::Range<usize>,
    name: String,
    origin: Origin,
    /// Each word of the value, with its range in the value.
    words: Vec<(String, std::ops::Range<usize>)>,
}

/// The command with its unquoted `$VAR` words replaced by the words of the variables'
/// literal values (`docker-compose ${COMPOSE_FILES} up` with `COMPOSE_FILES: -f a.yml -f
/// b.yml`), parsed again; None when no word is such a variable. The new words keep the
/// `$VAR` word's range.
fn expand_variables(
    command: &shell::Command,
    text: &str,
    job_vars: &[shipshape_model::gitlab::services::Variable],
    state: &ScriptState,
) -> Option<(Invocation, Vec<Expansion>)> {
    let mut expansions = Vec::new();
    let mut words = Vec::new();
    for w in &command.words {
        let written = text.get(w.range.clone()).unwrap_or("");
        let name = written
            .strip_prefix("${")
            .and_then(|n| n.strip_suffix('}'))
            .or_else(|| written.strip_prefix('$'));
        let var = name
            .filter(|n| written == w.text && shell::is_assignment(&format!("{n}=")))
            // Set by the CI configuration, not changed by the script.
            .filter(|n| !state.assigned.contains(*n))
            .and_then(|n| job_vars.iter().rev().find(|v| v.name == n))
            .filter(|v| v.expand);
        let Some((var, value)) = var.and_then(|v| Some((v, v.value.as_deref()?))) else {
            words.push(w.clone());
            continue;
        };
        if value.contains(['$', '`', '"', '\'', '\\']) {
            words.push(w.clone());
            continue;
        }
        let mut pieces = Vec::new();
        let mut at = 0;
        for piece in value.split_ascii_whitespace() {
            let start = at + value[at..].find(piece).expect("a piece of the value");
            at = start + piece.len();
            pieces.push((piece.to_string(), start..at));
            words.push(Word {
                text: piece.to_string(),
                range: w.range.clone(),
                dynamic: false,
            });
        }
        expansions.push(Expansion {
            range: w.range.clone(),
            name: var.name.clone(),
            origin: var.value_origin,
            words: pieces,
        });
    }
    if expansions.is_empty() {
        return None;
    }
    let expanded = shell::Command {
        words,
        ..command.clone()
    };
    Some((compose_cli::parse(&expanded)?, expansions))
}

/// The run a `[[links]]` entry stands for: `docker compose up` of the linked files, as
/// the job's variables see it.
fn linked_run(scope: &JobScope<'_>, vars: &RunVariables, link: &JobLink) -> PendingRun {
    let JobScope {
        fs, pipeline, job, ..
    } = *scope;
    let up = Word {
        text: "up".into(),
        range: 0..0,
        dynamic: false,
    };
    let invocation = Invocation {
        v1: false,
        program: 0..0,
        global: Vec::new(),
        subcommand: Some(up),
        flags: Vec::new(),
        services: Vec::new(),
        uncertain: false,
        background: false,
        assignments: Vec::new(),
    };
    let files = link
        .compose
        .iter()
        .map(|(written, path)| {
            let missing = (!fs.is_file(path)).then(|| MissingFile {
                written: written.clone(),
                path: path.clone(),
                candidates: vec![path.clone()],
                at: FileArg::Link,
            });
            (path.clone(), missing)
        })
        .collect();
    PendingRun {
        pipeline,
        run: ComposeRun {
            job: job.name.clone(),
            job_key: job.key,
            origin: job.key,
            invocation,
            cwd: Some(String::new()),
            after_script: false,
            files: RunFiles::default(),
            project: None,
            env_files: Vec::new(),
            variables: vars.clone(),
            profiles_env: None,
            earlier_words: Vec::new(),
            made_dirs: Vec::new(),
            linked: true,
        },
        files,
        env_files: Vec::new(),
    }
}

/// The variables known to reach a command: the job's (and global) `variables:`, those
/// the script exported over them, and whether the script may have set anything.
fn script_variables(
    job_vars: &[shipshape_model::gitlab::services::Variable],
    state: &ScriptState,
) -> RunVariables {
    let mut vars = RunVariables::default();
    for v in job_vars {
        vars.set.insert(v.name.clone(), Some(v.value_origin));
    }
    for name in &state.assigned {
        vars.set.insert(name.clone(), None);
    }
    vars.open = state.open;
    vars
}

/// One Compose command of a job's script, with the files it reads looked up on disk.
fn resolve(
    scope: &JobScope<'_>,
    state: &ScriptState,
    origin: Origin,
    invocation: Invocation,
    after_script: bool,
    expansions: &[Expansion],
) -> PendingRun {
    let mut run = new_run(scope, state, origin, invocation, after_script);
    let mut files = Vec::new();
    let mut env_files = Vec::new();
    if let Some(cwd) = &state.cwd {
        // The directories the working directory may be (see `IncludeResolver::roots`).
        let dirs: Vec<PathBuf> = scope
            .roots
            .iter()
            .map(|r| normalize(&r.join(cwd)))
            .collect();
        let named = named_files(scope.job_vars, state, &run.invocation, expansions);
        // `COMPOSE_FILE` set by the CI configuration without a literal value: the files
        // are unknown; the default files are still loaded, as context.
        run.files.dynamic |= named.is_none();
        let named = named.unwrap_or_default();
        if named.is_empty() {
            run.files.default_names = true;
            files = default_files(scope.fs, &dirs);
        }
        for (written, at, dynamic) in named {
            match locate(scope, &dirs, written, at, dynamic) {
                Some(file) => files.push(file),
                None => run.files.dynamic = true,
            }
        }
        for w in run.invocation.env_files() {
            let found = (!w.dynamic)
                .then(|| {
                    dirs.iter()
                        .map(|d| normalize(&d.join(&w.text)))
                        .find(|p| scope.fs.is_file(p))
                })
                .flatten();
            match found {
                Some(p) => env_files.push(p),
                None => run.variables.open = true,
            }
        }
    } else {
        run.files.dynamic = true;
    }
    PendingRun {
        pipeline: scope.pipeline,
        run,
        files,
        env_files,
    }
}

/// The run as the script sees it, before its files are looked up.
fn new_run(
    scope: &JobScope<'_>,
    state: &ScriptState,
    origin: Origin,
    invocation: Invocation,
    after_script: bool,
) -> ComposeRun {
    let mut variables = script_variables(scope.job_vars, state);
    for a in &invocation.assignments {
        if let Some((name, _)) = a.text.split_once('=') {
            variables.set.insert(name.to_string(), None);
        }
    }
    let job_profiles = scope
        .job_vars
        .iter()
        .find(|v| v.name == "COMPOSE_PROFILES")
        .map(|v| v.value.as_deref());
    let exported = state
        .exported
        .get("COMPOSE_PROFILES")
        .map(|(v, _)| v.as_str());
    let profiles_env = compose_cli::profiles_env(&invocation, exported, job_profiles);
    ComposeRun {
        job: scope.job.name.clone(),
        job_key: scope.job.key,
        origin,
        invocation,
        cwd: state.cwd.clone(),
        after_script,
        files: RunFiles::default(),
        project: None,
        env_files: Vec::new(),
        variables,
        profiles_env,
        earlier_words: state.earlier_words.clone(),
        made_dirs: state.made_dirs.clone(),
        linked: false,
    }
}

/// The files a command names, as written, with where each is named and whether a
/// variable makes it: `-f` (a word an expansion brought points into the variable's
/// value), else `COMPOSE_FILE` (command line, export, job variable). Empty: the default
/// names; None: `COMPOSE_FILE` is a job variable without a literal value.
fn named_files(
    job_vars: &[shipshape_model::gitlab::services::Variable],
    state: &ScriptState,
    inv: &Invocation,
    expansions: &[Expansion],
) -> Option<Vec<(String, FileArg, bool)>> {
    // A word an expansion brought: its place in the variable's value (each word once).
    let mut taken = vec![0usize; expansions.len()];
    let flags: Vec<(String, FileArg, bool)> = inv
        .files()
        .map(|w| {
            let from = expansions.iter().enumerate().find_map(|(i, e)| {
                if e.range != w.range {
                    return None;
                }
                let k = (taken[i]..e.words.len()).find(|&k| e.words[k].0 == w.text)?;
                taken[i] = k + 1;
                Some(FileArg::Expanded(
                    e.origin,
                    e.words[k].1.clone(),
                    e.name.clone(),
                ))
            });
            let at = from.unwrap_or_else(|| FileArg::Flag(w.range.clone()));
            (w.text.clone(), at, w.dynamic)
        })
        .collect();
    if !flags.is_empty() {
        return Some(flags);
    }
    let separator = job_vars
        .iter()
        .find(|v| v.name == "COMPOSE_PATH_SEPARATOR")
        .and_then(|v| v.value.as_deref())
        .unwrap_or(compose_cli::DEFAULT_PATH_SEPARATOR);
    // The value, and where its first byte is in the script (None: not written as is).
    let assigned = inv
        .assignments
        .iter()
        .rev()
        .find_map(|a| {
            let value = a.text.strip_prefix("COMPOSE_FILE=")?;
            let verbatim = a.range.len() == a.text.len();
            Some((
                value,
                a.range.clone(),
                verbatim.then(|| a.range.end - value.len()),
            ))
        })
        .or_else(|| {
            let (value, range) = state.exported.get("COMPOSE_FILE")?;
            let verbatim = range.len() == "COMPOSE_FILE=".len() + value.len();
            Some((
                value.as_str(),
                range.clone(),
                verbatim.then(|| range.end - value.len()),
            ))
        });
    if let Some((value, word, start)) = assigned {
        let entries = compose_cli::compose_file_entries(value, separator);
        return Some(
            entries
                .into_iter()
                .map(|(e, r)| {
                    let range = start.map_or(word.clone(), |s| s + r.start..s + r.end);
                    let dynamic = is_dynamic(e);
                    (e.to_string(), FileArg::Assignment(range), dynamic)
                })
                .collect(),
        );
    }
    let Some(v) = job_vars.iter().find(|v| v.name == "COMPOSE_FILE") else {
        return Some(Vec::new());
    };
    let entries = compose_cli::compose_file_entries(v.value.as_deref()?, separator);
    Some(
        entries
            .into_iter()
            .map(|(e, r)| {
                let dynamic = is_dynamic(e);
                (e.to_string(), FileArg::Variable(v.value_origin, r), dynamic)
            })
            .collect(),
    )
}

/// The default files in the first of `dirs` that holds one, with its override; or the
/// missing default file.
fn default_files(fs: &dyn FileSystem, dirs: &[PathBuf]) -> Vec<(PathBuf, Option<MissingFile>)> {
    let found = dirs.iter().find_map(|dir| {
        let base = BASE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| fs.is_file(p))?;
        let over = OVERRIDE_NAMES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| fs.is_file(p));
        Some((base, over))
    });
    match found {
        Some((base, over)) => std::iter::once((base, None))
            .chain(over.map(|o| (o, None)))
            .collect(),
        None => vec![(
            dirs[0].join(BASE_NAMES[0]),
            Some(MissingFile {
                written: String::new(),
                path: dirs[0].clone(),
                candidates: dirs.to_vec(),
                at: FileArg::Default,
            }),
        )],
    }
}

/// Where a named file is: the first of `dirs` that holds it, else where Compose would
/// look (missing). None when only the run knows (a variable, stdin, a path of the
/// runner's machine outside the repository).
fn locate(
    scope: &JobScope<'_>,
    dirs: &[PathBuf],
    written: String,
    at: FileArg,
    dynamic: bool,
) -> Option<(PathBuf, Option<MissingFile>)> {
    if dynamic || written == "-" {
        return None;
    }
    if written.starts_with(['/', '~'])
        && !scope
            .roots
            .iter()
            .any(|r| Path::new(&written).starts_with(r))
    {
        return None;
    }
    let candidates: Vec<PathBuf> = dirs.iter().map(|d| normalize(&d.join(&written))).collect();
    match candidates.iter().find(|p| scope.fs.is_file(p)) {
        Some(p) => Some((p.clone(), None)),
        None => Some((
            candidates[0].clone(),
            Some(MissingFile {
                written,
                path: candidates[0].clone(),
                candidates,
                at,
            }),
        )),
    }
}

/// Gives each run the ids of the files it reads (and the `--env-file`s), once they are
/// loaded. Returns (pipeline, run).
pub fn settle(files: &Files, pending: Vec<PendingRun>) -> Vec<(PipelineId, ComposeRun)> {
    pending
        .into_iter()
        .map(|p| {
            let mut run = p.run;
            for (path, missing) in p.files {
                match missing {
                    Some(m) => run.files.missing.push(m),
                    None => match files.by_path(&path) {
                        Some(f) if f.compose.is_some() => run.files.found.push(f.id()),
                        _ => run.files.dynamic = true,
                    },
                }
            }
            run.env_files = p
                .env_files
                .iter()
                .filter_map(|path| Some(files.by_path(path)?.id()))
                .collect();
            (p.pipeline, run)
        })
        .collect()
}
