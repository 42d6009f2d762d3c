//! rules-with-only-except: a job that combines `rules` with `only`, `except` or
//! `start_in`, after `extends` (a template's `only` and a job's `rules` clash too).

use super::support::{Once, report_at};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "rules-with-only-except",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a job combines `rules` with `only`/`except`",
    doc: include_str!("../../../rule-docs/rules-with-only-except/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

/// Keys GitLab refuses next to `rules`.
const CLASHING: &[&str] = &["only", "except", "start_in"];

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let mut once = Once::default();
    for job in cx.model().visible_jobs() {
        if job.value.get("rules").is_none() {
            continue;
        }
        let Some(rules) = job.value.entry("rules") else {
            continue;
        };
        let clashing: Vec<_> = job
            .value
            .entries()
            .iter()
            .filter(|e| CLASHING.contains(&&*e.key) && !e.value.is_null())
            .collect();
        let Some(first) = clashing.first() else {
            continue;
        };
        if !once.first(first.key_origin) {
            continue;
        }
        let names: Vec<&str> = clashing.iter().map(|e| &*e.key).collect();
        let d = report_at(
            cx,
            sink,
            first.key_origin,
            format!(
                "jobs:{} config key may not be used with `rules`: {}",
                job.name,
                names.join(", ")
            ),
        );
        d.label(format!("`{}` here", first.key));
        for other in &clashing[1..] {
            d.secondary(
                other.key_origin.file,
                cx.span(other.key_origin),
                format!("`{}` here", other.key),
            );
        }
        d.secondary(
            rules.key_origin.file,
            cx.span(rules.key_origin),
            "`rules` here",
        );
        super::support::label_job_if_inherited(cx, d, job, first.key_origin);
        d.help("express the condition in `rules:` (for example `if: $CI_PIPELINE_SOURCE == \"merge_request_event\"`), or set `only: null` in the job to drop what a template brings");
    }
}
