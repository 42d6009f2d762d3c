//! needs-later-stage: a `needs` or `dependencies` entry naming a job of a later stage
//! (GitLab: "need X is not defined in current or prior stages"; jobs of the same stage
//! may be needed since GitLab 14.2).

use shipshape_model::gitlab::{Job, Origin};

use super::support::{Once, base_job_name, is_dynamic, label_job_if_inherited, report_at};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "needs-later-stage",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "`needs` or `dependencies` name a job of a later stage",
    doc: include_str!("../../../rule-docs/needs-later-stage/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    let mut once = Once::default();
    for job in model.visible_jobs() {
        let needs = job
            .needs()
            .into_iter()
            .filter(|n| !n.optional)
            .map(|n| ("need", n.job, n.origin));
        let dependencies = job
            .dependencies()
            .into_iter()
            .map(|(d, o)| ("dependency", d, o));
        for (kind, name, origin) in needs.chain(dependencies) {
            if is_dynamic(&name) || !once.first(origin) {
                continue;
            }
            let Some(target) = model.job(base_job_name(&name)).filter(|j| !j.hidden) else {
                continue;
            };
            check_stage_order(cx, sink, job, target, kind, &name, origin);
        }
    }
}

/// A job can need jobs of its own stage or of earlier ones, never of later ones.
fn check_stage_order(
    cx: &PipelineContext<'_>,
    sink: &mut Sink<'_>,
    job: &Job,
    target: &Job,
    kind: &str,
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
            job.name, kind
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
