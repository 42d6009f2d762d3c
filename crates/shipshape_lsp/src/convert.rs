//! shipshape diagnostics -> LSP diagnostics (positions in UTF-16, the LSP default).

use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};
use shipshape_linter::{Diagnostic, Severity, Workspace};
use shipshape_yaml::{SourceFile, Span};

pub fn range(file: &SourceFile, span: Span) -> Range {
    Range::new(
        position(file, span.start as usize),
        position(file, span.end as usize),
    )
}

fn position(file: &SourceFile, offset: usize) -> Position {
    Position::new(file.line_col(offset).line, file.utf16_col(offset))
}

pub fn diagnostic(
    ws: &Workspace,
    d: &Diagnostic,
    uri_of: impl Fn(&SourceFile) -> Option<Uri>,
) -> LspDiagnostic {
    let file = ws.source(d.file());
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            let f = ws.source(l.file);
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri_of(f)?, range(f, l.span)),
                message: l.message.clone(),
            })
        })
        .collect();
    LspDiagnostic {
        range: range(file, d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.rule.to_string())),
        source: Some("shipshape".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..LspDiagnostic::default()
    }
}
