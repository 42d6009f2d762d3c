//! `--format gitlab`: GitLab's code quality report (SPEC-domain B9): a JSON array of
//! `{description, check_name, fingerprint, severity, location: {path, lines: {begin}}}`,
//! for `artifacts: reports: codequality:`. Fingerprints follow the finding, not its line.

use serde_json::{Value, json};
use shipshape_linter::{Diagnostic, Severity, Workspace};

use crate::Position;
use crate::escape::escape_controls;
use crate::fingerprint::fingerprints;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// The message with its evidence and advice: the merge request widget shows only this.
/// Control and bidirectional characters from the files are shown as `\u{..}`: the widget
/// is a web page that would reorder the line.
fn description(d: &Diagnostic) -> String {
    let text = format!(
        "{}: {}",
        d.rule,
        d.message_with_evidence(" — ", " — help: ")
    );
    escape_controls(&text).into_owned()
}

pub fn gitlab(ws: &Workspace, diagnostics: &[Diagnostic]) -> String {
    let prints = fingerprints(ws, diagnostics);
    let issues: Vec<Value> = diagnostics
        .iter()
        .zip(&prints)
        .map(|(d, fingerprint)| {
            let file = ws.source(d.file());
            let begin = Position::of(file, d.primary.span.start as usize);
            let end = Position::of(file, d.primary.span.end as usize);
            json!({
                "type": "issue",
                "description": description(d),
                "check_name": d.rule,
                "fingerprint": fingerprint,
                "severity": severity(d.severity),
                "location": {
                    "path": escape_controls(file.name.trim_start_matches("./")),
                    "lines": { "begin": begin.line, "end": end.line },
                },
            })
        })
        .collect();
    let mut text = crate::escape::escape_json_controls(
        serde_json::to_string_pretty(&issues).expect("JSON values serialize"),
    );
    text.push('\n');
    text
}
