//! unresolved-include: an include that shipshape cannot read offline (`project`, `remote`,
//! `template`, `component`, or a path built from a CI/CD variable). Said once, so users know
//! why the rules that look names up stay silent about this pipeline.

use shipshape_model::gitlab::include::IncludeKind;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::workspace::IncludeOutcome;

use super::support::{includes, report_at};

pub static RULE: Rule = Rule {
    name: "unresolved-include",
    group: Group::Gitlab,
    severity: Severity::Info,
    fix: FixAvailability::None,
    summary: "an include shipshape does not read offline (project, remote, template, component)",
    doc: include_str!("../../../rule-docs/unresolved-include/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    for r in includes(cx) {
        let target = r.include.target.trim();
        let origin = r.include.origin;
        let message = match (&r.outcome, r.include.kind) {
            (IncludeOutcome::NotLocal, kind) => {
                let what = match kind {
                    IncludeKind::Project => "a file of another project",
                    IncludeKind::Remote => "a remote file",
                    IncludeKind::Template => "a GitLab template",
                    IncludeKind::Component => "a CI/CD component",
                    IncludeKind::Local => "a file",
                };
                format!("`{target}` is {what}: shipshape does not read it (no network)")
            }
            (IncludeOutcome::Dynamic, _) => {
                format!(
                    "`{target}` is named through a CI/CD variable: only GitLab knows which file it is"
                )
            }
            _ => continue,
        };
        let d = report_at(cx, sink, origin, message);
        d.label(format!("{} include, not read", r.include.kind.as_str()))
            .note("the jobs, templates and stages it may define are unknown here, so rules that look names up (unknown-extends, unknown-needs, undeclared-stage, missing-script, unknown-reference) stay silent about this pipeline");
    }
}
