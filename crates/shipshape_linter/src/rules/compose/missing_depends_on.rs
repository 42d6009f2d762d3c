//! missing-depends-on: a service's environment points at another service of the project
//! that it does not depend on, so nothing makes Compose start that one first.

use std::collections::HashSet;

use shipshape_model::compose::names::{Resolution, resolve};
use shipshape_model::compose::{Project, Service};
use shipshape_model::hostnames::{self, HostClass};

use super::host_keys::is_peer_key;
use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "missing-depends-on",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a service's environment points at another service it does not depend on",
    doc: include_str!("../../../../../rules/missing-depends-on/README.md"),
    check: Check::Compose(check),
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    for service in &project.services {
        let mut reported = HashSet::new();
        for var in &service.environment {
            let (Some(value), Some(vref)) = (&var.value, &var.value_ref) else {
                continue;
            };
            if !is_peer_key(&var.name) {
                continue;
            }
            for host in hostnames::extract(&var.name, value)
                .into_iter()
                .filter(|h| h.class == HostClass::Name)
            {
                let Resolution::Found {
                    service: Some(target),
                    ..
                } = resolve(project, service, &host.host)
                else {
                    continue;
                };
                // A target behind a profile the service does not share is optional: it
                // cannot be a hard dependency.
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
                let span = vref.subspan(cx.tree(vref.file), cx.text(vref.file), host.range.clone());
                let d = sink.report(
                    vref.file,
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
