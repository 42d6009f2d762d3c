//! unknown-compose-service: a CI script names a service (`up X`, `run X`, `exec X`,
//! `--exit-code-from X`...) that the Compose files it runs do not define, or that its
//! profiles leave out.

use shipshape_model::compose::Project;
use shipshape_model::compose_cli::{Positionals, subcommand};
use shipshape_model::shell::Word;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::gitlab::support::Once;
use crate::rules::support::did_you_mean;
use crate::runs::ComposeRun;

use super::support::{file_names, runs, word_span};

pub static RULE: Rule = Rule {
    name: "unknown-compose-service",
    group: Group::CiCompose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a CI script names a service that the compose files it runs do not define",
    doc: include_str!("../../../rule-docs/unknown-compose-service/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

/// Flags whose value is a service.
const SERVICE_FLAGS: &[&str] = &["--exit-code-from", "--attach", "--no-attach"];

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let mut once = Once::default();
    for (run, project) in runs(cx) {
        let Some(project) = project else { continue };
        let inv = &run.invocation;
        let mut named: Vec<(&Word, bool)> = Vec::new();
        let takes_services = inv
            .subcommand_name()
            .and_then(subcommand)
            .is_some_and(|s| s.positionals != Positionals::Other);
        if takes_services && !inv.uncertain {
            named.extend(inv.services.iter().map(|w| (w, false)));
        }
        for flag in &inv.flags {
            if SERVICE_FLAGS.contains(&flag.name.as_str())
                && let Some(v) = &flag.value
            {
                named.push((v, true));
            }
            // `--scale web=3`
            if flag.name == "--scale"
                && let Some(v) = &flag.value
                && let Some((service, _)) = v.text.split_once('=')
            {
                let w = Word {
                    text: service.to_string(),
                    range: v.range.start..v.range.start + service.len().min(v.range.len()),
                    dynamic: v.dynamic,
                };
                if !v.dynamic {
                    report_missing(cx, sink, &mut once, run, project, &w);
                }
            }
        }
        for (word, from_flag) in named {
            if word.dynamic {
                continue;
            }
            match project.service(&word.text) {
                None => report_missing(cx, sink, &mut once, run, project, word),
                // A service named as an argument enables its profiles; one named by a flag
                // must be enabled already.
                Some(service) if from_flag && !service.profiles.is_empty() => {
                    let Some(active) = run.active_profiles() else {
                        continue;
                    };
                    let named_too = inv.services.iter().any(|w| w.text == service.name);
                    if named_too
                        || active.contains("*")
                        || service.profiles.iter().any(|p| active.contains(&p.value))
                        || !once.first_at(run.origin, word.range.start)
                    {
                        continue;
                    }
                    let profiles: Vec<&str> =
                        service.profiles.iter().map(|p| p.value.as_str()).collect();
                    let d = sink.report(
                        run.origin.file,
                        word_span(cx, run, word.range.clone()),
                        format!("no such service: {}", word.text),
                    );
                    d.label(format!(
                        "not started: its profiles ({}) are not enabled",
                        profiles.join(", ")
                    ));
                    if let Some(p) = service.profiles.first() {
                        d.secondary(p.loc.file, p.loc.span, "the service's profile");
                    }
                    d.help(format!(
                        "add --profile {} before `{}`, or name the service after it",
                        profiles[0],
                        inv.subcommand_name().unwrap_or("up")
                    ));
                }
                Some(_) => {}
            }
        }
    }
}

fn report_missing(
    cx: &PipelineContext<'_>,
    sink: &mut Sink<'_>,
    once: &mut Once,
    run: &ComposeRun,
    project: &Project,
    word: &Word,
) {
    if !once.first_at(run.origin, word.range.start) {
        return;
    }
    let d = sink.report(
        run.origin.file,
        word_span(cx, run, word.range.clone()),
        format!("no such service: {}", word.text),
    );
    d.label(format!(
        "not a service of {}",
        file_names(cx, &run.files.found)
    ));
    if let Some(&first) = run.files.found.first()
        && let Some(model) = cx.ws.compose(first)
        && let Some(tree) = cx.ws.file(first).tree()
        && let Some(root) = model.root
        && let Some(entry) = tree.get(root, "services")
    {
        d.secondary(
            first,
            tree.node(entry.key).span,
            "the services Compose knows are defined here",
        );
    }
    let names = project.services.iter().map(|s| s.name.as_str());
    match did_you_mean(&word.text, names) {
        Some(help) => d.help(help),
        None if project.services.len() <= 8 => d.help(format!(
            "the services are {}",
            project
                .services
                .iter()
                .map(|s| format!("\"{}\"", s.name))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => d.help("`docker compose config --services` lists the services"),
    };
}
