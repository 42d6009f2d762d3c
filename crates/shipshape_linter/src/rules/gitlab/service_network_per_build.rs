//! service-network-per-build: a CI service has to reach another service of the job by name
//! (its variables, command or entrypoint say so), but `FF_NETWORK_PER_BUILD` is off, so
//! services cannot resolve each other (SPEC-domain B5).

use shipshape_model::gitlab::Job;
use shipshape_model::gitlab::services::CiService;

use super::support::{
    HostAt, Once, kubernetes_executor, network_per_build, url_hosts, variable_hosts,
};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "service-network-per-build",
    group: Group::Gitlab,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a CI service must reach another service but `FF_NETWORK_PER_BUILD` is not enabled",
    doc: include_str!("../../../rule-docs/service-network-per-build/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

/// `banter-bus-management-api` -> `BANTER_BUS_MANAGEMENT_API`: the prefix a job variable
/// meant for that service carries.
fn variable_prefix(alias: &str) -> String {
    alias
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The hosts a service itself connects to: its own variables, the URLs in its command and
/// entrypoint, and job variables named after it (`<ALIAS>_DB_HOST`).
fn service_hosts(cx: &PipelineContext<'_>, job: &Job, service: &CiService) -> Vec<HostAt> {
    let mut out = Vec::new();
    for var in &service.variables {
        out.extend(variable_hosts(cx, var));
    }
    for value in [&service.command, &service.entrypoint]
        .into_iter()
        .flatten()
    {
        for line in value.strings() {
            out.extend(url_hosts(cx, line));
        }
    }
    let prefixes: Vec<String> = service
        .aliases
        .iter()
        .map(|(a, _)| variable_prefix(a))
        .filter(|p| p.len() >= 3)
        .collect();
    for var in cx.model().job_variables(job) {
        if prefixes
            .iter()
            .any(|p| var.name.starts_with(&format!("{p}_")))
        {
            out.extend(variable_hosts(cx, &var));
        }
    }
    out
}

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    // The Kubernetes executor runs a job's services in one pod: they reach each other.
    if kubernetes_executor(model) {
        return;
    }
    let mut once = Once::default();
    for job in model.visible_jobs() {
        let services = job.services();
        if services.len() < 2 || network_per_build(model, job) {
            continue;
        }
        for (i, service) in services.iter().enumerate() {
            for at in service_hosts(cx, job, service) {
                let Some(peer) = services
                    .iter()
                    .enumerate()
                    .find(|(j, s)| *j != i && s.answers_to(&at.host.host))
                    .map(|(_, s)| s)
                else {
                    continue;
                };
                if !once.first_at(at.origin, at.host.range.start) {
                    continue;
                }
                let name = service
                    .aliases
                    .first()
                    .map_or(service.image.as_str(), |(a, _)| a.as_str());
                let d = sink.report(
                    at.origin.file,
                    at.span,
                    format!(
                        "service \"{name}\" reaches service \"{}\" by name, but services cannot resolve each other without FF_NETWORK_PER_BUILD",
                        at.host.host
                    ),
                );
                d.label("another service of this job")
                    .secondary(
                        peer.origin.file,
                        cx.span(peer.image_origin),
                        format!("\"{}\" is this service", at.host.host),
                    )
                    .note(format!(
                        "in job \"{}\", only the job's own container can resolve service names; the runner gives the services one network only when the FF_NETWORK_PER_BUILD feature flag is on",
                        job.name
                    ))
                    .note("this holds for the Docker executor; with the Kubernetes executor services share the pod's network, and the flag may also be on in the runner's config.toml, which no file here shows")
                    .help("set FF_NETWORK_PER_BUILD: \"true\" in the job's or the pipeline's `variables:`");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(
            variable_prefix("banter-bus-management-api"),
            "BANTER_BUS_MANAGEMENT_API"
        );
        assert_eq!(variable_prefix("db.local"), "DB_LOCAL");
    }
}
