//! `path:line:col: severity[rule] message`, one line per diagnostic: for grep, editors'
//! error parsers and the rule cases' expected.txt.

use std::fmt::Write as _;

use shipshape_linter::{Diagnostic, Workspace};

use crate::{Position, escape_controls};

pub fn concise(ws: &Workspace, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let file = ws.source(d.file());
        let at = Position::of(file, d.primary.span.start as usize);
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            escape_controls(&file.name),
            at.line,
            at.column,
            d.severity,
            d.rule,
            escape_controls(&d.message)
        );
    }
    out
}
