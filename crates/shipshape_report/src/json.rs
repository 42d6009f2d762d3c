//! `--format json`: the stable interface of ARCHITECTURE.md ("Output contract"),
//! `"version": 2`. Fields are only ever added in a new version (2 added `label`, `notes`
//! and `related`: the evidence the human format shows).

use serde::Serialize;
use shipshape_linter::{Diagnostic, Workspace};

use crate::Position;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    severity: &'a str,
    path: &'a str,
    start: Position,
    end: Position,
    message: &'a str,
    /// What the primary span is (`"tab"`, `"no default"`); null when the span says it.
    label: Option<&'a str>,
    /// The evidence: what shipshape saw that makes the message true.
    notes: Vec<&'a str>,
    /// Other places that explain the finding (where the clashing thing is defined).
    related: Vec<JsonRelated<'a>>,
    help: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    start: Position,
    end: Position,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    safe: bool,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    start: Position,
    end: Position,
    text: &'a str,
}

pub fn json(ws: &Workspace, diagnostics: &[Diagnostic]) -> String {
    let output = Output {
        version: 2,
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let file = ws.source(d.file());
                let span = d.primary.span;
                JsonDiagnostic {
                    rule: d.rule.as_str(),
                    severity: d.severity.as_str(),
                    path: &file.name,
                    start: Position::of(file, span.start as usize),
                    end: Position::of(file, span.end as usize),
                    message: &d.message,
                    label: Some(d.primary.message.as_str()).filter(|m| !m.is_empty()),
                    notes: d.notes.iter().map(String::as_str).collect(),
                    related: d
                        .secondary
                        .iter()
                        .map(|l| {
                            let file = ws.source(l.file);
                            JsonRelated {
                                path: &file.name,
                                start: Position::of(file, l.span.start as usize),
                                end: Position::of(file, l.span.end as usize),
                                message: &l.message,
                            }
                        })
                        .collect(),
                    help: d.help.as_deref(),
                    fix: d.fix.as_ref().map(|fix| JsonFix {
                        safe: fix.safe,
                        edits: fix
                            .edits
                            .iter()
                            .map(|e| {
                                let file = ws.source(e.file);
                                JsonEdit {
                                    start: Position::of(file, e.span.start as usize),
                                    end: Position::of(file, e.span.end as usize),
                                    text: &e.text,
                                }
                            })
                            .collect(),
                    }),
                }
            })
            .collect(),
    };
    // Lossless: the strings are what the files say; a reader decides how to show them.
    let mut text = crate::escape::escape_json_controls(
        serde_json::to_string_pretty(&output).expect("plain structs serialize"),
    );
    text.push('\n');
    text
}
