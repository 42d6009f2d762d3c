//! compose-file-not-found: a CI script passes `-f FILE` (or the job sets `COMPOSE_FILE`)
//! for a file that is not in the repository, or runs Compose where no default file is.
//! Files the script itself creates first (`cp`, `> file`, `curl -o`; in `script` for
//! `after_script` too), files another job leaves as an artifact, and absolute paths
//! outside the repository (on the runner's machine) are not reported. `-f` flags kept in
//! a variable (`docker-compose ${COMPOSE_FILES} up`) are read from its value.

use std::path::Path;

use crate::diagnostic::Severity;
use crate::paths::normalize;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::gitlab::support::{Once, report_at, value_span};
use crate::runs::{ComposeRun, FileArg, MissingFile};
use shipshape_model::compose::files::BASE_NAMES;

use super::support::{artifact_paths, covers, program_span, runs, word_span};

pub static RULE: Rule = Rule {
    name: "compose-file-not-found",
    group: Group::CiCompose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a CI script passes `-f FILE` (or sets `COMPOSE_FILE`) for a file that is not in the repository",
    doc: include_str!("../../../rule-docs/compose-file-not-found/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let artifacts = artifact_paths(cx.model());
    let mut once = Once::default();
    for (run, _) in runs(cx) {
        for missing in &run.files.missing {
            if created_earlier(run, missing)
                || artifacts.iter().any(|a| covers(a, &missing.written))
            {
                continue;
            }
            report(cx, sink, &mut once, run, missing);
        }
    }
}

/// A file the script names before running Compose (`cp a ci.yml`, `> ci.yml`), or one
/// below a directory it makes (`git clone URL deploy`, then `-f deploy/compose.yml` or
/// `cd deploy`).
fn created_earlier(run: &ComposeRun, missing: &MissingFile) -> bool {
    let cwd = run.cwd.as_deref().unwrap_or("");
    // The file's path from where the job started (or, with no file named, the directory).
    let place = normalize(&Path::new(cwd).join(&missing.written));
    if run.made_dirs.iter().any(|d| place.starts_with(d)) {
        return true;
    }
    let names: Vec<&str> = if missing.written.is_empty() {
        BASE_NAMES.to_vec()
    } else {
        vec![missing.written.as_str()]
    };
    run.earlier_words.iter().any(|w| {
        names.iter().any(|n| {
            let base = Path::new(n)
                .file_name()
                .and_then(|b| b.to_str())
                .unwrap_or(n);
            w == n || w.ends_with(&format!("/{base}")) || w == base
        })
    })
}

// Long because: one message for every way a file is named (`-f`, `COMPOSE_FILE` in the
// command, an export, the job's variables, an expanded variable, a link, the default
// names), each with its own label and help.
fn report(
    cx: &PipelineContext<'_>,
    sink: &mut Sink<'_>,
    once: &mut Once,
    run: &ComposeRun,
    missing: &MissingFile,
) {
    let d = match &missing.at {
        FileArg::Flag(range) => {
            if !once.first_at(run.origin, range.start) {
                return;
            }
            let d = sink.report(
                run.origin.file,
                word_span(cx, run, range.clone()),
                format!("open {}: no such file or directory", missing.written),
            );
            d.label("no such Compose file in the repository");
            d
        }
        FileArg::Assignment(range) => {
            if !once.first_at(run.origin, range.start) {
                return;
            }
            let d = sink.report(
                run.origin.file,
                word_span(cx, run, range.clone()),
                format!(
                    "COMPOSE_FILE names {}, which does not exist",
                    missing.written
                ),
            );
            d.label("no such Compose file in the repository");
            d
        }
        FileArg::Variable(origin, range) => {
            if !once.first_at(*origin, range.start) {
                return;
            }
            let d = sink.report(
                origin.file,
                value_span(cx, *origin, range.clone()),
                format!(
                    "COMPOSE_FILE names {}, which does not exist",
                    missing.written
                ),
            );
            d.label("no such Compose file in the repository");
            d.secondary(
                run.origin.file,
                program_span(cx, run),
                format!("job \"{}\" runs Compose with it here", run.job),
            );
            d
        }
        FileArg::Expanded(origin, range, name) => {
            if !once.first_at(*origin, range.start) {
                return;
            }
            let d = sink.report(
                origin.file,
                value_span(cx, *origin, range.clone()),
                format!("open {}: no such file or directory", missing.written),
            );
            d.label("no such Compose file in the repository");
            d.secondary(
                run.origin.file,
                program_span(cx, run),
                format!(
                    "job \"{}\" passes ${name} to Compose here, which splits it into words",
                    run.job
                ),
            );
            d
        }
        FileArg::Link => {
            if !once.first_of(run.origin, 0, &missing.written) {
                return;
            }
            let d = report_at(
                cx,
                sink,
                run.origin,
                format!(
                    "shipshape.toml links job \"{}\" to {}, which does not exist",
                    run.job, missing.written
                ),
            );
            d.label("linked in shipshape.toml ([[links]])");
            d
        }
        FileArg::Default => {
            if !once.first_at(run.origin, run.invocation.program.start) {
                return;
            }
            let d = sink.report(
                run.origin.file,
                word_span(cx, run, run.invocation.program.clone()),
                "no configuration file provided: not found",
            );
            let dir = match run.cwd.as_deref() {
                Some("") | None => "the repository root".to_string(),
                Some(dir) => format!("\"{dir}\""),
            };
            d.label(format!("no compose.yaml or docker-compose.yml in {dir}"));
            d.help("pass the file with -f, or `cd` to its directory first");
            d
        }
    };
    if let Some(near) = nearest_compose_file(cx, missing) {
        d.help(format!("did you mean \"{near}\"?"));
    }
    if matches!(
        missing.at,
        FileArg::Flag(_) | FileArg::Assignment(_) | FileArg::Variable(..) | FileArg::Expanded(..)
    ) {
        let dir = run.cwd.as_deref().filter(|c| !c.is_empty());
        d.note(match dir {
            Some(dir) => format!("the job runs it from \"{dir}\" (after a `cd`)"),
            None => "CI jobs start in the repository root".to_string(),
        });
    }
}

/// A Compose file of the same directory whose name is near the missing one's.
fn nearest_compose_file(cx: &PipelineContext<'_>, missing: &MissingFile) -> Option<String> {
    let name = missing.path.file_name()?.to_str()?;
    let dirs: Vec<&Path> = missing
        .candidates
        .iter()
        .filter_map(|c| c.parent())
        .collect();
    let siblings: Vec<String> = cx
        .ws
        .files
        .iter()
        .filter(|f| {
            f.compose.is_some() && f.source.path.parent().is_some_and(|p| dirs.contains(&p))
        })
        .filter_map(|f| Some(f.source.path.file_name()?.to_str()?.to_string()))
        .collect();
    let near = crate::text::nearest(name, siblings.iter().map(String::as_str))?;
    // Keep the directories as written.
    Some(match missing.written.rsplit_once('/') {
        Some((written_dir, _)) => format!("{written_dir}/{near}"),
        None => near.to_string(),
    })
}
