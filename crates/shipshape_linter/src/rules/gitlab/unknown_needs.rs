//! unknown-needs: `needs` and `dependencies` that name a job the pipeline does not have,
//! and `dependencies` missing from `needs` (GitLab's own checks, in its words). A job of
//! a later stage is `needs-later-stage`.

use std::collections::HashMap;

use shipshape_model::gitlab::{Job, Origin};

use super::support::{Once, base_job_name, is_dynamic, label_job_if_inherited, report_at};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::support::suggest_rename;

pub static RULE: Rule = Rule {
    name: "unknown-needs",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    summary: "`needs` or `dependencies` name a job that does not exist",
    doc: include_str!("../../../rule-docs/unknown-needs/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Need,
    Dependency,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Need => "need",
            Kind::Dependency => "dependency",
        }
    }
}

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    let visible: HashMap<&str, &Job> = model.visible_jobs().map(|j| (j.name.as_str(), j)).collect();
    let open = cx.is_open();
    let mut once = Once::default();
    for job in model.visible_jobs() {
        let needs = job.needs();
        let mut named: Vec<(Kind, String, Origin)> = needs
            .iter()
            .filter(|n| !n.optional)
            .map(|n| (Kind::Need, n.job.clone(), n.origin))
            .collect();
        let dependencies = job.dependencies();
        named.extend(
            dependencies
                .iter()
                .map(|(d, o)| (Kind::Dependency, d.clone(), *o)),
        );
        for (kind, name, origin) in named {
            if is_dynamic(&name) || !once.first(origin) {
                continue;
            }
            let base = base_job_name(&name);
            if !visible.contains_key(base) {
                if open {
                    continue;
                }
                let d = report_at(
                    cx,
                    sink,
                    origin,
                    format!("{} job: undefined {}: {name}", job.name, kind.as_str()),
                );
                d.label("no job of this name in the pipeline");
                label_job_if_inherited(cx, d, job, origin);
                if model.job(base).is_some_and(|j| j.hidden) {
                    d.note(format!(
                        "\"{base}\" is a hidden template: jobs whose names start with \".\" never run"
                    ));
                } else if let Some(meant) =
                    // Never the job itself: a job cannot need itself.
                    crate::text::nearest(
                        base,
                        model
                            .visible_jobs()
                            .map(|j| j.name.as_str())
                            .filter(|n| *n != job.name),
                    )
                {
                    // A matrix instance's name (`build: [x]`) is not the job's alone.
                    let renamed = (base == name).then_some(origin);
                    suggest_rename(d, cx, renamed, &name, meant);
                }
                if kind == Kind::Need {
                    d.note("a job that may be left out of the pipeline can be needed with `optional: true`");
                }
                continue;
            }
        }
        check_matrix_identifiers(cx, sink, job, &mut once);
        // With both keys set, every dependency must also be a need; `needs: []` (start at
        // once) is no list of needs to check against: GitLab skips the check then.
        if job
            .value
            .get("needs")
            .is_some_and(|n| !n.items().is_empty())
        {
            for (name, origin) in &dependencies {
                if is_dynamic(name)
                    || needs
                        .iter()
                        .any(|n| base_job_name(&n.job) == base_job_name(name))
                {
                    continue;
                }
                if !visible.contains_key(base_job_name(name)) || !once.first_at(*origin, 1) {
                    continue;
                }
                let d = report_at(
                    cx,
                    sink,
                    *origin,
                    format!(
                        "jobs:{} dependencies the {name} should be part of needs",
                        job.name
                    ),
                );
                d.label("not in this job's `needs`");
                label_job_if_inherited(cx, d, job, *origin);
                d.help(format!(
                    "add \"{name}\" to `needs`, or remove it from `dependencies`"
                ));
            }
        }
    }
}

/// `needs:parallel:matrix` values written `$[[ matrix.X ]]` take the value of `X` in the
/// needing job's own matrix: the job must run a `parallel: matrix` that defines `X`.
fn check_matrix_identifiers(
    cx: &PipelineContext<'_>,
    sink: &mut Sink<'_>,
    job: &Job,
    once: &mut Once,
) {
    let Some(needs) = job.value.get("needs") else {
        return;
    };
    let own: Option<Vec<&str>> = job
        .value
        .get("parallel")
        .and_then(|p| p.get("matrix"))
        .map(|m| {
            m.items()
                .iter()
                .flat_map(|row| row.entries().iter().map(|e| &*e.key))
                .collect()
        });
    for need in needs.items() {
        let Some(matrix) = need.get("parallel").and_then(|p| p.get("matrix")) else {
            continue;
        };
        for entry in matrix.items().iter().flat_map(|row| row.entries()) {
            let values: Vec<&shipshape_model::gitlab::Value> = match entry.value.items() {
                [] => vec![&entry.value],
                items => items.iter().collect(),
            };
            for value in values {
                let Some(text) = value.as_str() else { continue };
                for name in matrix_identifiers(text) {
                    let problem = match &own {
                        None => format!(
                            "{} job: needs:parallel:matrix uses $[[ matrix.{name} ]], but the job has no parallel:matrix",
                            job.name
                        ),
                        Some(keys) if !keys.contains(&name) => format!(
                            "{} job: needs:parallel:matrix uses $[[ matrix.{name} ]], which the job's parallel:matrix does not define",
                            job.name
                        ),
                        Some(_) => continue,
                    };
                    if !once.first_of(value.origin(), 2, name) {
                        continue;
                    }
                    let d = report_at(cx, sink, value.origin(), problem);
                    d.label(format!("no matrix value \"{name}\" in this job"));
                    label_job_if_inherited(cx, d, job, value.origin());
                    d.note("`$[[ matrix.X ]]` takes the value of X from the needing job's own `parallel: matrix`");
                    d.help(match &own {
                        None => "give the job a `parallel: matrix` with this identifier, or write the value itself".to_string(),
                        Some(keys) => format!("use one of the job's matrix identifiers ({}), or write the value itself", keys.join(", ")),
                    });
                }
            }
        }
    }
}

/// The identifiers of the `$[[ matrix.X ]]` blocks of a string.
fn matrix_identifiers(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("$[[") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("]]") else { break };
        if let Some(name) = after[..end].trim().strip_prefix("matrix.") {
            out.push(name.trim());
        }
        rest = &after[end + 2..];
    }
    out
}
