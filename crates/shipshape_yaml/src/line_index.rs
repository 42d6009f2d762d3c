//! Byte offset <-> line/column conversion, computed only at the edges (reports, LSP).
//!
//! Lines end at `\n`, `\r\n` or a lone `\r`: the same three breaks YAML and the LSP
//! specification recognise, so our line numbers agree with the parser's and the editor's.
//! A UTF-8 byte order mark is not part of line 1: columns on line 1 start after it, as
//! every editor shows them.

use crate::Span;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct LineCol {
    /// 0-based line.
    pub line: u32,
    /// 0-based column, counted in Unicode scalar values (chars).
    pub col: u32,
}

#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the first byte of each line (line 0 starts after a BOM).
    line_starts: Vec<u32>,
    len: u32,
    ascii: bool,
}

const BOM: &str = "\u{feff}";

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let first = if text.starts_with(BOM) { BOM.len() } else { 0 };
        let mut line_starts = vec![first as u32];
        let mut i = first;
        while let Some(pos) = memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + pos;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            line_starts.push(next as u32);
            i = next;
        }
        LineIndex {
            line_starts,
            len: text.len() as u32,
            ascii: text.is_ascii(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line holding `offset` (an offset at a line break belongs to the line it ends).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len as usize) as u32;
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// Byte offset where `line` starts (clamped to the end of the text).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .map_or(self.len as usize, |&s| s as usize)
    }

    /// The line's content, without its line break.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.line_start(line);
        let mut end = self.line_start(line + 1);
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        Span::new(start, end.max(start))
    }

    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = clamp_to_char_boundary(text, offset);
        let line = self.line_of(offset);
        let start = self.line_start(line).min(offset);
        let col = if self.ascii {
            offset - start
        } else {
            text[start..offset].chars().count()
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// 0-based column in UTF-16 code units (the LSP default position encoding).
    pub fn utf16_col(&self, text: &str, offset: usize) -> u32 {
        let offset = clamp_to_char_boundary(text, offset);
        let start = self.line_start(self.line_of(offset)).min(offset);
        if self.ascii {
            return (offset - start) as u32;
        }
        text[start..offset]
            .chars()
            .map(char::len_utf16)
            .sum::<usize>() as u32
    }

    /// Byte offset of a 0-based line and char column; past the line's end clamps to it.
    pub fn offset(&self, text: &str, line: usize, col: usize) -> usize {
        self.offset_by(text, line, col, |_| 1)
    }

    /// Byte offset of a 0-based line and UTF-16 column (LSP positions).
    pub fn offset_utf16(&self, text: &str, line: usize, col16: usize) -> usize {
        self.offset_by(text, line, col16, char::len_utf16)
    }

    fn offset_by(
        &self,
        text: &str,
        line: usize,
        col: usize,
        width: impl Fn(char) -> usize,
    ) -> usize {
        if line >= self.line_count() {
            return text.len();
        }
        let span = self.line_span(text, line);
        let mut seen = 0;
        for (i, c) in text[span.range()].char_indices() {
            // A column inside a character (half of a surrogate pair) is its start.
            if seen + width(c) > col {
                return span.start as usize + i;
            }
            seen += width(c);
        }
        span.end as usize
    }
}

fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// First position of either byte; a tiny stand-in for the memchr crate.
fn memchr2(a: u8, b: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&c| c == a || c == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_on_all_three_breaks() {
        let text = "a\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_span(text, 1), Span::new(2, 3));
        assert_eq!(idx.line_col(text, 7), LineCol { line: 3, col: 0 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 1, col: 1 });
    }

    #[test]
    fn columns_count_chars_and_utf16_units() {
        let text = "k: \"h\u{e9}llo \u{1F600}\" x";
        let idx = LineIndex::new(text);
        let x = text.find(" x").unwrap() + 1;
        assert_eq!(idx.line_col(text, x).col, 13);
        assert_eq!(idx.utf16_col(text, x), 14);
        assert_eq!(idx.offset(text, 0, 13), x);
        assert_eq!(idx.offset_utf16(text, 0, 14), x);
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}a: 1\nb: 2";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 3), LineCol { line: 0, col: 0 });
        assert_eq!(idx.line_col(text, 0), LineCol { line: 0, col: 0 });
        assert_eq!(idx.offset(text, 0, 0), 3);
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let text = "ab\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 99), LineCol { line: 1, col: 0 });
        assert_eq!(idx.offset(text, 0, 99), 2);
        assert_eq!(idx.offset(text, 5, 0), 3);
    }
}
