//! obsolete-version: a top-level `version:`, which Compose v2 ignores.

use shipshape_yaml::Span;

use crate::diagnostic::{Edit, Fix, Severity};
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "obsolete-version",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    summary: "top-level version: is obsolete and ignored by Compose v2",
    doc: include_str!("../../../../../rules/obsolete-version/README.md"),
    checks: &[Check::File(check)],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(model) = &file.compose else { return };
    let Some((key, value)) = &model.version else {
        return;
    };
    let source = &file.source;
    let shown = value
        .as_ref()
        .map_or(String::new(), |v| format!(" \"{}\"", v.value));
    let d = sink.report(
        file.id(),
        key.span,
        format!("the top-level \"version\"{shown} is obsolete"),
    );
    d.label("ignored by Compose v2")
        .note("Compose warns \"the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion\"")
        .help("remove the line: Compose v2 reads every file with the latest specification");
    // Remove the whole line when the entry is alone on it.
    let line = source.line_index.line_of(key.span.start as usize);
    let line_span = source.line_index.line_span(&source.text, line);
    let end = value.as_ref().map_or(key.span.end, |v| v.loc.span.end) as usize;
    let alone = line_span.start == key.span.start && source.line_index.line_of(end) == line;
    if alone {
        let next = source.line_index.line_start(line + 1);
        d.fix(Fix {
            safe: true,
            description: "remove the \"version\" line".into(),
            edits: vec![Edit {
                file: file.id(),
                span: Span::new(line_span.start as usize, next),
                text: String::new(),
            }],
        });
    }
}
