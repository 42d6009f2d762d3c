//! duplicate-key: a mapping has the same key twice.

use shipshape_model::FileKind;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "duplicate-key",
    group: Group::Yaml,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a mapping has the same key twice",
    doc: include_str!("../../../rule-docs/duplicate-key/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(yaml) = &file.yaml else {
        return;
    };
    let tree = &yaml.tree;
    let source = &file.source;
    for dup in &tree.duplicates {
        let key = tree.key_text(dup.first);
        // GitLab's loader (Psych) applies every `<<` of a mapping in turn; repeating the
        // merge key is how some pipelines merge two anchors. Compose's yaml.v3 rejects it.
        if key == "<<" && file.kind == FileKind::GitlabCi {
            continue;
        }
        let path = tree.path_string(dup.mapping);
        let place = if path.is_empty() {
            "at the top level".to_string()
        } else {
            format!("in \"{path}\"")
        };
        let first = tree.node(dup.first).span;
        let first_line = source.line_col(first.start as usize).line + 1;
        let effective = sink.severity();
        let d = sink.report(
            file.id(),
            tree.node(dup.repeated).span,
            format!("duplicate key \"{key}\" {place}"),
        );
        d.label("repeated here")
            .secondary(file.id(), first, "first defined here");
        match file.kind {
            FileKind::Compose => {
                d.note("Docker Compose rejects the file: \"mapping key already defined\"");
            }
            // GitLab accepts the file (the last one wins): a bug, not a rejection.
            FileKind::GitlabCi => {
                d.severity = effective.min(Severity::Warning);
                d.note(format!("GitLab keeps only the last one: the \"{key}\" on line {first_line} is silently ignored"));
            }
            FileKind::Yaml | FileKind::DotEnv => {
                d.severity = effective.min(Severity::Warning);
                d.note("most YAML loaders keep only the last value; some reject the file");
            }
        }
        d.help("remove one of them, or merge what they hold under one key");
    }
}
