//! unquoted-port: a port mapping that YAML 1.1 reads as a base-60 integer.

use shipshape_yaml::{ScalarStyle, scalar};

use crate::diagnostic::{Edit, Fix, Severity};
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "unquoted-port",
    group: Group::Compose,
    severity: Severity::Info,
    fix: FixAvailability::Safe,
    summary: "a port mapping such as 22:22 that YAML 1.1 tools read as a base-60 number",
    doc: include_str!("../../../rule-docs/unquoted-port/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let (Some(model), Some(tree)) = (&file.compose, file.tree()) else {
        return;
    };
    for service in &model.services {
        for port in &service.ports {
            let Some(short) = &port.short else { continue };
            if tree.scalar_style(port.node) != Some(ScalarStyle::Plain) || tree.is_alias(port.node)
            {
                continue;
            }
            let Some(number) = scalar::as_sexagesimal_yaml11(short) else {
                continue;
            };
            let span = port.loc.span;
            sink.report(file.id(), span, format!("the port mapping {short} is the number {number} in YAML 1.1"))
                .label("unquoted")
                .note("Docker Compose v2 reads it as a string, but docker-compose v1 and other YAML 1.1 tools (PyYAML, Ruby) turn it into the port number {number}".replace("{number}", &number.to_string()))
                .help(format!("quote it: \"{short}\""))
                .fix(Fix {
                    safe: true,
                    description: format!("quote \"{short}\""),
                    edits: vec![Edit {
                        file: file.id(),
                        span,
                        text: format!("\"{short}\""),
                    }],
                });
        }
    }
}
