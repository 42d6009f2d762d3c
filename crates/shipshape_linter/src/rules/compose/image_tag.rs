//! image-tag: an image without a tag, or with `:latest`.

use shipshape_model::images;
use shipshape_model::interpolation::is_dynamic;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "image-tag",
    group: Group::Compose,
    severity: Severity::Info,
    fix: FixAvailability::None,
    summary: "an image without a tag or with :latest",
    doc: include_str!("../../../rule-docs/image-tag/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(model) = &file.compose else { return };
    for service in &model.services {
        let Some(image) = &service.image else {
            continue;
        };
        // With `build`, `image` names what is built here; an interpolated name is set
        // elsewhere.
        if service.build.is_some() || is_dynamic(&image.value) || image.value.is_empty() {
            continue;
        }
        let repo = images::repository(&image.value);
        let message = match images::tag(&image.value) {
            None if image.value.contains('@') => continue,
            None => format!(
                "image \"{}\" has no tag, so it means \"{repo}:latest\"",
                image.value
            ),
            Some("latest") => format!("image \"{}\" is pinned to \"latest\"", image.value),
            Some(_) => continue,
        };
        sink.report(file.id(), image.loc.span, message)
            .label("moves whenever a new version is pushed")
            .note("each pull can bring a different version: builds stop being reproducible and CI can break overnight")
            .help(format!("pin a version (\"{repo}:1.2.3\") or a digest (\"{repo}@sha256:...\")"));
    }
}
