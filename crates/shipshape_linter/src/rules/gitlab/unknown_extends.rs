//! unknown-extends: `extends` names a job or template that the pipeline (after its
//! includes) does not define.

use shipshape_model::gitlab::PipelineError;

use super::support::{is_dynamic, report_at};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::support::suggest_rename;

pub static RULE: Rule = Rule {
    name: "unknown-extends",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    summary: "`extends` names a job or template that does not exist after includes",
    doc: include_str!("../../../rule-docs/unknown-extends/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    // What an unread include defines is unknown: no conclusion from an absence.
    if cx.is_open() {
        return;
    }
    let model = cx.model();
    for err in &model.errors {
        let PipelineError::UnknownExtends { job, name, origin } = err else {
            continue;
        };
        if is_dynamic(name) {
            continue;
        }
        let top = model.top.as_ref();
        // A top-level key that exists but holds no mapping: GitLab's "invalid base hashes".
        if let Some(entry) = top.and_then(|t| t.entry(name)) {
            let d = report_at(
                cx,
                sink,
                *origin,
                format!("{job}: invalid base hashes in `extends` ({name})"),
            );
            d.label("not a job or template")
                .secondary(
                    entry.key_origin.file,
                    cx.span(entry.key_origin),
                    format!("\"{name}\" is defined here, but not as a mapping of job keywords"),
                )
                .help("extend a job or a hidden template (a mapping whose name starts with \".\")");
            continue;
        }
        let d = report_at(
            cx,
            sink,
            *origin,
            format!("{job}: unknown keys in `extends` ({name})"),
        );
        d.label("no job or template of this name");
        // Never the job itself: a job cannot extend itself.
        let names = model
            .jobs
            .iter()
            .map(|j| j.name.as_str())
            .filter(|n| *n != job.as_str());
        match crate::text::nearest(name, names) {
            Some(meant) => suggest_rename(d, cx, Some(*origin), name, meant),
            None => {
                d.help(format!(
                    "define a hidden template \"{}\", or include the file that defines it",
                    if name.starts_with('.') {
                        name.clone()
                    } else {
                        format!(".{name}")
                    }
                ));
            }
        }
    }
}
