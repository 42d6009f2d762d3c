//! missing-env-file: an `env_file` that does not exist (and is not marked
//! `required: false`): Compose stops before it starts anything.
//!
//! Not every missing file is a mistake. A CI job that runs the Compose file and makes the
//! env file first (`cp .env.example .env`, `dump-env ... > .env`) is fine; an absolute
//! path outside the repository belongs to the machine that runs Compose. A file that
//! `.gitignore` ignores, or that has a template beside it (`.env.example`, `.env.dist`),
//! is meant to be made by each checkout: info, unless a CI job runs the Compose file
//! without making it, where the job fails for certain.

use shipshape_model::interpolation::is_dynamic;
use std::path::Path;

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::ci_compose::support::{artifact_paths, covers};
use crate::runs::ComposeRun;

pub static RULE: Rule = Rule {
    name: "missing-env-file",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "an env_file that does not exist",
    doc: include_str!("../../../rule-docs/missing-env-file/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

// Long because: each reason a missing `env_file` is fine (`required: false`, made by a
// job, git-ignored with a template, outside the repository, profile-gated) lowers or
// silences one finding, and the finding is built once from all of them.
fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    for service in &cx.project.services {
        for env_file in service.env_files.iter().filter(|e| e.required) {
            let path = &env_file.path;
            if is_dynamic(&path.value) {
                continue;
            }
            let resolved = cx.ws.resolve(path.loc.file, &path.value);
            if cx.ws.is_file(&resolved) {
                continue;
            }
            let hint = cx
                .ws
                .missing_env_files
                .get(&resolved)
                .cloned()
                .unwrap_or_default();
            if hint.outside {
                continue;
            }
            // The CI runs of the Compose file that names it (their scripts seen, not only
            // linked in shipshape.toml), and which of them make it or find it left as an
            // artifact by another job.
            let from_root = Path::new(&cx.ws.source(path.loc.file).name)
                .parent()
                .map(|d| d.join(&path.value).to_string_lossy().replace('\\', "/"));
            let mut runs = 0;
            let mut without: Vec<&ComposeRun> = Vec::new();
            let mut unread: Option<&ComposeRun> = None;
            for pipeline in &cx.ws.pipelines {
                // Part of the pipeline unread (a template's `before_script`...): a run
                // that does not visibly make the file proves nothing.
                let open = PipelineContext::new(cx.ws, pipeline).is_open();
                let artifacts = artifact_paths(&pipeline.model);
                let left = artifacts.iter().any(|a| {
                    covers(a, &path.value) || from_root.as_deref().is_some_and(|f| covers(a, f))
                });
                // A run that does not start the service does not read its env file.
                for run in pipeline.compose_runs.iter().filter(|r| {
                    !r.linked && r.files.found.contains(&path.loc.file) && r.is_active(service)
                }) {
                    let made = left || made_by(run, &path.value);
                    if made || !open {
                        runs += 1;
                    }
                    if !made && !open {
                        without.push(run);
                    }
                    if !made && open {
                        unread.get_or_insert(run);
                    }
                }
            }
            if runs > 0 && without.is_empty() {
                continue;
            }
            let d = sink.report(
                path.loc.file,
                path.loc.span,
                format!("env file \"{}\" does not exist", path.value),
            );
            d.label(format!("used by service \"{}\"", service.name));
            // A CI job that starts the service without making the file fails for certain.
            if service.profiles.is_empty() || !without.is_empty() {
                d.note(
                    "Compose stops with \"env file ... not found\" before it starts any container",
                );
            } else {
                // Compose reads the env files of the services its profiles enable only.
                d.severity = d.severity.min(Severity::Warning);
                let profiles: Vec<&str> =
                    service.profiles.iter().map(|p| p.value.as_str()).collect();
                d.note(format!(
                    "\"{}\" runs only under profile {}: Compose reads the file, and stops with \"env file ... not found\", only when that profile is enabled",
                    service.name,
                    profiles.join(", ")
                ));
            }
            let template = hint.template.as_deref().and_then(file_name);
            if let Some(run) = without.first() {
                d.message = format!(
                    "env file \"{}\" does not exist, and CI job \"{}\" runs Compose without making it",
                    path.value, run.job
                );
                d.secondary(
                    run.job_key.file,
                    cx.ws.span_of(run.job_key),
                    format!(
                        "job \"{}\" runs this Compose file without making it first",
                        run.job
                    ),
                );
                d.help(match template {
                    Some(t) => format!("make it in the job before `docker compose` runs: cp {t} {}", path.value),
                    None => format!("make it in the job before `docker compose` runs, or make it optional: env_file: [{{path: {}, required: false}}]", path.value),
                });
                continue;
            }
            let why = match (&hint.ignored_by, template) {
                (_, Some(t)) => Some(format!("create it from {t}")),
                (Some(_), None) => Some("create it locally".to_string()),
                (None, None) => None,
            };
            match why {
                Some(why) => {
                    d.severity = Severity::Info;
                    d.message = format!("env file \"{}\" does not exist yet: {why}", path.value);
                    if let Some(gitignore) = &hint.ignored_by {
                        d.note(format!(
                            "{} ignores it, so it is kept out of the repository",
                            shown(cx, path.loc.file, gitignore)
                        ));
                    }
                    if let Some(t) = &hint.template {
                        d.note(format!(
                            "{} beside it is its template",
                            file_name(t).unwrap_or_default()
                        ));
                    }
                    match unread {
                        Some(run) => d.note(format!(
                            "CI job \"{}\" runs this Compose file, but part of its pipeline could not be read (an include): it may make the file there",
                            run.job
                        )),
                        None => d.note("no CI job of this repository runs this Compose file"),
                    };
                    d.help(format!("{why} before `docker compose` runs"));
                }
                None => {
                    d.help(format!(
                        "create it (a file kept out of git is missing in CI), or make it optional: env_file: [{{path: {}, required: false}}]",
                        path.value
                    ));
                }
            }
        }
    }
}

/// A path as the user names it: relative to where the Compose file's name starts.
fn shown(cx: &ComposeContext<'_>, file: shipshape_yaml::FileId, path: &Path) -> String {
    let source = cx.ws.source(file);
    let depth = Path::new(&source.name).components().count();
    let base = source.path.ancestors().nth(depth);
    crate::discover::path_text(base.and_then(|b| path.strip_prefix(b).ok()).unwrap_or(path))
        .replace('\\', "/")
}

fn file_name(path: &Path) -> Option<&str> {
    path.file_name()?.to_str()
}

/// Whether a command before the run names the env file (`cp .env.example .env`,
/// `dump-env ... > config/.env`): compared by path components, from the end, as the
/// job's working directory and the Compose file's may differ.
fn made_by(run: &ComposeRun, written: &str) -> bool {
    let parts = |p: &str| -> Vec<String> {
        p.split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .map(str::to_string)
            .collect()
    };
    let want = parts(written);
    if want.is_empty() {
        return false;
    }
    run.earlier_words.iter().any(|w| {
        let got = parts(w);
        !got.is_empty() && (want.ends_with(&got) || got.ends_with(&want))
    })
}
