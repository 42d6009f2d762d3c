//! Small things several rules need.

use shipshape_model::schema::{SchemaError, SchemaErrorKind, quoted_list};
use shipshape_yaml::{NodeId, NodeKind, Span, Tree};

use crate::rule::Sink;
use crate::workspace::AnalyzedFile;

/// The span of the key a node is the value of (its own span when it is not a value).
pub fn key_span(tree: &Tree, node: NodeId) -> Span {
    let Some(parent) = tree.parent(node) else {
        return tree.node(node).span;
    };
    if let NodeKind::Mapping { .. } = tree.node(parent).kind
        && let Some(e) = tree.raw_entries(parent).iter().find(|e| e.value == node)
    {
        return tree.node(e.key).span;
    }
    tree.node(node).span
}

/// `"a", "b" and "c"`
pub fn quoted_and(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "did you mean \"x\"?" for the nearest candidate, if one is near enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    crate::text::nearest(name, candidates).map(|n| format!("did you mean \"{n}\"?"))
}

/// Reports one schema finding (for `compose-schema` and `gitlab-schema`). Findings that
/// conclude from an absence (a missing key, an empty file) are skipped when the file did
/// not parse to its end.
pub fn report_schema_error(sink: &mut Sink<'_>, file: &AnalyzedFile, err: &SchemaError) {
    let Some(yaml) = &file.yaml else { return };
    let tree = &yaml.tree;
    let complete = yaml.is_complete();
    let id = file.id();
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
                None => {
                    d.help("Compose rejects keys it does not know; start your own keys with \"x-\"")
                }
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
                    quoted_list(allowed)
                )),
                None => d.help(format!("use one of {}", quoted_list(allowed))),
            };
            d
        }
        SchemaErrorKind::MissingKey { key } => {
            if !complete {
                return;
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
                return;
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
        SchemaErrorKind::Invalid { message } => {
            let d = sink.report(id, tree.node(err.node).span, format!("{place} {message}"));
            d.label("invalid here");
            d
        }
    };
    if let Some(via) = err.merged_from {
        d.secondary(id, tree.node(via).span, "merged here");
    }
}
