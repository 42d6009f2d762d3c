//! Control characters from files and file names, made visible before they reach a
//! terminal: ESC, BEL and the other C0 controls (tab and newline excepted), DEL, the C1
//! controls and the bidirectional controls would otherwise set a window title, write the
//! clipboard (OSC 52) or reorder what a line seems to say. Each one is shown as `\u{1b}`.

use std::borrow::Cow;
use std::fmt::Write as _;

/// A character a terminal would act on, or that reorders text, rather than show.
pub fn is_hidden_control(c: char) -> bool {
    matches!(c,
        '\0'..='\x08' | '\x0b'..='\x1f' | '\x7f'..='\u{9f}'
        | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `s` holds an [`is_hidden_control`] character (`\r` not counted when
/// `keep_cr`). Bytes first: every such character is an ASCII control, or starts with
/// 0xC2 (U+0080..U+009F) or 0xE2 (the marks and isolates), so a text without those
/// bytes, as nearly every file is, is passed in one vectorized scan (the human format
/// checks each shown file whole: 106 MB of Compose files took a twentieth of a run).
fn has_hidden_control(s: &str, keep_cr: bool) -> bool {
    let maybe = |b: u8| {
        (b < 0x20 && b != b'\t' && b != b'\n' && !(keep_cr && b == b'\r'))
            || b == 0x7f
            || b == 0xc2
            || b == 0xe2
    };
    s.bytes().any(maybe)
        && s.chars()
            .any(|c| !(keep_cr && c == '\r') && is_hidden_control(c))
}

fn push_escaped(out: &mut String, c: char) {
    let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
}

/// `s` with every [`is_hidden_control`] character written as `\u{..}`; tab and newline
/// kept. Every text renderer passes messages, labels, notes and file names through it.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !has_hidden_control(s, false) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden_control(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Serialized JSON with every [`is_hidden_control`] character that serde_json leaves raw
/// (DEL, the C1 controls, the bidirectional controls) written as a `\uXXXX` escape: a
/// JSON reader gets the same strings, and a person who views the file sees no line
/// reordered and no terminal control acted on. (They are all in the Basic Multilingual
/// Plane, and can only be inside strings.)
pub(crate) fn escape_json_controls(json: String) -> String {
    if !json.chars().any(is_hidden_control) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_hidden_control(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// One escaped character: where it was, where its escape is, and their byte lengths.
#[derive(Clone, Copy, Debug)]
struct Mark {
    original: usize,
    original_len: usize,
    shown: usize,
    shown_len: usize,
}

/// A file's text as shown, its control characters escaped (line breaks kept, so lines
/// stay lines), with the map between byte offsets in the original and in the shown text.
#[derive(Debug)]
pub(crate) struct ShownText {
    pub text: String,
    marks: Vec<Mark>,
}

impl ShownText {
    /// None when the text has nothing to escape. `\r` is a line break to the line index,
    /// so it is kept here (and so never shown inside a line).
    pub fn new(text: &str) -> Option<ShownText> {
        let hidden = |c: char| c != '\r' && is_hidden_control(c);
        if !has_hidden_control(text, true) {
            return None;
        }
        let mut out = String::with_capacity(text.len() + 16);
        let mut marks = Vec::new();
        for (i, c) in text.char_indices() {
            if hidden(c) {
                let shown = out.len();
                push_escaped(&mut out, c);
                marks.push(Mark {
                    original: i,
                    original_len: c.len_utf8(),
                    shown,
                    shown_len: out.len() - shown,
                });
            } else {
                out.push(c);
            }
        }
        Some(ShownText { text: out, marks })
    }

    /// The shown offset of an original one (an escaped character's start: its escape's).
    pub fn to_shown(&self, offset: usize) -> usize {
        let i = self.marks.partition_point(|m| m.original <= offset);
        let Some(m) = i.checked_sub(1).map(|i| self.marks[i]) else {
            return offset;
        };
        if offset < m.original + m.original_len {
            m.shown
        } else {
            m.shown + m.shown_len + (offset - m.original - m.original_len)
        }
    }

    /// The original offset of a shown one (inside an escape: the escaped character's).
    pub fn to_original(&self, offset: usize) -> usize {
        let i = self.marks.partition_point(|m| m.shown <= offset);
        let Some(m) = i.checked_sub(1).map(|i| self.marks[i]) else {
            return offset;
        };
        if offset < m.shown + m.shown_len {
            m.original
        } else {
            m.original + m.original_len + (offset - m.shown - m.shown_len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_are_lossless() {
        let text = serde_json::to_string(&"a\u{202e}b\u{9b}c\x7f\x1bd\u{2066}é").unwrap();
        let escaped = escape_json_controls(text.clone());
        assert_eq!(escaped, "\"a\\u202eb\\u009bc\\u007f\\u001bd\\u2066é\"");
        assert!(!escaped.chars().any(is_hidden_control));
        let back: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, "a\u{202e}b\u{9b}c\x7f\x1bd\u{2066}é");
    }

    #[test]
    fn the_byte_scan_finds_exactly_the_hidden_characters() {
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            assert_eq!(
                has_hidden_control(&text, false),
                is_hidden_control(c),
                "{:x}",
                u32::from(c)
            );
            assert_eq!(
                has_hidden_control(&text, true),
                c != '\r' && is_hidden_control(c),
                "{:x}",
                u32::from(c)
            );
        }
    }

    #[test]
    fn controls_are_escaped_and_text_is_kept() {
        assert_eq!(escape_controls("a\tb\nc"), "a\tb\nc");
        assert_eq!(
            escape_controls("\x1b]52;c;aGk=\x07 \u{202e}x\u{9b}\x7f\r"),
            "\\u{1b}]52;c;aGk=\\u{7} \\u{202e}x\\u{9b}\\u{7f}\\u{d}"
        );
        assert_eq!(escape_controls("é ünï"), "é ünï");
    }

    #[test]
    fn offsets_map_both_ways() {
        let text = "a: \x1bx\r\nb: \u{202e}y\n";
        let shown = ShownText::new(text).unwrap();
        assert_eq!(shown.text, "a: \\u{1b}x\r\nb: \\u{202e}y\n");
        for (original, s) in [(0, 0), (3, 3), (4, 9), (5, 10), (7, 12), (10, 15), (13, 23)] {
            assert_eq!(shown.to_shown(original), s, "{original}");
            assert_eq!(shown.to_original(s), original, "{s}");
        }
        // Inside an escape: the escaped character.
        assert_eq!(shown.to_original(5), 3);
        assert!(ShownText::new("plain\r\ntext\n").is_none());
    }
}
