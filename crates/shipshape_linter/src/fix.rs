//! Applying fixes to text.

use shipshape_yaml::FileId;

use crate::diagnostic::{Edit, Fix};

/// Applies whole fixes to one file's text: a fix whose edits overlap an edit already
/// taken is left out entirely (a later run can apply it). Returns the new text and how
/// many fixes were applied.
pub fn apply_fixes<'f>(
    text: &str,
    file: FileId,
    fixes: impl IntoIterator<Item = &'f Fix>,
) -> (String, usize) {
    let mut fixes: Vec<&Fix> = fixes
        .into_iter()
        .filter(|f| !f.edits.is_empty() && f.edits.iter().all(|e| e.file == file))
        .collect();
    fixes.sort_by_key(|f| f.edits.iter().map(|e| e.span.start).min());
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let overlaps = fix.edits.iter().any(|e| {
            taken
                .iter()
                .any(|t| e.span.start < t.span.end && t.span.start < e.span.end || e.span == t.span)
        });
        if !overlaps {
            taken.extend(&fix.edits);
            applied += 1;
        }
    }
    (apply_edits(text, taken).0, applied)
}

/// Applies edits to one file's text. Edits are applied in offset order; an edit that
/// overlaps one already taken is skipped (its fix can apply on a later run). Returns the
/// new text and how many edits were applied.
pub fn apply_edits<'e>(text: &str, edits: impl IntoIterator<Item = &'e Edit>) -> (String, usize) {
    let mut edits: Vec<&Edit> = edits.into_iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0usize;
    let mut applied = 0;
    for edit in edits {
        let (start, end) = (edit.span.start as usize, edit.span.end as usize);
        if start < pos
            || end > text.len()
            || !text.is_char_boundary(start)
            || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str(&edit.text);
        pos = end;
        applied += 1;
    }
    out.push_str(&text[pos..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_yaml::{FileId, Span};

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit {
            file: FileId(0),
            span: Span::new(start, end),
            text: text.into(),
        }
    }

    #[test]
    fn applies_in_order_and_skips_overlaps() {
        let edits = [edit(4, 5, "B"), edit(0, 1, "aa"), edit(4, 6, "x")];
        assert_eq!(apply_edits("a = b c", &edits), ("aa = B c".into(), 2));
    }
}
