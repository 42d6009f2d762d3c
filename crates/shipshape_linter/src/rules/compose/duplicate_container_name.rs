//! duplicate-container-name: two services share a `container_name`.

use super::profiles::can_run_together;
use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "duplicate-container-name",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "two services share a container_name",
    doc: include_str!("../../../../../rules/duplicate-container-name/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let services = &cx.project.services;
    for (i, s) in services.iter().enumerate() {
        let Some(name) = &s.container_name else {
            continue;
        };
        if name.value.contains('$') {
            continue;
        }
        let Some(first) = services[..i].iter().find(|o| {
            o.container_name
                .as_ref()
                .is_some_and(|c| c.value == name.value)
                && can_run_together(o, s)
        }) else {
            continue;
        };
        let first_loc = first.container_name.as_ref().expect("matched").loc;
        sink.report(name.loc.file, name.loc.span, format!("container name \"{}\" is also used by service \"{}\"", name.value, first.name))
            .label(format!("service \"{}\"", s.name))
            .secondary(first_loc.file, first_loc.span, format!("service \"{}\"", first.name))
            .note("a container name is unique on a Docker host: Compose cannot create the second container")
            .help("give each service its own container_name, or remove it and let Compose name the containers");
    }
}
