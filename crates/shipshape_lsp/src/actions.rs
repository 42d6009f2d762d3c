//! Code actions for the findings in the requested range: each finding's fix as a quick
//! fix (the preferred one when it is safe), and ignore comments for the line and the file.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, Uri, WorkspaceEdit,
};
use serde_json::Value as Json;
use shipshape_linter::{Diagnostic, Workspace};
use shipshape_yaml::{NodeKind, Span};

use crate::convert;
use crate::server::Snapshot;

fn overlaps(a: lsp_types::Range, b: lsp_types::Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

pub fn code_actions(snapshot: &Snapshot, params: Json) -> Result<Json, String> {
    let p: CodeActionParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let uri = p.text_document.uri;
    let Some(file) = snapshot.file_of(&uri) else {
        return Ok(Json::Array(Vec::new()));
    };
    let ws = &snapshot.analysis.workspace;
    let source = ws.source(file);
    let mut actions: Vec<CodeActionOrCommand> = Vec::new();
    for d in snapshot
        .analysis
        .diagnostics
        .iter()
        .filter(|d| d.file() == file)
    {
        let range = convert::range(source, d.primary.span);
        if !overlaps(range, p.range) {
            continue;
        }
        let lsp_diagnostic = convert::diagnostic(ws, d, |f| snapshot.uri_of(f.id));
        if let Some(fix) = &d.fix {
            let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
            for e in &fix.edits {
                let Some(target) = snapshot.uri_of(e.file) else {
                    continue;
                };
                changes.entry(target).or_default().push(TextEdit::new(
                    convert::range(ws.source(e.file), e.span),
                    e.text.clone(),
                ));
            }
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: if fix.safe {
                    capitalize(&fix.description)
                } else {
                    format!("{} (may change behaviour)", capitalize(&fix.description))
                },
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic.clone()]),
                edit: Some(WorkspaceEdit::new(changes)),
                is_preferred: Some(fix.safe),
                ..CodeAction::default()
            }));
        }
        if let Some(edit) = ignore_line(ws, d) {
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Ignore {} on this line", d.rule),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic.clone()]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(
                    uri.clone(),
                    vec![edit],
                )]))),
                ..CodeAction::default()
            }));
        }
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Ignore {} in this file", d.rule),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![lsp_diagnostic]),
            edit: Some(WorkspaceEdit::new(HashMap::from([(
                uri.clone(),
                vec![TextEdit::new(
                    lsp_types::Range::default(),
                    format!("# shipshape: ignore-file[{}]\n", d.rule),
                )],
            )]))),
            ..CodeAction::default()
        }));
    }
    Ok(serde_json::to_value(actions).expect("serializes"))
}

/// A comment line above the finding's line, with its indentation
/// (`# shipshape: ignore[rule]`). None inside a multi-line scalar (a script block), where
/// a comment line would become part of the text.
fn ignore_line(ws: &Workspace, d: &Diagnostic) -> Option<TextEdit> {
    let file = ws.file(d.file());
    let text = &file.source.text;
    let at = d.primary.span.start as usize;
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    if let Some(tree) = file.tree() {
        let inside_block = tree.ids().any(|id| {
            let s = tree.node(id).span;
            matches!(tree.node(id).kind, NodeKind::Scalar { .. })
                && (s.start as usize) < line_start
                && line_start < s.end as usize
        });
        if inside_block {
            return None;
        }
    }
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let position = convert::range(&file.source, Span::empty(line_start)).start;
    Some(TextEdit::new(
        lsp_types::Range::new(position, position),
        format!("{indent}# shipshape: ignore[{}]\n", d.rule),
    ))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
