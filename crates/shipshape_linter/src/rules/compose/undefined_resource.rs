//! undefined-resource: a named volume, network, secret or config that a service uses but
//! the project does not declare at the top level.

use shipshape_model::compose::{MountType, Resource, Service, is_path_like};
use shipshape_model::interpolation::is_dynamic;
use shipshape_model::loc::Loc;

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};
use crate::rules::support::did_you_mean;
use crate::workspace::outside;

pub static RULE: Rule = Rule {
    name: "undefined-resource",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a named volume, network, secret or config is used but not declared at the top level",
    doc: include_str!("../../../rule-docs/undefined-resource/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    // What the parser never read (after a syntax error) may declare it.
    if project.incomplete || !cx.is_complete() {
        return;
    }
    // A resource another Compose file declares: this one is meant to be combined with it.
    let names = &cx.ws.compose_names;
    for service in &project.services {
        for mount in &service.volumes {
            let named = matches!(mount.kind, MountType::Volume)
                && mount
                    .source
                    .as_ref()
                    .is_some_and(|s| !s.is_empty() && !is_path_like(s));
            if let (true, Some(source)) = (named, &mount.source)
                && !outside(project, names.volumes.get(source))
            {
                check_one(sink, service, "volume", source, mount.loc, &project.volumes);
            }
        }
        for net in &service.networks {
            if net.name.value != "default" && !outside(project, names.networks.get(&net.name.value))
            {
                check_one(
                    sink,
                    service,
                    "network",
                    &net.name.value,
                    net.name.loc,
                    &project.networks,
                );
            }
        }
        for secret in &service.secrets {
            if !outside(project, names.secrets.get(&secret.value)) {
                check_one(
                    sink,
                    service,
                    "secret",
                    &secret.value,
                    secret.loc,
                    &project.secrets,
                );
            }
        }
        for config in &service.configs {
            if !outside(project, names.configs.get(&config.value)) {
                check_one(
                    sink,
                    service,
                    "config",
                    &config.value,
                    config.loc,
                    &project.configs,
                );
            }
        }
    }
}

fn check_one(
    sink: &mut Sink<'_>,
    service: &Service,
    kind: &str,
    name: &str,
    at: Loc,
    declared: &[Resource],
) {
    if is_dynamic(name) || declared.iter().any(|r| r.name == name) {
        return;
    }
    let d = sink.report(
        at.file,
        at.span,
        format!(
            "service \"{}\" refers to undefined {kind} \"{name}\"",
            service.name
        ),
    );
    d.label(format!("not declared under top-level \"{kind}s:\""))
        .note(format!(
            "Compose stops with \"service \\\"{}\\\" refers to undefined {kind} {name}\"",
            service.name
        ));
    match did_you_mean(name, declared.iter().map(|r| r.name.as_str())) {
        Some(m) => d.help(m),
        None => d.help(format!(
            "declare it at the top level: {kind}s: {{{name}: {{}}}}"
        )),
    };
}
