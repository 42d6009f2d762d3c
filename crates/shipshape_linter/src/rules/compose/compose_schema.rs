//! compose-schema: unknown keys, wrong types and invalid values per the Compose
//! specification (the table in `shipshape_model::compose::schema`).

use shipshape_model::compose::schema;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::rules::support::report_schema_error;
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "compose-schema",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "unknown key, wrong type or invalid value per the Compose specification",
    doc: include_str!("../../../../../rules/compose-schema/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(yaml) = &file.yaml else { return };
    let tree = &yaml.tree;
    for err in schema::validate(tree, tree.root()) {
        report_schema_error(sink, file, &err);
    }
}
