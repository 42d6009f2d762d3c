//! dind-tls-mismatch: `DOCKER_HOST` on port 2375 while the `docker:dind` service has TLS
//! on (it then listens on 2376 only), or on 2376 while `DOCKER_TLS_CERTDIR: ""` turned TLS
//! off (it then listens on 2375) (SPEC-domain B6).

use shipshape_model::gitlab::services::{CiService, Variable};
use shipshape_model::hostnames;
use shipshape_model::images;

use super::support::{Once, label_job_if_inherited, value_span};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "dind-tls-mismatch",
    group: Group::Gitlab,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "`DOCKER_HOST` port and `DOCKER_TLS_CERTDIR` disagree for a `docker:dind` service",
    doc: include_str!("../../../rule-docs/dind-tls-mismatch/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

/// Whether a `docker:*dind*` image turns TLS on by default: since 19.03 it does; None when
/// the tag does not say.
fn tls_by_default(image: &str) -> Option<bool> {
    let repo = images::repository(image);
    if repo.rsplit('/').next() != Some("docker") {
        return None;
    }
    let tag = images::tag(image)?;
    if !tag.contains("dind") {
        return None;
    }
    if tag.starts_with("dind") {
        return Some(true);
    }
    let mut numbers = tag.split(['.', '-']).map(|p| p.parse::<u32>().ok());
    match (numbers.next().flatten(), numbers.next().flatten()) {
        (Some(major), minor) => Some(major > 19 || (major == 19 && minor.unwrap_or(0) >= 3)),
        _ => None,
    }
}

fn find<'v>(vars: &'v [Variable], name: &str) -> Option<&'v Variable> {
    vars.iter().find(|v| v.name == name)
}

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    let mut once = Once::default();
    for job in model.visible_jobs() {
        let services = job.services();
        let dind: Vec<(&CiService, bool)> = services
            .iter()
            .filter_map(|s| Some((s, tls_by_default(&s.image)?)))
            .collect();
        if dind.is_empty() {
            continue;
        }
        let vars = model.job_variables(job);
        let Some(host_var) = find(&vars, "DOCKER_HOST") else {
            continue;
        };
        let Some(value) = &host_var.value else {
            continue;
        };
        let Some(host) = hostnames::extract("DOCKER_HOST", value)
            .into_iter()
            .find(|h| h.shape == hostnames::HostShape::Url)
        else {
            continue;
        };
        let Some(port) = host.port else { continue };
        let Some(&(service, default_tls)) = dind.iter().find(|(s, _)| s.answers_to(&host.host))
        else {
            continue;
        };
        // The daemon reads DOCKER_TLS_CERTDIR from its own variables, else from the job's.
        let certdir = find(&service.variables, "DOCKER_TLS_CERTDIR")
            .or_else(|| find(&vars, "DOCKER_TLS_CERTDIR"));
        let tls = match certdir {
            Some(v) => match v.value.as_deref() {
                Some(dir) if shipshape_model::interpolation::is_dynamic(dir) => continue,
                Some("") => false,
                Some(_) => default_tls,
                None => continue,
            },
            // An unread include may set it.
            None if cx.is_open() => continue,
            None => default_tls,
        };
        let origin = host_var.value_origin;
        let port_text = format!(":{port}");
        let end = value[host.range.end..]
            .find(&port_text)
            .map_or(host.range.end, |i| host.range.end + i + port_text.len());
        let span = value_span(cx, origin, host.range.start..end);
        match (port, tls) {
            (2375, true) => {
                if !once.first(origin) {
                    continue;
                }
                let d = sink.report(
                    origin.file,
                    span,
                    format!(
                        "DOCKER_HOST uses port 2375, but the \"{}\" service has TLS on and listens on port 2376 only",
                        service.image
                    ),
                );
                d.label("plain TCP port");
                match certdir {
                    Some(v) => d.secondary(
                        v.value_origin.file,
                        cx.span(v.value_origin),
                        "TLS is on: certificates are written here",
                    ),
                    None => d.secondary(
                        service.image_origin.file,
                        cx.span(service.image_origin),
                        "TLS is on by default (DOCKER_TLS_CERTDIR is not set to \"\")",
                    ),
                };
                label_job_if_inherited(cx, d, job, origin);
                d.note(format!(
                    "job \"{}\" fails with \"Cannot connect to the Docker daemon at {value}. Is the docker daemon running?\"",
                    job.name
                ))
                .help(format!(
                    "set DOCKER_TLS_CERTDIR: \"\" to turn TLS off, or use tcp://{}:2376 with DOCKER_TLS_CERTDIR: \"/certs\"",
                    host.host
                ));
            }
            (2376, false) => {
                if !once.first(origin) {
                    continue;
                }
                let d = sink.report(
                    origin.file,
                    span,
                    format!(
                        "DOCKER_HOST uses port 2376 (TLS), but TLS is off: the \"{}\" service listens on port 2375",
                        service.image
                    ),
                );
                d.label("TLS port");
                if let Some(v) = certdir {
                    d.secondary(
                        v.value_origin.file,
                        cx.span(v.value_origin),
                        "an empty DOCKER_TLS_CERTDIR turns TLS off",
                    );
                }
                label_job_if_inherited(cx, d, job, origin);
                d.help(format!(
                    "use tcp://{}:2375, or set DOCKER_TLS_CERTDIR: \"/certs\" to turn TLS on",
                    host.host
                ));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_defaults_by_tag() {
        assert_eq!(tls_by_default("docker:dind"), Some(true));
        assert_eq!(tls_by_default("docker:24.0.5-dind"), Some(true));
        assert_eq!(tls_by_default("docker:19.03.12-dind"), Some(true));
        assert_eq!(tls_by_default("docker:18.09-dind"), Some(false));
        assert_eq!(tls_by_default("docker:dind-rootless"), Some(true));
        assert_eq!(
            tls_by_default("registry.example.com/mirror/docker:27-dind"),
            Some(true)
        );
        assert_eq!(tls_by_default("docker:24"), None);
        assert_eq!(tls_by_default("docker:stable-dind"), None);
        assert_eq!(tls_by_default("postgres:16"), None);
    }
}
