//! tab-indentation: a tab character in a line's indentation.
//!
//! The finding comes from the lexical pre-scan, so it holds even where the YAML does not
//! parse (which is usual: YAML forbids tabs in indentation). The fix replaces each line's
//! indentation with spaces; how many is decided once per file (see [`choose_tab_stop`]).

use std::cmp::Reverse;
use std::collections::HashSet;

use shipshape_yaml::{LineIndex, Span, TabIndent, parse};

use crate::diagnostic::{Edit, Fix, Severity};
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "tab-indentation",
    group: Group::Yaml,
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    summary: "a tab character is part of a line's indentation",
    doc: include_str!("../../../rule-docs/tab-indentation/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(yaml) = &file.yaml else {
        return;
    };
    let tabs = &yaml.tab_indents;
    if tabs.is_empty() {
        return;
    }
    let text = &file.source.text;
    let choice = choose_tab_stop(text, tabs);
    for tab in tabs {
        let indent = &text[tab.indent.range()];
        let last_tab = indent.rfind('\t').expect("a tab line has a tab");
        let span = Span::new(
            tab.first_tab.start as usize,
            tab.indent.start as usize + last_tab + 1,
        );
        let width = expand(indent, choice.tab_stop);
        let d = sink.report(file.id(), span, "tab character in indentation");
        d.label(if span.len() > 1 { "tabs" } else { "tab" })
            .help("YAML forbids tabs for indentation; use spaces");
        if indent.contains(' ') {
            d.note(
                "this line mixes spaces and tabs; editors show it aligned, YAML parsers reject it",
            );
        }
        d.fix(Fix {
            safe: choice.parses,
            description: format!("replace the indentation with {width} spaces"),
            edits: vec![Edit {
                file: file.id(),
                span: tab.indent,
                text: " ".repeat(width),
            }],
        });
    }
}

/// Width of leading whitespace with tabs advancing to the next multiple of `tab_stop`.
fn expand(indent: &str, tab_stop: usize) -> usize {
    indent.bytes().fold(0, |col, b| match b {
        b'\t' => (col / tab_stop + 1) * tab_stop,
        _ => col + 1,
    })
}

struct TabStopChoice {
    tab_stop: usize,
    /// Whether the fix is safe: the file parses once every tab line is expanded with this
    /// tab stop, and no tab line under a block opener left that block.
    parses: bool,
}

/// Picks the tab width that turns the file's tab lines into "the spaces the surrounding
/// block uses". For each of 2, 4 and 8, expand every tab line and score it: does the
/// result parse, and how many tab lines land on an indentation the lines above already
/// use (a sibling, or a child under a line that opens a block)? The best score wins; ties
/// go to the file's own indentation step, then to the narrower width. The fix is safe only
/// when the expanded file parses and every tab line under a block opener stays its child
/// (`keeps_children`): then no line moved into another structure than the one the author
/// sees; otherwise it is offered as unsafe.
///
/// This re-parses the text up to three times, only for files that have tab lines.
fn choose_tab_stop(text: &str, tabs: &[TabIndent]) -> TabStopChoice {
    let unit = indent_unit(text);
    let tab_lines: HashSet<u32> = tabs.iter().map(|t| t.line).collect();
    let mut best: Option<(bool, bool, usize, bool, Reverse<usize>)> = None;
    for tab_stop in [2, 4, 8] {
        let expanded = expand_all(text, tabs, tab_stop);
        let parsed = parse(&expanded);
        let parses = parsed.is_complete() && parsed.tab_indents.is_empty();
        let keeps = keeps_children(&expanded, &tab_lines);
        let score = alignment_score(&expanded, &tab_lines);
        let key = (
            parses && keeps,
            parses,
            score,
            tab_stop == unit,
            Reverse(tab_stop),
        );
        if best.is_none_or(|b| key > b) {
            best = Some(key);
        }
    }
    let (safe, _, _, _, Reverse(tab_stop)) = best.expect("three candidates");
    TabStopChoice {
        tab_stop,
        parses: safe,
    }
}

fn expand_all(text: &str, tabs: &[TabIndent], tab_stop: usize) -> String {
    let mut out = String::with_capacity(text.len() + tabs.len() * 8);
    let mut pos = 0;
    for tab in tabs {
        let (start, end) = (tab.indent.start as usize, tab.indent.end as usize);
        out.push_str(&text[pos..start]);
        out.extend(std::iter::repeat_n(
            ' ',
            expand(&text[start..end], tab_stop),
        ));
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// The most common indentation step between a line and the deeper line after it, among
/// lines indented with spaces only (2 when there are none).
fn indent_unit(text: &str) -> usize {
    let mut counts = [0usize; 9];
    let mut prev: Option<usize> = None;
    for line in lines(text) {
        let Some((indent, _)) = split_indent(line) else {
            continue;
        };
        if indent.contains('\t') {
            prev = None;
            continue;
        }
        let width = indent.len();
        if let Some(p) = prev
            && width > p
            && width - p <= 8
        {
            counts[width - p] += 1;
        }
        prev = Some(width);
    }
    (1..=8)
        .max_by_key(|&w| (counts[w], usize::from(w == 2)))
        .filter(|&w| counts[w] > 0)
        .unwrap_or(2)
}

/// Whether every tab line right under a line that opens a block (`variables:` then
/// `<TAB>GREETING: hello`) stays its child once expanded: the author who indented it
/// meant it to belong there, and a parse that makes it a sibling changes the meaning.
fn keeps_children(expanded: &str, tab_lines: &HashSet<u32>) -> bool {
    let mut opener: Option<usize> = None;
    for (n, line) in lines(expanded).enumerate() {
        let Some((indent, rest)) = split_indent(line) else {
            continue;
        };
        let width = indent.len();
        if tab_lines.contains(&(n as u32)) && opener.is_some_and(|p| width <= p) {
            return false;
        }
        opener = opens_block(rest).then_some(width);
    }
    true
}

/// How many tab lines, once expanded, sit at an indentation the lines above make valid.
fn alignment_score(expanded: &str, tab_lines: &HashSet<u32>) -> usize {
    let mut stack: Vec<usize> = Vec::new();
    let mut opens_at: Option<usize> = None;
    let mut score = 0;
    for (n, line) in lines(expanded).enumerate() {
        let Some((indent, rest)) = split_indent(line) else {
            continue;
        };
        let width = indent.len();
        if tab_lines.contains(&(n as u32))
            && (stack.contains(&width) || opens_at.is_some_and(|p| width > p))
        {
            score += 1;
        }
        while stack.last().is_some_and(|&top| top > width) {
            stack.pop();
        }
        if stack.last() != Some(&width) {
            stack.push(width);
        }
        if rest.starts_with("- ") {
            stack.push(width + 2);
        }
        opens_at = opens_block(rest).then_some(width);
    }
    score
}

/// Lines split as YAML and the pre-scan split them (`\n`, `\r\n`, lone `\r`), so line
/// numbers agree with [`TabIndent::line`].
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let index = LineIndex::new(text);
    (0..index.line_count()).map(move |n| &text[index.line_span(text, n).range()])
}

/// A line's indentation and content; None for blank and comment-only lines.
fn split_indent(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start_matches([' ', '\t']);
    if rest.is_empty() || rest.starts_with('#') {
        return None;
    }
    Some((&line[..line.len() - rest.len()], rest.trim_end()))
}

/// Whether a line's content opens a nested block on the next lines: `key:`, `- key:`,
/// `-`, or a block scalar header (`key: |`, `- >-`).
fn opens_block(content: &str) -> bool {
    let content = match content.find(" #") {
        Some(i) => content[..i].trim_end(),
        None => content,
    };
    if content.ends_with(':') || content == "-" {
        return true;
    }
    let last = content.rsplit(' ').next().unwrap_or(content);
    let is_header = (last.starts_with('|') || last.starts_with('>'))
        && last[1..]
            .chars()
            .all(|c| matches!(c, '-' | '+' | '1'..='9'));
    let before = content[..content.len() - last.len()].trim_end();
    is_header && (before.is_empty() || before.ends_with(':') || before.ends_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> (String, bool) {
        let parsed = parse(text);
        let choice = choose_tab_stop(text, &parsed.tab_indents);
        (
            expand_all(text, &parsed.tab_indents, choice.tab_stop),
            choice.parses,
        )
    }

    #[test]
    fn seed_000_tabs_become_the_siblings_indentation() {
        let text = "job:\n  variables:\n    A: x\n  \tB: y\n  \tC: z\n  script:\n    - run\n";
        let (out, parses) = fixed(text);
        assert_eq!(
            out,
            "job:\n  variables:\n    A: x\n    B: y\n    C: z\n  script:\n    - run\n"
        );
        assert!(parses);
    }

    #[test]
    fn a_tab_indented_file_keeps_its_structure() {
        let text = "services:\n\tweb:\n\t\timage: nginx\n\tdb:\n\t\timage: postgres\n";
        let (out, parses) = fixed(text);
        assert_eq!(
            out,
            "services:\n  web:\n    image: nginx\n  db:\n    image: postgres\n"
        );
        assert!(parses);
    }

    #[test]
    fn list_items_stay_items() {
        let text = "script:\n  - a\n\t- b\n";
        let (out, parses) = fixed(text);
        assert_eq!(out, "script:\n  - a\n  - b\n");
        assert!(parses);
    }

    #[test]
    fn block_openers() {
        assert!(opens_block("services:"));
        assert!(opens_block("- name:"));
        assert!(opens_block("script: |"));
        assert!(opens_block("description: >- # folded"));
        assert!(opens_block("-"));
        assert!(!opens_block("image: nginx"));
        assert!(!opens_block("- run"));
        assert!(!opens_block("url: http://x"));
    }

    #[test]
    fn expansion() {
        assert_eq!(expand("  \t", 4), 4);
        assert_eq!(expand("  \t", 8), 8);
        assert_eq!(expand("\t\t", 2), 4);
        assert_eq!(expand("   \t", 2), 4);
    }
}
