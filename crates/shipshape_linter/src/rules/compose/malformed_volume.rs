//! malformed-volume: a short-syntax volume that Compose rejects, or accepts but surely not
//! as meant (SPEC-domain A6).

use shipshape_model::compose::{is_path_like, split_volume};
use shipshape_model::interpolation::is_dynamic;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "malformed-volume",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::None,
    summary: "a short-syntax volume entry that Compose rejects, or reads differently than meant",
    doc: include_str!("../../../rule-docs/malformed-volume/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

/// Mount options Compose knows (compose-go `format/volume.go`); others are ignored.
const MODES: &[&str] = &[
    "ro",
    "rw",
    "nocopy",
    "z",
    "Z",
    "rprivate",
    "private",
    "rshared",
    "shared",
    "rslave",
    "slave",
    "consistent",
    "cached",
    "delegated",
];

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(model) = &file.compose else { return };
    let id = file.id();
    for service in &model.services {
        for mount in &service.volumes {
            let Some(spec) = &mount.short else { continue };
            let span = mount.loc.span;
            let parts = split_volume(spec);
            let svc = &service.name;
            if spec.contains(char::is_whitespace) && !is_dynamic(spec) {
                if parts.len() == 1 {
                    sink.report(id, span, format!("\"{spec}\" is one container path with a space in it, not a mount"))
                        .label("no \":\" here")
                        .note(format!("Compose reads an entry without \":\" as an anonymous volume: service \"{svc}\" gets an empty volume at \"{spec}\""))
                        .help("to mount a host directory write \"HOST_PATH:CONTAINER_PATH\"; for a named volume \"NAME:CONTAINER_PATH\"");
                } else {
                    sink.report(
                        id,
                        span,
                        format!("the volume entry \"{spec}\" has a space in it"),
                    )
                    .label("space")
                    .help("remove the space, or quote a path that really has one");
                }
                continue;
            }
            if parts.len() > 3 {
                sink.report(
                    id,
                    span,
                    format!("the volume entry \"{spec}\" has too many colons"),
                )
                .label("more than SOURCE:TARGET:MODE")
                .note("Compose stops with \"invalid spec: too many colons\"")
                .help(
                    "write SOURCE:TARGET[:MODE]; use the long syntax for paths that contain \":\"",
                );
                continue;
            }
            if parts.iter().any(String::is_empty) {
                sink.report(
                    id,
                    span,
                    format!("the volume entry \"{spec}\" has an empty part"),
                )
                .label("nothing between the colons")
                .note("Compose stops with \"empty section between colons\"");
                continue;
            }
            if let Some(mode) = &mount.mode
                && !is_dynamic(mode)
            {
                let unknown: Vec<&str> = mode.split(',').filter(|m| !MODES.contains(m)).collect();
                if let Some(bad) = unknown.first() {
                    let d = sink.report(id, span, format!("\"{bad}\" is not a volume mode"));
                    d.label("unknown mode")
                        .note("Compose ignores modes it does not know, so this one has no effect");
                    match crate::rules::support::did_you_mean(bad, MODES.iter().copied()) {
                        Some(m) => d.help(m),
                        None => d.help("use ro, rw, z, Z, nocopy or a propagation mode (rshared, rslave, rprivate)"),
                    };
                    continue;
                }
            }
            if let Some(source) = &mount.source
                && source.contains('/')
                && !is_path_like(source)
            {
                sink.report(id, span, format!("\"{source}\" is read as a volume name, not as a path"))
                    .label("relative path without \"./\"")
                    .note("only sources starting with \".\", \"/\" or \"~\" are host paths; a volume name cannot contain \"/\"")
                    .help(format!("write \"./{source}\" to mount the directory next to the Compose file"));
                continue;
            }
            if let Some(target) = &mount.target
                && !target.starts_with('/')
                && !target.starts_with('$')
                && !is_path_like(target)
            {
                sink.report(
                    id,
                    span,
                    format!("the container path \"{target}\" is not absolute"),
                )
                .label("relative container path")
                .help(format!(
                    "write an absolute path inside the container, e.g. \"/{target}\""
                ));
            }
        }
    }
}
