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
    doc: include_str!("../../../rule-docs/missing-readiness/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

/// Restart policies under which a service that fails to connect simply comes back.
const RETRYING: &[&str] = &["always", "on-failure", "unless-stopped"];

/// The server a dependency runs, with the evidence for the message: its image, else the
/// base image of the Dockerfile it builds (`FROM postgres:16`), else a variable only that
/// server's image reads (`MYSQL_ROOT_PASSWORD`).
fn server_of(
    cx: &ComposeContext<'_>,
    target: &shipshape_model::compose::Service,
) -> Option<(&'static images::ServerImage, String)> {
    if let Some(image) = &target.image
        && let Some(server) = images::server_image(&image.value)
    {
        return Some((server, image.value.clone()));
    }
    let build = target.build.as_ref()?;
    if let Some(base) = cx.ws.build_base_image(target.key().file, build)
        && let Some(server) = images::server_image(&base)
    {
        return Some((server, format!("an image built FROM {base}")));
    }
    let (server, var) =
        images::server_by_init_variable(target.environment.iter().map(|e| e.name.as_str()))?;
    Some((server, format!("an image it builds, set up with {var}")))
}

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
            let server = server_of(cx, target);
            let why = match (target.has_healthcheck(), &server) {
                (true, _) => format!(
                    "\"{}\" has a healthcheck, but Compose only waits for it with condition: service_healthy",
                    target.name
                ),
                (false, Some((image, evidence))) => format!(
                    "\"{}\" runs {evidence}, {}: it accepts connections only some time after it starts",
                    target.name, image.what
                ),
                (false, None) => continue,
            };
            let at = dep.condition_loc.unwrap_or(dep.service.loc);
            let fast = server.as_ref().is_some_and(|(image, _)| {
                image.repositories.iter().any(|r| images::starts_fast(r))
            });
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
                    target.name,
                    target
                        .image
                        .as_ref()
                        .and_then(|i| images::healthcheck_for(&i.value))
                        .unwrap_or(image.healthcheck)
                )),
                (false, None) => unreachable!("filtered above"),
            };
        }
    }
}
