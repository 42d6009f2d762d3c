//! `--format sarif`: SARIF 2.1.0 (ARCHITECTURE.md section 4), for GitHub code scanning
//! and other SARIF viewers. One run; every registered rule in `tool.driver.rules` with its
//! README as help; results with regions (columns in Unicode code points), related
//! locations for secondary labels, partial fingerprints, and fixes. No source text is
//! copied into the log, so no secret can be.

use serde_json::{Value, json};
use shipshape_linter::{Diagnostic, RULES, Severity, Workspace};
use shipshape_yaml::{FileId, Span};

use crate::Position;
use crate::fingerprint::fingerprints;

/// Where the rule documentation lives online.
const RULES_URL: &str = "https://gitlab.com/shipshape/shipshape/-/blob/main/rules";
const INFORMATION_URI: &str = "https://gitlab.com/shipshape/shipshape";
/// `originalUriBaseIds` key for paths relative to the working directory.
const SRCROOT: &str = "%SRCROOT%";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF wants sentences; our messages are lowercase clauses without a final period.
/// Viewers show them on web pages: control and bidirectional characters from the files
/// are shown as `\u{..}` (`escape_controls`), never raw.
fn sentence(text: &str) -> String {
    let text = crate::escape::escape_controls(text);
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// `rule-name` -> `RuleName`.
fn pascal(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// Percent-encodes a path for a URI (RFC 3986 unreserved and `/` kept). A byte that is not
/// UTF-8, shown `\xff` in file names (`discover::os_text`), is the byte `%FF` again.
fn uri_path(path: &str) -> String {
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::with_capacity(path.len());
    let mut rest = path;
    while let Some(i) = rest.find("\\x") {
        bytes.extend_from_slice(&rest.as_bytes()[..i]);
        let hex = rest.get(i + 2..i + 4);
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) if b >= 0x80 => {
                bytes.push(b);
                rest = &rest[i + 4..];
            }
            _ => {
                bytes.push(b'\\');
                rest = &rest[i + 1..];
            }
        }
    }
    bytes.extend_from_slice(rest.as_bytes());
    for b in bytes.into_iter().map(|b| if b == b'\\' { b'/' } else { b }) {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn artifact(ws: &Workspace, file: FileId) -> Value {
    let name = &ws.source(file).name;
    if name.starts_with('/') {
        json!({ "uri": format!("file://{}", uri_path(name)) })
    } else {
        json!({ "uri": uri_path(name), "uriBaseId": SRCROOT })
    }
}

fn region(ws: &Workspace, file: FileId, span: Span) -> Value {
    let source = ws.source(file);
    let start = Position::of(source, span.start as usize);
    let end = Position::of(source, span.end as usize);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn location(ws: &Workspace, file: FileId, span: Span) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": artifact(ws, file),
            "region": region(ws, file, span),
        }
    })
}

fn rules() -> Vec<Value> {
    RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.name,
                "name": pascal(r.name),
                "shortDescription": { "text": sentence(r.summary) },
                "fullDescription": { "text": sentence(r.summary) },
                "help": { "text": r.doc, "markdown": r.doc },
                "helpUri": format!("{RULES_URL}/{}/README.md", r.name),
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": { "tags": [r.group.as_str()] },
            })
        })
        .collect()
}

fn result(ws: &Workspace, d: &Diagnostic, fingerprint: &str) -> Value {
    let rule_index = RULES.iter().position(|r| r.name == d.rule);
    let mut text = sentence(&d.message);
    for note in &d.notes {
        text.push(' ');
        text.push_str(&sentence(note));
    }
    if let Some(help) = &d.help {
        text.push_str(" Help: ");
        text.push_str(&sentence(help));
    }
    let mut result = json!({
        "ruleId": d.rule,
        "level": level(d.severity),
        "message": { "text": text },
        "locations": [location(ws, d.primary.file, d.primary.span)],
        "partialFingerprints": { "shipshape/v1": fingerprint },
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    if !d.secondary.is_empty() {
        result["relatedLocations"] = Value::Array(
            d.secondary
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = location(ws, l.file, l.span);
                    loc["id"] = json!(i + 1);
                    if !l.message.is_empty() {
                        loc["message"] = json!({ "text": sentence(&l.message) });
                    }
                    loc
                })
                .collect(),
        );
    }
    if let Some(fix) = &d.fix {
        let mut files: Vec<FileId> = fix.edits.iter().map(|e| e.file).collect();
        files.dedup();
        let changes: Vec<Value> = files
            .iter()
            .map(|&file| {
                json!({
                    "artifactLocation": artifact(ws, file),
                    "replacements": fix.edits.iter().filter(|e| e.file == file).map(|e| json!({
                        "deletedRegion": region(ws, file, e.span),
                        "insertedContent": { "text": e.text },
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": { "text": sentence(&fix.description) },
            "artifactChanges": changes,
        }]);
    }
    result
}

/// The SARIF log; `cwd` is where relative paths start (`%SRCROOT%`).
pub fn sarif(ws: &Workspace, diagnostics: &[Diagnostic], cwd: &std::path::Path) -> String {
    let prints = fingerprints(ws, diagnostics);
    let mut root = uri_path(&cwd.to_string_lossy());
    if !root.ends_with('/') {
        root.push('/');
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "shipshape",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules(),
                }
            },
            "originalUriBaseIds": { SRCROOT: { "uri": format!("file://{root}") } },
            "columnKind": "unicodeCodePoints",
            "results": diagnostics.iter().zip(&prints).map(|(d, f)| result(ws, d, f)).collect::<Vec<_>>(),
        }]
    });
    let mut text = crate::escape::escape_json_controls(
        serde_json::to_string_pretty(&log).expect("JSON values serialize"),
    );
    text.push('\n');
    text
}
