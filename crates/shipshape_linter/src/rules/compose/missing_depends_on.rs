//! missing-depends-on: a service's environment points at another service of the project
//! that it does not depend on, so nothing makes Compose start that one first.

use std::collections::HashSet;

use shipshape_model::compose::names::{Resolution, resolve};
use shipshape_model::compose::{EnvVar, Project, Service};
use shipshape_model::hostnames::HostClass;

use super::env_hosts::{EnvHost, env_hosts, shared_block};
use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "missing-depends-on",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a service's environment points at another service it does not depend on",
    doc: include_str!("../../../rule-docs/missing-depends-on/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

/// Restart policies under which a service that fails to connect comes back until the
/// other one is up.
const RETRYING: &[&str] = &["always", "on-failure", "unless-stopped"];

/// Parts of variable names whose hosts are connected to only when used, not at start:
/// mail servers (a mail is sent), a database UI's default server (at login).
const LAZY_KEY_PARTS: &[&str] = &["SMTP", "MAIL", "EMAIL", "MAILER", "ADMINER"];

/// Why a missing `depends_on` is unlikely to break the start, if something says so.
fn mitigation(cx: &ComposeContext<'_>, service: &Service, var: &EnvVar) -> Option<String> {
    if let Some(restart) = service
        .restart
        .as_ref()
        .filter(|r| RETRYING.iter().any(|p| r.value.starts_with(p)))
    {
        return Some(format!(
            "\"{}\" has restart: {}, so it comes back until the other one is up",
            service.name, restart.value
        ));
    }
    let upper = var.name.to_ascii_uppercase();
    if let Some(part) = upper
        .split(['_', '.', '-'])
        .find(|p| LAZY_KEY_PARTS.contains(p))
    {
        return Some(format!(
            "{} names a {} host, which is usually connected to only when it is used, not at start",
            var.name,
            part.to_ascii_lowercase()
        ));
    }
    // A value from an anchor or `x-` block that many services share is not this
    // service's own choice of peer.
    shared_block(cx, service, var).map(|at| {
        format!(
            "{} comes from a block shared by several services ({at})",
            var.name
        )
    })
}

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
            // Adding the dependency would close a loop: the target already starts after
            // this service, so the advice would make Compose refuse the project.
            if target.name == service.name
                || optional
                || depends_on(project, service, &target.name)
                || depends_on(project, target, &service.name)
                || !reported.insert(target.name.clone())
            {
                continue;
            }
            let mitigated = mitigation(cx, service, var);
            let effective = sink.severity();
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
            if let Some(why) = mitigated {
                d.severity = effective.min(Severity::Info);
                d.note(why);
            }
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
/// `depends_on`, `links`, `network_mode: service:X` or `volumes_from: X` (Compose starts
/// each of these first).
fn depends_on(project: &Project, service: &Service, target: &str) -> bool {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut todo: Vec<&Service> = vec![service];
    while let Some(s) = todo.pop() {
        let network = s
            .network_mode
            .as_ref()
            .and_then(|m| m.value.strip_prefix("service:"));
        // `volumes_from: [db, db:ro]`; `container:name` is not a service.
        let volumes = s
            .volumes_from
            .iter()
            .filter(|v| !v.value.starts_with("container:"))
            .map(|v| v.value.split(':').next().unwrap_or_default());
        let next = s
            .depends_on
            .iter()
            .map(|d| d.service.value.as_str())
            .chain(s.links.iter().map(|l| l.target.as_str()))
            .chain(network)
            .chain(volumes);
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
