//! The lexical pre-scan: facts about a file's bytes that hold whether or not it parses.
//!
//! It runs before the YAML parser, line by line, and never fails. Its tab findings are
//! candidates: `crate::parse` drops the ones that turn out to be inside a scalar's content
//! or a flow collection, where a tab is text or separation, not indentation.

use crate::Span;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEndings {
    pub lf: usize,
    pub crlf: usize,
    /// Lone `\r` (classic Mac). YAML and the LSP treat it as a line break too.
    pub cr: usize,
}

/// A line whose indentation holds at least one tab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TabIndent {
    /// 0-based line.
    pub line: u32,
    /// The whole leading whitespace of the line, spaces and tabs.
    pub indent: Span,
    /// Number of spaces before the first tab.
    pub spaces_before_tab: u32,
    /// The first tab.
    pub first_tab: Span,
}

#[derive(Clone, Debug, Default)]
pub struct Prescan {
    /// Length in bytes of a UTF-8 byte order mark at the start (0 or 3).
    pub bom_len: usize,
    pub line_endings: LineEndings,
    /// Lines with a tab in their indentation, in order; blank and comment-only lines are
    /// left out (a tab there changes nothing).
    pub tab_indents: Vec<TabIndent>,
    /// The first `<<<<<<<` line of a committed merge conflict (its seven `<`), when a
    /// `=======` or `>>>>>>>` line follows it: the file holds both sides of a conflict.
    pub merge_conflict: Option<Span>,
}

pub fn prescan(text: &str) -> Prescan {
    let bom_len = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let bytes = text.as_bytes();
    let mut out = Prescan {
        bom_len,
        ..Prescan::default()
    };
    let mut line = 0u32;
    let mut start = bom_len;
    let mut conflict_start = None;
    while start <= bytes.len() {
        let rest = &bytes[start..];
        let (content_len, break_len) = match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(i) if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') => {
                out.line_endings.crlf += 1;
                (i, 2)
            }
            Some(i) if rest[i] == b'\r' => {
                out.line_endings.cr += 1;
                (i, 1)
            }
            Some(i) => {
                out.line_endings.lf += 1;
                (i, 1)
            }
            None => (rest.len(), 0),
        };
        scan_indent(&rest[..content_len], start, line, &mut out.tab_indents);
        match conflict_marker(&rest[..content_len]) {
            Some(b'<') if conflict_start.is_none() => conflict_start = Some(start),
            Some(b'=' | b'>') if out.merge_conflict.is_none() => {
                out.merge_conflict = conflict_start.map(|s| Span::new(s, s + 7));
            }
            _ => {}
        }
        if break_len == 0 {
            break;
        }
        start += content_len + break_len;
        line += 1;
    }
    out
}

/// `<<<<<<<`, `=======` or `>>>>>>>` at the start of a line, alone or followed by a space
/// (git's conflict markers): the repeated byte.
fn conflict_marker(content: &[u8]) -> Option<u8> {
    let first = *content.first()?;
    let marker = content.len() >= 7
        && matches!(first, b'<' | b'=' | b'>')
        && content[..7].iter().all(|&b| b == first)
        && content.get(7).is_none_or(|&b| b == b' ' || b == b'\t');
    marker.then_some(first)
}

fn scan_indent(content: &[u8], line_start: usize, line: u32, out: &mut Vec<TabIndent>) {
    let ws_len = content
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(content.len());
    let ws = &content[..ws_len];
    let Some(tab) = ws.iter().position(|&b| b == b'\t') else {
        return;
    };
    match content.get(ws_len) {
        None | Some(b'#') => return, // blank or comment-only line
        _ => {}
    }
    out.push(TabIndent {
        line,
        indent: Span::new(line_start, line_start + ws_len),
        spaces_before_tab: tab as u32,
        first_tab: Span::new(line_start + tab, line_start + tab + 1),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tabs_after_spaces_and_at_line_start() {
        let text = "a:\n  b: 1\n  \tc: 2\n\td: 3\n";
        let p = prescan(text);
        assert_eq!(p.tab_indents.len(), 2);
        assert_eq!(p.tab_indents[0].line, 2);
        assert_eq!(p.tab_indents[0].first_tab, Span::new(12, 13));
        assert_eq!(p.tab_indents[0].spaces_before_tab, 2);
        assert_eq!(p.tab_indents[1].indent, Span::new(18, 19));
    }

    #[test]
    fn finds_the_first_merge_conflict_marker() {
        let text = "a: 1\n<<<<<<< HEAD\nb: 2\n=======\nb: 3\n>>>>>>> topic\n<<<<<<< HEAD\n";
        assert_eq!(prescan(text).merge_conflict, Some(Span::new(5, 12)));
        // Not a conflict: a start marker alone, or markers inside a line or too short.
        assert_eq!(prescan("<<<<<<< HEAD\nb: 2\n").merge_conflict, None);
        assert_eq!(prescan("a: <<<<<<<\n=======\n").merge_conflict, None);
        assert_eq!(prescan("<<<<<<\n======\n").merge_conflict, None);
        assert_eq!(prescan("<<<<<<<<\n========\n").merge_conflict, None);
    }

    #[test]
    fn skips_blank_comment_and_inner_tabs() {
        let p = prescan("a: 1\n\t\n\t# note\nb:\tc\n");
        assert!(p.tab_indents.is_empty());
    }

    #[test]
    fn counts_line_endings_and_bom() {
        let p = prescan("\u{feff}a: 1\r\nb: 2\r\n\tc: 3\rd: 4\n");
        assert_eq!(p.bom_len, 3);
        assert_eq!(
            p.line_endings,
            LineEndings {
                lf: 1,
                crlf: 2,
                cr: 1
            }
        );
        assert_eq!(p.tab_indents[0].line, 2);
        assert_eq!(p.tab_indents[0].first_tab.start, 15);
    }
}
