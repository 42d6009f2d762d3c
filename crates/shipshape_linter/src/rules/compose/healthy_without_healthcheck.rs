//! healthy-without-healthcheck: `condition: service_healthy` on a dependency that has no
//! healthcheck (or a disabled one): Compose fails when it starts.

use shipshape_model::compose::{Condition, Service};
use shipshape_model::images;
use shipshape_model::interpolation::is_dynamic;

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "healthy-without-healthcheck",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "condition: service_healthy on a dependency without a healthcheck",
    doc: include_str!("../../../rule-docs/healthy-without-healthcheck/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    if project.incomplete || !cx.is_complete() {
        return;
    }
    for service in &project.services {
        for dep in service
            .depends_on
            .iter()
            .filter(|d| d.condition == Condition::Healthy)
        {
            let Some(target) = project.service(&dep.service.value) else {
                continue;
            };
            if target.has_healthcheck()
                || (target.healthcheck.is_none() && image_may_declare_one(cx, target))
            {
                continue;
            }
            let at = dep.condition_loc.unwrap_or(dep.service.loc);
            let name = &target.name;
            let (message, label) = match &target.healthcheck {
                Some(h) => (
                    format!(
                        "service \"{}\" waits for \"{name}\" to be healthy, but the healthcheck of \"{name}\" is disabled",
                        service.name
                    ),
                    (h.key, "disabled here"),
                ),
                None => (
                    format!(
                        "service \"{}\" waits for \"{name}\" to be healthy, but \"{name}\" has no healthcheck",
                        service.name
                    ),
                    (target.key(), "no healthcheck"),
                ),
            };
            let d = sink.report(at.file, at.span, message);
            d.label("waits for healthy")
                .secondary(label.0.file, label.0.span, label.1);
            if dep.required {
                d.note("Compose stops with \"dependency failed to start: container ... has no healthcheck configured\"");
            } else {
                // `required: false`: Compose logs the failed dependency and goes on.
                d.severity = Severity::Info;
                d.note(format!(
                    "the dependency is required: false, so Compose only logs that it cannot wait and starts \"{}\" without waiting",
                    service.name
                ));
            }
            if target.build.is_some() && target.healthcheck.is_none() {
                d.note(format!(
                    "the Dockerfile \"{name}\" is built from declares no HEALTHCHECK either"
                ));
            }
            let probe = target
                .image
                .as_ref()
                .and_then(|i| images::healthcheck_for(&i.value));
            match probe {
                Some(test) => d.help(format!("add a healthcheck to \"{name}\", e.g. healthcheck: {{test: {test}, interval: 5s, retries: 10}}; or wait with condition: service_started")),
                None => d.help(format!("add a healthcheck to \"{name}\", or wait with condition: service_started")),
            };
        }
    }
}

/// Whether the dependency's image may declare its own `HEALTHCHECK`, which Compose honours
/// and shipshape cannot see: any image but the official ones (which never declare one,
/// by the docker-library policy) and the known server images, and a built image whose
/// Dockerfile could not be read.
fn image_may_declare_one(cx: &ComposeContext<'_>, target: &Service) -> bool {
    if let Some(build) = &target.build {
        return cx.ws.build_has_healthcheck(build.key.file, build) != Some(false);
    }
    match &target.image {
        Some(image) if !is_dynamic(&image.value) => {
            // Neither official (no `/` in the repository) nor a known server image.
            images::repository(&image.value).contains('/')
                && images::server_image(&image.value).is_none()
        }
        _ => true,
    }
}
