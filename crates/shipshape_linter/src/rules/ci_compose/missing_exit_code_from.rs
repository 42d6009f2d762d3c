//! missing-exit-code-from: a CI script runs `docker compose up` in the foreground without
//! `--exit-code-from` (or `--abort-on-container-exit` / `--abort-on-container-failure`):
//! `up` then reports success when the tests fail (or never returns). Also: an
//! `--exit-code-from` that names a service other than the one running the tests.

use crate::diagnostic::{Edit, Fix, Severity};
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::gitlab::support::Once;

use super::support::{
    file_names, looks_like_tests, runs, test_runners, waits_for_completion, word_span,
};

pub static RULE: Rule = Rule {
    name: "missing-exit-code-from",
    group: Group::CiCompose,
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    summary: "a CI script runs `docker compose up` in the foreground without `--exit-code-from`",
    doc: include_str!("../../../rule-docs/missing-exit-code-from/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

/// Flags that make `up` return (or not wait).
const DETACHED: &[&str] = &["-d", "--detach", "--wait", "--no-start", "--dry-run"];
const EXIT_FLAGS: &[&str] = &[
    "--exit-code-from",
    "--abort-on-container-exit",
    "--abort-on-container-failure",
];

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let mut once = Once::default();
    for (run, project) in runs(cx) {
        let inv = &run.invocation;
        let Some(up) = inv.subcommand.as_ref().filter(|s| s.text == "up") else {
            continue;
        };
        if run.after_script
            || run.linked
            || inv.background
            || inv.has_flag(DETACHED)
            || inv.global.iter().any(|f| f.name == "--dry-run")
        {
            continue;
        }
        if let Some(flag) = inv.flag(&["--exit-code-from"]) {
            wrong_service(cx, sink, &mut once, run, project, flag);
            continue;
        }
        if inv.has_flag(EXIT_FLAGS) || !once.first_at(run.origin, up.range.start) {
            continue;
        }
        let d = sink.report(
            run.origin.file,
            word_span(cx, run, inv.program.start..up.range.end),
            format!(
                "`{}` in job \"{}\" runs in the foreground without --exit-code-from: the job passes when the tests fail",
                if inv.v1 { "docker-compose up" } else { "docker compose up" },
                run.job
            ),
        );
        d.label("exits 0 when the containers stop, whatever their exit codes");
        d.note("without an exit flag, `up` waits until every container has stopped and reports success; a server that never stops keeps the job running until it times out");
        let Some(project) = project else {
            d.help("add --exit-code-from SERVICE with the service that runs the tests, or --abort-on-container-failure");
            continue;
        };
        let candidates = test_runners(run, project);
        let names: Vec<&str> = candidates.iter().map(|s| s.name.as_str()).collect();
        match names.as_slice() {
            [one] => {
                let service = project.service(one).expect("a service of the project");
                if let Some(def) = service.definitions.first() {
                    d.secondary(def.file, def.span, format!("\"{one}\" runs the tests"));
                }
                d.help(format!("add --exit-code-from {one}: `up` then stops everything when \"{one}\" exits, and returns its exit code"));
                d.fix(Fix {
                    safe: false,
                    description: format!("add --exit-code-from {one}"),
                    edits: vec![Edit {
                        file: run.origin.file,
                        span: word_span(cx, run, up.range.end..up.range.end),
                        text: format!(" --exit-code-from {one}"),
                    }],
                });
            }
            [] => {
                d.help(format!(
                    "add --exit-code-from SERVICE with the service of {} that runs the tests, or --abort-on-container-failure",
                    file_names(cx, &run.files.found)
                ));
            }
            many => {
                d.help(format!(
                    "add --exit-code-from SERVICE with the service that runs the tests: one of {}",
                    many.iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
}

/// `--exit-code-from deploy` while another service runs the tests, and `deploy` does not
/// wait for them: the tests' failure never reaches the job (seed 002).
fn wrong_service(
    cx: &PipelineContext<'_>,
    sink: &mut Sink<'_>,
    once: &mut Once,
    run: &crate::runs::ComposeRun,
    project: Option<&shipshape_model::compose::Project>,
    flag: &shipshape_model::compose_cli::Flag,
) {
    let (Some(project), Some(value)) = (project, &flag.value) else {
        return;
    };
    if value.dynamic {
        return;
    }
    let Some(chosen) = project.service(&value.text) else {
        return;
    };
    if looks_like_tests(chosen) {
        return;
    }
    let testing: Vec<_> = project
        .services
        .iter()
        .filter(|s| s.name != chosen.name && run.is_active(s))
        .filter(|s| {
            [&s.command, &s.entrypoint]
                .into_iter()
                .flatten()
                .any(|c| shipshape_model::compose_cli::runs_tests(&c.text))
        })
        .collect();
    let [tests] = testing.as_slice() else {
        return;
    };
    if waits_for_completion(chosen, &tests.name) || !once.first_at(run.origin, value.range.start) {
        return;
    }
    let d = sink.report(
        run.origin.file,
        word_span(cx, run, value.range.clone()),
        format!(
            "--exit-code-from {} reports \"{}\"'s exit code: when the tests in \"{}\" fail, job \"{}\" still passes",
            value.text, value.text, tests.name, run.job
        ),
    );
    d.label(format!("\"{}\" does not run the tests", value.text));
    if let Some(def) = tests.definitions.first() {
        d.secondary(
            def.file,
            def.span,
            format!("\"{}\" runs the tests", tests.name),
        );
    }
    d.help(format!(
        "use --exit-code-from {}, or make \"{}\" depend on it with condition: service_completed_successfully",
        tests.name, value.text
    ));
}
