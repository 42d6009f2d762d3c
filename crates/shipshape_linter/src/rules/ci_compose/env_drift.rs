//! env-drift: a CI job sets a variable that a Compose service it runs hardcodes to another
//! value in `environment:`, so the CI value never reaches the container; and a GitLab
//! CI service whose `variables:` disagree with the Compose service of the same name.

use shipshape_model::interpolation::is_dynamic;
use std::collections::{HashMap, HashSet};

use shipshape_model::compose::{EnvVar, Project, Service};
use shipshape_model::gitlab::services::Variable;
use shipshape_model::secrets::display_value;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::gitlab::support::{Once, report_at};
use crate::runs::ComposeRun;

use super::support::runs;

pub static RULE: Rule = Rule {
    name: "env-drift",
    group: Group::CiCompose,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a CI job sets a variable that a compose service it runs hardcodes to a different value",
    doc: include_str!("../../../rule-docs/env-drift/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let mut once = Once::default();
    for (run, project) in runs(cx) {
        let Some(project) = project else { continue };
        let Some(job) = cx.model().job(&run.job) else {
            continue;
        };
        let overridden = overridden_by_flags(run);
        for var in cx.model().job_variables(job) {
            let Some(ci_value) = ci_literal(&var) else {
                continue;
            };
            if overridden.contains(var.name.as_str()) {
                continue;
            }
            for service in started(run, project) {
                let Some((env, value)) = hardcoded(service, &var.name) else {
                    continue;
                };
                if value == ci_value || !once.first_of(var.value_origin, 0, &service.name) {
                    continue;
                }
                let (ci_value, value) = (
                    display_value(&var.name, ci_value),
                    display_value(&var.name, value),
                );
                let d = report_at(
                    cx,
                    sink,
                    var.value_origin,
                    format!(
                        "job \"{}\" sets {} to \"{ci_value}\", but service \"{}\" hardcodes \"{value}\": the container gets \"{value}\"",
                        run.job, var.name, service.name
                    ),
                );
                d.label("never reaches the container");
                if let Some(loc) = &env.value_loc {
                    d.secondary(loc.file, loc.span, "hardcoded here");
                }
                d.note("Compose gives a container the values its `environment:` writes; the variables of the shell that runs `docker compose` only fill in ${...} references");
                d.help(format!(
                    "write {name}: ${{{name}:-{value}}} in the Compose file so the CI value is used, or remove {name} from the job's variables",
                    name = var.name
                ));
            }
        }
    }
    ci_services(cx, sink, &mut once);
}

/// The Compose services a pipeline's CI services are compared with, by name: those of the
/// projects its jobs run, then those of the projects in the pipeline file's directory and
/// below it (in a monorepo, each pipeline's own, not every project of the repository).
fn compose_services_near<'c>(cx: &PipelineContext<'c>) -> HashMap<&'c str, &'c Service> {
    let ws = cx.ws;
    let root = &ws.file(cx.model().root_file).source.path;
    let dir = root.parent().unwrap_or(root);
    let run = cx.pipeline.compose_runs.iter().filter_map(|r| r.project);
    let below = ws.projects_below(dir);
    let mut services = HashMap::new();
    for id in run.chain(below) {
        for s in &ws.project(id).services {
            services.entry(s.name.as_str()).or_insert(&**s);
        }
    }
    services
}

/// A CI variable's value when it is a literal (not built from other variables).
fn ci_literal(var: &Variable) -> Option<&str> {
    var.value.as_deref().filter(|v| !is_dynamic(v))
}

/// A literal value the service's `environment:` writes for `name`.
fn hardcoded<'s>(service: &'s Service, name: &str) -> Option<(&'s EnvVar, &'s str)> {
    let env = service.env(name)?;
    let value = env.value.as_deref()?;
    (!is_dynamic(value)).then_some((env, value))
}

/// Variables `run -e NAME=...` / `exec -e` set on the command line (they win).
fn overridden_by_flags(run: &ComposeRun) -> HashSet<&str> {
    run.invocation
        .flags
        .iter()
        .filter(|f| matches!(f.name.as_str(), "-e" | "--env"))
        .filter_map(|f| f.value.as_ref())
        .map(|v| v.text.split_once('=').map_or(v.text.as_str(), |(n, _)| n))
        .collect()
}

/// The services the command starts: `up` without names starts every active one; `up X`
/// and `run X` start X and what it depends on.
fn started<'p>(run: &ComposeRun, project: &'p Project) -> Vec<&'p Service> {
    let inv = &run.invocation;
    match inv.subcommand_name() {
        Some("up" | "create" | "start" | "restart") if inv.services.is_empty() => project
            .services
            .iter()
            .map(|s| &**s)
            .filter(|s| run.is_active(s))
            .collect(),
        Some("up" | "run" | "create" | "start" | "restart") => {
            let mut out: Vec<&Service> = Vec::new();
            let mut stack: Vec<&str> = inv.services.iter().map(|w| w.text.as_str()).collect();
            while let Some(name) = stack.pop() {
                let Some(s) = project.service(name) else {
                    continue;
                };
                if out.iter().any(|o| o.name == s.name) {
                    continue;
                }
                out.push(s);
                stack.extend(s.depends_on.iter().map(|d| d.service.value.as_str()));
            }
            out
        }
        _ => Vec::new(),
    }
}

/// GitLab services whose own `variables:` disagree with the Compose service of the same
/// name near the pipeline: the tests run against another configuration in CI.
fn ci_services(cx: &PipelineContext<'_>, sink: &mut Sink<'_>, once: &mut Once) {
    // Built on first need: most CI services set no variables.
    let mut nearby: Option<HashMap<&str, &Service>> = None;
    for job in cx.model().visible_jobs() {
        for ci_service in job.services() {
            if ci_service.variables.iter().all(|v| ci_literal(v).is_none()) {
                continue;
            }
            let nearby = nearby.get_or_insert_with(|| compose_services_near(cx));
            for host in &ci_service.hostnames {
                let Some(&compose_service) = nearby.get(host.as_str()) else {
                    continue;
                };
                for var in &ci_service.variables {
                    let Some(ci_value) = ci_literal(var) else {
                        continue;
                    };
                    let Some((env, value)) = hardcoded(compose_service, &var.name) else {
                        continue;
                    };
                    if value == ci_value || !once.first_of(var.value_origin, 1, host) {
                        continue;
                    }
                    let (ci_value, value) = (
                        display_value(&var.name, ci_value),
                        display_value(&var.name, value),
                    );
                    let d = report_at(
                        cx,
                        sink,
                        var.value_origin,
                        format!(
                            "CI service \"{host}\" sets {} to \"{ci_value}\", but the Compose service \"{host}\" sets \"{value}\"",
                            var.name
                        ),
                    );
                    d.label("differs from the Compose file");
                    if let Some(loc) = &env.value_loc {
                        d.secondary(loc.file, loc.span, "the Compose service's value");
                    }
                    d.note("the tests run against one configuration in CI and another locally");
                    d.help("use the same value in both, or read it from a variable in the Compose file");
                }
            }
        }
    }
}
