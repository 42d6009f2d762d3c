//! shipshape diagnostics -> LSP diagnostics, and positions both ways (UTF-16, the LSP
//! default).

use lsp_types::{
    CodeDescription, Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    DiagnosticTag, Location, NumberOrString, Position, Range, Uri,
};
use shipshape_linter::{Diagnostic, Severity, Workspace};
use shipshape_yaml::{SourceFile, Span};

/// Where each rule's documentation is read online.
pub const RULES_URL: &str = "https://gitlab.com/shipshape/shipshape/-/blob/main/rules";

/// Rules whose findings editors may show faded (removable) or struck through (obsolete).
const TAGS: &[(&str, DiagnosticTag)] = &[
    ("unused-ignore", DiagnosticTag::UNNECESSARY),
    ("obsolete-version", DiagnosticTag::DEPRECATED),
];

pub fn range(file: &SourceFile, span: Span) -> Range {
    Range::new(
        position(file, span.start as usize),
        position(file, span.end as usize),
    )
}

fn position(file: &SourceFile, offset: usize) -> Position {
    Position::new(file.line_col(offset).line, file.utf16_col(offset))
}

/// The byte offset of an LSP position in `text` (clamped to the line and the text; a
/// position inside a surrogate pair goes to the character's start). Lines end at `\n`,
/// `\r\n` or a lone `\r`, as LSP says.
pub fn offset(text: &str, pos: Position) -> usize {
    shipshape_yaml::LineIndex::new(text).offset_utf16(
        text,
        pos.line as usize,
        pos.character as usize,
    )
}

pub fn diagnostic(
    ws: &Workspace,
    d: &Diagnostic,
    uri_of: impl Fn(&SourceFile) -> Option<Uri>,
) -> LspDiagnostic {
    let file = ws.source(d.file());
    let message = d.message_with_evidence("\nnote: ", "\nhelp: ");
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
    let tags: Vec<DiagnosticTag> = TAGS
        .iter()
        .filter(|(rule, _)| *rule == d.rule)
        .map(|(_, t)| t.clone())
        .collect();
    LspDiagnostic {
        range: range(file, d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.rule.to_string())),
        code_description: format!("{RULES_URL}/{}/README.md", d.rule)
            .parse()
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("shipshape".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: (!tags.is_empty()).then_some(tags),
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_from_utf16_positions() {
        let text = "a: é😀x\nb: y\r\nc";
        assert_eq!(offset(text, Position::new(0, 3)), 3);
        // é is one UTF-16 unit and two bytes; 😀 two units and four bytes.
        assert_eq!(offset(text, Position::new(0, 4)), 5);
        assert_eq!(offset(text, Position::new(0, 6)), 9);
        assert_eq!(offset(text, Position::new(0, 99)), 10);
        assert_eq!(offset(text, Position::new(1, 3)), 14);
        assert_eq!(offset(text, Position::new(2, 0)), 17);
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
    }
}
