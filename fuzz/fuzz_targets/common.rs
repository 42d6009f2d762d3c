//! What every whole-file target checks after a run: the properties a user relies on, not
//! only "no panic". (libfuzzer-sys installs a panic hook that aborts, so a panic that the
//! analysis would turn into an `internal-error` diagnostic still counts as a crash.)

use std::path::PathBuf;

use shipshape_linter::fs::MemoryFs;
use shipshape_linter::{Analysis, FileKind, INTERNAL_ERROR, Input, Settings, analyze_with};
use shipshape_yaml::{FileId, Span};

/// Lints `bytes` as the file `name` with every rule on, and checks every finding.
pub fn lint(name: &str, kind: FileKind, bytes: &[u8]) -> Analysis {
    let input = Input {
        path: PathBuf::from("/fuzz").join(name),
        name: name.to_string(),
        content: Some(bytes.to_vec()),
        kind: Some(kind),
    };
    // No disk: the fuzzed file is the only one there is, so a run never reads the host.
    let analysis = analyze_with(vec![input], &Settings::default(), &MemoryFs::default());
    for d in &analysis.diagnostics {
        assert_ne!(d.rule, INTERNAL_ERROR, "{}", d.message);
        let labels = std::iter::once(&d.primary).chain(&d.secondary);
        for label in labels {
            check_span(&analysis, label.file, label.span, d.rule.as_str(), "label");
        }
        for edit in d.fix.iter().flat_map(|f| &f.edits) {
            check_span(&analysis, edit.file, edit.span, d.rule.as_str(), "fix edit");
        }
    }
    analysis
}

/// A span a report or an editor would slice: inside its file and on character boundaries.
fn check_span(analysis: &Analysis, file: FileId, span: Span, rule: &str, what: &str) {
    let text = &analysis.workspace.file(file).source.text;
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(
        start <= end && end <= text.len(),
        "{rule}: {what} {start}..{end} outside a {}-byte file",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{rule}: {what} {start}..{end} splits a character"
    );
}
