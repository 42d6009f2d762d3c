//! missing-depends-on: a service's environment points at another service of the project
//! that it does not depend on, so nothing makes Compose start that one first.

use std::collections::HashSet;

use shipshape_model::compose::names::{Resolution, resolve};
use shipshape_model::compose::{Project, Service};
use shipshape_model::hostnames::HostClass;

use super::env_hosts::{EnvHost, env_hosts};
use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "missing-depends-on",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a service's environment points at another service it does not depend on",
    doc: include_str!("../../../../../rules/missing-depends-on/README.md"),
    checks: &[Check::Compose(check)],
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    for service in &project.services {
        let mut reported = HashSet::new();
        for EnvHost { var, host, span } in env_hosts(cx, service) {
            if host.class != HostClass::Name {
                continue;
            }
            let Resolution::Found {
                service: Some(target),
                ..
            } = resolve(project, service, &host.host)
            else {
                continue;
            };
            // A target behind a profile the service does not share is optional: it cannot
            // be a hard dependency.
            let optional = !target.profiles.is_empty()
                && !target
                    .profiles
                    .iter()
                    .any(|p| service.profiles.iter().any(|q| q.value == p.value));
            if target.name == service.name
                || optional
                || depends_on(project, service, &target.name)
                || !reported.insert(target.name.clone())
            {
                continue;
            }
            let d = sink.report(
                var.name_loc.file,
                span,
                format!(
                    "service \"{}\" connects to \"{}\" ({}) but does not depend on it",
                    service.name, target.name, var.name
                ),
            );
            d.label(format!("\"{}\"", target.name))
                .secondary(target.key().file, target.key().span, "defined here")
                .note(format!(
                    "without depends_on, Compose may start \"{}\" before \"{}\"",
                    service.name, target.name
                ));
            let condition = if target.has_healthcheck() {
                "service_healthy"
            } else {
                "service_started"
            };
            d.help(format!(
                "add depends_on: {{{}: {{condition: {condition}}}}} to \"{}\"",
                target.name, service.name
            ));
        }
    }
}

/// Whether `service` starts after `target`: directly or through other services, by
/// `depends_on` or `links`.
fn depends_on(project: &Project, service: &Service, target: &str) -> bool {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut todo: Vec<&Service> = vec![service];
    while let Some(s) = todo.pop() {
        let next = s
            .depends_on
            .iter()
            .map(|d| d.service.value.as_str())
            .chain(s.links.iter().map(|l| l.target.as_str()));
        for name in next {
            if name == target {
                return true;
            }
            if seen.insert(name)
                && let Some(n) = project.service(name)
            {
                todo.push(n);
            }
        }
    }
    false
}
