//! unknown-host (Compose side): a hostname in a URL or host-like environment value that no
//! service, network alias, container name, link or `extra_hosts` entry answers to.

use std::collections::HashSet;

use shipshape_model::compose::names::{Resolution, known_names, resolve};
use shipshape_model::gitlab::Job;
use shipshape_model::gitlab::services::{CiService, Variable, variables};
use shipshape_model::hostnames::{HostClass, is_issuer_key};

use super::env_hosts::{EnvHost, env_hosts};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rule::{Check, ComposeContext, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::gitlab::support::{
    Once, kubernetes_executor, label_job_if_inherited, network_per_build, variable_hosts,
};
use crate::rules::support::{did_you_mean, quoted_and};
use crate::workspace::outside;

pub static RULE: Rule = Rule {
    name: "unknown-host",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a hostname in a URL or host value matches no service, alias or container name",
    doc: include_str!("../../../rule-docs/unknown-host/README.md"),
    checks: &[Check::Compose(check), Check::Pipeline(check_pipeline)],
    options: &[],
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
                || is_issuer_key(&var.name)
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
                // Docker Engine 25+ resolves a container's `hostname:` on the project's
                // networks (SPEC-domain A, `hostname`): a match on it is a match.
                Resolution::Found { .. } | Resolution::HostnameOnly { .. } => {}
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

/// GitLab side: hosts in the variables of jobs that have services (and in the services'
/// own variables) must be one of the job's service names; hosts in the pipeline's global
/// variables must be a service name of some job.
fn check_pipeline(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    // Services and variables may come from an include that was not read.
    if cx.is_open() {
        return;
    }
    let model = cx.model();
    // The Kubernetes executor: service aliases are pod host aliases, and what the job
    // reaches is the pod's own network, which no file shows.
    if kubernetes_executor(model) {
        return;
    }
    let jobs: Vec<(&Job, Vec<CiService>)> = model
        .visible_jobs()
        .map(|j| (j, j.services()))
        .filter(|(_, s)| !s.is_empty())
        .collect();
    if jobs.is_empty() {
        return;
    }
    let answers = |services: &[CiService], job: Option<&Job>, host: &str| {
        services.iter().any(|s| s.answers_to(host))
            || (host == "build" && job.is_some_and(|j| network_per_build(model, j)))
    };
    // (variables, the services that must answer, the job they belong to): the global
    // variables against every job's services, then each job's own and its services'.
    let all: Vec<CiService> = jobs.iter().flat_map(|(_, s)| s.iter().cloned()).collect();
    let mut scopes: Vec<(Vec<Variable>, &[CiService], Option<&Job>)> =
        vec![(model.variables.clone(), &all, None)];
    for (job, services) in &jobs {
        let mut vars = variables(job.value.get("variables"));
        vars.extend(services.iter().flat_map(|s| s.variables.iter().cloned()));
        scopes.push((vars, services, Some(job)));
    }
    let mut once = Once::default();
    for (vars, services, job) in scopes {
        for var in &vars {
            // A global DOCKER_HOST no job's service answers: the runner provides the
            // daemon (a service in its config.toml); dind-tls-mismatch checks the jobs
            // that start one.
            if job.is_none() && var.name == "DOCKER_HOST" || is_issuer_key(&var.name) {
                continue;
            }
            for at in variable_hosts(cx, var) {
                if at.host.class != HostClass::Name
                    || answers(services, job, &at.host.host)
                    || !once.first_at(at.origin, at.host.range.start)
                {
                    continue;
                }
                let whose = match job {
                    Some(j) => format!("job \"{}\"", j.name),
                    None => "any job".to_string(),
                };
                let d = sink.report(
                    at.origin.file,
                    at.span,
                    format!(
                        "\"{}\" points at host \"{}\", but no service of {whose} is called that",
                        var.name, at.host.host
                    ),
                );
                d.label("unknown host");
                d.note("with the Docker executor a job reaches its services by their aliases and names only; the Kubernetes executor (which no file here shows) works otherwise");
                if let Some(job) = job {
                    label_job_if_inherited(cx, d, job, at.origin);
                }
                help_names(d, &at.host.host, services);
                // The same stack in a Compose file of the repository: the CI services
                // are missing the alias that file's service name gives.
                if let Some(&file) = cx
                    .ws
                    .compose_names
                    .hosts
                    .get(&at.host.host.to_ascii_lowercase())
                    .and_then(|files| files.first())
                {
                    d.note(format!(
                        "{} names a Compose service or container \"{}\"; in CI, a service answers to that name only with `alias: {}`",
                        cx.ws.source(file).name,
                        at.host.host,
                        at.host.host
                    ));
                }
            }
        }
    }
}

fn help_names(d: &mut Diagnostic, host: &str, services: &[CiService]) {
    let names: Vec<&str> = services
        .iter()
        .flat_map(|s| s.hostnames.iter().map(String::as_str))
        .collect();
    match did_you_mean(host, names.iter().copied()) {
        Some(m) => d.help(m),
        None if !names.is_empty() && names.len() <= 8 => d.help(format!(
            "the services answer to {}; add `alias: {host}` to the service meant",
            quoted_and(&names)
        )),
        None => d.help(format!("add `alias: {host}` to the service meant")),
    };
}
