//! platform-not-in-build-platforms: a service's `platform` that its `build.platforms`
//! does not list.

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};
use shipshape_model::interpolation::is_dynamic;

pub static RULE: Rule = Rule {
    name: "platform-not-in-build-platforms",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a service's platform is not one of its build.platforms",
    doc: include_str!("../../../rule-docs/platform-not-in-build-platforms/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    for service in &cx.project.services {
        let (Some(platform), Some(build)) = (&service.platform, &service.build) else {
            continue;
        };
        let platforms = &build.platforms;
        if platforms.is_empty()
            || is_dynamic(&platform.value)
            || platforms
                .iter()
                .any(|p| is_dynamic(&p.value) || p.value == platform.value)
        {
            continue;
        }
        let listed: Vec<&str> = platforms.iter().map(|p| p.value.as_str()).collect();
        sink.report(
            platform.loc.file,
            platform.loc.span,
            format!(
                "platform \"{}\" of service \"{}\" is not one of its build.platforms ({})",
                platform.value,
                service.name,
                listed.join(", ")
            ),
        )
        .label("not in build.platforms")
        .secondary(
            platforms[0].loc.file,
            platforms[0].loc.span,
            "the platforms the image is built for",
        )
        .note(format!(
            "Compose stops with \"service.build.platforms MUST include service.platform \\\"{}\\\"\"",
            platform.value
        ))
        .help(format!(
            "add \"{}\" to build.platforms, or set platform to one of them",
            platform.value
        ));
    }
}
