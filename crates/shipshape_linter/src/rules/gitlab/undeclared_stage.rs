//! undeclared-stage: a job's `stage` is not one of the pipeline's stages (`stages:`, or
//! GitLab's defaults when it is absent).

use super::support::{Once, is_dynamic, label_job_if_inherited, report_at};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::support::{key_span, suggest_rename};

pub static RULE: Rule = Rule {
    name: "undeclared-stage",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    summary: "a job's `stage` is not in `stages` (or the defaults when `stages` is absent)",
    doc: include_str!("../../../rule-docs/undeclared-stage/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    // The root file's `stages:` wins over every include's, so an unread include matters
    // only when the root does not declare them.
    let declared_by_root = model
        .stages
        .iter()
        .any(|(_, o)| o.is_some_and(|o| o.file == model.root_file));
    if cx.pipeline.fragment || (cx.is_open() && !declared_by_root) {
        return;
    }
    if model.stages.iter().any(|(s, _)| is_dynamic(s)) {
        return;
    }
    let available: Vec<&str> = model.stages.iter().map(|(s, _)| s.as_str()).collect();
    let mut once = Once::default();
    for job in model.visible_jobs() {
        let (stage, origin) = job.stage();
        // An unread include may define the same job with its stage.
        if is_dynamic(&stage)
            || model.stage_index(&stage).is_some()
            || (origin.is_none() && cx.is_open())
        {
            continue;
        }
        let message = format!(
            "{} job: chosen stage {stage} does not exist; available stages are {}",
            job.name,
            available.join(", ")
        );
        let d = match origin {
            Some(origin) => {
                if !once.first(origin) {
                    continue;
                }
                let d = report_at(cx, sink, origin, message);
                d.label("not a stage of this pipeline");
                label_job_if_inherited(cx, d, job, origin);
                d
            }
            None => {
                let d = report_at(cx, sink, job.key, message);
                d.label("this job has no `stage`, so it runs in \"test\"");
                d
            }
        };
        if let Some((_, Some(declared))) = model.stages.iter().find(|(_, o)| o.is_some()) {
            // At the `stages:` key that holds the list.
            let span = cx
                .tree(declared.file)
                .and_then(|tree| Some(key_span(tree, tree.parent(declared.node)?)))
                .unwrap_or(cx.span(*declared));
            d.secondary(declared.file, span, "stages are declared here");
        }
        let user_stages = available
            .iter()
            .copied()
            .filter(|s| *s != ".pre" && *s != ".post");
        match crate::text::nearest(&stage, user_stages) {
            Some(meant) => suggest_rename(d, cx, origin, &stage, meant),
            None => {
                d.help(format!(
                    "add \"{stage}\" to `stages`, or pick one of the stages above"
                ));
            }
        };
    }
}
