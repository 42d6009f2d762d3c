//! What the cross-file rules share: the runs of a pipeline with their projects, the
//! services a command starts, and which of them runs the tests.

use std::ops::Range;

use shipshape_model::compose::{Condition, Project, Service};
use shipshape_model::compose_cli::{named_like_tests, runs_tests};
use shipshape_model::gitlab::Pipeline;
use shipshape_model::images;
use shipshape_yaml::{FileId, Span};

use crate::rule::PipelineContext;
use crate::rules::gitlab::support::value_span;
use crate::runs::ComposeRun;

/// The runs of the pipeline, each with its project when every file of it was read and
/// parsed to its end.
pub fn runs<'c>(
    cx: &'c PipelineContext<'_>,
) -> impl Iterator<Item = (&'c ComposeRun, Option<&'c Project>)> {
    cx.pipeline.compose_runs.iter().map(|run| {
        let project = run
            .project
            .map(|id| cx.ws.project(id))
            .filter(|p| !p.incomplete && p.files.iter().all(|&f| cx.ws.file(f).is_complete()));
        (run, project)
    })
}

/// Where to point at a run as a whole: its `docker compose` words, or, for a run
/// shipshape.toml links, the job's key.
pub fn program_span(cx: &PipelineContext<'_>, run: &ComposeRun) -> Span {
    if run.linked {
        cx.span(run.origin)
    } else {
        word_span(cx, run, run.invocation.program.clone())
    }
}

/// The span of a word of a run's command line.
pub fn word_span(cx: &PipelineContext<'_>, run: &ComposeRun, range: Range<usize>) -> Span {
    value_span(cx, run.origin, range)
}

/// `docker-compose.yml`, `ci.yml and docker-compose.yml`: the files of a run, for
/// messages.
pub fn file_names(cx: &PipelineContext<'_>, files: &[FileId]) -> String {
    let names: Vec<String> = files
        .iter()
        .map(|&f| {
            cx.ws.source(f).path.file_name().map_or_else(
                || cx.ws.source(f).name.clone(),
                |n| crate::discover::os_text(n).into_owned(),
            )
        })
        .collect();
    match names.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => "the Compose files".into(),
    }
}

/// Whether a service runs a test suite and exits: its command or entrypoint runs a test
/// tool, or its name says so.
pub fn looks_like_tests(service: &Service) -> bool {
    [&service.command, &service.entrypoint]
        .into_iter()
        .flatten()
        .any(|c| runs_tests(&c.text))
        || named_like_tests(&service.name)
}

/// The services of a project that may be what a CI job wants the exit code of: those
/// that run tests; failing that, the one service no other depends on that is not a
/// server (a database, a broker).
pub fn test_runners<'p>(run: &ComposeRun, project: &'p Project) -> Vec<&'p Service> {
    let active: Vec<&Service> = project
        .services
        .iter()
        .map(|s| &**s)
        .filter(|s| run.is_active(s))
        .collect();
    let testing: Vec<&Service> = active
        .iter()
        .copied()
        .filter(|s| looks_like_tests(s))
        .collect();
    if !testing.is_empty() {
        return testing;
    }
    active
        .iter()
        .copied()
        .filter(|s| {
            !active
                .iter()
                .any(|o| o.depends_on.iter().any(|d| d.service.value == s.name))
                && s.image
                    .as_ref()
                    .is_none_or(|i| images::server_image(&i.value).is_none())
        })
        .collect()
}

/// Whether `a` waits for `b` to finish successfully before it starts.
pub fn waits_for_completion(a: &Service, b: &str) -> bool {
    a.depends_on
        .iter()
        .any(|d| d.service.value == b && d.condition == Condition::CompletedSuccessfully)
}

/// `artifacts: paths:` of every job of the pipeline: files an earlier job may leave.
pub fn artifact_paths(model: &Pipeline) -> Vec<String> {
    model
        .jobs
        .iter()
        .filter_map(|j| j.value.get("artifacts")?.get("paths"))
        .flat_map(|p| p.strings())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// Whether an artifact path (a file, a directory or a glob) holds `file`.
pub fn covers(artifact: &str, file: &str) -> bool {
    let artifact = artifact.trim_start_matches("./").trim_end_matches('/');
    let file = file.trim_start_matches("./");
    !file.is_empty()
        && (artifact == file
            || file.starts_with(&format!("{artifact}/"))
            || shipshape_model::gitlab::include::glob_match(artifact, file))
}
