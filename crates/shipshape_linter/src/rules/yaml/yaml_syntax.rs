//! yaml-syntax: the file is not valid YAML (or cannot be read as YAML text at all).

use shipshape_yaml::{EncodingProblem, Span, SyntaxError, SyntaxErrorKind};

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::{AnalyzedFile, Unreadable};

pub static RULE: Rule = Rule {
    name: "yaml-syntax",
    group: Group::Yaml,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "the file is not valid YAML",
    doc: include_str!("../../../rule-docs/yaml-syntax/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

/// What to do about the parser's most common complaints, by the start of its message.
const HELP: &[(&str, &str)] = &[
    (
        "mapping values are not allowed in this context",
        "a plain value cannot contain \": \"; put the whole value in quotes",
    ),
    (
        "while parsing a block mapping, did not find expected key",
        "this line is indented differently from the keys above it; align it with its siblings",
    ),
    (
        "invalid indentation",
        "align this line with the lines above it",
    ),
    (
        "while parsing a block collection, did not find expected '-' indicator",
        "every item of this list starts with \"- \" at the same indentation",
    ),
    (
        "block sequence entries are not allowed in this context",
        "a \"- \" item cannot follow a value on the same line; start the list on the next line",
    ),
    (
        "while parsing a flow sequence, expected ',' or ']'",
        "close the list with \"]\", or separate its items with \",\"",
    ),
    (
        "while parsing a flow mapping, did not find expected ',' or '}'",
        "close the mapping with \"}\", or separate its entries with \",\"",
    ),
    (
        "while scanning a quoted scalar, found unexpected end of stream",
        "a quote opened here is never closed",
    ),
    (
        "while parsing a quoted scalar, found unknown escape character",
        "inside double quotes \"\\\" starts an escape; write \"\\\\\" for a backslash, or use single quotes",
    ),
    (
        "illegal placement of ':' indicator",
        "this \":\" does not start a value here; quote the text, or close the bracket opened above",
    ),
    (
        "unexpected character",
        "quote the value: a plain value cannot start with this character",
    ),
    (
        "found unprintable character",
        "remove the control character; YAML text cannot hold it",
    ),
    (
        "recursion limit exceeded",
        "flow collections ([...] and {...}) nest too deep here",
    ),
    (
        "while parsing a node, did not find expected node content",
        "a value is missing here",
    ),
];

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let id = file.id();
    if let Some(unreadable) = &file.unreadable {
        report_unreadable(file, unreadable, sink);
        return;
    }
    let Some(yaml) = &file.yaml else {
        return;
    };
    let conflict = yaml.prescan.merge_conflict;
    if let Some(marker) = conflict {
        report_merge_conflict(file, marker, sink);
    }
    for err in &yaml.errors {
        // What the parser trips over after a conflict marker is the conflict.
        if conflict.is_some_and(|m| err.span.start >= m.start)
            && matches!(
                err.kind,
                SyntaxErrorKind::Parse | SyntaxErrorKind::TabIndentation
            )
        {
            continue;
        }
        match err.kind {
            SyntaxErrorKind::Parse => report_parse_error(file, err, sink),
            SyntaxErrorKind::TabIndentation => {
                sink.report(id, err.span, "invalid YAML: a tab character in indentation")
                    .label("tab")
                    .note("shipshape checked this file up to this point only")
                    .help("indent with spaces only; `shipshape check --fix` replaces the tabs (rule tab-indentation)");
            }
            SyntaxErrorKind::DepthLimit => {
                sink.report(
                    id,
                    err.span,
                    format!("the file is too deeply nested: {}", err.message),
                )
                .label("the limit is reached here")
                .note("shipshape checked this file up to this point only");
            }
            SyntaxErrorKind::MergeBudget => {
                sink.report(id, err.span, err.message.clone())
                    .label("merged here")
                    .note("a YAML loader would expand this file into a very large document (an alias bomb)");
            }
            SyntaxErrorKind::AliasBomb => {
                sink.report(id, err.span, err.message.clone())
                    .label("expands most")
                    .note("Docker Compose rejects such a file (\"excessive aliasing\"); other loaders run out of memory")
                    .help("write the repeated content out, or reuse it without nesting aliases of aliases");
            }
            SyntaxErrorKind::InvalidMerge => {
                sink.report(id, err.span, err.message.clone())
                    .label("not a mapping")
                    .help("merge mappings: \"<<: *anchor\" or \"<<: [*a, *b]\" where the anchors name mappings");
            }
        }
    }
}

/// A committed merge conflict: both sides of it, between `<<<<<<<`, `=======` and
/// `>>>>>>>` lines.
fn report_merge_conflict(file: &AnalyzedFile, marker: Span, sink: &mut Sink<'_>) {
    sink.report(
        file.id(),
        marker,
        "unresolved merge conflict: the file still holds git's conflict markers",
    )
    .label("the conflict starts here")
    .note("the lines between \"<<<<<<<\", \"=======\" and \">>>>>>>\" are both sides of a merge; no YAML parser reads this file")
    .help("resolve the conflict: keep the side you want (or combine them), and delete the three marker lines");
}

/// Parser messages that, inside an open flow collection, mean it was never closed.
const UNCLOSED_FLOW_SIGNS: &[&str] = &[
    "invalid indentation",
    "while parsing a flow sequence, expected ',' or ']'",
    "while parsing a flow mapping, did not find expected ',' or '}'",
    "while parsing a block mapping, did not find expected key",
];

fn report_parse_error(file: &AnalyzedFile, err: &SyntaxError, sink: &mut Sink<'_>) {
    let id = file.id();
    let source = &file.source;
    let line = |span: Span| source.line_col(span.start as usize).line;
    if let Some(bracket) = err.open_flow
        && line(bracket) < line(err.span)
        && UNCLOSED_FLOW_SIGNS
            .iter()
            .any(|m| err.message.starts_with(m))
    {
        let open = source.slice(bracket);
        let close = if open == "{" { "}" } else { "]" };
        sink.report(
            id,
            bracket,
            format!("invalid YAML: \"{open}\" is never closed"),
        )
        .label("opened here")
        .secondary(
            id,
            err.span,
            format!("the parser stopped here: {}", err.message),
        )
        .note("shipshape checked this file up to that point only")
        .help(format!(
            "close it with \"{close}\", and separate its items with \",\""
        ));
        return;
    }
    if err
        .message
        .starts_with("while parsing node, found unknown anchor")
    {
        report_unknown_anchor(file, err, sink);
        return;
    }
    let d = sink.report(id, err.span, format!("invalid YAML: {}", err.message));
    d.label("the parser stopped here")
        .note("shipshape checked this file up to this point only");
    if let Some(bracket) = err.open_flow {
        d.secondary(id, bracket, "inside this flow collection");
    }
    if let Some((_, help)) = HELP
        .iter()
        .find(|(start, _)| err.message.starts_with(start))
    {
        d.help(*help);
    }
}

/// `*name` with no `&name` before it: usually a typo, so name the nearest anchor.
fn report_unknown_anchor(file: &AnalyzedFile, err: &SyntaxError, sink: &mut Sink<'_>) {
    let id = file.id();
    let source = &file.source;
    let text = &source.text[err.span.start as usize..];
    let token_len = text
        .find(|c: char| c.is_whitespace() || ",[]{}".contains(c))
        .unwrap_or(text.len());
    let span = Span::new(
        err.span.start as usize,
        err.span.start as usize + token_len.max(1),
    );
    let alias = source.slice(span);
    let name = alias.trim_start_matches('*');
    let anchors: Vec<(Span, &str)> = file
        .yaml
        .iter()
        .flat_map(|y| y.tree.ids().filter_map(|n| y.tree.anchor(n)))
        .map(|a| (a, source.slice(a).trim_start_matches('&')))
        .collect();
    let d = sink.report(
        id,
        span,
        format!("invalid YAML: no anchor \"&{name}\" is defined before this alias"),
    );
    d.label("unknown alias")
        .note("shipshape checked this file up to this point only");
    match crate::text::nearest(name, anchors.iter().map(|(_, n)| *n)) {
        Some(near) => {
            let (at, _) = anchors
                .iter()
                .rev()
                .find(|(_, n)| *n == near)
                .expect("from this list");
            d.secondary(id, *at, "an anchor with a similar name")
                .help(format!("did you mean \"*{near}\"?"));
        }
        None => {
            d.help("define the anchor with \"&name\" before its first use as \"*name\"; anchors do not cross files");
        }
    }
}

fn report_unreadable(file: &AnalyzedFile, unreadable: &Unreadable, sink: &mut Sink<'_>) {
    let id = file.id();
    let at = |offset: usize| {
        let len = file.source.text[offset.min(file.source.text.len())..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        Span::new(offset, offset + len)
    };
    match unreadable {
        Unreadable::Encoding => match file.source.encoding_problem {
            Some(EncodingProblem::Binary { offset }) => {
                sink.report(id, at(offset), "binary file, not YAML text")
                    .label("NUL byte")
                    .help("check only YAML files; this one holds binary data");
            }
            Some(EncodingProblem::Utf16 { big_endian }) => {
                let order = if big_endian { "big" } else { "little" };
                sink.report(
                    id,
                    at(0),
                    format!("the file is UTF-16 ({order}-endian), not UTF-8"),
                )
                .label("UTF-16 byte order mark")
                .note("Docker Compose and GitLab read YAML files as UTF-8")
                .help("save the file as UTF-8");
            }
            Some(EncodingProblem::InvalidUtf8 { offset, byte }) => {
                sink.report(
                    id,
                    at(offset),
                    format!("invalid UTF-8: byte 0x{byte:02X} is not part of a UTF-8 character"),
                )
                .label("not UTF-8")
                .note("the file was not checked further; Docker Compose and GitLab reject it too")
                .help("save the file as UTF-8 (it may be in Latin-1 or Windows-1252)");
            }
            None => {}
        },
        Unreadable::TooLarge { size, limit } => {
            sink.report(
                id,
                Span::empty(0),
                format!(
                    "the file is {}, above the {} size limit, and was not checked",
                    human_size(*size),
                    human_size(*limit)
                ),
            )
            .help("leave generated files out of the check, or split the file");
        }
        Unreadable::Template {
            offset,
            in_template_dir,
        } => {
            let d = sink.report(
                id,
                if *in_template_dir {
                    Span::empty(0)
                } else {
                    at(*offset)
                },
                "template, not YAML yet: checked after rendering",
            );
            d.severity = Severity::Info;
            if *in_template_dir {
                d.note("the file is inside a template directory (its name holds `{{ ... }}`, as cookiecutter's do)");
            } else {
                d.label("template expression outside a YAML scalar");
            }
            d.help("check the rendered file instead (render the template, then run shipshape on the output)");
        }
        Unreadable::ParserCrash { message } => {
            sink.report(
                id,
                Span::empty(0),
                format!("the YAML parser crashed on this file: {message}"),
            )
            .note("this is a bug in shipshape; the other files were still checked")
            .help("please report it with this file attached");
        }
    }
}

fn human_size(bytes: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / MB)
    } else {
        format!("{bytes} bytes")
    }
}
