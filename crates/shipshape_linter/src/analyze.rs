//! The pipeline: load and parse every file in parallel, build the workspace, run the file
//! rules in parallel and the workspace rules after, then sort.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;
use shipshape_model::FileKind;
use shipshape_model::kind::classify_by_content;
use shipshape_yaml::{FileId, SourceFile, Span, parse_with};

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::discover::{Input, io_reason};
use crate::registry::RULES;
use crate::rule::{Check, Rule, Sink};
use crate::settings::Settings;
use crate::workspace::{AnalyzedFile, Unreadable, Workspace};

/// The name under which a crashing rule is reported (not a registered rule: there is
/// nothing to configure about a bug).
pub const INTERNAL_ERROR: &str = "internal-error";

#[derive(Debug)]
pub struct Analysis {
    pub workspace: Workspace,
    /// Sorted by path, line, column, rule.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be read, one line each.
    pub errors: Vec<String>,
}

pub fn analyze(inputs: Vec<Input>, settings: &Settings) -> Analysis {
    let loaded: Vec<Result<AnalyzedFile, String>> = inputs
        .into_par_iter()
        .map(|input| load(input, settings))
        .collect();
    let mut files = Vec::with_capacity(loaded.len());
    let mut errors = Vec::new();
    for result in loaded {
        match result {
            Ok(mut file) => {
                file.source.id = FileId(files.len() as u32);
                files.push(file);
            }
            Err(err) => errors.push(err),
        }
    }
    let workspace = Workspace { files };
    let diagnostics = check(&workspace, settings);
    Analysis {
        workspace,
        diagnostics,
        errors,
    }
}

fn load(input: Input, settings: &Settings) -> Result<AnalyzedFile, String> {
    let limit = settings.max_file_size;
    let bytes = match input.content {
        Some(bytes) => bytes,
        None => {
            let reason = |err: std::io::Error| format!("{}: {}", input.name, io_reason(&err));
            let size = std::fs::metadata(&input.path).map_err(reason)?.len();
            if size > limit {
                return Ok(too_large(input.path, input.name, input.kind, size, limit));
            }
            std::fs::read(&input.path).map_err(reason)?
        }
    };
    if bytes.len() as u64 > limit {
        let size = bytes.len() as u64;
        return Ok(too_large(input.path, input.name, input.kind, size, limit));
    }
    let source = SourceFile::from_bytes(FileId(0), input.path, input.name, bytes);
    let kind_by_name = input.kind;
    if source.encoding_problem.is_some() {
        return Ok(AnalyzedFile {
            source,
            kind: kind_by_name.unwrap_or(FileKind::Yaml),
            yaml: None,
            unreadable: Some(Unreadable::Encoding),
        });
    }
    match catch_unwind(AssertUnwindSafe(|| {
        parse_with(&source.text, &settings.yaml_limits)
    })) {
        Ok(yaml) => {
            let kind = kind_by_name.unwrap_or_else(|| classify_by_content(&yaml.tree));
            Ok(AnalyzedFile {
                source,
                kind,
                yaml: Some(yaml),
                unreadable: None,
            })
        }
        Err(panic) => Ok(AnalyzedFile {
            source,
            kind: kind_by_name.unwrap_or(FileKind::Yaml),
            yaml: None,
            unreadable: Some(Unreadable::ParserCrash {
                message: panic_message(&panic),
            }),
        }),
    }
}

fn too_large(
    path: std::path::PathBuf,
    name: String,
    kind: Option<FileKind>,
    size: u64,
    limit: u64,
) -> AnalyzedFile {
    AnalyzedFile {
        source: SourceFile::new(FileId(0), path, name, String::new()),
        kind: kind.unwrap_or(FileKind::Yaml),
        yaml: None,
        unreadable: Some(Unreadable::TooLarge { size, limit }),
    }
}

fn check(ws: &Workspace, settings: &Settings) -> Vec<Diagnostic> {
    let enabled: Vec<(&'static Rule, Severity)> = RULES
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| settings.rules.severity(i).map(|sev| (*rule, sev)))
        .collect();
    let mut out: Vec<Diagnostic> = ws
        .files
        .par_iter()
        .flat_map_iter(|file| {
            let mut found = Vec::new();
            for &(rule, severity) in &enabled {
                if let Check::File(check) = rule.check
                    && rule.group.applies_to(file.kind)
                {
                    guarded(rule, file.id(), &mut found, |sink_out| {
                        check(file, &mut Sink::new(rule.name, severity, sink_out));
                    });
                }
            }
            found
        })
        .collect();
    for &(rule, severity) in &enabled {
        if let Check::Workspace(check) = rule.check {
            let first = ws.files.first().map_or(FileId(0), AnalyzedFile::id);
            guarded(rule, first, &mut out, |sink_out| {
                check(ws, &mut Sink::new(rule.name, severity, sink_out));
            });
        }
    }
    sort_and_dedup(ws, &mut out);
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

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn sort_and_dedup(ws: &Workspace, diags: &mut Vec<Diagnostic>) {
    let name = |d: &Diagnostic| {
        ws.files
            .get(d.file().index())
            .map_or("", |f| f.source.name.as_str())
    };
    diags.sort_by(|a, b| {
        name(a)
            .cmp(name(b))
            .then(a.primary.span.start.cmp(&b.primary.span.start))
            .then(a.rule.cmp(b.rule))
            .then(a.primary.span.end.cmp(&b.primary.span.end))
            .then(a.message.cmp(&b.message))
    });
    diags.dedup_by(|a, b| a.rule == b.rule && a.primary == b.primary && a.message == b.message);
}
