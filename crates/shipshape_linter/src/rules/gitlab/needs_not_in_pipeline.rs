//! needs-not-in-pipeline: in some kind of pipeline a job runs (or may run) while a job it
//! `needs` is certainly left out: GitLab refuses to create that pipeline.
//!
//! `dependencies` are not checked: GitLab creates the pipeline when a dependency was left
//! out (gitlab-org/cli's `build_test` takes artifacts from a job that only tag pipelines
//! have, on every default-branch pipeline); only `needs` are checked at creation.

use std::collections::HashMap;

use shipshape_model::gitlab::Origin;
use shipshape_model::gitlab::contexts::Context;
use shipshape_model::gitlab::evaluate::Tri;
use shipshape_model::gitlab::pipeline::needs_of;
use shipshape_model::gitlab::simulate::{Decision, Why};

use super::support::{Once, base_job_name, is_dynamic, report_at};
use crate::diagnostic::Severity;
use crate::pipeline_runs::{JobRun, PipelineRun};
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "needs-not-in-pipeline",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a job runs in a kind of pipeline where a job it needs is left out",
    doc: include_str!("../../../rule-docs/needs-not-in-pipeline/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

/// A job's needs that break some kinds of pipeline: GitLab names the first it finds, we
/// name them all in one finding.
struct Broken<'r> {
    needer: usize,
    /// Each need left out somewhere: name, where written.
    needs: Vec<(String, Origin)>,
    /// The runs (contexts) where some need breaks, with the needer's and the first
    /// missing job's runs.
    runs: Vec<(&'r PipelineRun, &'r JobRun, &'r JobRun)>,
}

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    let visible: HashMap<&str, usize> = model
        .jobs
        .iter()
        .enumerate()
        .filter(|(_, j)| !j.hidden)
        .map(|(i, j)| (j.name.as_str(), i))
        .collect();
    let mut broken: Vec<Broken<'_>> = Vec::new();
    for run in cx.simulations() {
        if run.created.runs == Tri::No {
            continue;
        }
        for job_run in run.jobs.iter().filter(|j| j.runs != Tri::No) {
            let job = &model.jobs[job_run.job];
            let needs = match &job_run.decision.needs {
                // `rules:needs` replace the job's own.
                Some(v) => needs_of(Some(v)),
                None => job.needs(),
            };
            let named = needs
                .into_iter()
                .filter(|n| !n.optional)
                .map(|n| (n.job, n.origin));
            let mut first_missing: Option<&JobRun> = None;
            let mut missing: Vec<(String, Origin)> = Vec::new();
            for (name, origin) in named {
                if is_dynamic(&name) {
                    continue;
                }
                let Some(target_run) = visible
                    .get(base_job_name(&name))
                    .and_then(|&t| run.job_run(t))
                else {
                    continue;
                };
                if target_run.runs == Tri::No {
                    first_missing.get_or_insert(target_run);
                    missing.push((name, origin));
                }
            }
            let Some(target_run) = first_missing else {
                continue;
            };
            let entry = match broken.iter().position(|b| b.needer == job_run.job) {
                Some(i) => &mut broken[i],
                None => {
                    broken.push(Broken {
                        needer: job_run.job,
                        needs: Vec::new(),
                        runs: Vec::new(),
                    });
                    broken.last_mut().expect("just pushed")
                }
            };
            for m in missing {
                if !entry.needs.iter().any(|n| n.1 == m.1) {
                    entry.needs.push(m);
                }
            }
            entry.runs.push((run, job_run, target_run));
        }
    }
    let mut once = Once::default();
    for b in &mut broken {
        b.needs.sort_by_key(|n| (n.1.file, cx.span(n.1).start));
        if !once.first(b.needs[0].1) {
            continue;
        }
        report(cx, sink, b);
    }
}

fn report(cx: &PipelineContext<'_>, sink: &mut Sink<'_>, b: &Broken<'_>) {
    let model = cx.model();
    let job = &model.jobs[b.needer];
    let selected: Vec<&Context> = b.runs.iter().map(|(r, _, _)| &*r.context).collect();
    let checked: Vec<&Context> = cx
        .simulations()
        .iter()
        .filter(|r| r.created.runs != Tri::No)
        .map(|r| &*r.context)
        .collect();
    let contexts = contexts_phrase(&selected, &checked);
    let certain = b.runs.iter().any(|(_, j, _)| j.runs == Tri::Yes);
    let (need, origin) = &b.needs[0];
    let others = match b.needs.len() {
        1 => String::new(),
        2 => " and 1 other job".to_string(),
        n => format!(" and {} other jobs", n - 1),
    };
    let (subject, is) = if b.needs.len() == 1 {
        (format!("'{need}'"), "is")
    } else {
        ("they".to_string(), "are")
    };
    let d = report_at(
        cx,
        sink,
        *origin,
        format!(
            "'{}' job needs '{need}' job{others}, but {subject} {is} not added to the pipeline in {contexts}",
            job.name
        ),
    );
    d.label(format!("not in {contexts}"));
    // Error when a common kind of pipeline certainly breaks; a job that only may run
    // there is a warning, a kind few projects use (a schedule for a tag) is info.
    let common: Vec<&JobRun> = b
        .runs
        .iter()
        .filter(|(r, _, _)| !r.context.rare)
        .map(|(_, j, _)| *j)
        .collect();
    let effective = d.severity;
    if common.is_empty() {
        d.severity = effective.min(Severity::Info);
    } else if common.iter().all(|j| j.runs != Tri::Yes) {
        d.severity = effective.min(Severity::Warning);
    }
    for (name, origin) in b.needs.iter().skip(1).take(8) {
        d.secondary(
            origin.file,
            cx.span(*origin),
            format!("'{name}' is left out too"),
        );
    }
    let (first_run, needer_run, target_run) = b.runs[0];
    let target = &model.jobs[target_run.job];
    match (target_run.decision.decided_by, target_run.include_rules) {
        (_, Some(include)) if target_run.decision.runs != Tri::No => {
            d.secondary(
                include.file,
                cx.span(include),
                format!(
                    "the include that brings '{}' is not taken in {}",
                    target.name, first_run.context.title
                ),
            );
        }
        (Some(origin), _) => {
            d.secondary(
                origin.file,
                cx.span(origin),
                left_out_words(&target_run.decision, &target.name, &first_run.context.title),
            );
        }
        (None, _) => {}
    }
    if let Some(origin) = needer_run.decision.decided_by
        && needer_run.decision.why == Why::Rule
    {
        d.secondary(
            origin.file,
            cx.span(origin),
            format!(
                "this rule {} '{}' to {}",
                if needer_run.runs == Tri::Yes {
                    "adds"
                } else {
                    "may add"
                },
                job.name,
                first_run.context.title
            ),
        );
    }
    d.note(format!(
        "GitLab refuses to create such a pipeline: \"'{}' job needs '{need}' job, but '{need}' does not exist in the pipeline. This might be because of the only, except, or rules keywords.\"{}",
        job.name,
        if certain { "" } else { " (when the job's rules match: they depend on values shipshape cannot know)" }
    ));
    d.help(format!(
        "give '{}' and '{need}' rules that agree, or need it with `optional: true`",
        job.name
    ));
}

/// How a decision left a job out of a kind of pipeline, for a label.
pub fn left_out_words(decision: &Decision, job: &str, context: &str) -> String {
    match decision.why {
        Why::Rule => format!("this rule leaves '{job}' out of {context} (`when: never`)"),
        Why::NoRuleMatched => format!("no rule of '{job}' matches in {context}"),
        _ => format!("`only`/`except` leave '{job}' out of {context}"),
    }
}

/// The kinds of pipeline `selected` out of those `checked`, in words: "tag pipelines",
/// "every kind of pipeline" (rare sources named only when nothing else is).
pub fn contexts_phrase(selected: &[&Context], checked: &[&Context]) -> String {
    fn common<'c>(cs: &[&'c Context]) -> Vec<&'c str> {
        cs.iter()
            .filter(|c| !c.rare)
            .map(|c| c.title.as_str())
            .collect()
    }
    let (chosen, all) = (common(selected), common(checked));
    if chosen.is_empty() {
        let rare: Vec<&str> = selected.iter().map(|c| c.title.as_str()).collect();
        return list(&rare);
    }
    if chosen.len() == all.len() && chosen.len() > 3 {
        return "every kind of pipeline".to_string();
    }
    list(&chosen)
}

/// "a, b and c" (at most three, then "and N other kinds").
pub fn list(titles: &[&str]) -> String {
    let mut titles: Vec<&str> = titles.to_vec();
    titles.dedup();
    match titles.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [a, b] => format!("{a} and {b}"),
        [a, b, c] => format!("{a}, {b} and {c}"),
        [a, b, c, rest @ ..] => format!("{a}, {b}, {c} and {} other kinds", rest.len()),
    }
}
