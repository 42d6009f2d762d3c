//! missing-image-or-build: a service with neither `image` nor `build`, in a file that is
//! not an overlay of another one.

use shipshape_yaml::FileId;

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};
use shipshape_model::compose::files::{BASE_NAMES, is_override_name};

pub static RULE: Rule = Rule {
    name: "missing-image-or-build",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a service has neither image nor build",
    doc: include_str!("../../../rule-docs/missing-image-or-build/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

/// Whether the file looks like an overlay of a base shipshape does not see: no service of
/// it has an image, a build or an `extends` (a file of overrides only), and it is not named
/// as the base file Compose reads by default (`compose.yaml`...).
fn looks_like_overlay(cx: &ComposeContext<'_>, file: FileId) -> bool {
    let name = cx
        .ws
        .file(file)
        .source
        .path
        .file_name()
        .and_then(|n| n.to_str());
    if name.is_some_and(|n| BASE_NAMES.contains(&n)) {
        return false;
    }
    cx.ws.compose(file).is_some_and(|model| {
        model
            .services
            .iter()
            .all(|s| !s.has_image_source() && !s.provider)
    })
}

/// Whether a Compose file of the workspace outside this project, in the directory of
/// `file`, above it or below it, defines `name` with an image or a build: the base it is
/// combined with (`docker compose -f ../compose.yaml -f ci.yaml`). A file in a sibling
/// directory is another project that happens to use the same name ("web", "db").
fn has_base_elsewhere(cx: &ComposeContext<'_>, file: FileId, name: &str) -> bool {
    let Some(files) = cx.ws.compose_names.services.get(name) else {
        return false;
    };
    let dir = cx.ws.file(file).dir();
    files.iter().any(|&other| {
        let other_dir = cx.ws.file(other).dir();
        !cx.project.files.contains(&other)
            && (dir.starts_with(&other_dir) || other_dir.starts_with(&dir))
            && cx
                .ws
                .compose(other)
                .and_then(|m| m.service(name))
                .is_some_and(|s| s.has_image_source())
    })
}

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    // What an unread `include`/`extends` target or the rest of a broken file holds may
    // give the service its image.
    if project.incomplete || !cx.is_complete() {
        return;
    }
    for service in &project.services {
        if service.image.is_some() || service.build.is_some() || service.provider {
            continue;
        }
        let key = service.key();
        // An overlay: its name says so, or a Compose file beside it, above or below it that
        // is not part of this project gives the service an image (a base, combined with -f).
        if is_override_name(&cx.ws.source(key.file).name)
            || has_base_elsewhere(cx, key.file, &service.name)
        {
            continue;
        }
        let d = sink.report(
            key.file,
            key.span,
            format!(
                "service \"{}\" has neither an image nor a build",
                service.name
            ),
        );
        d.label("no \"image:\" and no \"build:\"").note(format!(
            "Compose stops with \"service \\\"{}\\\" has neither an image nor a build context specified\"",
            service.name
        ));
        if looks_like_overlay(cx, key.file) {
            // No service of the file has an image: it completes a base that shipshape
            // does not see (generated, or under a name that is no Compose file's).
            d.severity = Severity::Info;
            d.note("no service of this file has an image or a build: it looks like an overlay of a base file shipshape does not know");
        } else if !service.profiles.is_empty() {
            d.severity = d.severity.min(Severity::Warning);
            let profiles: Vec<&str> = service.profiles.iter().map(|p| p.value.as_str()).collect();
            d.note(format!(
                "the service runs only under profile {}: Compose rejects the file when that profile is enabled",
                profiles.join(", ")
            ));
        }
        d.help(format!(
            "give \"{}\" an image (image: name:tag) or a build (build: ./dir); if this file completes another one, name it *.override.yml or run both: docker compose -f base.yml -f this.yml",
            service.name
        ));
    }
}
