//! broken-include: a Compose `include:` or `extends: file:` target that does not exist,
//! and `include:` files that include each other in a cycle.

use shipshape_model::compose::is_local_file_ref;
use shipshape_model::loc::Text;
use shipshape_yaml::FileId;

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};
use crate::workspace::Workspace;

pub static RULE: Rule = Rule {
    name: "broken-include",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "an include or extends file does not exist, or includes form a cycle",
    doc: include_str!("../../../rule-docs/broken-include/README.md"),
    // A cycle's files include each other, so none of them is a project's root: cycles are
    // looked for over the workspace.
    checks: &[Check::Compose(check), Check::Workspace(cycles)],
    options: &[],
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    for &file in &cx.project.files {
        let Some(model) = cx.ws.compose(file) else {
            continue;
        };
        for include in &model.include {
            missing(cx, sink, include, || {
                format!("included file \"{}\" does not exist", include.value)
            });
        }
        for env in &model.include_env_files {
            missing(cx, sink, env, || {
                format!("env file \"{}\" of an include does not exist", env.value)
            });
        }
        for service in &model.services {
            if let Some(path) = service.extends.as_ref().and_then(|e| e.file.as_ref()) {
                missing(cx, sink, path, || {
                    format!(
                        "file \"{}\" that service \"{}\" extends does not exist",
                        path.value, service.name
                    )
                });
            }
        }
    }
}

fn cycles(ws: &Workspace, sink: &mut Sink<'_>) {
    for file in ws.files.iter().filter(|f| f.compose.is_some()) {
        include_cycle(ws, sink, file.id());
    }
}

/// The included (or extended) file that does not exist, inside the project.
fn missing(
    cx: &ComposeContext<'_>,
    sink: &mut Sink<'_>,
    path: &Text,
    message: impl FnOnce() -> String,
) {
    if !is_local_file_ref(&path.value) {
        return;
    }
    let resolved = cx.ws.resolve(path.loc.file, &path.value);
    if cx.ws.is_file(&resolved) {
        return;
    }
    sink.report(path.loc.file, path.loc.span, message())
        .label("no such file")
        .note("Compose stops with \"...: no such file or directory\" before it reads the rest")
        .help(format!(
            "create \"{}\" or correct the path (it is relative to this file's directory)",
            path.value
        ));
}

/// A file on the include chain, the files it includes (with the entry that names each),
/// and the next one to follow.
type Step<'a> = (FileId, Vec<(FileId, &'a Text)>, usize);

/// An include chain from `start` that comes back to it: reported at `start`'s `include:`
/// entry that begins it (the first such chain found).
fn include_cycle(ws: &Workspace, sink: &mut Sink<'_>, start: FileId) {
    let includes = |file: FileId| -> Vec<(FileId, &Text)> {
        let Some(model) = ws.compose(file) else {
            return Vec::new();
        };
        model
            .include
            .iter()
            .filter(|t| is_local_file_ref(&t.value))
            .filter_map(|t| {
                let target = ws.file_by_path(&ws.resolve(file, &t.value))?;
                Some((target.id(), t))
            })
            .collect()
    };
    // Depth-first, with an explicit stack: (file, its includes, the next one to follow).
    let mut path: Vec<Step<'_>> = vec![(start, includes(start), 0)];
    let mut done: Vec<FileId> = Vec::new();
    while let Some((file, edges, next)) = path.last_mut() {
        let file = *file;
        let Some(&(target, _)) = edges.get(*next) else {
            done.push(file);
            path.pop();
            continue;
        };
        *next += 1;
        if target == start {
            // Back at the start: reported at the start's include that led here, so each
            // file of the cycle gets one finding, on its own line.
            let (_, first_edges, first_next) = &path[0];
            let (_, at) = first_edges[*first_next - 1];
            let names: Vec<&str> = path
                .iter()
                .map(|(f, _, _)| *f)
                .chain(std::iter::once(start))
                .map(|f| ws.source(f).name.as_str())
                .collect();
            sink.report(
                at.loc.file,
                at.loc.span,
                format!("include cycle: {}", names.join(" -> ")),
            )
            .label("leads back to this file")
            .note("Compose stops with \"include cycle detected\"")
            .help("remove one of the includes of the cycle");
            return;
        }
        if path.iter().any(|(f, _, _)| *f == target) {
            // A cycle that does not pass through `start`: its own files report it.
            continue;
        }
        if done.contains(&target) {
            continue;
        }
        path.push((target, includes(target), 0));
    }
}
