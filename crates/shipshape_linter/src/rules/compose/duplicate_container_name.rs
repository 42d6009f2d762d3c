//! duplicate-container-name: two services share a `container_name`.

use shipshape_model::compose::Service;
use shipshape_model::interpolation::is_dynamic;
use shipshape_model::loc::Text;

use super::profiles::can_run_together;
use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "duplicate-container-name",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "two services share a container_name",
    doc: include_str!("../../../rule-docs/duplicate-container-name/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let services = &cx.project.services;
    for (i, s) in services.iter().enumerate() {
        let Some(name) = &s.container_name else {
            continue;
        };
        replicated(sink, s, name);
        // The same text is the same name, variables and all (`${NAME}` twice).
        let Some(first) = services[..i].iter().find(|o| {
            o.container_name
                .as_ref()
                .is_some_and(|c| c.value == name.value)
                && can_run_together(o, s)
        }) else {
            continue;
        };
        let first_loc = first.container_name.as_ref().expect("matched").loc;
        let d = sink.report(
            name.loc.file,
            name.loc.span,
            format!(
                "container name \"{}\" is also used by service \"{}\"",
                name.value, first.name
            ),
        );
        d.label(format!("service \"{}\"", s.name)).secondary(
            first_loc.file,
            first_loc.span,
            format!("service \"{}\"", first.name),
        );
        if is_dynamic(&name.value) {
            d.note("both are the same variable, so whatever its value the two names are equal");
        }
        d.note("a container name is unique on a Docker host: Compose cannot create the second container")
            .help("give each service its own container_name, or remove it and let Compose name the containers");
    }
}

/// A `container_name` on a service that runs more than one container.
fn replicated(sink: &mut Sink<'_>, service: &Service, name: &Text) {
    let Some(replicas) = &service.replicas else {
        return;
    };
    let Ok(count) = replicas.value.parse::<u64>() else {
        return;
    };
    if count < 2 {
        return;
    }
    sink.report(
        name.loc.file,
        name.loc.span,
        format!(
            "service \"{}\" sets container_name \"{}\" but runs {count} replicas",
            service.name, name.value
        ),
    )
    .label("one name")
    .secondary(replicas.loc.file, replicas.loc.span, format!("{count} containers"))
    .note(format!(
        "Compose stops with \"can't set container_name and {} as container name must be unique\"",
        service.name
    ))
    .help("remove container_name (Compose names each replica <project>-<service>-N), or run one replica");
}
