//! Ignore comments: `# shipshape: ignore[rule-a, rule-b]` and
//! `# shipshape: ignore-file[rule-a]`, applied after every rule has run.
//!
//! Placement, exactly: a comment that shares its line with YAML content covers that line;
//! a comment alone on its line covers the next line that holds content (so several ignore
//! comments can be stacked above one line). A diagnostic is covered when its primary span
//! starts on a covered line. `ignore-file` covers the whole file. Comments inside a
//! scalar (a `#` in a script under `script: |`) are text, not comments, and do nothing.
//!
//! A name that suppresses nothing, an unknown rule name and a malformed comment are
//! reported as `unused-ignore`, so stale suppressions do not pile up.

use std::collections::{HashMap, HashSet};

use shipshape_yaml::{NodeKind, Span};

use crate::diagnostic::{Diagnostic, Edit, Fix, Label, RuleName};
use crate::registry::rule_index;
use crate::settings::Settings;
use crate::workspace::{AnalyzedFile, Workspace};

pub const UNUSED_IGNORE: RuleName = RuleName::new(crate::rules::meta::unused_ignore::RULE.name);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoreComment {
    /// From `#` to the end of the line.
    pub span: Span,
    pub file_wide: bool,
    /// 0-based line the comment covers (unused for file-wide comments).
    pub covers_line: u32,
    /// Each rule name and where it is written.
    pub names: Vec<(String, Span)>,
    /// What to delete to remove the whole comment (its line, if it is alone on it).
    pub removal: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedComment {
    pub span: Span,
    pub message: String,
}

/// The ignore comments of one file.
pub fn comments(file: &AnalyzedFile) -> (Vec<IgnoreComment>, Vec<MalformedComment>) {
    let text = &file.source.text;
    let mut out = (Vec::new(), Vec::new());
    if !text.contains("shipshape:") {
        return out;
    }
    let index = &file.source.line_index;
    let mut scalars: Option<ScalarSpans> = None;
    // The next line with content, as last found (None inside: there is none below).
    let mut next_content: Option<Option<u32>> = None;
    for line in 0..index.line_count() {
        let line_span = index.line_span(text, line);
        let content = &text[line_span.range()];
        let Some(at) = comment_start(content) else {
            continue;
        };
        let hash = line_span.start as usize + at;
        let body = content[at + 1..].trim_start();
        let Some(directive) = body.strip_prefix("shipshape:") else {
            continue;
        };
        if scalars
            .get_or_insert_with(|| ScalarSpans::new(file))
            .contains(hash)
        {
            continue;
        }
        let own_line = content[..at].trim().is_empty();
        let span = Span::new(hash, line_span.end as usize);
        let removal = if own_line {
            Span::new(line_span.start as usize, index.line_start(line + 1))
        } else {
            let before = content[..at].trim_end().len();
            Span::new(line_span.start as usize + before, line_span.end as usize)
        };
        let directive_start = line_span.end as usize - directive.len();
        match parse_directive(directive, directive_start) {
            Ok((file_wide, names)) => out.0.push(IgnoreComment {
                span,
                file_wide,
                covers_line: if own_line {
                    // Stacked comments share the line below them: found once.
                    let next = match next_content {
                        Some(next) if next.is_none_or(|n| n as usize > line) => next,
                        _ => *next_content.insert(next_content_line(file, line)),
                    };
                    next.unwrap_or(line as u32 + 1)
                } else {
                    line as u32
                },
                names,
                removal,
            }),
            Err(message) => out.1.push(MalformedComment { span, message }),
        }
    }
    out
}

/// Position of a YAML comment's `#` in a line: at the start or after whitespace.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find(|&i| {
        bytes[i] == b'#'
            && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t'))
            && line[i + 1..].trim_start().starts_with("shipshape:")
    })
}

/// The spans of a file's scalars, to tell whether an offset lies inside one (then its `#`
/// is content, not a comment) by a binary search rather than a walk per comment.
struct ScalarSpans {
    /// Sorted by start.
    spans: Vec<Span>,
    /// `max_end[i]`: the largest end among `spans[..=i]`.
    max_end: Vec<u32>,
}

impl ScalarSpans {
    fn new(file: &AnalyzedFile) -> ScalarSpans {
        let mut spans: Vec<Span> = file
            .tree()
            .map(|tree| {
                tree.ids()
                    .map(|id| tree.node(id))
                    .filter(|node| matches!(node.kind, NodeKind::Scalar { .. }))
                    .map(|node| node.span)
                    .collect()
            })
            .unwrap_or_default();
        spans.sort_by_key(|s| (s.start, s.end));
        let max_end = spans
            .iter()
            .scan(0, |max, s| {
                *max = (*max).max(s.end);
                Some(*max)
            })
            .collect();
        ScalarSpans { spans, max_end }
    }

    fn contains(&self, offset: usize) -> bool {
        // Scalars do not overlap, so this looks at one span; `max_end` keeps it right
        // if some did.
        let mut i = self.spans.partition_point(|s| s.start as usize <= offset);
        while i > 0 && self.max_end[i - 1] as usize > offset {
            i -= 1;
            if self.spans[i].contains(offset) {
                return true;
            }
        }
        false
    }
}

fn next_content_line(file: &AnalyzedFile, after: usize) -> Option<u32> {
    let text = &file.source.text;
    let index = &file.source.line_index;
    for line in after + 1..index.line_count() {
        let content = text[index.line_span(text, line).range()].trim_start();
        if !content.is_empty() && !content.starts_with('#') {
            return Some(line as u32);
        }
    }
    None
}

/// `ignore[a, b] optional reason` or `ignore-file[a]`, with `start` the offset of the
/// text after `shipshape:`.
fn parse_directive(text: &str, start: usize) -> Result<(bool, Vec<(String, Span)>), String> {
    let trimmed = text.trim_start();
    let offset = start + (text.len() - trimmed.len());
    let (file_wide, rest, rest_at) = if let Some(r) = trimmed.strip_prefix("ignore-file") {
        (true, r, offset + "ignore-file".len())
    } else if let Some(r) = trimmed.strip_prefix("ignore") {
        (false, r, offset + "ignore".len())
    } else {
        let word: String = trimmed
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        return Err(format!(
            "unknown directive \"{word}\"; write \"shipshape: ignore[rule]\" or \"shipshape: ignore-file[rule]\""
        ));
    };
    let Some(list) = rest.strip_prefix('[') else {
        return Err(
            "an ignore comment names its rules: \"shipshape: ignore[rule-a, rule-b]\"".into(),
        );
    };
    let Some(close) = list.find(']') else {
        return Err("\"[\" is not closed with \"]\"".into());
    };
    let mut names = Vec::new();
    let mut pos = rest_at + 1;
    for part in list[..close].split(',') {
        let name = part.trim();
        let lead = part.len() - part.trim_start().len();
        if !name.is_empty() {
            names.push((
                name.to_string(),
                Span::new(pos + lead, pos + lead + name.len()),
            ));
        }
        pos += part.len() + 1;
    }
    if names.is_empty() {
        return Err("the ignore comment names no rule".into());
    }
    Ok((file_wide, names))
}

/// Drops the diagnostics that ignore comments cover and adds `unused-ignore` findings.
pub fn apply(ws: &Workspace, settings: &Settings, diagnostics: &mut Vec<Diagnostic>) {
    let unused_severity =
        rule_index(UNUSED_IGNORE.as_str()).and_then(|i| settings.rules.severity(i));
    let mut extra = Vec::new();
    for file in ws.files.iter().filter(|f| f.reported) {
        let (comments, malformed) = comments(file);
        if comments.is_empty() && malformed.is_empty() {
            continue;
        }
        let id = file.id();
        let mut used: HashSet<(usize, usize)> = HashSet::new();
        // The comments that cover each line, and the file-wide ones, in file order.
        let mut by_line: HashMap<u32, Vec<usize>> = HashMap::new();
        let mut file_wide = Vec::new();
        for (ci, c) in comments.iter().enumerate() {
            if c.file_wide {
                file_wide.push(ci);
            } else {
                by_line.entry(c.covers_line).or_default().push(ci);
            }
        }
        let mut candidates: Vec<usize> = Vec::new();
        diagnostics.retain(|d| {
            if d.file() != id || d.rule == UNUSED_IGNORE {
                return true;
            }
            let line = file.source.line_col(d.primary.span.start as usize).line;
            candidates.clear();
            candidates.extend(file_wide.iter().copied());
            candidates.extend(by_line.get(&line).into_iter().flatten().copied());
            candidates.sort_unstable();
            for &ci in &candidates {
                let c = &comments[ci];
                if let Some(ni) = c.names.iter().position(|(n, _)| d.rule == n.as_str()) {
                    used.insert((ci, ni));
                    return false;
                }
            }
            true
        });
        let Some(severity) = unused_severity else {
            continue;
        };
        let report =
            |span: Span, message: String, help: Option<String>, fix: Option<Fix>| Diagnostic {
                rule: UNUSED_IGNORE,
                severity,
                message,
                primary: Label {
                    file: id,
                    span,
                    message: String::new(),
                },
                secondary: Vec::new(),
                notes: Vec::new(),
                help,
                fix,
            };
        for m in malformed {
            extra.push(report(
                m.span,
                format!("malformed ignore comment: {}", m.message),
                None,
                None,
            ));
        }
        for (ci, c) in comments.iter().enumerate() {
            let unused: Vec<usize> = (0..c.names.len())
                .filter(|&ni| !used.contains(&(ci, ni)))
                .filter(|&ni| {
                    rule_index(&c.names[ni].0).is_none_or(|r| settings.rules.severity(r).is_some())
                })
                .collect();
            let all_unused = unused.len() == c.names.len();
            for ni in unused {
                let (name, span) = &c.names[ni];
                let removal = if all_unused {
                    c.removal
                } else {
                    name_removal(c, ni)
                };
                let fix = Fix {
                    safe: true,
                    description: if all_unused {
                        "remove the ignore comment".into()
                    } else {
                        format!("remove \"{name}\" from the comment")
                    },
                    edits: vec![Edit {
                        file: id,
                        span: removal,
                        text: String::new(),
                    }],
                };
                let (message, help) = match rule_index(name) {
                    Some(_) => (
                        format!("the ignore comment for \"{name}\" suppresses nothing"),
                        Some("remove it: the finding it was for is gone".to_string()),
                    ),
                    None => (
                        format!("\"{name}\" is not a rule"),
                        Some(match crate::registry::nearest_rule(name) {
                            Some(n) => format!("did you mean \"{n}\"?"),
                            None => "`shipshape rule` lists the rules".into(),
                        }),
                    ),
                };
                extra.push(report(*span, message, help, Some(fix)));
            }
        }
    }
    diagnostics.extend(extra);
}

/// The span to delete to drop one name from a list, with its comma.
fn name_removal(c: &IgnoreComment, ni: usize) -> Span {
    let span = c.names[ni].1;
    match c.names.get(ni + 1) {
        Some((_, next)) => Span::new(span.start as usize, next.start as usize),
        None => Span::new(c.names[ni - 1].1.end as usize, span.end as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        let (wide, names) = parse_directive(" ignore[a, b-c] -- reason", 10).unwrap();
        assert!(!wide);
        assert_eq!(
            names,
            [
                ("a".into(), Span::new(18, 19)),
                ("b-c".into(), Span::new(21, 24))
            ]
        );
        assert!(parse_directive(" ignore-file[x]", 0).unwrap().0);
        assert!(parse_directive(" ignore", 0).is_err());
        assert!(parse_directive(" disable[x]", 0).is_err());
        assert!(parse_directive(" ignore[]", 0).is_err());
        assert!(parse_directive(" ignore[x", 0).is_err());
    }
}
