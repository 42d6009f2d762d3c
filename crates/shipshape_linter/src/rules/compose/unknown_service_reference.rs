//! unknown-service-reference: `depends_on`, `links`, `extends`, `network_mode: service:x`
//! or `volumes_from` name a service the project does not define.

use shipshape_model::compose::Service;
use shipshape_model::interpolation::is_dynamic;
use shipshape_model::loc::Text;

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};
use crate::rules::support::{did_you_mean, quoted_and};
use crate::workspace::outside;

pub static RULE: Rule = Rule {
    name: "unknown-service-reference",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "depends_on, links, extends, network_mode or volumes_from name a missing service",
    doc: include_str!("../../../rule-docs/unknown-service-reference/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    // What the parser never read (after a syntax error) may declare it.
    if project.incomplete || !cx.is_complete() {
        return;
    }
    let names: Vec<&str> = project.services.iter().map(|s| s.name.as_str()).collect();
    let mut report = |service: &Service, target: &str, at: &Text, how: &str| {
        // Defined by another Compose file: this one is meant to be combined with it. A
        // name from a variable is only known when Compose runs.
        if is_dynamic(target) || outside(project, cx.ws.compose_names.services.get(target)) {
            return;
        }
        let d = sink.report(
            at.loc.file,
            at.loc.span,
            format!(
                "service \"{}\" {how} undefined service \"{target}\"",
                service.name
            ),
        );
        d.label("no such service");
        // Never the service itself: a service cannot depend on, link to or extend itself.
        let others = names.iter().copied().filter(|n| *n != service.name);
        match did_you_mean(target, others) {
            Some(m) => d.help(m),
            None if names.len() <= 8 => d.help(format!("the services are {}", quoted_and(&names))),
            None => d.help("define the service, or fix the name"),
        };
    };
    for service in &project.services {
        for dep in service.depends_on.iter().filter(|d| d.required) {
            if project.service(&dep.service.value).is_none() {
                report(service, &dep.service.value, &dep.service, "depends on");
            }
        }
        for link in &service.links {
            if project.service(&link.target).is_none() {
                report(service, &link.target, &link.text, "links to");
            }
        }
        for from in &service.volumes_from {
            let target = from.value.split(':').next().unwrap_or_default();
            if !from.value.starts_with("container:") && project.service(target).is_none() {
                report(service, target, from, "takes volumes from");
            }
        }
        if let Some(mode) = &service.network_mode
            && let Some(target) = mode.value.strip_prefix("service:")
            && project.service(target).is_none()
        {
            report(service, target, mode, "uses the network of");
        }
        // `extends` without `file:` names a service of the file that says it.
        if let Some(ext) = &service.extends
            && ext.file.is_none()
            && cx
                .ws
                .compose(ext.service.loc.file)
                .is_some_and(|f| f.service(&ext.service.value).is_none())
        {
            report(service, &ext.service.value, &ext.service, "extends");
        }
    }
}
