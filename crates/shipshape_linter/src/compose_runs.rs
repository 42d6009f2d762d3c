//! The Compose invocations of CI jobs (ARCHITECTURE section 7): every `docker compose` /
//! `docker-compose` command in a job's scripts (after `extends` and `!reference`),
//! followed through the script's `cd`s and `export`s, and resolved against the files it
//! reads: its `-f` files (or `COMPOSE_FILE`, or the default file names) in the job's
//! working directory, the project they form, and the variables that reach Compose's
//! interpolation.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use shipshape_model::compose::files::{BASE_NAMES, OVERRIDE_NAMES};
use shipshape_model::compose_cli::{self, Invocation};
use shipshape_model::gitlab::{Job, Origin};
use shipshape_model::shell::{self, Word};

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
    let mut vars = RunVariables::default();
    for v in &job_vars {
        vars.set.insert(v.name.clone(), Some(v.value_origin));
    }
    for link in links.iter().filter(|l| l.job == job.name) {
        out.push(linked_run(&scope, &vars, link));
    }
    // Files the script makes stay on disk for `after_script`, a new shell otherwise.
    let mut made_by_script = (Vec::new(), Vec::new());
    for (keys, after) in [
        (&["before_script", "script"][..], false),
        (&["after_script"][..], true),
    ] {
        let mut state = ScriptState {
            cwd: Some(String::new()),
            vars: vars.clone(),
            exported: HashMap::new(),
            earlier_words: std::mem::take(&mut made_by_script.0),
            made_dirs: std::mem::take(&mut made_by_script.1),
        };
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
            .filter(|n| matches!(state.vars.set.get(*n), Some(Some(_))))
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

/// What the script has done so far that matters to the next commands.
struct ScriptState {
    cwd: Option<String>,
    vars: RunVariables,
    /// Exported values, for `COMPOSE_FILE` and `COMPOSE_PROFILES` (value, word range).
    exported: HashMap<String, (String, std::ops::Range<usize>)>,
    earlier_words: Vec<String>,
    made_dirs: Vec<String>,
}

/// `git clone` flags that take a value (the next word).
const GIT_CLONE_VALUE_FLAGS: &[&str] = &[
    "-b",
    "--branch",
    "--depth",
    "-o",
    "--origin",
    "-c",
    "--config",
    "--reference",
    "-j",
    "--jobs",
    "-u",
    "--upload-pack",
    "--template",
    "--separate-git-dir",
    "--shallow-since",
    "--shallow-exclude",
];

/// The directories a command makes: `git clone URL [DIR]`, `mkdir DIR...`, `tar -C DIR`,
/// `unzip -d DIR`.
fn made_dirs(program: &str, args: &[Word]) -> Vec<String> {
    let value_of = |flags: &[&str]| -> Vec<String> {
        args.windows(2)
            .filter(|w| flags.contains(&w[0].text.as_str()))
            .map(|w| w[1].text.clone())
            .collect()
    };
    match program {
        "git" if args.first().is_some_and(|a| a.text == "clone") => {
            let mut positional = Vec::new();
            let mut skip = false;
            for a in &args[1..] {
                if skip {
                    skip = false;
                } else if GIT_CLONE_VALUE_FLAGS.contains(&a.text.as_str()) {
                    skip = true;
                } else if !a.text.starts_with('-') {
                    positional.push(a.text.as_str());
                }
            }
            match positional[..] {
                [_, dir, ..] => vec![dir.to_string()],
                [url] => {
                    let base = url.trim_end_matches('/').rsplit(['/', ':']).next();
                    base.map(|b| b.trim_end_matches(".git").to_string())
                        .into_iter()
                        .collect()
                }
                [] => Vec::new(),
            }
        }
        "mkdir" => args
            .iter()
            .filter(|a| !a.text.starts_with('-'))
            .map(|a| a.text.clone())
            .collect(),
        "tar" => value_of(&["-C", "--directory"]),
        "unzip" => value_of(&["-d"]),
        _ => Vec::new(),
    }
}

impl ScriptState {
    fn follow(&mut self, command: &shell::Command) {
        self.earlier_words.extend(
            command
                .words
                .iter()
                .chain(&command.redirects)
                .map(|w| w.text.clone()),
        );
        let Some(program) = command.words.first() else {
            return;
        };
        let args = &command.words[1..];
        self.made_dirs.extend(
            made_dirs(&program.text, args)
                .into_iter()
                .map(|d| d.trim_start_matches("./").trim_end_matches('/').to_string())
                .filter(|d| !d.is_empty() && !d.contains('$')),
        );
        match program.text.as_str() {
            "cd" | "pushd" => {
                self.cwd = match (&self.cwd, args.first()) {
                    (Some(cwd), Some(target)) => change_dir(cwd, target),
                    _ => None,
                }
            }
            "popd" => self.cwd = None,
            "export" | "declare" | "typeset" => {
                for a in args {
                    let (name, value) = a.text.split_once('=').unwrap_or((&a.text, ""));
                    if shell::is_assignment(&format!("{name}=")) {
                        self.vars.set.insert(name.to_string(), None);
                        self.exported
                            .insert(name.to_string(), (value.to_string(), a.range.clone()));
                    }
                }
            }
            "source" | "." | "eval" => self.vars.open = true,
            "set"
                if args
                    .iter()
                    .any(|a| a.text.starts_with('-') && a.text.contains('a')) =>
            {
                self.vars.open = true
            }
            _ => {}
        }
    }
}

/// The working directory after `cd target`, relative to the repository root.
fn change_dir(cwd: &str, target: &Word) -> Option<String> {
    let text = target.text.as_str();
    let relative = if target.dynamic {
        let rest = ["$CI_PROJECT_DIR", "${CI_PROJECT_DIR}"]
            .iter()
            .find_map(|p| text.strip_prefix(p))?;
        if rest.contains('$') {
            return None;
        }
        rest.trim_start_matches('/').to_string()
    } else if text.starts_with('/') || text.starts_with('~') || text == "-" {
        return None;
    } else if cwd.is_empty() {
        text.to_string()
    } else {
        format!("{cwd}/{text}")
    };
    let normal = normalize(Path::new(&relative));
    if normal.starts_with("..") {
        return None;
    }
    Some(normal.to_string_lossy().replace('\\', "/"))
}

fn resolve(
    scope: &JobScope<'_>,
    state: &ScriptState,
    origin: Origin,
    invocation: Invocation,
    after_script: bool,
    expansions: &[Expansion],
) -> PendingRun {
    let JobScope {
        fs,
        roots,
        pipeline,
        job,
        job_vars,
    } = *scope;
    let mut vars = state.vars.clone();
    for a in &invocation.assignments {
        if let Some((name, _)) = a.text.split_once('=') {
            vars.set.insert(name.to_string(), None);
        }
    }
    let profiles_env = invocation
        .assignments
        .iter()
        .rev()
        .find_map(|a| a.text.strip_prefix("COMPOSE_PROFILES=").map(str::to_string))
        .or_else(|| {
            state
                .exported
                .get("COMPOSE_PROFILES")
                .map(|(v, _)| v.clone())
        })
        .or_else(|| {
            job_vars
                .iter()
                .find(|v| v.name == "COMPOSE_PROFILES")
                .map(|v| v.value.clone().unwrap_or_else(|| "$".into()))
        });
    let mut run = ComposeRun {
        job: job.name.clone(),
        job_key: job.key,
        origin,
        invocation,
        cwd: state.cwd.clone(),
        after_script,
        files: RunFiles::default(),
        project: None,
        env_files: Vec::new(),
        variables: vars,
        profiles_env,
        earlier_words: state.earlier_words.clone(),
        made_dirs: state.made_dirs.clone(),
        linked: false,
    };
    let mut files = Vec::new();
    let mut env_files = Vec::new();
    let Some(cwd) = &state.cwd else {
        run.files.dynamic = true;
        return PendingRun {
            pipeline,
            run,
            files,
            env_files,
        };
    };
    // The directories the working directory may be (see `IncludeResolver::roots`).
    let dirs: Vec<PathBuf> = roots.iter().map(|r| normalize(&r.join(cwd))).collect();
    let inv = &run.invocation;
    // What names the files: -f, else COMPOSE_FILE (command line, export, job variable).
    // A word an expansion brought: its place in the variable's value (each word once).
    let mut taken = vec![0usize; expansions.len()];
    let mut named: Vec<(String, FileArg, bool)> = inv
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
    if named.is_empty() {
        // The value, and where its first byte is in the script (None: not written as is).
        let assigned = inv
            .assignments
            .iter()
            .rev()
            .find_map(|a| {
                let value = a.text.strip_prefix("COMPOSE_FILE=")?;
                let verbatim = a.range.len() == a.text.len();
                Some((
                    value.to_string(),
                    a.range.clone(),
                    verbatim.then(|| a.range.end - value.len()),
                ))
            })
            .or_else(|| {
                let (value, range) = state.exported.get("COMPOSE_FILE")?;
                let verbatim = range.len() == "COMPOSE_FILE=".len() + value.len();
                Some((
                    value.clone(),
                    range.clone(),
                    verbatim.then(|| range.end - value.len()),
                ))
            });
        let from_job = job_vars.iter().find(|v| v.name == "COMPOSE_FILE");
        let separator = job_vars
            .iter()
            .find(|v| v.name == "COMPOSE_PATH_SEPARATOR")
            .and_then(|v| v.value.clone())
            .unwrap_or_else(|| ":".into());
        // Each entry with its byte range in the value.
        let entries = |value: &str| -> Vec<(String, std::ops::Range<usize>)> {
            let mut at = 0;
            let mut out = Vec::new();
            for e in value.split(separator.as_str()) {
                if !e.is_empty() {
                    out.push((e.to_string(), at..at + e.len()));
                }
                at += e.len() + separator.len();
            }
            out
        };
        if let Some((value, word, start)) = assigned {
            named = entries(&value)
                .into_iter()
                .map(|(e, r)| {
                    let range = start.map_or(word.clone(), |s| s + r.start..s + r.end);
                    let dynamic = e.contains('$');
                    (e, FileArg::Assignment(range), dynamic)
                })
                .collect();
        } else if let Some(v) = from_job {
            match &v.value {
                Some(value) => {
                    named = entries(value)
                        .into_iter()
                        .map(|(e, r)| {
                            let dynamic = e.contains('$');
                            (e, FileArg::Variable(v.value_origin, r), dynamic)
                        })
                        .collect()
                }
                None => run.files.dynamic = true,
            }
        }
    }
    if named.is_empty() {
        run.files.default_names = true;
        // The first directory holding a default file; its override comes with it.
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
            Some((base, over)) => {
                files.push((base, None));
                files.extend(over.map(|o| (o, None)));
            }
            None => files.push((
                dirs[0].join(BASE_NAMES[0]),
                Some(MissingFile {
                    written: String::new(),
                    path: dirs[0].clone(),
                    candidates: dirs.clone(),
                    at: FileArg::Default,
                }),
            )),
        }
    }
    for (written, at, dynamic) in named {
        if dynamic {
            run.files.dynamic = true;
            continue;
        }
        if written == "-" {
            // Read from stdin.
            run.files.dynamic = true;
            continue;
        }
        if written.starts_with(['/', '~'])
            && !roots.iter().any(|r| Path::new(&written).starts_with(r))
        {
            // On the runner's machine, outside the repository: nothing shipshape can see.
            run.files.dynamic = true;
            continue;
        }
        let candidates: Vec<PathBuf> = dirs.iter().map(|d| normalize(&d.join(&written))).collect();
        match candidates.iter().find(|p| fs.is_file(p)) {
            Some(p) => files.push((p.clone(), None)),
            None => files.push((
                candidates[0].clone(),
                Some(MissingFile {
                    written,
                    path: candidates[0].clone(),
                    candidates: candidates.clone(),
                    at,
                }),
            )),
        }
    }
    for w in inv.env_files() {
        if w.dynamic {
            run.variables.open = true;
            continue;
        }
        match dirs
            .iter()
            .map(|d| normalize(&d.join(&w.text)))
            .find(|p| fs.is_file(p))
        {
            Some(p) => env_files.push(p),
            None => run.variables.open = true,
        }
    }
    PendingRun {
        pipeline,
        run,
        files,
        env_files,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(line: &str) -> Vec<String> {
        shell::commands(line)
            .iter()
            .flat_map(|c| made_dirs(&c.words[0].text, &c.words[1..]))
            .collect()
    }

    #[test]
    fn directories_a_command_makes() {
        assert_eq!(
            dirs("git clone --depth 1 -b main https://x.example/ops/stack.git"),
            ["stack"]
        );
        assert_eq!(
            dirs("git clone git@x.example:ops/deploy.git infra"),
            ["infra"]
        );
        assert_eq!(dirs("git clone git@x.example:deploy"), ["deploy"]);
        assert_eq!(dirs("mkdir -p a b/c"), ["a", "b/c"]);
        assert_eq!(
            dirs("tar -xzf x.tgz -C out; unzip -q y.zip -d z"),
            ["out", "z"]
        );
        assert!(dirs("git pull; cp a b; tar -czf x.tgz dir").is_empty());
    }
}
