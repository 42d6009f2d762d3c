//! missing-script: a job that, after `extends` and `default:`, has neither `script`, `run`
//! nor `trigger`, so GitLab refuses the pipeline.

use shipshape_model::gitlab::PipelineError;
use shipshape_model::gitlab::keywords::{JOB_KEYWORDS, TOP_LEVEL_KEYWORDS};

use super::support::report_at;
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "missing-script",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a job has no `script`, `trigger` or `run` after `extends` is applied",
    doc: include_str!("../../../rule-docs/missing-script/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    // An unread include may define the same job with a script (a local job often only
    // adjusts one from a template).
    if cx.is_open() {
        return;
    }
    let model = cx.model();
    for job in model.visible_jobs() {
        if job.has_action() {
            continue;
        }
        // A broken `extends` is reported on its own; what the template would bring is unknown.
        let broken_extends = model.errors.iter().any(|e| match e {
            PipelineError::UnknownExtends { job: j, .. }
            | PipelineError::ExtendsCycle { job: j, .. }
            | PipelineError::ExtendsTooDeep { job: j, .. } => {
                *j == job.name || job.extends.iter().any(|(e, _)| e == j)
            }
            _ => false,
        });
        if broken_extends {
            continue;
        }
        let d = report_at(
            cx,
            sink,
            job.key,
            format!(
                "jobs {} config should implement the script:, run:, or trigger: keyword",
                job.name
            ),
        );
        d.label("a job without `script`");
        // A misspelt keyword at the top level reads as a job.
        if let Some(keyword) = crate::text::nearest(&job.name, TOP_LEVEL_KEYWORDS.iter().copied()) {
            d.help(format!(
                "did you mean the keyword \"{keyword}\"? As written, \"{}\" is a job",
                job.name
            ));
            continue;
        }
        // A misspelt `script` inside the job.
        let near_script = job.value.entries().iter().find(|e| {
            !JOB_KEYWORDS.contains(&&*e.key)
                && crate::text::nearest(&e.key, ["script", "run", "trigger"]).is_some()
        });
        if let Some(entry) = near_script {
            d.secondary(
                entry.key_origin.file,
                cx.span(entry.key_origin),
                format!("\"{}\" is not a keyword", entry.key),
            );
            d.help("did you mean \"script\"?");
            continue;
        }
        if job.value.get("stage").is_none() && job.value.entries().is_empty() {
            d.help("add `script:`, or start the name with \".\" to make it a hidden template");
        } else {
            d.help("add `script:` with the commands to run, or start the name with \".\" to make it a hidden template");
        }
    }
}
