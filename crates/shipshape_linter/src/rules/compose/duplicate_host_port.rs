//! duplicate-host-port: two services (or one, twice) publish the same host port on the
//! same interface and protocol; the second fails with "port is already allocated".

use shipshape_model::compose::Service;
use shipshape_model::interpolation::is_dynamic;
use shipshape_model::loc::Loc;

use super::profiles::can_run_together;
use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "duplicate-host-port",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "two services publish the same host port on the same interface",
    doc: include_str!("../../../rule-docs/duplicate-host-port/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

struct Published<'p> {
    service: &'p Service,
    /// None: all interfaces.
    ip: Option<&'p str>,
    start: u32,
    end: u32,
    protocol: &'p str,
    loc: Loc,
}

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let mut seen: Vec<Published<'_>> = Vec::new();
    for service in &cx.project.services {
        for port in &service.ports {
            let Some((start, end)) = port.published.as_deref().and_then(parse_range) else {
                continue;
            };
            let ip = port
                .host_ip
                .as_deref()
                .filter(|ip| !matches!(*ip, "0.0.0.0" | "::" | ""));
            if ip.is_some_and(is_dynamic) {
                continue;
            }
            let this = Published {
                service,
                ip,
                start,
                end,
                protocol: &port.protocol,
                loc: port.loc,
            };
            if let Some(other) = seen.iter().find(|o| clash(o, &this)) {
                let shown = if start == end {
                    format!("host port {start}")
                } else {
                    format!("host ports {start}-{end}")
                };
                let message = if std::ptr::eq(other.service, &**service) {
                    format!("service \"{}\" publishes {shown} twice", service.name)
                } else {
                    format!(
                        "{shown} is already published by service \"{}\"",
                        other.service.name
                    )
                };
                sink.report(port.loc.file, port.loc.span, message)
                    .label(format!("service \"{}\"", service.name))
                    .secondary(
                        other.loc.file,
                        other.loc.span,
                        format!("published here by \"{}\"", other.service.name),
                    )
                    .note("the second container fails to start: \"port is already allocated\"")
                    .help("publish one of them on another host port (the part before the \":\")");
            }
            seen.push(this);
        }
    }
}

fn clash(a: &Published<'_>, b: &Published<'_>) -> bool {
    a.protocol == b.protocol
        && a.start <= b.end
        && b.start <= a.end
        && (a.ip.is_none() || b.ip.is_none() || a.ip == b.ip)
        && (std::ptr::eq(a.service, b.service) || can_run_together(a.service, b.service))
}

/// `8080` or `8000-8010`; None for anything else (a variable, a typo the schema reports).
fn parse_range(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b).then_some((a, b))
}
