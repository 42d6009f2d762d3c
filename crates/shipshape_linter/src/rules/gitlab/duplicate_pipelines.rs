//! duplicate-pipelines: a push to a branch with an open merge request starts both a
//! branch pipeline and a merge request pipeline, because jobs add themselves to merge
//! request pipelines and others to branch pipelines, and no `workflow:rules` picks one.

use shipshape_model::gitlab::evaluate::Tri;
use shipshape_model::gitlab::simulate::Why;

use super::support::report_at;
use crate::diagnostic::Severity;
use crate::pipeline_runs::PipelineRun;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "duplicate-pipelines",
    group: Group::Gitlab,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a push to a branch with an open merge request starts two pipelines",
    doc: include_str!("../../../rule-docs/duplicate-pipelines/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

/// The workflow GitLab's docs give to switch from branch to merge request pipelines.
const WORKFLOW: &str = "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n    - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS\n      when: never\n    - if: $CI_COMMIT_BRANCH";

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    if cx.pipeline.child || cx.pipeline.fragment {
        return;
    }
    let runs = cx.simulations();
    let find = |id: &str| runs.iter().find(|r| r.context.id == id);
    let (Some(branch), Some(mr)) = (find("push-branch-with-mr"), find("merge-request")) else {
        return;
    };
    if branch.created.runs != Tri::Yes || mr.created.runs != Tri::Yes {
        return;
    }
    let model = cx.model();
    let (Some(mr_job), Some(branch_job)) = (certain_job(model, mr), certain_job(model, branch))
    else {
        return;
    };
    let mr_name = &model.jobs[mr_job.0].name;
    let branch_name = &model.jobs[branch_job.0].name;
    // Where to point: the rule that adds a job to merge request pipelines, else the job.
    let at = mr_job.1.unwrap_or(model.jobs[mr_job.0].key);
    let d = report_at(
        cx,
        sink,
        at,
        format!(
            "a push to a branch with an open merge request starts two pipelines: a branch pipeline (with '{branch_name}') and a merge request pipeline (with '{mr_name}')"
        ),
    );
    if branch_job.1 == Some(at) {
        d.label(format!(
            "adds '{mr_name}' to both merge request and branch pipelines"
        ));
    } else {
        d.label(format!("adds '{mr_name}' to merge request pipelines"));
    }
    if branch_job.1 == Some(at) {
        // One rule adds the job to both: its label says so.
    } else if let Some(origin) = branch_job.1 {
        d.secondary(
            origin.file,
            cx.span(origin),
            format!("adds '{branch_name}' to branch pipelines"),
        );
    } else {
        let key = model.jobs[branch_job.0].key;
        d.secondary(
            key.file,
            cx.span(key),
            format!("'{branch_name}' has no `rules`: it runs in branch pipelines"),
        );
    }
    if let Some(workflow) = model.top.as_ref().and_then(|t| t.entry("workflow")) {
        d.secondary(
            workflow.key_origin.file,
            cx.span(workflow.key_origin),
            "these workflow rules let both pipelines start",
        );
    }
    d.note("GitLab runs both for the same commit (docs: \"Avoid duplicate pipelines\"); every push then runs two pipelines, and the jobs in both run twice");
    d.help(format!(
        "choose one kind of pipeline per push with workflow rules, for example:\n{WORKFLOW}"
    ));
}

/// A job that certainly runs in `run`, with the rule that adds it. A pipeline of only
/// `.pre` and `.post` jobs is not created, so one job must be in another stage.
fn certain_job(
    model: &shipshape_model::gitlab::Pipeline,
    run: &PipelineRun,
) -> Option<(usize, Option<shipshape_model::gitlab::Origin>)> {
    let in_a_stage = |j: &&crate::pipeline_runs::JobRun| {
        let (stage, _) = model.jobs[j.job].stage();
        stage != ".pre" && stage != ".post"
    };
    run.jobs
        .iter()
        .filter(|j| j.runs == Tri::Yes)
        .find(in_a_stage)?;
    let j = run.jobs.iter().find(|j| j.runs == Tri::Yes)?;
    let origin = (j.decision.why == Why::Rule)
        .then_some(j.decision.decided_by)
        .flatten();
    Some((j.job, origin))
}
