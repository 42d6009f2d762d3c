//! unknown-needs: `needs` and `dependencies` that name a job the pipeline does not have,
//! or a job of a later stage, and `dependencies` missing from `needs` (GitLab's own
//! checks, in its words).

use std::collections::HashMap;

use shipshape_model::gitlab::{Job, Origin};

use super::support::{Once, base_job_name, is_dynamic, label_job_if_inherited, report_at};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::support::did_you_mean;

pub static RULE: Rule = Rule {
    name: "unknown-needs",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "`needs` or `dependencies` name a job that does not exist",
    doc: include_str!("../../../../../rules/unknown-needs/README.md"),
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
            let Some(target) = visible.get(base) else {
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
                } else if let Some(help) =
                    // Never the job itself: a job cannot need itself.
                    did_you_mean(
                        base,
                        model
                            .visible_jobs()
                            .map(|j| j.name.as_str())
                            .filter(|n| *n != job.name),
                    )
                {
                    d.help(help);
                }
                if kind == Kind::Need {
                    d.note("a job that may be left out of the pipeline can be needed with `optional: true`");
                }
                continue;
            };
            check_stage_order(cx, sink, job, target, kind, &name, origin);
        }
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

/// A job can need jobs of its own stage or of earlier ones, never of later ones.
fn check_stage_order(
    cx: &PipelineContext<'_>,
    sink: &mut Sink<'_>,
    job: &Job,
    target: &Job,
    kind: Kind,
    name: &str,
    origin: Origin,
) {
    let model = cx.model();
    let (stage, _) = job.stage();
    let (target_stage, _) = target.stage();
    let (Some(own), Some(theirs)) = (model.stage_index(&stage), model.stage_index(&target_stage))
    else {
        return;
    };
    if theirs <= own {
        return;
    }
    let d = report_at(
        cx,
        sink,
        origin,
        format!(
            "{} job: {} {name} is not defined in current or prior stages",
            job.name,
            kind.as_str()
        ),
    );
    d.label(format!(
        "\"{name}\" runs in the later stage \"{target_stage}\""
    ));
    d.secondary(
        target.key.file,
        cx.span(target.key),
        format!("\"{name}\" is defined here"),
    );
    label_job_if_inherited(cx, d, job, origin);
    d.note(format!(
        "\"{}\" runs in stage \"{stage}\"; a job can only use jobs of its own or earlier stages",
        job.name
    ));
}
