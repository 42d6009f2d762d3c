//! compose-schema: unknown keys, wrong types and invalid values per the Compose
//! specification (the table in `shipshape_model::compose::schema`).

use shipshape_model::compose::schema;
use shipshape_model::schema::{SchemaError, SchemaErrorKind, quoted_list};

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::rules::support::{SchemaWording, rename_fix, report_schema_error};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "compose-schema",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::Unsafe,
    summary: "unknown key, wrong type or invalid value per the Compose specification",
    doc: include_str!("../../../rule-docs/compose-schema/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(yaml) = &file.yaml else { return };
    let tree = &yaml.tree;
    for err in schema::validate(tree, tree.root()) {
        let Some(d) = report_schema_error(sink, file, &err, wording) else {
            continue;
        };
        // An unknown key near a known one: the did-you-mean as an unsafe fix.
        if let SchemaErrorKind::UnknownKey {
            key,
            suggestion: Some(meant),
        } = &err.kind
            && let Some(fix) = rename_fix(
                &file.source.text,
                file.id(),
                tree.node(err.node).span,
                key,
                meant,
            )
        {
            d.fix(fix);
        }
    }
}

/// What a Compose schema finding says.
fn wording(err: &SchemaError) -> Option<SchemaWording> {
    let place = if err.path.is_empty() {
        "the top level".to_string()
    } else {
        format!("\"{}\"", err.path)
    };
    Some(match &err.kind {
        SchemaErrorKind::UnknownKey { key, suggestion } => SchemaWording {
            message: if err.path.is_empty() {
                format!("unknown top-level key \"{key}\"")
            } else {
                format!("unknown key \"{key}\" in {place}")
            },
            label: Some("not a Compose key".into()),
            note: None,
            help: Some(match suggestion {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => "Compose rejects keys it does not know; start your own keys with \"x-\"".into(),
            }),
        },
        SchemaErrorKind::WrongType { expected, found } => {
            let what = if err.path.is_empty() {
                "the file".to_string()
            } else {
                place
            };
            SchemaWording {
                message: format!("{what} must be {expected}, not {found}"),
                label: Some(format!("{found} here")),
                note: None,
                help: (expected.starts_with("a string") && matches!(*found, "a number" | "a boolean"))
                    .then(|| "put the value in quotes to make it a string".into()),
            }
        }
        SchemaErrorKind::NotInEnum {
            value,
            allowed,
            suggestion,
        } => SchemaWording {
            message: format!("\"{value}\" is not a valid value for {place}"),
            label: Some("not allowed here".into()),
            note: None,
            help: Some(match suggestion {
                Some(s) => format!("did you mean \"{s}\"? (one of {})", quoted_list(allowed)),
                None => format!("use one of {}", quoted_list(allowed)),
            }),
        },
        SchemaErrorKind::MissingKey { key } => SchemaWording {
            message: format!("{place} is missing \"{key}\""),
            label: Some(format!("needs \"{key}\"")),
            note: None,
            help: (*key == "condition").then(|| {
                "add \"condition: service_started\" (or service_healthy, service_completed_successfully)".into()
            }),
        },
        SchemaErrorKind::EmptyFile => SchemaWording {
            message: "the Compose file is empty".into(),
            label: None,
            note: None,
            help: Some("add a \"services:\" mapping, or remove the file: Docker Compose refuses an empty file".into()),
        },
        SchemaErrorKind::LegacyFormat { services } => SchemaWording {
            message: "services at the top level: this is the Compose v1 file format".into(),
            label: Some("a service, outside \"services:\"".into()),
            note: Some(format!(
                "Docker Compose v2 rejects the file; it holds {} services this way",
                services.len()
            )),
            help: Some("move the services under a top-level \"services:\" key".into()),
        },
        SchemaErrorKind::Invalid { message } => SchemaWording {
            message: format!("{place} {message}"),
            label: Some("invalid here".into()),
            note: None,
            help: None,
        },
    })
}
