//! obsolete-version: a top-level `version:`, which Compose v2 ignores.

use shipshape_yaml::Span;

use crate::diagnostic::{Edit, Fix, Severity};
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::{AnalyzedFile, Workspace};

pub static RULE: Rule = Rule {
    name: "obsolete-version",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    summary: "top-level version: is obsolete and ignored by Compose v2",
    doc: include_str!("../../../rule-docs/obsolete-version/README.md"),
    checks: &[Check::Workspace(check)],
    options: &[],
};

/// Compose v1 (`docker-compose` 1.x, Python) needs `version:`: without it a file is read
/// as the legacy v1 format.
const COMPOSE_V1_IMAGE: &str = "docker/compose";

fn check(ws: &Workspace, sink: &mut Sink<'_>) {
    let v1_dirs = compose_v1_pipeline_dirs(ws);
    for file in ws.files.iter().filter(|f| f.reported) {
        let under_v1 = file
            .source
            .path
            .ancestors()
            .skip(1)
            .any(|d| v1_dirs.contains(d));
        check_file(file, under_v1, sink);
    }
}

/// The directories of pipelines with a job whose image is Compose v1
/// (`docker/compose:1.x`): the Compose files there may be run by it, directly or through
/// a wrapper script.
fn compose_v1_pipeline_dirs(ws: &Workspace) -> std::collections::HashSet<std::path::PathBuf> {
    ws.pipelines
        .iter()
        .filter(|p| {
            p.model.jobs.iter().any(|job| {
                job.image().is_some_and(|n| {
                    shipshape_model::images::repository(n) == COMPOSE_V1_IMAGE
                        && shipshape_model::images::tag(n).is_some_and(|t| t.starts_with("1."))
                })
            })
        })
        .map(|p| ws.file(p.model.root_file).dir())
        .collect()
}

/// Whether `version` selects a v2.1+ format that the file needs under Compose v1:
/// `depends_on` conditions exist only from 2.1 on (and not in 3.x).
fn needs_v2_format(model: &shipshape_model::compose::ComposeFile, version: &str) -> bool {
    let v2_1_plus = version
        .strip_prefix("2.")
        .and_then(|minor| minor.parse::<u32>().ok())
        .is_some_and(|minor| minor >= 1);
    v2_1_plus
        && model
            .services
            .iter()
            .any(|s| s.depends_on.iter().any(|d| d.condition_loc.is_some()))
}

fn check_file(file: &AnalyzedFile, under_v1: bool, sink: &mut Sink<'_>) {
    let Some(model) = &file.compose else { return };
    let Some((key, value)) = &model.version else {
        return;
    };
    if under_v1
        || value
            .as_ref()
            .is_some_and(|v| needs_v2_format(model, &v.value))
    {
        return;
    }
    let source = &file.source;
    let shown = value
        .as_ref()
        .map_or(String::new(), |v| format!(" \"{}\"", v.value));
    let d = sink.report(
        file.id(),
        key.span,
        format!("the top-level \"version\"{shown} is obsolete"),
    );
    d.label("ignored by Compose v2")
        .note("Compose warns \"the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion\"")
        .help("remove the line: Compose v2 reads every file with the latest specification");
    // Remove the whole line when the entry is alone on it.
    let line = source.line_index.line_of(key.span.start as usize);
    let line_span = source.line_index.line_span(&source.text, line);
    let end = value.as_ref().map_or(key.span.end, |v| v.loc.span.end) as usize;
    let alone = line_span.start == key.span.start && source.line_index.line_of(end) == line;
    if alone {
        let next = source.line_index.line_start(line + 1);
        d.fix(Fix {
            safe: true,
            description: "remove the \"version\" line".into(),
            edits: vec![Edit {
                file: file.id(),
                span: Span::new(line_span.start as usize, next),
                text: String::new(),
            }],
        });
    }
}
