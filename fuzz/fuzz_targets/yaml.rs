//! The YAML front end on any bytes: decoding, the pre-scan, the parse with its recoveries,
//! and the tree every rule walks. Every span must slice the text it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipshape_yaml::{FileId, SourceFile, Span, parse};

fuzz_target!(|data: &[u8]| {
    let source = SourceFile::from_bytes(FileId(0), "f.yml".into(), "f.yml".into(), data.to_vec());
    let text = source.text.as_str();
    let parsed = parse(text);
    let in_text = |span: Span, what: &str| {
        let (start, end) = (span.start as usize, span.end as usize);
        assert!(
            start <= end && end <= text.len(),
            "{what} {start}..{end} of {}",
            text.len()
        );
        assert!(
            text.is_char_boundary(start) && text.is_char_boundary(end),
            "{what} {start}..{end}"
        );
        source.line_col(start);
        source.utf16_col(end);
    };
    for error in &parsed.errors {
        in_text(error.span, "syntax error");
    }
    let tree = &parsed.tree;
    for id in tree.ids() {
        let node = tree.node(id);
        in_text(node.span, "node");
        if let Some(anchor) = tree.anchor(id) {
            in_text(anchor, "anchor");
        }
        tree.resolve(id);
        tree.path_string(id);
        for entry in tree.entries(id) {
            tree.key_text(entry.key);
        }
    }
    for document in &tree.documents {
        in_text(document.span, "document");
    }
});
