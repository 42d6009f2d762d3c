//! invalid-interpolation: a malformed `${...}` that Compose refuses ("Invalid template").

use shipshape_model::interpolation;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "invalid-interpolation",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "malformed ${...} interpolation (unclosed brace, bad operator)",
    doc: include_str!("../../../rule-docs/invalid-interpolation/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(yaml) = &file.yaml else { return };
    let tree = &yaml.tree;
    let text = &file.source.text;
    // Every scalar value, each once where it is written (aliases are not followed).
    // Mapping keys are never interpolated.
    for &id in file.dollar_scalars() {
        let Some(value) = tree.scalar_at(id) else {
            continue;
        };
        if tree.is_key(id) {
            continue;
        }
        for err in interpolation::parse(value).errors {
            let span = tree.value_subspan(text, id, err.range.clone());
            let d = sink.report(
                file.id(),
                span,
                format!("invalid interpolation: {}", err.message),
            );
            d.label("Compose stops here with \"Invalid template\"");
            if value[err.range.clone()].starts_with("${") {
                d.help(
                    "to pass a literal \"${\" to the container (a shell expansion), write \"$${\"",
                );
            }
        }
    }
}
