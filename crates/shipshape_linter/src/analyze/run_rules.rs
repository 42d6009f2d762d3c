//! Stage 4: the enabled rules, each check under `catch_unwind`, files, projects and
//! pipelines in parallel.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;
use shipshape_yaml::{FileId, Span};

use super::panic_message;
use crate::diagnostic::{Diagnostic, Label, RuleName, Severity};
use crate::registry::RULES;
use crate::rule::{Check, ComposeContext, PipelineContext, Rule, Sink};
use crate::settings::Settings;
use crate::workspace::{AnalyzedFile, Workspace};

/// The name under which a crashing rule is reported (not a registered rule: there is
/// nothing to configure about a bug).
pub const INTERNAL_ERROR: RuleName = RuleName::new("internal-error");

/// What the enabled rules find over the workspace (in no order); once `cancelled()`, the remaining files,
/// projects and pipelines are skipped (the caller throws the result away).
pub(super) fn check(
    ws: &Workspace,
    settings: &Settings,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Vec<Diagnostic> {
    // (rule, effective severity, one of its checks)
    let enabled: Vec<(&'static Rule, Severity, Check)> = RULES
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| settings.rules.severity(i).map(|sev| (*rule, sev)))
        .flat_map(|(rule, sev)| rule.checks.iter().map(move |&c| (rule, sev, c)))
        .collect();
    let mut out: Vec<Diagnostic> = ws
        .files
        .par_iter()
        .filter(|f| f.reported && !cancelled())
        .flat_map_iter(|file| {
            let mut found = Vec::new();
            for &(rule, severity, check) in &enabled {
                if let Check::File(check) = check
                    && rule.group.applies_to(file.kind)
                {
                    guarded(rule, file.id(), &mut found, |sink_out| {
                        check(
                            file,
                            &mut Sink::new(rule, severity, &settings.options, sink_out),
                        );
                    });
                }
            }
            found
        })
        .collect();
    let per_project: Vec<Diagnostic> = ws
        .compose_projects
        .par_iter()
        .filter(|p| p.owned.iter().any(|&f| ws.file(f).reported) && !cancelled())
        .flat_map_iter(|project| {
            let cx = ComposeContext { ws, project };
            let mut found = Vec::new();
            for &(rule, severity, check) in &enabled {
                if let Check::Compose(check) = check {
                    let first = project.owned.first().copied().unwrap_or_default();
                    guarded(rule, first, &mut found, |sink_out| {
                        check(
                            &cx,
                            &mut Sink::new(rule, severity, &settings.options, sink_out),
                        );
                    });
                }
            }
            found.retain(|d| project.owns(d.file()) || d.rule == INTERNAL_ERROR);
            found
        })
        .collect();
    out.extend(per_project);
    let per_pipeline: Vec<Diagnostic> = ws
        .pipelines
        .par_iter()
        .filter(|p| p.model.files.iter().any(|&f| ws.file(f).reported) && !cancelled())
        .flat_map_iter(|pipeline| {
            let cx = PipelineContext::new(ws, pipeline);
            let mut found = Vec::new();
            for &(rule, severity, check) in &enabled {
                if let Check::Pipeline(check) = check {
                    guarded(rule, pipeline.model.root_file, &mut found, |sink_out| {
                        check(
                            &cx,
                            &mut Sink::new(rule, severity, &settings.options, sink_out),
                        );
                    });
                }
            }
            found.retain(|d| pipeline.model.files.contains(&d.file()) || d.rule == INTERNAL_ERROR);
            found
        })
        .collect();
    out.extend(per_pipeline);
    for &(rule, severity, check) in &enabled {
        if let Check::Workspace(check) = check {
            let first = ws.files.first().map_or(FileId(0), AnalyzedFile::id);
            guarded(rule, first, &mut out, |sink_out| {
                check(
                    ws,
                    &mut Sink::new(rule, severity, &settings.options, sink_out),
                );
            });
        }
    }
    out
}

/// Runs one rule so that a panic in it becomes one diagnostic instead of ending the run:
/// the other rules and files are still checked.
fn guarded(
    rule: &Rule,
    file: FileId,
    out: &mut Vec<Diagnostic>,
    run: impl FnOnce(&mut Vec<Diagnostic>),
) {
    let mut found = Vec::new();
    match catch_unwind(AssertUnwindSafe(|| run(&mut found))) {
        Ok(()) => out.append(&mut found),
        Err(panic) => out.push(Diagnostic {
            rule: INTERNAL_ERROR,
            severity: Severity::Error,
            message: format!(
                "rule \"{}\" crashed on this file: {}",
                rule.name,
                panic_message(&panic)
            ),
            primary: Label {
                file,
                span: Span::empty(0),
                message: String::new(),
            },
            secondary: Vec::new(),
            notes: vec!["this is a bug in shipshape; the other rules still ran".into()],
            help: Some("please report it with this file attached".into()),
            fix: None,
        }),
    }
}
