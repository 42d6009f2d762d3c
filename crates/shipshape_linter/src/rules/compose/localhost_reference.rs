//! localhost-reference: an environment value that reaches another service through
//! `localhost` or `127.0.0.1`, which inside a container is that container itself.

use shipshape_model::compose::{Project, Service};
use shipshape_model::hostnames::{HostClass, HostShape};
use shipshape_model::images;

use super::env_hosts::{EnvHost, env_hosts, shared_block};
use crate::diagnostic::Severity;
use crate::rule::{
    Check, ComposeContext, FixAvailability, Group, OptionKind, Rule, RuleOption, Sink,
};

pub static RULE: Rule = Rule {
    name: "localhost-reference",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "an environment value reaches another service through localhost from inside a container",
    doc: include_str!("../../../rule-docs/localhost-reference/README.md"),
    checks: &[Check::Compose(check)],
    options: &[&PUBLIC_URL_VARIABLES],
};

/// Variables a project uses for its own public address (a link handed to browsers, a
/// callback URL), which the built-in name patterns (`*_PUBLIC_URL`, `*_BASE_URL`, ...)
/// do not recognise.
pub static PUBLIC_URL_VARIABLES: RuleOption = RuleOption {
    name: "public-url-variables",
    kind: OptionKind::Strings,
    summary: "variables whose URL is for browsers or names the container itself, never another service",
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    let public_urls = sink.strings(&PUBLIC_URL_VARIABLES);
    for service in &project.services {
        // In the host's or another service's network namespace, localhost is shared.
        if service.network_mode.as_ref().is_some_and(|m| {
            m.value == "host"
                || m.value.starts_with("service:")
                || m.value.starts_with("container:")
        }) {
            continue;
        }
        for EnvHost { var, host, span } in env_hosts(cx, service) {
            if host.class != HostClass::Loopback || public_urls.contains(&var.name) {
                continue;
            }
            let Some((target, why)) = meant_service(project, service, &var.name, host.port) else {
                continue;
            };
            // `http://localhost:8080` where a service publishes 8080 on the host is also
            // what a browser on that host opens: whether the container or a browser uses
            // the URL, shipshape cannot see.
            let value = var.value.as_deref().unwrap_or_default();
            let for_browser = host.shape == HostShape::Url
                && value[..host.range.start].ends_with("://")
                && value[..host.range.start].starts_with("http")
                && host.port.is_some_and(|p| published(project, p));
            let shared = shared_block(cx, service, var);
            let effective = sink.severity();
            let d = sink.report(
                var.name_loc.file,
                span,
                format!("\"{}\" points at {}, which inside service \"{}\" is \"{}\" itself", var.name, host.host, service.name, service.name),
            )
            .label("this container, not another one")
            .secondary(target.key().file, target.key().span, why)
            .note("every container has its own localhost; other services are reached by their service name")
            .help(format!("use the service name: \"{}\"", target.name));
            if let Some(at) = shared {
                d.severity = effective.min(Severity::Info);
                d.note(format!("the value comes from a block several services share ({at}): it may be right for the others"));
            }
            if for_browser {
                d.severity = effective.min(Severity::Info);
                d.note(format!("port {} is published on the host: if a browser on the host opens this URL (a link handed out), it is right", host.port.unwrap_or_default()));
            }
        }
    }
}

/// The other service the value most likely means: one that serves the port, or, with no
/// port, one whose name or image kind the key names. None when nothing points anywhere
/// (the container may well talk to itself).
fn meant_service<'p>(
    project: &'p Project,
    from: &Service,
    key: &str,
    port: Option<u16>,
) -> Option<(&'p Service, String)> {
    let others = project
        .services
        .iter()
        .map(|s| &**s)
        .filter(|s| s.name != from.name);
    if let Some(port) = port {
        // Localhost on a port the container itself publishes is itself.
        if serves(from, port) {
            return None;
        }
        return others
            .into_iter()
            .find(|s| serves(s, port))
            .map(|s| (s, format!("\"{}\" listens on port {port}", s.name)));
    }
    let parts: Vec<String> = key
        .to_ascii_uppercase()
        .split('_')
        .map(str::to_string)
        .collect();
    for s in others {
        let name = s.name.to_ascii_uppercase().replace('-', "_");
        if parts.contains(&name) {
            return Some((s, format!("the key names \"{}\"", s.name)));
        }
        if let Some(image) = s
            .image
            .as_ref()
            .and_then(|i| images::server_image(&i.value))
            && image.key_words.iter().any(|w| parts.iter().any(|p| p == w))
        {
            return Some((s, format!("\"{}\" is {}", s.name, image.what)));
        }
    }
    None
}

/// Whether some service of the project publishes a port on the host (`8080:80` publishes
/// 8080).
fn published(project: &Project, port: u16) -> bool {
    let port = port.to_string();
    project
        .services
        .iter()
        .flat_map(|s| &s.ports)
        .any(|p| p.published.as_deref() == Some(port.as_str()))
}

/// Whether a service listens on a port: a container port it maps, or its image's default.
fn serves(service: &Service, port: u16) -> bool {
    let port_s = port.to_string();
    service.ports.iter().any(|p| {
        p.target.as_deref() == Some(port_s.as_str())
            || p.published.as_deref() == Some(port_s.as_str())
    }) || service
        .image
        .as_ref()
        .and_then(|i| images::server_image(&i.value))
        .is_some_and(|img| img.ports.contains(&port))
}
