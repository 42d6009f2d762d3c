//! From a range of a scalar's *value* to the bytes of the source that wrote it.
//!
//! A scalar's value and its source differ by quotes, escapes (`\"`, `\t`, `''`), line
//! folding and block indentation. Diagnostics about a part of a value (the `${VAR}` inside
//! a URL, the host of `postgres://db:5432`) must point at exactly that part of the file, so
//! we walk value and source side by side. When the walk cannot follow (a rare escape, an
//! odd fold), the whole scalar's span is the answer: never a wrong place.

use crate::tree::{NodeKind, ScalarStyle, Tree};
use crate::{NodeId, Span};

impl Tree {
    /// The source span of `range` (byte offsets into the scalar's value) of scalar `node`
    /// (through aliases), given the file's text.
    pub fn value_subspan(&self, text: &str, node: NodeId, range: std::ops::Range<usize>) -> Span {
        let node = self.node(self.resolve(node));
        let NodeKind::Scalar { value, style } = &node.kind else {
            return node.span;
        };
        let value = value.str(&self.scalar_text);
        let whole = node.span;
        let Some(source) = text.get(whole.range()) else {
            return whole;
        };
        if range.start > range.end || range.end > value.len() {
            return whole;
        }
        // The common case: the value is written as is.
        let body = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if source.len() >= 2 => {
                &source[1..source.len() - 1]
            }
            _ => source,
        };
        let body_start = whole.start as usize
            + (source.len() - body.len()).min(1) * usize::from(style.is_quoted());
        if body == value {
            return Span::new(body_start + range.start, body_start + range.end);
        }
        match map_offsets(body, value, *style) {
            // The range ends where the value's next byte comes from (or the walk's end).
            Some(map) => Span::new(
                body_start + map[range.start],
                body_start + map[range.end].max(map[range.start]),
            ),
            None => whole,
        }
    }
}

/// For each byte of `value` (plus one past the end), the byte of `body` it came from.
fn map_offsets(body: &str, value: &str, style: ScalarStyle) -> Option<Vec<usize>> {
    let src = body.as_bytes();
    let val = value.as_bytes();
    let mut map = vec![0usize; val.len() + 1];
    let (mut i, mut j) = (0usize, 0usize);
    while j < val.len() {
        if i < src.len()
            && src[i] == val[j]
            && !(style == ScalarStyle::DoubleQuoted && src[i] == b'\\')
        {
            // Same byte; for a single-quoted `''` the value has one quote.
            map[j] = i;
            let skip_pair = style == ScalarStyle::SingleQuoted
                && src[i] == b'\''
                && src.get(i + 1) == Some(&b'\'');
            i += if skip_pair { 2 } else { 1 };
            j += 1;
            continue;
        }
        if i >= src.len() {
            // A block scalar's kept final line break lies past its (trimmed) span.
            if val[j..].iter().all(|&b| b == b'\n') {
                for m in &mut map[j..val.len()] {
                    *m = i;
                }
                break;
            }
            return None;
        }
        if style == ScalarStyle::DoubleQuoted && src[i] == b'\\' {
            let escape_len = match src.get(i + 1)? {
                b'x' => 4,
                b'u' => 6,
                b'U' => 10,
                b'\n' | b'\r' => {
                    // An escaped line break: the break and the next line's indentation vanish.
                    i += 2;
                    while i < src.len() && matches!(src[i], b' ' | b'\t' | b'\n' | b'\r') {
                        i += 1;
                    }
                    continue;
                }
                _ => 2,
            };
            // The escape yields one char of the value: map all its bytes to the escape.
            let char_len = value[j..].chars().next().map_or(1, char::len_utf8);
            for k in 0..char_len {
                map[j + k] = i;
            }
            i += escape_len;
            j += char_len;
            continue;
        }
        if matches!(src[i], b' ' | b'\t' | b'\n' | b'\r') {
            // Folding and indentation: source whitespace that becomes one space, one line
            // break, or nothing.
            let run_start = i;
            while i < src.len() && matches!(src[i], b' ' | b'\t' | b'\n' | b'\r') {
                i += 1;
            }
            while j < val.len()
                && matches!(val[j], b' ' | b'\n')
                && (i >= src.len() || src[i] != val[j])
            {
                map[j] = run_start;
                j += 1;
            }
            continue;
        }
        return None;
    }
    map[val.len()] = i;
    Some(map)
}

#[cfg(test)]
mod tests {
    use crate::parse;

    fn sub(text: &str, key: &str, needle: &str) -> String {
        let p = parse(text);
        let root = p.tree.root().unwrap();
        let node = p.tree.value(root, key).unwrap();
        let value = p.tree.scalar(node).unwrap();
        let at = value.find(needle).unwrap();
        let span = p.tree.value_subspan(text, node, at..at + needle.len());
        text[span.range()].to_string()
    }

    #[test]
    fn plain_and_quoted_values_map_exactly() {
        assert_eq!(sub("url: http://db:5432/x\n", "url", "db"), "db");
        assert_eq!(sub("url: \"http://db:5432/x\"\n", "url", "db"), "db");
        assert_eq!(sub("url: 'it''s ${HOST}'\n", "url", "${HOST}"), "${HOST}");
    }

    #[test]
    fn escapes_and_folding_are_followed() {
        assert_eq!(sub("a: \"x\\ty ${V}\"\n", "a", "${V}"), "${V}");
        assert_eq!(sub("a: \"caf\\u00e9 ${V}\"\n", "a", "${V}"), "${V}");
        assert_eq!(sub("a: first\n  second ${V}\n", "a", "${V}"), "${V}");
        assert_eq!(sub("a: |\n  line one\n  ${V} two\n", "a", "${V}"), "${V}");
        assert_eq!(sub("a: >\n  folded\n  ${V}\n", "a", "${V}"), "${V}");
    }
}
