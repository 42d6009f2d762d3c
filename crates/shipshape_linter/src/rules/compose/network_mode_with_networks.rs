//! network-mode-with-networks: a service sets both `network_mode` and `networks`.

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "network-mode-with-networks",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a service sets both network_mode and networks",
    doc: include_str!("../../../rule-docs/network-mode-with-networks/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    for service in &cx.project.services {
        let (Some(mode), Some(first)) = (&service.network_mode, service.networks.first()) else {
            continue;
        };
        sink.report(
            mode.loc.file,
            mode.loc.span,
            format!(
                "service \"{}\" sets both network_mode \"{}\" and networks",
                service.name, mode.value
            ),
        )
        .label("network_mode")
        .secondary(
            first.name.loc.file,
            first.name.loc.span,
            format!("network \"{}\"", first.name.value),
        )
        .note(format!(
            "Compose stops with \"service {} declares mutually exclusive `network_mode` and `networks`\"",
            service.name
        ))
        .help(format!(
            "keep one: remove \"networks:\" to share the network_mode \"{}\", or remove \"network_mode:\" to join the networks",
            mode.value
        ));
    }
}
