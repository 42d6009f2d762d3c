//! ci-variable-not-passed: a Compose file that a CI job runs interpolates `${VAR}` without
//! a default, and nothing the job has sets it: not its variables (global, job,
//! `extends`), not the script (`export`, `VAR=x docker compose ...`), not GitLab's
//! predefined ones, not the `.env` beside the Compose file or an `--env-file`.
//!
//! Teardown and inspection commands (`down`, `logs`, `ps`...) are not judged: they start
//! nothing with the values.
//!
//! Names that look like secrets (`*PASSWORD*`, `*TOKEN*`...) are left alone: they are
//! normally set as masked variables in the project's CI/CD settings, which shipshape
//! cannot see.

use std::collections::{BTreeMap, HashSet};

use shipshape_model::compose::Project;
use shipshape_model::interpolation;
use shipshape_yaml::{PathSegment, Span};

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::gitlab::support::Once;
use crate::runs::ComposeRun;

use super::support::{file_names, program_span, runs};

pub static RULE: Rule = Rule {
    name: "ci-variable-not-passed",
    group: Group::CiCompose,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a compose file run by a CI job interpolates ${VAR} that the job does not define",
    doc: include_str!("../../../rule-docs/ci-variable-not-passed/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

/// Parts of a name that say it holds a secret (set in the CI/CD settings, not the YAML).
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "TOKEN",
    "KEY",
    "CREDENTIALS",
    "AUTH",
    "PRIVATE",
    "CERT",
];

fn looks_secret(name: &str) -> bool {
    name.to_ascii_uppercase()
        .split('_')
        .any(|part| SECRET_WORDS.contains(&part))
}

/// The first use of a variable in a file, and how many there are.
struct Use {
    file: shipshape_yaml::FileId,
    span: Span,
    count: usize,
    required: bool,
}

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    // A CI file that did not parse to its end may set the variable in the part never read.
    if cx
        .model()
        .files
        .iter()
        .any(|&f| !cx.ws.file(f).is_complete())
    {
        return;
    }
    let mut once = Once::default();
    for (run, project) in runs(cx) {
        let Some(project) = project else { continue };
        // Teardown and inspection (`down`, `logs`, `ps`) create nothing from the values.
        if run.variables.open || !run.invocation.uses_values() {
            continue;
        }
        let from_files = env_file_names(cx, run, project);
        let mut unset: BTreeMap<String, Use> = BTreeMap::new();
        for &file in &project.files {
            let analyzed = cx.ws.file(file);
            let Some(tree) = analyzed.tree() else {
                continue;
            };
            let text = &cx.ws.source(file).text;
            for &id in analyzed.dollar_scalars() {
                let Some(value) = tree.scalar_at(id) else {
                    continue;
                };
                let service = enclosing_service(tree, id).and_then(|name| project.service(&name));
                for r in interpolation::parse(value).references {
                    // A service's own variable used in its command is a missing `$$`
                    // (undefined-variable says so), not something CI should pass.
                    let own = service.is_some_and(|s| s.env(&r.name).is_some());
                    if r.has_fallback()
                        || r.nested
                        || own
                        || run.variables.defines(&r.name)
                        || from_files.contains(r.name.as_str())
                        || looks_secret(&r.name)
                    {
                        continue;
                    }
                    let entry = unset.entry(r.name.clone()).or_insert(Use {
                        file,
                        span: tree.value_subspan(text, id, r.range.clone()),
                        count: 0,
                        required: false,
                    });
                    entry.count += 1;
                    entry.required |= r.is_required();
                }
            }
        }
        for (name, u) in unset {
            if !once.first_of(run.origin, run.invocation.program.start, &name) {
                continue;
            }
            let d = sink.report(
                run.origin.file,
                program_span(cx, run),
                format!(
                    "job \"{}\" runs {}, which uses ${{{name}}}, but the job does not set {name}",
                    run.job,
                    file_names(cx, &run.files.found)
                ),
            );
            d.label(format!("{name} is not set for this command"));
            d.secondary(
                u.file,
                u.span,
                if u.count > 1 {
                    format!("used here ({} times in all)", u.count)
                } else {
                    "used here".to_string()
                },
            );
            if run.after_script {
                d.note(
                    "after_script runs in a new shell: what before_script and script exported or sourced is not set there (job and pipeline `variables:` are)",
                );
            }
            if u.required {
                d.note(format!(
                    "Compose stops: \"required variable {name} is missing a value\""
                ));
            } else {
                d.note(format!("Compose substitutes an empty string (\"The \\\"{name}\\\" variable is not set. Defaulting to a blank string.\")"));
            }
            d.help(format!(
                "set {name} in the job's `variables:` (or in the project's CI/CD settings), or give it a default in the Compose file: ${{{name}:-value}}"
            ));
        }
    }
}

/// The names the run's env files set: its `--env-file`s, else the `.env` beside the
/// project (an example such as `.env.example` is not read by Compose).
fn env_file_names<'c>(
    cx: &'c PipelineContext<'_>,
    run: &ComposeRun,
    project: &Project,
) -> HashSet<&'c str> {
    let files: Vec<shipshape_yaml::FileId> = if run.invocation.env_files().next().is_some() {
        run.env_files.clone()
    } else {
        project
            .env_sources
            .iter()
            .filter(|s| !s.example)
            .map(|s| s.file)
            .collect()
    };
    files
        .iter()
        .filter_map(|&f| cx.ws.file(f).dotenv.as_ref())
        .flat_map(|env| env.entries.iter().map(|e| e.name.as_str()))
        .collect()
}

/// The service a node belongs to (`services.<name>...`).
fn enclosing_service(tree: &shipshape_yaml::Tree, id: shipshape_yaml::NodeId) -> Option<String> {
    match tree.path(id).as_slice() {
        [PathSegment::Key(top), PathSegment::Key(name), ..] if top == "services" => {
            Some(name.clone())
        }
        _ => None,
    }
}
