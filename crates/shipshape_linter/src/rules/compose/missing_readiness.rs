//! missing-readiness: `depends_on` waits only for a dependency to start, while the
//! dependency is a server that takes time to accept connections (it has a healthcheck, or
//! its image is a database, broker, cache or search server).

use shipshape_model::compose::Condition;
use shipshape_model::images;

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "missing-readiness",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "depends_on waits only for start on a dependency that needs time to become ready",
    doc: include_str!("../../../../../rules/missing-readiness/README.md"),
    checks: &[Check::Compose(check)],
};

/// Restart policies under which a service that fails to connect simply comes back.
const RETRYING: &[&str] = &["always", "on-failure", "unless-stopped"];

/// Whether a service waits for its servers itself: its command or entrypoint runs a wait
/// tool or loop, or its image is one (`*/wait-for`, `dockerize`).
fn waits_itself(service: &shipshape_model::compose::Service) -> bool {
    service
        .command
        .iter()
        .chain(&service.entrypoint)
        .any(|c| images::waits_itself(&c.text))
        || service
            .image
            .as_ref()
            .is_some_and(|i| images::waits_itself(images::repository(&i.value)))
}

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    for service in &project.services {
        let retries = service
            .restart
            .as_ref()
            .is_some_and(|r| RETRYING.iter().any(|p| r.value.starts_with(p)));
        if retries || waits_itself(service) {
            continue;
        }
        for dep in service
            .depends_on
            .iter()
            .filter(|d| d.condition == Condition::Started)
        {
            let Some(target) = project.service(&dep.service.value) else {
                continue;
            };
            if target.name == service.name {
                continue;
            }
            // A wait-for service in between (`app` -> `wait_for_db` -> `db`) does the
            // waiting: the dependent's order is then only about starting.
            if waits_itself(target) {
                continue;
            }
            let server = target
                .image
                .as_ref()
                .and_then(|i| images::server_image(&i.value).map(|s| (s, &i.value)));
            let why = match (target.has_healthcheck(), server) {
                (true, _) => format!(
                    "\"{}\" has a healthcheck, but Compose only waits for it with condition: service_healthy",
                    target.name
                ),
                (false, Some((image, name))) => format!(
                    "\"{}\" runs {name}, {}: it accepts connections only some time after it starts",
                    target.name, image.what
                ),
                (false, None) => continue,
            };
            let at = dep.condition_loc.unwrap_or(dep.service.loc);
            let fast = server.is_some_and(|(_, name)| images::starts_fast(name));
            let effective = sink.severity();
            let d = sink.report(
                at.file,
                at.span,
                format!(
                    "service \"{}\" starts as soon as \"{}\" has started, not when it is ready",
                    service.name, target.name
                ),
            );
            d.label(if dep.short_form {
                "waits only for the start"
            } else {
                "service_started"
            })
            .note(why);
            if fast {
                d.severity = effective.min(Severity::Info);
                d.note("it is usually ready within milliseconds, so a run rarely fails for it");
            }
            let long_form = format!(
                "depends_on: {{{}: {{condition: service_healthy}}}}",
                target.name
            );
            match (target.has_healthcheck(), server) {
                (true, _) => d.help(format!("use {long_form}")),
                (false, Some((image, _))) => d.help(format!(
                    "use {long_form}, and give \"{}\" a healthcheck: {{test: {}, interval: 5s, retries: 10}}",
                    target.name, image.healthcheck
                )),
                (false, None) => unreachable!("filtered above"),
            };
        }
    }
}
