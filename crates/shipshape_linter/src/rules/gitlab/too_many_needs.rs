//! too-many-needs: a job that lists more `needs` than GitLab allows (50 by default:
//! "one job can only need 50 others").

use shipshape_model::gitlab::keywords::MAX_NEEDS;

use super::support::{Once, label_job_if_inherited, report_at};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "too-many-needs",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a job lists more than 50 `needs`",
    doc: include_str!("../../../rule-docs/too-many-needs/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let mut once = Once::default();
    for job in cx.model().visible_jobs() {
        // Every entry counts: jobs of this pipeline, other projects and pipelines.
        let Some(needs) = job.value.get("needs") else {
            continue;
        };
        let count = needs.items().len();
        if count <= MAX_NEEDS || !once.first(needs.origin()) {
            continue;
        }
        let d = report_at(
            cx,
            sink,
            needs.origin(),
            format!(
                "{}: one job can only need {MAX_NEEDS} others, but you have listed {count}. See needs keyword documentation for more details",
                job.name
            ),
        );
        d.label(format!("{count} needs"));
        label_job_if_inherited(cx, d, job, needs.origin());
        d.note(format!(
            "GitLab refuses to create the pipeline; {MAX_NEEDS} is the limit on GitLab.com and the default on self-managed instances (`ci_needs_size_limit`)"
        ));
        d.help("let the job wait for a whole earlier stage instead (drop `needs`), or split it");
    }
}
