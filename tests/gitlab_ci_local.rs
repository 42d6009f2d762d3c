//! gitlab-ci-local (firecow/gitlab-ci-local, the npm package) as the oracle of `shipshape
//! pipeline`: for each case, the jobs gitlab-ci-local lists (`--list-json`) and the jobs
//! `shipshape pipeline --format json` says run must be the same, in a push to the default
//! branch and in a merge-request pipeline.
//!
//! The cases: every root pipeline of `../shared/corpus/gitlab-ci/firecow__gitlab-ci-local`
//! (gitlab-ci-local's own test cases and examples: a `.gitlab-ci*.yml` that no other YAML
//! file of its folder names) and every `.gitlab-ci.yml` under `examples/`. Each is copied
//! with its folder into a scratch git repository (entry file renamed `.gitlab-ci.yml`): an
//! empty first commit that `origin/main` and `origin/HEAD` point at, then one commit with
//! the case on `main` and `feature`. So every file of the case is "changed" (gitlab-ci-local
//! diffs the work tree against `origin/<default>`; shipshape gets them as `--changed`).
//!
//! | context | gitlab-ci-local | shipshape |
//! |---|---|---|
//! | push | on `main`, its default `CI_PIPELINE_SOURCE=push` | `--source push --branch main` |
//! | merge request | on `feature`, `--variable CI_PIPELINE_SOURCE=merge_request_event` and the MR variables, `--unset-variable CI_COMMIT_BRANCH` | `--source merge_request_event --branch feature` and the same `--var`s |
//!
//! What gitlab-ci-local does not model is set aside, not compared (docs/pipeline-contexts.md
//! section 6): a case it cannot load (a remote, project, template or component include
//! needs the network; a configuration it rejects); jobs with `only`/`except`, which it
//! ignores; jobs without `rules`/`only`/`except` outside branch pipelines when the file has
//! no `workflow:rules` (GitLab's default `only: [branches, tags]`); a listed job that needs
//! a job it does not list (GitLab refuses such a pipeline; `--list` does not check); a
//! pipeline of `.pre`/`.post` jobs only (GitLab creates none). `workflow:rules`, which
//! gitlab-ci-local only reads for their variables, are evaluated by it through a probe job
//! whose `rules` are `!reference [workflow, rules]` (in `.gitlab-ci-local.yml`, which it
//! merges into the configuration).
//!
//! A job shipshape says `"maybe"` runs is not compared either (listed separately). Every
//! other difference is a disagreement and fails the test unless
//! `tests/gitlab_ci_local/explained.tsv` gives its reason; a row that explains nothing fails
//! it too. The JSON contract of `shipshape pipeline` is in the test of [`ShipshapeRun`].
//! Until the subcommand exists the comparison says it is skipped.
//!
//! gitlab-ci-local is installed by `.ci/run` (`npm install --prefix
//! target/tools/gitlab-ci-local gitlab-ci-local@4.73.0`; 4.74 and later need Node 22, Debian
//! has 20). Without it the tests say they are skipped; under `CI` or
//! `SHIPSHAPE_REQUIRE_TOOLS=1` they fail. `SHIPSHAPE_GITLAB_CI_LOCAL_LISTS=<file>` writes
//! the job lists gitlab-ci-local gave, per case and context, as JSON (even while shipshape
//! has no `pipeline` subcommand).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{Value, json};

/// The pinned version (`.ci/run`).
const VERSION: &str = "4.73.0";

/// The job that carries the `workflow:rules` (see the module comment).
const PROBE: &str = "shipshape-workflow-probe";

/// One gitlab-ci-local run at most (a network include fails fast offline; this is a guard).
const TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Context {
    Push,
    MergeRequest,
}

impl Context {
    const ALL: [Context; 2] = [Context::Push, Context::MergeRequest];

    fn source(self) -> &'static str {
        match self {
            Context::Push => "push",
            Context::MergeRequest => "merge_request_event",
        }
    }

    fn branch(self) -> &'static str {
        match self {
            Context::Push => "main",
            Context::MergeRequest => "feature",
        }
    }

    /// The variables both tools are given (`--variable` / `--var`), besides the source.
    fn variables(self) -> Vec<(&'static str, &'static str)> {
        let mut vars = vec![
            ("CI_DEFAULT_BRANCH", "main"),
            ("GITLAB_CI", "true"),
            ("CI_PROJECT_PATH", "group/project"),
            ("CI_PROJECT_NAMESPACE", "group"),
            ("CI_PROJECT_NAME", "project"),
            ("CI_SERVER_HOST", "gitlab.example.com"),
        ];
        match self {
            Context::Push => vars.push(("CI_COMMIT_REF_PROTECTED", "true")),
            Context::MergeRequest => vars.extend([
                ("CI_COMMIT_REF_PROTECTED", "false"),
                ("CI_MERGE_REQUEST_ID", "1"),
                ("CI_MERGE_REQUEST_IID", "1"),
                ("CI_MERGE_REQUEST_EVENT_TYPE", "detached"),
                ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature"),
                ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
                ("CI_MERGE_REQUEST_TITLE", "Feature"),
                ("CI_OPEN_MERGE_REQUESTS", "group/project!1"),
            ]),
        }
        vars
    }
}

// ---------------------------------------------------------------------------------------
// Cases

/// One root pipeline: its id (as printed and as written in explained.tsv), its folder and
/// its file name there.
#[derive(Clone, Debug)]
struct Case {
    id: String,
    dir: PathBuf,
    entry: String,
}

fn is_entry_name(name: &str) -> bool {
    name.starts_with(".gitlab-ci") && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// The root pipelines among the files of one folder: `(name, text)` of its YAML files.
fn root_pipelines(files: &[(String, String)]) -> Vec<String> {
    files
        .iter()
        .filter(|(name, _)| is_entry_name(name))
        .filter(|(name, _)| {
            !files
                .iter()
                .any(|(other, text)| other != name && text.contains(name.as_str()))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

fn cases(shared: &Path) -> Vec<Case> {
    let corpus = shared.join("corpus/gitlab-ci");
    let mut by_dir: BTreeMap<PathBuf, Vec<(String, String)>> = BTreeMap::new();
    for path in support::files_under(&corpus.join("firecow__gitlab-ci-local")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            by_dir
                .entry(path.parent().unwrap().to_path_buf())
                .or_default()
                .push((name, text));
        }
    }
    let mut out = Vec::new();
    for (dir, files) in &by_dir {
        for entry in root_pipelines(files) {
            let rel = dir.join(&entry);
            out.push(Case {
                id: rel.strip_prefix(&corpus).unwrap().display().to_string(),
                dir: dir.clone(),
                entry,
            });
        }
    }
    let root = support::repo_root();
    for path in support::files_under(&root.join("examples")) {
        if path.file_name().is_some_and(|n| n == ".gitlab-ci.yml") {
            out.push(Case {
                id: path.strip_prefix(&root).unwrap().display().to_string(),
                dir: path.parent().unwrap().to_path_buf(),
                entry: ".gitlab-ci.yml".into(),
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else if path.is_file() {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "shipshape")
        .env("GIT_AUTHOR_EMAIL", "shipshape@example.com")
        .env("GIT_COMMITTER_NAME", "shipshape")
        .env("GIT_COMMITTER_EMAIL", "shipshape@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        repo.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The case as a git repository under `scratch/repo` (see the module comment); returns
/// the repository and the changed files.
fn repository(case: &Case, scratch: &Path) -> (PathBuf, Vec<String>) {
    let repo = scratch.join("repo");
    copy_dir(&case.dir, &repo);
    if case.entry != ".gitlab-ci.yml" {
        std::fs::copy(case.dir.join(&case.entry), repo.join(".gitlab-ci.yml")).unwrap();
    }
    git(&repo, &["init", "-q"]);
    git(&repo, &["config", "user.name", "shipshape"]);
    git(&repo, &["config", "user.email", "shipshape@example.com"]);
    git(&repo, &["commit", "-q", "--allow-empty", "-m", "base"]);
    git(&repo, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
    git(
        &repo,
        &[
            "remote",
            "add",
            "origin",
            "https://gitlab.example.com/group/project.git",
        ],
    );
    git(
        &repo,
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/main",
        ],
    );
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "case"]);
    git(&repo, &["branch", "feature"]);
    let changed = git(&repo, &["diff", "--name-only", "origin/main", "HEAD"])
        .lines()
        .map(str::to_string)
        .collect();
    (repo, changed)
}

// ---------------------------------------------------------------------------------------
// gitlab-ci-local

/// Where `.ci/run` installs it, else `gitlab-ci-local` on the PATH; None (the test says it
/// is skipped) when neither runs, a failure under `CI` or `SHIPSHAPE_REQUIRE_TOOLS=1`.
fn gitlab_ci_local() -> Option<PathBuf> {
    let installed =
        support::repo_root().join("target/tools/gitlab-ci-local/node_modules/.bin/gitlab-ci-local");
    for bin in [installed, PathBuf::from("gitlab-ci-local")] {
        let Ok(out) = Command::new(&bin).arg("--version").output() else {
            continue;
        };
        if out.status.success() {
            let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if version != VERSION {
                eprintln!("note: gitlab-ci-local {version} (the pinned one is {VERSION})");
            }
            return Some(bin);
        }
    }
    let install = format!(
        "npm install --prefix target/tools/gitlab-ci-local gitlab-ci-local@{VERSION}, as .ci/run does"
    );
    assert!(
        !support::tools_required(),
        "gitlab-ci-local is not installed ({install})"
    );
    eprintln!("skipped: gitlab-ci-local is not installed ({install})");
    None
}

struct Output {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs a program in `dir` with only PATH and HOME from the environment, killed after
/// [`TIMEOUT`].
fn run_bounded(mut cmd: Command, dir: &Path, home: &Path) -> Output {
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out_reader.join().unwrap();
    let mut stderr = err_reader.join().unwrap();
    if status.is_none() {
        stderr.push_str(&format!("\ntimed out after {}s", TIMEOUT.as_secs()));
    }
    Output {
        ok: status.is_some_and(|s| s.success()),
        stdout,
        stderr,
    }
}

/// A job as `--list-json` gives it.
#[derive(Clone, Debug)]
struct ListedJob {
    /// gitlab-ci-local's name (`job: [a,b]`, `job: [1/3]`).
    name: String,
    stage: String,
    when: String,
    has_rules: bool,
    /// The non-optional `needs` (job names as written), None without `needs`.
    needs: Option<Vec<String>>,
    raw: Value,
}

/// GitLab's name for a job gitlab-ci-local lists: `job 1/3` for its `job: [1/3]`, `job: [a,
/// b]` for its `job: [a,b]`.
fn gitlab_name(name: &str) -> String {
    let Some(open) = name.rfind(": [") else {
        return name.to_string();
    };
    let Some(inner) = name[open + 3..].strip_suffix(']') else {
        return name.to_string();
    };
    let base = &name[..open];
    let numbered = inner.split_once('/').is_some_and(|(i, n)| {
        [i, n]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    if numbered {
        format!("{base} {inner}")
    } else {
        format!(
            "{base}: [{}]",
            inner.split(',').collect::<Vec<_>>().join(", ")
        )
    }
}

/// The job a listed name comes from (`job` for `job: [1/3]`).
fn base_name(name: &str) -> &str {
    match name.rfind(": [") {
        Some(open) if name.ends_with(']') => &name[..open],
        _ => name,
    }
}

/// The first JSON value in gitlab-ci-local's stdout (warnings may come before it).
fn first_json_array(stdout: &str) -> Option<Value> {
    let start = if stdout.starts_with('[') {
        0
    } else {
        stdout.find("\n[")? + 1
    };
    serde_json::Deserializer::from_str(&stdout[start..])
        .into_iter::<Value>()
        .next()?
        .ok()
}

fn listed_jobs(array: &Value) -> Vec<ListedJob> {
    array
        .as_array()
        .into_iter()
        .flatten()
        .map(|job| ListedJob {
            name: job["name"].as_str().unwrap_or_default().to_string(),
            stage: job["stage"].as_str().unwrap_or_default().to_string(),
            when: job["when"].as_str().unwrap_or_default().to_string(),
            has_rules: job.get("rules").is_some_and(|r| !r.is_null()),
            needs: job["needs"].as_array().map(|needs| {
                needs
                    .iter()
                    .filter(|n| n["optional"] != json!(true))
                    .filter_map(|n| n["job"].as_str().map(str::to_string))
                    .collect()
            }),
            raw: job.clone(),
        })
        .collect()
}

/// What `--preview` (the merged configuration, js-yaml's dump) says: whether `workflow`
/// has `rules`, and the jobs with `only` or `except`.
#[derive(Default, Debug, PartialEq)]
struct Preview {
    workflow_rules: bool,
    only_except: BTreeSet<String>,
}

/// A top-level key of js-yaml's dump: `name:`, `'quoted name':`, `"quoted":`.
fn top_level_key(line: &str) -> Option<String> {
    if line.is_empty() || line.starts_with([' ', '-', '#']) {
        return None;
    }
    let key = line.strip_suffix(':').unwrap_or(line.split(": ").next()?);
    if let Some(quoted) = key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')) {
        return Some(quoted.replace("''", "'"));
    }
    if key.starts_with('"') {
        return serde_json::from_str(key).ok();
    }
    Some(key.to_string())
}

fn read_preview(text: &str) -> Preview {
    let mut out = Preview::default();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(key) = top_level_key(line) {
            current = Some(key);
            continue;
        }
        let Some(key) = &current else { continue };
        let sub = line.strip_prefix("  ").filter(|s| !s.starts_with(' '));
        let Some(sub) = sub else { continue };
        if key == "workflow" && sub.starts_with("rules:") {
            out.workflow_rules = true;
        } else if sub.starts_with("only:") || sub.starts_with("except:") {
            out.only_except.insert(key.clone());
        }
    }
    out
}

/// The names gitlab-ci-local's warnings about overriding predefined variables may name.
fn ignored_predefined() -> String {
    let mut names: BTreeSet<&str> = BTreeSet::from(["CI_PIPELINE_SOURCE", "CI_COMMIT_BRANCH"]);
    for ctx in Context::ALL {
        names.extend(ctx.variables().into_iter().map(|(k, _)| k));
    }
    names.into_iter().collect::<Vec<_>>().join(",")
}

fn gcl(bin: &Path, repo: &Path, home: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin);
    cmd.args(args).arg("--home").arg(home).args([
        "--no-color",
        "--ignore-predefined-vars",
        &ignored_predefined(),
    ]);
    run_bounded(cmd, repo, home)
}

/// The line of gitlab-ci-local's stderr that says what went wrong.
fn error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("at ") && !l.starts_with("Using fallback"))
        .filter(|l| !l.starts_with("Unable to retrieve default remote branch"))
        .filter(|l| !l.starts_with("parsing and downloads finished"))
        .collect();
    let pick = lines
        .iter()
        .find(|l| {
            l.contains("Error")
                || l.contains("Exception")
                || l.contains("invalid")
                || l.contains("fatal:")
                || l.contains("could not")
                || l.contains("cannot")
        })
        .or(lines.last())
        .copied()
        .unwrap_or("no message");
    pick.chars().take(200).collect()
}

/// Why a job or a case-context is not compared.
const ONLY_EXCEPT: &str = "gitlab-ci-local ignores only/except";
const DEFAULT_ONLY: &str = "no rules/only/except and no workflow:rules: GitLab's default only: [branches, tags], which gitlab-ci-local does not apply";
const MISSING_NEED: &str = "a listed job needs a job gitlab-ci-local does not list: GitLab refuses the pipeline, gitlab-ci-local --list does not check";
const PRE_POST_ONLY: &str =
    "only .pre/.post jobs: GitLab creates no pipeline, gitlab-ci-local lists them";

/// gitlab-ci-local's answer for one case in one context.
#[derive(Debug, Default)]
struct Oracle {
    /// Why the case-context is not compared: gitlab-ci-local could not evaluate it, or its
    /// answer is one GitLab would not give (the other fields then only feed the lists).
    excluded: Option<String>,
    /// The probe's verdict on `workflow:rules`, when the file has them.
    workflow_passes: Option<bool>,
    listed: Vec<ListedJob>,
    /// GitLab names of the jobs it creates (listed, `when` not `never`), less `set_aside`.
    created: BTreeSet<String>,
    /// Jobs (GitLab names) not compared, with the reason.
    set_aside: BTreeMap<String, &'static str>,
}

/// gitlab-ci-local on one prepared repository, in both contexts. Run after shipshape: it
/// writes `.gitlab-ci-local.yml` and its state folder into the repository.
fn oracle(bin: &Path, repo: &Path, home: &Path) -> BTreeMap<Context, Oracle> {
    let mut out = BTreeMap::new();
    let text = support::files_under(repo)
        .iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == ".git"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect::<String>();
    let mut preview = Preview::default();
    if ["only:", "except:", "workflow:"]
        .iter()
        .any(|k| text.contains(k))
    {
        let run = gcl(
            bin,
            repo,
            home,
            &["--preview", "--no-json-schema-validation"],
        );
        if run.ok {
            preview = read_preview(&run.stdout);
        }
    }
    if preview.workflow_rules {
        std::fs::write(
            repo.join(".gitlab-ci-local.yml"),
            format!("{PROBE}:\n  stage: .pre\n  rules: !reference [workflow, rules]\n  script: [\":\"]\n"),
        )
        .unwrap();
    }
    let mut case_error: Option<String> = None;
    for (i, ctx) in Context::ALL.into_iter().enumerate() {
        if let Some(error) = &case_error {
            out.insert(
                ctx,
                Oracle {
                    excluded: Some(error.clone()),
                    ..Oracle::default()
                },
            );
            continue;
        }
        git(repo, &["checkout", "-q", ctx.branch()]);
        let mut args: Vec<String> = vec!["--list-json".into()];
        // The schema is checked once: it takes most of a run's time.
        if i > 0 {
            args.push("--no-json-schema-validation".into());
        }
        if ctx == Context::MergeRequest {
            args.extend([
                "--variable".into(),
                "CI_PIPELINE_SOURCE=merge_request_event".into(),
                "--unset-variable".into(),
                "CI_COMMIT_BRANCH".into(),
            ]);
        }
        for (k, v) in ctx.variables() {
            args.extend(["--variable".into(), format!("{k}={v}")]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = gcl(bin, repo, home, &args);
        let listed = if run.ok {
            first_json_array(&run.stdout).map(|a| listed_jobs(&a))
        } else {
            None
        };
        let Some(listed) = listed else {
            let error = format!(
                "gitlab-ci-local cannot evaluate it: {}",
                error_line(&run.stderr)
            );
            if i == 0 {
                case_error = Some(error.clone());
            }
            out.insert(
                ctx,
                Oracle {
                    excluded: Some(error),
                    ..Oracle::default()
                },
            );
            continue;
        };
        out.insert(ctx, judge(ctx, &preview, listed));
    }
    out
}

/// The jobs gitlab-ci-local creates, and what of its answer is set aside.
fn judge(ctx: Context, preview: &Preview, listed: Vec<ListedJob>) -> Oracle {
    let mut oracle = Oracle::default();
    let (probe, listed): (Vec<_>, Vec<_>) = listed.into_iter().partition(|j| j.name == PROBE);
    if let Some(probe) = probe.first() {
        oracle.workflow_passes = Some(probe.when != "never");
    }
    let created: Vec<&ListedJob> = listed.iter().filter(|j| j.when != "never").collect();
    if oracle.workflow_passes != Some(false) {
        let created_bases: BTreeSet<&str> = created.iter().map(|j| base_name(&j.name)).collect();
        let missing_need = created.iter().any(|j| {
            j.needs
                .iter()
                .flatten()
                .any(|n| !created_bases.contains(n.as_str()))
        });
        if missing_need {
            oracle.excluded = Some(MISSING_NEED.into());
        } else if !created.is_empty()
            && created
                .iter()
                .all(|j| j.stage == ".pre" || j.stage == ".post")
        {
            oracle.excluded = Some(PRE_POST_ONLY.into());
        }
        for job in &created {
            let name = gitlab_name(&job.name);
            if preview.only_except.contains(base_name(&job.name)) {
                oracle.set_aside.insert(name, ONLY_EXCEPT);
            } else if ctx != Context::Push && !job.has_rules && !preview.workflow_rules {
                oracle.set_aside.insert(name, DEFAULT_ONLY);
            } else {
                oracle.created.insert(name);
            }
        }
    }
    oracle.listed = listed;
    oracle
}

// ---------------------------------------------------------------------------------------
// shipshape

/// What `shipshape pipeline` said for one case in one context.
///
/// The contract (`shipshape pipeline <DIR> --source S [--branch B] [--var K=V]...
/// [--changed P]... --format json`):
///
/// ```json
/// {"context": {"source": "merge_request_event", "branch": "...", "tag": null, "variables": {}},
///  "pipelines": [{"file": ".gitlab-ci.yml", "created": "yes|no|maybe",
///    "jobs": [{"name": "build", "stage": "build", "runs": "yes|maybe|no", "when": "on_success",
///              "allow_failure": false, "needs": ["..."], "decided_by": {"file": "...", "line": 12}}]}]}
/// ```
///
/// Jobs that do not run are listed too (`runs: "no"`), hidden jobs are not, parallel jobs
/// are expanded with GitLab's names. The pipeline compared is the one of `.gitlab-ci.yml`.
/// `runs: "yes"` is read as "GitLab creates the job": a manual or delayed job that is
/// created runs (`when` says how), as gitlab-ci-local lists it with its `when`.
#[derive(Debug)]
enum ShipshapeRun {
    /// It ran but gave no answer (exit code, stderr or what was wrong with the output).
    Failed(String),
    /// `created: "maybe"`: it cannot say whether GitLab creates the pipeline.
    Undecided,
    Answer {
        /// The jobs that run (none when `created` is `"no"`).
        yes: BTreeSet<String>,
        maybe: BTreeSet<String>,
    },
}

fn shipshape_args(ctx: Context, changed: &[String]) -> Vec<String> {
    let mut args: Vec<String> = ["pipeline", ".", "--source", ctx.source(), "--branch"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(ctx.branch().into());
    for (k, v) in ctx.variables() {
        args.extend(["--var".into(), format!("{k}={v}")]);
    }
    for path in changed {
        args.extend(["--changed".into(), path.clone()]);
    }
    args.extend(["--format".into(), "json".into()]);
    args
}

/// Whether the binary has the `pipeline` subcommand.
fn has_pipeline_subcommand() -> bool {
    let out = support::shipshape(&support::repo_root(), &["pipeline", "--help"]);
    out.status.success()
}

fn read_shipshape(report: &Value) -> ShipshapeRun {
    let Some(pipelines) = report["pipelines"].as_array() else {
        return ShipshapeRun::Failed("no \"pipelines\" array in the output".into());
    };
    let pipeline = pipelines
        .iter()
        .find(|p| p["file"] == ".gitlab-ci.yml")
        .or(pipelines.first());
    let Some(pipeline) = pipeline else {
        return ShipshapeRun::Failed("no pipeline in the output".into());
    };
    let mut yes = BTreeSet::new();
    let mut maybe = BTreeSet::new();
    match pipeline["created"].as_str() {
        Some("maybe") => return ShipshapeRun::Undecided,
        Some("no") => return ShipshapeRun::Answer { yes, maybe },
        Some("yes") => {}
        other => return ShipshapeRun::Failed(format!("\"created\" is {other:?}")),
    }
    for job in pipeline["jobs"].as_array().into_iter().flatten() {
        let name = job["name"].as_str().unwrap_or_default().to_string();
        match job["runs"].as_str() {
            Some("yes") => {
                yes.insert(name);
            }
            Some("maybe") => {
                maybe.insert(name);
            }
            Some("no") => {}
            other => return ShipshapeRun::Failed(format!("{name}: \"runs\" is {other:?}")),
        }
    }
    ShipshapeRun::Answer { yes, maybe }
}

fn shipshape_run(repo: &Path, ctx: Context, changed: &[String]) -> ShipshapeRun {
    let args = shipshape_args(ctx, changed);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = support::shipshape(repo, &args);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return ShipshapeRun::Failed(format!(
            "exit {:?}: {}",
            out.status.code(),
            stderr.lines().next().unwrap_or_default()
        ));
    }
    match serde_json::from_slice::<Value>(&out.stdout) {
        Ok(report) => read_shipshape(&report),
        Err(e) => ShipshapeRun::Failed(format!("output is not JSON: {e}")),
    }
}

// ---------------------------------------------------------------------------------------
// Comparison

/// One case in one context.
#[derive(Debug)]
struct Compared {
    id: String,
    ctx: Context,
    /// Why the case-context is not compared at all.
    excluded: Option<String>,
    agree: usize,
    /// Jobs shipshape says may run.
    maybe: Vec<String>,
    set_aside: usize,
    /// (job, which side creates it) — `*` for the whole case.
    disagree: Vec<(String, String)>,
    /// Set-aside jobs shipshape runs although GitLab's default `only: [branches, tags]`
    /// leaves them out: printed, not judged (gitlab-ci-local has no say on them).
    default_only_runs: Vec<String>,
}

fn compare(id: &str, ctx: Context, oracle: &Oracle, ship: &ShipshapeRun) -> Compared {
    let mut out = Compared {
        id: id.to_string(),
        ctx,
        excluded: oracle.excluded.clone(),
        agree: 0,
        maybe: Vec::new(),
        set_aside: oracle.set_aside.len(),
        disagree: Vec::new(),
        default_only_runs: Vec::new(),
    };
    if out.excluded.is_some() {
        return out;
    }
    let (yes, maybe) = match ship {
        ShipshapeRun::Failed(why) => {
            out.disagree
                .push(("*".into(), format!("shipshape gave no answer: {why}")));
            return out;
        }
        ShipshapeRun::Undecided => {
            out.excluded = Some("shipshape: created \"maybe\"".into());
            return out;
        }
        ShipshapeRun::Answer { yes, maybe } => (yes, maybe),
    };
    out.default_only_runs = yes
        .iter()
        .filter(|j| oracle.set_aside.get(*j) == Some(&DEFAULT_ONLY))
        .cloned()
        .collect();
    let aside = |j: &&String| !oracle.set_aside.contains_key(*j);
    out.maybe = maybe.iter().filter(aside).cloned().collect();
    let yes: BTreeSet<&String> = yes.iter().filter(aside).collect();
    let expected: BTreeSet<&String> = oracle.created.iter().collect();
    for job in yes.union(&expected) {
        if maybe.contains(*job) {
            continue;
        }
        if !yes.contains(job) {
            out.disagree.push((
                job.to_string(),
                "gitlab-ci-local creates it, shipshape does not".into(),
            ));
        } else if !expected.contains(job) {
            out.disagree.push((
                job.to_string(),
                "shipshape runs it, gitlab-ci-local does not create it".into(),
            ));
        } else {
            out.agree += 1;
        }
    }
    out
}

/// A row of explained.tsv: the case id, or `id@source` for one context; the job, or `*`.
#[derive(Debug)]
struct Explanation {
    case: String,
    job: String,
    reason: String,
}

fn explanations(text: &str) -> Vec<Explanation> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.splitn(3, '\t').collect();
            assert!(
                cols.len() == 3 && !cols[2].trim().is_empty(),
                "explained.tsv: want case, job and reason: {line}"
            );
            Explanation {
                case: cols[0].into(),
                job: cols[1].into(),
                reason: cols[2].into(),
            }
        })
        .collect()
}

/// The row explaining a disagreement, if any.
fn explain(rows: &[Explanation], c: &Compared, job: &str) -> Option<usize> {
    let with_source = format!("{}@{}", c.id, c.ctx.source());
    rows.iter()
        .position(|r| (r.case == c.id || r.case == with_source) && (r.job == job || r.job == "*"))
}

fn print_table(rows: &[Compared]) {
    eprintln!(
        "{:<72} {:<20} {:>5} {:>5} {:>5} {:>8}",
        "case", "source", "agree", "maybe", "aside", "disagree"
    );
    for r in rows {
        match &r.excluded {
            Some(why) => eprintln!("{:<72} {:<20} excluded: {why}", r.id, r.ctx.source()),
            None => eprintln!(
                "{:<72} {:<20} {:>5} {:>5} {:>5} {:>8}",
                r.id,
                r.ctx.source(),
                r.agree,
                r.maybe.len(),
                r.set_aside,
                r.disagree.len()
            ),
        }
    }
}

/// The lists gitlab-ci-local gave, for `SHIPSHAPE_GITLAB_CI_LOCAL_LISTS`.
fn lists_json<'a>(
    results: impl Iterator<Item = (&'a Case, &'a BTreeMap<Context, Oracle>)>,
) -> Value {
    let mut out = serde_json::Map::new();
    for (case, by_ctx) in results {
        let mut contexts = serde_json::Map::new();
        for (ctx, o) in by_ctx {
            let jobs: Vec<Value> = o
                .listed
                .iter()
                .map(|j| {
                    let mut raw = j.raw.clone();
                    raw["gitlab_name"] = json!(gitlab_name(&j.name));
                    raw
                })
                .collect();
            contexts.insert(
                ctx.source().into(),
                json!({
                    "excluded": o.excluded,
                    "workflow_passes": o.workflow_passes,
                    "created": o.created,
                    "set_aside": o.set_aside,
                    "jobs": jobs,
                }),
            );
        }
        out.insert(case.id.clone(), Value::Object(contexts));
    }
    Value::Object(out)
}

/// Both tools' answers for one case.
struct CaseResult {
    case: Case,
    ship: BTreeMap<Context, ShipshapeRun>,
    oracle: BTreeMap<Context, Oracle>,
}

#[test]
fn shipshape_pipeline_agrees_with_gitlab_ci_local() {
    let Some(shared) = support::shared_dir("", "corpus/gitlab-ci/firecow__gitlab-ci-local") else {
        return;
    };
    let Some(bin) = gitlab_ci_local() else { return };
    let lists_file = std::env::var_os("SHIPSHAPE_GITLAB_CI_LOCAL_LISTS");
    let with_shipshape = has_pipeline_subcommand();
    if !with_shipshape && lists_file.is_none() {
        eprintln!(
            "skipped: this shipshape has no `pipeline` subcommand yet (the comparison runs once it has)"
        );
        return;
    }
    let cases = cases(&shared);
    assert!(cases.len() > 100, "the cases are found ({})", cases.len());
    let results: Vec<CaseResult> = cases
        .par_iter()
        .map(|case| {
            let scratch = support::TempDir::new("gcl");
            let home = scratch.path().join("home");
            std::fs::create_dir_all(&home).unwrap();
            let (repo, changed) = repository(case, scratch.path());
            // shipshape first: gitlab-ci-local writes into the repository.
            let mut ship = BTreeMap::new();
            if with_shipshape {
                for ctx in Context::ALL {
                    git(&repo, &["checkout", "-q", ctx.branch()]);
                    ship.insert(ctx, shipshape_run(&repo, ctx, &changed));
                }
            }
            let oracle = oracle(&bin, &repo, &home);
            CaseResult {
                case: case.clone(),
                ship,
                oracle,
            }
        })
        .collect();
    if let Some(file) = &lists_file {
        let lists = lists_json(results.iter().map(|r| (&r.case, &r.oracle)));
        std::fs::write(file, serde_json::to_string_pretty(&lists).unwrap()).unwrap();
        eprintln!(
            "wrote gitlab-ci-local's lists to {}",
            Path::new(file).display()
        );
    }
    if !with_shipshape {
        eprintln!("skipped the comparison: this shipshape has no `pipeline` subcommand yet");
        return;
    }
    let mut compared = Vec::new();
    for r in &results {
        for ctx in Context::ALL {
            compared.push(compare(&r.case.id, ctx, &r.oracle[&ctx], &r.ship[&ctx]));
        }
    }
    print_table(&compared);
    let text =
        std::fs::read_to_string(support::repo_root().join("tests/gitlab_ci_local/explained.tsv"))
            .unwrap();
    let rows = explanations(&text);
    let mut used = BTreeSet::new();
    let mut unexplained = Vec::new();
    for c in &compared {
        for (job, what) in &c.disagree {
            match explain(&rows, c, job) {
                Some(i) => {
                    used.insert(i);
                    eprintln!(
                        "explained {}@{} {job}: {what} ({})",
                        c.id,
                        c.ctx.source(),
                        rows[i].reason
                    );
                }
                None => unexplained.push(format!("{}@{}\t{job}\t{what}", c.id, c.ctx.source())),
            }
        }
    }
    let stale: Vec<String> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, r)| format!("{}\t{}", r.case, r.job))
        .collect();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for c in &compared {
        if let Some(why) = &c.excluded {
            *reasons.entry(why.chars().take(80).collect()).or_default() += 1;
        }
    }
    for (why, n) in &reasons {
        eprintln!("excluded {n:>3}: {why}");
    }
    eprintln!(
        "gitlab-ci-local {VERSION} oracle: {} cases x {} contexts; {} compared, {} excluded; {} jobs agree, {} maybe (shipshape), {} set aside (gitlab-ci-local cannot evaluate them; {} of them run by shipshape against GitLab's default only), {} disagreements explained, {} unexplained, {} stale explained.tsv rows",
        results.len(),
        Context::ALL.len(),
        compared.iter().filter(|c| c.excluded.is_none()).count(),
        compared.iter().filter(|c| c.excluded.is_some()).count(),
        compared.iter().map(|c| c.agree).sum::<usize>(),
        compared.iter().map(|c| c.maybe.len()).sum::<usize>(),
        compared.iter().map(|c| c.set_aside).sum::<usize>(),
        compared
            .iter()
            .map(|c| c.default_only_runs.len())
            .sum::<usize>(),
        used.len(),
        unexplained.len(),
        stale.len()
    );
    for c in &compared {
        for job in &c.default_only_runs {
            eprintln!(
                "note {}@{} {job}: shipshape runs it; it has no rules/only/except and the file no workflow:rules, so GitLab's default only: [branches, tags] leaves it out (not judged: gitlab-ci-local does not model it)",
                c.id,
                c.ctx.source()
            );
        }
    }
    for line in &unexplained {
        eprintln!("UNEXPLAINED {line}");
    }
    for line in &stale {
        eprintln!("STALE explained.tsv row (explains no disagreement): {line}");
    }
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "shipshape pipeline and gitlab-ci-local disagree without a reason in tests/gitlab_ci_local/explained.tsv (listed above)"
    );
}

/// The harness reads gitlab-ci-local as intended: made-up cases whose lists are known.
#[test]
fn gitlab_ci_local_is_read_as_intended() {
    let Some(bin) = gitlab_ci_local() else { return };
    let files = support::TempDir::new("gcl-self");
    let case = |id: &str, text: &str| {
        files.write(&format!("{id}/.gitlab-ci.yml"), text);
        let scratch = files.path().join(format!("{id}-scratch"));
        let home = scratch.join("home");
        std::fs::create_dir_all(&home).unwrap();
        let case = Case {
            id: id.into(),
            dir: files.path().join(id),
            entry: ".gitlab-ci.yml".into(),
        };
        let (repo, changed) = repository(&case, &scratch);
        (oracle(&bin, &repo, &home), changed)
    };
    let created = |o: &Oracle| o.created.iter().cloned().collect::<Vec<_>>();

    // Rules, changes (every file of the case is changed), parallel names.
    let (o, changed) = case(
        "rules",
        "mr:\n  script: [x]\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n\
         main:\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n\
         docs:\n  script: [x]\n  rules:\n    - changes: [\"*.md\"]\n\
         yaml:\n  script: [x]\n  rules:\n    - changes: [\"*.yml\"]\n\
         split:\n  script: [x]\n  parallel: 2\n  rules:\n    - when: on_success\n\
         matrix:\n  script: [x]\n  parallel:\n    matrix:\n      - A: [a, b]\n        B: c\n  rules:\n    - when: manual\n",
    );
    assert_eq!(changed, [".gitlab-ci.yml"]);
    let push = &o[&Context::Push];
    assert_eq!(push.excluded, None);
    assert_eq!(
        created(push),
        [
            "main",
            "matrix: [a, c]",
            "matrix: [b, c]",
            "split 1/2",
            "split 2/2",
            "yaml"
        ]
    );
    assert_eq!(
        created(&o[&Context::MergeRequest]),
        [
            "matrix: [a, c]",
            "matrix: [b, c]",
            "mr",
            "split 1/2",
            "split 2/2",
            "yaml"
        ]
    );

    // workflow:rules through the probe; without them, the default only in MR pipelines.
    let (o, _) = case(
        "workflow",
        "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\nbuild:\n  script: [x]\n",
    );
    assert_eq!(o[&Context::Push].workflow_passes, Some(false));
    assert!(o[&Context::Push].created.is_empty());
    assert_eq!(o[&Context::MergeRequest].workflow_passes, Some(true));
    assert_eq!(created(&o[&Context::MergeRequest]), ["build"]);
    let (o, _) = case(
        "plain",
        "build:\n  script: [x]\nold:\n  script: [x]\n  only: [tags]\n",
    );
    assert_eq!(created(&o[&Context::Push]), ["build"]);
    assert_eq!(o[&Context::Push].set_aside["old"], ONLY_EXCEPT);
    assert!(o[&Context::MergeRequest].created.is_empty());
    assert_eq!(o[&Context::MergeRequest].set_aside["build"], DEFAULT_ONLY);

    // Not evaluated: a need on a job that is not created; the network.
    let (o, _) = case(
        "needs",
        "a:\n  stage: build\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_TAG\n\
         b:\n  script: [x]\n  needs: [a]\n  rules:\n    - when: on_success\n",
    );
    assert_eq!(o[&Context::Push].excluded.as_deref(), Some(MISSING_NEED));
    let (o, _) = case(
        "remote",
        "include:\n  - remote: https://gitlab.example.com/x.yml\nbuild:\n  script: [x]\n",
    );
    let why = o[&Context::Push].excluded.clone().unwrap_or_default();
    assert!(
        why.starts_with("gitlab-ci-local cannot evaluate it"),
        "{why}"
    );
    assert_eq!(o[&Context::MergeRequest].excluded, Some(why));
}

#[test]
fn names_previews_and_explanations_are_read() {
    assert_eq!(gitlab_name("test: [1/3]"), "test 1/3");
    assert_eq!(gitlab_name("deploy: [aws,app1]"), "deploy: [aws, app1]");
    assert_eq!(gitlab_name("deploy: [aws]"), "deploy: [aws]");
    assert_eq!(gitlab_name("plain"), "plain");
    assert_eq!(base_name("deploy: [aws,app1]"), "deploy");
    assert_eq!(base_name("plain"), "plain");

    let preview = read_preview(
        "---\nstages:\n  - .pre\nworkflow:\n  rules:\n    - if: $X\nbuild:\n  script:\n    - x\n  only:\n    - main\n'job: x':\n  except:\n    refs: [tags]\n  rules:\n    - when: never\n",
    );
    assert_eq!(
        preview,
        Preview {
            workflow_rules: true,
            only_except: BTreeSet::from(["build".to_string(), "job: x".to_string()]),
        }
    );

    let files = [
        (
            ".gitlab-ci.yml".to_string(),
            "include: .gitlab-ci-base.yml".to_string(),
        ),
        (
            ".gitlab-ci-base.yml".to_string(),
            "a: {script: x}".to_string(),
        ),
        (".gitlab-ci-2.yml".to_string(), "b: {script: x}".to_string()),
        ("child.yml".to_string(), "c: {script: x}".to_string()),
    ];
    assert_eq!(
        root_pipelines(&files),
        [".gitlab-ci.yml", ".gitlab-ci-2.yml"]
    );

    let rows = explanations("# comment\ncorpus/a\t*\twhy\ncorpus/b@push\tjob\tbecause\n");
    let compared = |id: &str, ctx| Compared {
        id: id.into(),
        ctx,
        excluded: None,
        agree: 0,
        maybe: vec![],
        set_aside: 0,
        disagree: vec![],
        default_only_runs: vec![],
    };
    assert_eq!(
        explain(&rows, &compared("corpus/a", Context::MergeRequest), "x"),
        Some(0)
    );
    assert_eq!(
        explain(&rows, &compared("corpus/b", Context::Push), "job"),
        Some(1)
    );
    assert_eq!(
        explain(&rows, &compared("corpus/b", Context::MergeRequest), "job"),
        None
    );

    let oracle = Oracle {
        created: BTreeSet::from(["a".to_string(), "b".to_string()]),
        set_aside: BTreeMap::from([("c".to_string(), ONLY_EXCEPT)]),
        ..Oracle::default()
    };
    let ship = ShipshapeRun::Answer {
        yes: BTreeSet::from(["a".to_string(), "c".to_string(), "d".to_string()]),
        maybe: BTreeSet::from(["b".to_string()]),
    };
    let c = compare("x", Context::Push, &oracle, &ship);
    assert_eq!(c.agree, 1);
    assert_eq!(c.maybe, ["b"]);
    assert_eq!(c.disagree.len(), 1);
    assert_eq!(c.disagree[0].0, "d");
    assert!(c.default_only_runs.is_empty());
    let oracle = Oracle {
        set_aside: BTreeMap::from([("a".to_string(), DEFAULT_ONLY)]),
        ..Oracle::default()
    };
    let c = compare("x", Context::MergeRequest, &oracle, &ship);
    assert_eq!(c.default_only_runs, ["a"]);
    assert_eq!(c.disagree.len(), 2, "{:?}", c.disagree);

    let report = json!({"pipelines": [{"file": ".gitlab-ci.yml", "created": "yes", "jobs": [
        {"name": "a", "runs": "yes"}, {"name": "b", "runs": "maybe"}, {"name": "c", "runs": "no"}]}]});
    match read_shipshape(&report) {
        ShipshapeRun::Answer { yes, maybe } => {
            assert_eq!(yes, BTreeSet::from(["a".to_string()]));
            assert_eq!(maybe, BTreeSet::from(["b".to_string()]));
        }
        other => panic!("{other:?}"),
    }
}
