//! unknown-host (Compose side): a hostname in a URL or host-like environment value that no
//! service, network alias, container name, link or `extra_hosts` entry answers to.

use std::collections::HashSet;

use shipshape_model::compose::names::{Resolution, known_names, resolve};
use shipshape_model::hostnames::HostClass;

use super::env_hosts::{EnvHost, env_hosts};
use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};
use crate::rules::support::{did_you_mean, quoted_and};
use crate::workspace::outside;

pub static RULE: Rule = Rule {
    name: "unknown-host",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a hostname in a URL or host value matches no service, alias or container name",
    doc: include_str!("../../../../../rules/unknown-host/README.md"),
    checks: &[Check::Compose(check)],
};

/// Network modes in which the project's names are not what a container resolves.
fn outside_project_dns(mode: &str) -> bool {
    matches!(mode, "host" | "none" | "bridge") || mode.starts_with("container:")
}

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    if project.incomplete {
        return;
    }
    let external: HashSet<&str> = project
        .networks
        .iter()
        .filter(|n| n.external)
        .map(|n| n.name.as_str())
        .collect();
    for service in &project.services {
        if service
            .network_mode
            .as_ref()
            .is_some_and(|m| outside_project_dns(&m.value))
            || service
                .networks
                .iter()
                .any(|n| external.contains(n.name.value.as_str()))
        {
            // Other containers (or the host's resolver) may answer: nothing to conclude.
            continue;
        }
        for EnvHost { var, host, span } in env_hosts(cx, service) {
            if host.class != HostClass::Name
                || outside(
                    project,
                    cx.ws
                        .compose_names
                        .hosts
                        .get(&host.host.to_ascii_lowercase()),
                )
            {
                continue;
            }
            let file = var.name_loc.file;
            match resolve(project, service, &host.host) {
                Resolution::Found { .. } => {}
                Resolution::HostnameOnly {
                    service: owner,
                    loc,
                } => {
                    sink.report(file, span, format!("\"{}\" points at \"{}\", which is only the hostname of service \"{}\"", var.name, host.host, owner.name))
                        .label("not resolvable from other containers")
                        .secondary(loc.file, loc.span, "set with hostname: here")
                        .note("Compose does not register a service's hostname: with the network's DNS; other containers resolve its service name, container name and aliases")
                        .help(format!("use the service name \"{}\", or add \"{}\" to its networks' aliases", owner.name, host.host));
                }
                Resolution::NotFound => {
                    let names = known_names(project, service);
                    let d = sink.report(
                        file,
                        span,
                        format!("\"{}\" points at host \"{}\", but no service, alias or container of the project is called that", var.name, host.host),
                    );
                    d.label("unknown host");
                    match did_you_mean(&host.host, names.iter().copied()) {
                        Some(m) => d.help(m),
                        None if !names.is_empty() && names.len() <= 8 => d.help(format!("the names containers resolve here are {}", quoted_and(&names))),
                        None => d.help("use a service name, a network alias or a container name of the project"),
                    };
                }
            }
        }
    }
}
