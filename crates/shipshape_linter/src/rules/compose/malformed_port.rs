//! malformed-port: a short `ports:` entry Compose cannot parse (`127.0.0.1:3001`, a
//! port over 65535, an unknown protocol).

use shipshape_model::interpolation::is_dynamic;
use std::net::IpAddr;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "malformed-port",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a ports entry Compose cannot parse",
    doc: include_str!("../../../rule-docs/malformed-port/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(model) = &file.compose else { return };
    for service in &model.services {
        for port in &service.ports {
            let Some(short) = &port.short else { continue };
            if is_dynamic(short) {
                continue;
            }
            let Some(problem) = port_spec_error(short) else {
                continue;
            };
            let d = sink.report(
                port.loc.file,
                port.loc.span,
                format!(
                    "port \"{short}\" of service \"{}\": {}",
                    service.name, problem.message
                ),
            );
            d.label(problem.label)
                .note(format!("Compose stops with \"{}\"", problem.message))
                .help(problem.help);
        }
    }
}

pub struct PortProblem {
    /// Compose's own words (docker/go-connections `nat.ParsePortSpec`).
    pub message: String,
    pub label: &'static str,
    pub help: String,
}

/// What Compose says of a short port entry `[ip:][host:]container[/protocol]`, when it
/// rejects it. Mirrors `nat.ParsePortSpec`: split on `:` (the last part is the container
/// port, the one before it the host port, the rest the IP), then the protocol off the
/// container port.
pub fn port_spec_error(raw: &str) -> Option<PortProblem> {
    let parts: Vec<&str> = raw.split(':').collect();
    let n = parts.len();
    let (ip, host, container) = match n {
        1 => (String::new(), "", parts[0]),
        2 => (String::new(), parts[0], parts[1]),
        _ => (parts[..n - 2].join(":"), parts[n - 2], parts[n - 1]),
    };
    let (container, proto) = match container.split_once('/') {
        Some((port, "")) => (port, "tcp"),
        Some((port, proto)) => (port, proto.split('/').next().unwrap_or(proto)),
        None => (container, "tcp"),
    };
    let bare_ip = ip
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(&ip);
    if !ip.is_empty() && bare_ip.parse::<IpAddr>().is_err() {
        return Some(PortProblem {
            message: format!("invalid IP address: {ip}"),
            label: "not an IP address",
            help: format!(
                "write IP:HOST_PORT:CONTAINER_PORT with an IP address (\"127.0.0.1:{host}:{container}\"), or HOST_PORT:CONTAINER_PORT"
            ),
        });
    }
    if container.is_empty() {
        return Some(PortProblem {
            message: format!("no port specified: {raw}<empty>"),
            label: "no container port",
            help: "end the entry with the container port: HOST_PORT:CONTAINER_PORT".into(),
        });
    }
    let Some(target) = port_range(container) else {
        return Some(PortProblem {
            message: format!("invalid containerPort: {container}"),
            label: "not a port or range",
            help: "the container port is a number from 0 to 65535, or a range (8000-8010)".into(),
        });
    };
    if !host.is_empty() {
        let Some(published) = port_range(host) else {
            let help = if host.parse::<IpAddr>().is_ok() {
                format!(
                    "\"{host}\" is an IP address, not a host port: write {host}:{container}:{container} to publish on that interface"
                )
            } else {
                "the host port is a number from 0 to 65535, or a range (8000-8010)".into()
            };
            return Some(PortProblem {
                message: format!("invalid hostPort: {host}"),
                label: "not a port or range",
                help,
            });
        };
        if target.1 - target.0 != published.1 - published.0 && target.0 != target.1 {
            return Some(PortProblem {
                message: format!(
                    "invalid ranges specified for container and host Ports: {container} and {host}"
                ),
                label: "ranges of different sizes",
                help: "give the host and container ranges the same number of ports".into(),
            });
        }
    }
    if !["tcp", "udp", "sctp"].contains(&proto.to_ascii_lowercase().as_str()) {
        return Some(PortProblem {
            message: format!("invalid proto: {proto}"),
            label: "not tcp, udp or sctp",
            help: "the protocol is tcp, udp or sctp".into(),
        });
    }
    None
}

/// `N` or `N-M` (N <= M), each a port number; as `nat.ParsePortRange`.
fn port_range(text: &str) -> Option<(u32, u32)> {
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u16>().ok().map(u32::from))
            .flatten()
    };
    match text.split_once('-') {
        None => number(text).map(|n| (n, n)),
        Some((start, end)) => {
            let (start, end) = (number(start)?, number(end.split('-').next()?)?);
            (start <= end).then_some((start, end))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::port_spec_error;

    fn message(raw: &str) -> Option<String> {
        port_spec_error(raw).map(|p| p.message)
    }

    #[test]
    fn what_compose_accepts() {
        for ok in [
            "80",
            "8080:80",
            "127.0.0.1:8080:80",
            "127.0.0.1::80",
            "[::1]:8080:80",
            "::1:8080:80",
            "8000-8010:8000-8010",
            "9090-9091:8080",
            "80-81:90",
            "53:53/udp",
            "80/TCP",
            "80/",
            "0:80",
        ] {
            assert_eq!(message(ok), None, "{ok}");
        }
    }

    #[test]
    fn what_compose_rejects_in_its_words() {
        for (bad, said) in [
            ("127.0.0.1:3001", "invalid hostPort: 127.0.0.1"),
            ("3001:3001:3001", "invalid IP address: 3001"),
            ("abc:80", "invalid hostPort: abc"),
            ("8080:", "no port specified: 8080:<empty>"),
            ("8080:70000", "invalid containerPort: 70000"),
            ("8080:80/http", "invalid proto: http"),
            ("90-80:80", "invalid hostPort: 90-80"),
            (
                "8000-8001:80-82",
                "invalid ranges specified for container and host Ports: 80-82 and 8000-8001",
            ),
        ] {
            assert_eq!(message(bad).as_deref(), Some(said), "{bad}");
        }
    }
}
