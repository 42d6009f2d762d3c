//! job-never-runs: a job that no kind of pipeline adds, whatever the values shipshape
//! cannot know (`if: $CI_COMMIT_TAG && $CI_COMMIT_BRANCH`, `when: never` first, `only:`
//! a source the pipeline's `workflow:rules` never create).

use shipshape_model::gitlab::evaluate::Tri;
use shipshape_model::gitlab::simulate::Why;

use shipshape_model::gitlab::Origin;
use shipshape_model::gitlab::contexts::Context;

use super::needs_not_in_pipeline::contexts_phrase;
use super::support::report_at;
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "job-never-runs",
    group: Group::Gitlab,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a job whose rules add it to no kind of pipeline",
    doc: include_str!("../../../rule-docs/job-never-runs/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    let runs: Vec<_> = cx
        .simulations()
        .iter()
        .filter(|r| r.created.runs != Tri::No)
        .collect();
    // A pipeline that is never created is another problem; its jobs say nothing.
    let Some(first) = runs.first() else { return };
    for job_run in &first.jobs {
        let never = runs
            .iter()
            .all(|r| r.job_run(job_run.job).is_some_and(|j| j.runs == Tri::No));
        if !never {
            continue;
        }
        let job = &model.jobs[job_run.job];
        if disabled_on_purpose(job) || tests_files(job) {
            continue;
        }
        let d = report_at(
            cx,
            sink,
            job.key,
            format!(
                "no pipeline runs job '{}': its rules add it to no kind of pipeline",
                job.name
            ),
        );
        d.label("never added to a pipeline");
        // The rules that leave it out, each with the kinds of pipeline it decides.
        let checked: Vec<&Context> = runs.iter().map(|r| &*r.context).collect();
        let mut decisive: Vec<(Origin, Vec<&Context>, Why)> = Vec::new();
        for r in &runs {
            let Some(j) = r.job_run(job_run.job) else {
                continue;
            };
            let origin = match (j.decision.runs, j.include_rules) {
                (Tri::No, _) => j.decision.decided_by,
                (_, include) => include,
            };
            let Some(origin) = origin else { continue };
            match decisive.iter_mut().find(|(o, _, _)| *o == origin) {
                Some((_, contexts, _)) => contexts.push(&*r.context),
                None => decisive.push((origin, vec![&*r.context], j.decision.why)),
            }
        }
        for (origin, contexts, why) in decisive.iter().take(3) {
            let what = match why {
                Why::Rule => "this rule (`when: never`) leaves it out of",
                Why::NoRuleMatched => "no rule here matches: it is left out of",
                Why::OnlyExcept => "`only`/`except` leave it out of",
                _ => "the include's rules leave it out of",
            };
            d.secondary(
                origin.file,
                cx.span(*origin),
                format!("{what} {}", contexts_phrase(contexts, &checked)),
            );
        }
        d.note("every kind of pipeline this file can run in was checked, with variables set outside the files taking any value");
        d.help("fix the condition that can never hold, or delete the job (a template that only `extends` uses can be hidden: `.name`)");
    }
}

/// `rules: [{when: never}]` and nothing else: the job is switched off on purpose (the way
/// to disable a job of an included template, which must keep its name).
fn disabled_on_purpose(job: &shipshape_model::gitlab::Job) -> bool {
    let Some(rules) = job.value.get("rules") else {
        return false;
    };
    match shipshape_model::gitlab::simulate::rule_items(rules).as_slice() {
        [only] => {
            only.entries().len() == 1 && only.get("when").and_then(|w| w.as_str()) == Some("never")
        }
        _ => false,
    }
}

/// Rules that test `exists:`: templates switch jobs on by the files a repository has, and
/// a job left out for lack of them is the template working, not a bug.
fn tests_files(job: &shipshape_model::gitlab::Job) -> bool {
    job.value.get("rules").is_some_and(|rules| {
        shipshape_model::gitlab::simulate::rule_items(rules)
            .iter()
            .any(|r| r.get("exists").is_some())
    })
}
