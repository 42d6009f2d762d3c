//! compose-schema: unknown keys, wrong types and invalid values per the Compose
//! specification (the table in `shipshape_model::compose::schema`).

use shipshape_model::compose::schema::{self, SchemaErrorKind};
use shipshape_yaml::Span;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::rules::support::key_span;
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "compose-schema",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "unknown key, wrong type or invalid value per the Compose specification",
    doc: include_str!("../../../../../rules/compose-schema/README.md"),
    check: Check::File(check),
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(yaml) = &file.yaml else { return };
    let tree = &yaml.tree;
    let complete = yaml.is_complete();
    let id = file.id();
    for err in schema::validate(tree, tree.root()) {
        let place = if err.path.is_empty() {
            "the top level".to_string()
        } else {
            format!("\"{}\"", err.path)
        };
        let d = match &err.kind {
            SchemaErrorKind::UnknownKey { key, suggestion } => {
                let message = if err.path.is_empty() {
                    format!("unknown top-level key \"{key}\"")
                } else {
                    format!("unknown key \"{key}\" in {place}")
                };
                let d = sink.report(id, tree.node(err.node).span, message);
                d.label("not a Compose key");
                match suggestion {
                    Some(s) => d.help(format!("did you mean \"{s}\"?")),
                    None => d.help(
                        "Compose rejects keys it does not know; start your own keys with \"x-\"",
                    ),
                };
                d
            }
            SchemaErrorKind::WrongType { expected, found } => {
                let what = if err.path.is_empty() {
                    "the file".to_string()
                } else {
                    place
                };
                let d = sink.report(
                    id,
                    tree.node(err.node).span,
                    format!("{what} must be {expected}, not {found}"),
                );
                d.label(format!("{found} here"));
                if expected.starts_with("a string") && matches!(*found, "a number" | "a boolean") {
                    d.help("put the value in quotes to make it a string");
                }
                d
            }
            SchemaErrorKind::NotInEnum {
                value,
                allowed,
                suggestion,
            } => {
                let d = sink.report(
                    id,
                    tree.node(err.node).span,
                    format!("\"{value}\" is not a valid value for {place}"),
                );
                d.label("not allowed here");
                match suggestion {
                    Some(s) => d.help(format!(
                        "did you mean \"{s}\"? (one of {})",
                        schema::quoted_list(allowed)
                    )),
                    None => d.help(format!("use one of {}", schema::quoted_list(allowed))),
                };
                d
            }
            SchemaErrorKind::MissingKey { key } => {
                if !complete {
                    continue;
                }
                let d = sink.report(
                    id,
                    key_span(tree, err.node),
                    format!("{place} is missing \"{key}\""),
                );
                d.label(format!("needs \"{key}\""));
                if *key == "condition" {
                    d.help("add \"condition: service_started\" (or service_healthy, service_completed_successfully)");
                }
                d
            }
            SchemaErrorKind::EmptyFile => {
                if !complete {
                    continue;
                }
                let d = sink.report(id, Span::empty(0), "the Compose file is empty");
                d.help("add a \"services:\" mapping, or remove the file: Docker Compose refuses an empty file");
                d
            }
            SchemaErrorKind::LegacyFormat { services } => {
                let d = sink.report(
                    id,
                    tree.node(err.node).span,
                    "services at the top level: this is the Compose v1 file format",
                );
                d.label("a service, outside \"services:\"")
                    .note(format!(
                        "Docker Compose v2 rejects the file; it holds {} services this way",
                        services.len()
                    ))
                    .help("move the services under a top-level \"services:\" key");
                d
            }
        };
        if let Some(via) = err.merged_from {
            d.secondary(id, tree.node(via).span, "merged here");
        }
    }
}
