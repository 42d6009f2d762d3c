//! `--format github`: GitHub Actions workflow commands, one per finding, which GitHub
//! shows as annotations on the pull request's files.

use shipshape_linter::{Diagnostic, Severity, Workspace};

use crate::Position;

/// Escapes a command's message (`%`, CR, LF; the other control characters as `\u{..}`,
/// which the log shows as they are).
fn data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if crate::is_hidden_control(c) => {
                out.push_str(&crate::escape_controls(c.encode_utf8(&mut [0; 4])));
            }
            c => out.push(c),
        }
    }
    out
}

/// Escapes a command property (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn github(ws: &Workspace, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let file = ws.source(d.file());
        let start = Position::of(file, d.primary.span.start as usize);
        let end = Position::of(file, d.primary.span.end as usize);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let message = d.message_with_evidence("\nnote: ", "\nhelp: ");
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            property(&file.name),
            start.line,
            start.column,
            end.line,
            end.column,
            property(&format!("shipshape {}", d.rule)),
            data(&message)
        ));
    }
    out
}
