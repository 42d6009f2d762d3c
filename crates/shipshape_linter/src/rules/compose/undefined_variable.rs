//! undefined-variable: `${VAR}` (or `${VAR:?msg}`) without a default that nothing visible
//! sets. Two cases are certain enough to report:
//!
//! - the project keeps its variables in a `.env` file (or documents them in
//!   `.env.example`), and that file does not define the variable;
//! - the variable is set in the same service's `environment`, and used in its `command`,
//!   `entrypoint`, healthcheck or another value: Compose substitutes it from the host
//!   before the container starts, so the container's value is never used (`$$VAR` was
//!   meant).
//!
//! Otherwise shipshape cannot tell where variables come from (a shell, a CI job's
//! settings) and says nothing; the CI side (`ci-variable-not-passed`) checks the variables
//! a pipeline passes.

use shipshape_model::interpolation::is_dynamic;
use std::collections::{BTreeMap, HashSet};

use shipshape_model::compose::{Project, Service};
use shipshape_model::dotenv::{DotEnv, variant_env_files};
use shipshape_model::interpolation::{self, Operator, SHELL_VARIABLES};
use shipshape_yaml::{FileId, NodeId, PathSegment, Span, Tree};

use crate::diagnostic::{Edit, Fix, Severity};
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "undefined-variable",
    group: Group::Compose,
    severity: Severity::Warning,
    fix: FixAvailability::Unsafe,
    summary: "a ${VAR} that .env does not set, or that Compose takes from the host where the container's was meant",
    doc: include_str!("../../../rule-docs/undefined-variable/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

/// Service keys whose values the container runs: a `$VAR` there was meant for the
/// container's shell (ports, images or labels are configuration for the host).
const RUN_KEYS: &[&str] = &[
    "command",
    "entrypoint",
    "healthcheck",
    "post_start",
    "pre_stop",
];

/// A variable Compose fills in from the host's environment: one finding per name, at
/// its first use.
struct HostUse {
    span: Span,
    required: bool,
    uses: usize,
}

/// A use inside a service whose own `environment` sets the variable: each is its own
/// mistake with its own fix, so that one `--fix` run escapes them all.
struct ContainerUse {
    name: String,
    span: Span,
    service: String,
    /// Whether a shell runs the value in the container (then `$$VAR` is the fix).
    shell: bool,
}

// Long because: one walk over the project's interpolated scalars decides, per reference,
// between the project's `.env`, the CI jobs that run it, the shell and the container;
// those decisions share the walk's state (the names found, the fixes offered).
fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    let source = project
        .env_sources
        .iter()
        .find(|s| !s.example)
        .or_else(|| project.env_sources.first());
    let defined: HashSet<&str> = project
        .env_sources
        .iter()
        .filter(|s| Some(s.example) == source.map(|s| s.example))
        .filter_map(|s| cx.ws.file(s.file).dotenv.as_ref())
        .flat_map(|env| env.entries.iter().map(|e| e.name.as_str()))
        .collect();
    let env_name = source.map_or(".env".to_string(), |s| {
        cx.ws
            .source(s.file)
            .path
            .file_name()
            .map_or(".env".into(), |n| crate::discover::os_text(n).into_owned())
    });
    for &file in &project.owned {
        let analyzed = cx.ws.file(file);
        let Some(tree) = analyzed.tree() else {
            continue;
        };
        let text = cx.text(file);
        let set_elsewhere = SetElsewhere::of(cx, file);
        let mut found: BTreeMap<String, HostUse> = BTreeMap::new();
        let mut shadowed: Vec<ContainerUse> = Vec::new();
        // References inside a value the secret scan found (`Pa$word123`): reported
        // without their name, which is a piece of the secret.
        let mut in_secret: Vec<Span> = Vec::new();
        for &id in analyzed.dollar_scalars() {
            let Some(value) = tree.scalar_at(id) else {
                continue;
            };
            if tree.is_key(id) {
                continue;
            }
            let parsed = interpolation::parse(value);
            if parsed.references.is_empty() {
                continue;
            }
            // Found only for a reference that needs it (most have a default).
            let mut service_at: Option<Option<(&Service, String)>> = None;
            for r in &parsed.references {
                // A reference inside a default only matters when its outer one is unset.
                if r.has_fallback()
                    || r.nested
                    || defined.contains(r.name.as_str())
                    || shipshape_model::interpolation::COMPOSE_PREDEFINED.contains(&r.name.as_str())
                    || SHELL_VARIABLES.contains(&r.name.as_str())
                {
                    continue;
                }
                let service =
                    service_at.get_or_insert_with(|| enclosing_service(tree, id, project));
                // The service sets the variable to a value of its own (not `- VAR` or
                // `VAR=${VAR}`, which pass the host's value in on purpose).
                let container_var = service
                    .as_ref()
                    .filter(|(s, key)| {
                        RUN_KEYS.contains(&key.as_str())
                            && s.env(&r.name)
                                .and_then(|e| e.value.as_deref())
                                .is_some_and(|v| !is_dynamic(v))
                    })
                    .map(|(s, _)| s.name.clone());
                if source.is_none() && container_var.is_none() {
                    continue;
                }
                let span = tree.value_subspan(text, id, r.range.clone());
                if analyzed
                    .secrets
                    .iter()
                    .any(|s| s.span.start < span.end && span.start < s.span.end)
                {
                    if source.is_some() {
                        in_secret.push(span);
                    }
                    continue;
                }
                if let Some(service) = container_var {
                    shadowed.push(ContainerUse {
                        name: r.name.clone(),
                        span,
                        service,
                        shell: run_by_shell(tree, id),
                    });
                    continue;
                }
                let entry = found.entry(r.name.clone()).or_insert(HostUse {
                    span,
                    required: false,
                    uses: 0,
                });
                entry.uses += 1;
                entry.required |= matches!(r.operator, Some(Operator::Required { .. }));
            }
        }
        for u in &shadowed {
            let (name, service) = (&u.name, &u.service);
            let written = &text[u.span.range()];
            let d = sink.report(file, u.span, format!("\"{written}\" is replaced by Compose from the host's environment, not from service \"{service}\"'s"));
            d.label("substituted before the container starts").note(format!(
                "\"{name}\" is set in the environment of \"{service}\", but Compose interpolates this value when it reads the file; the container never sees \"{written}\""
            ));
            if u.shell {
                d.help(format!(
                    "write \"${written}\" to let the container's shell expand it"
                ))
                .fix(Fix {
                    safe: false,
                    description: format!("escape it as \"${written}\""),
                    edits: vec![Edit {
                        file,
                        span: Span::new(u.span.start as usize, u.span.start as usize),
                        text: "$".into(),
                    }],
                });
            } else {
                d.help(format!(
                    "no shell runs this command, so the container would not expand \"${written}\" either: run it through one, e.g. [\"sh\", \"-c\", \"... ${written} ...\"]"
                ));
            }
        }
        for &span in &in_secret {
            let Some(source) = source else { continue };
            let d = sink.report(
                file,
                span,
                format!("a \"$\" in a secret value starts a variable that {env_name} does not set"),
            );
            d.label("Compose reads a variable here").secondary(
                source.file,
                Span::empty(0),
                format!("the project's {env_name}"),
            );
            d.note("Compose replaces the \"$\" and the name after it with the variable's value (empty when it is not set), so the service does not get the value written here; the name is not shown because it is part of the secret");
            d.help("if the \"$\" is part of the value, write it as \"$$\"; better, keep the secret out of the file: ${NAME} set in an uncommitted .env")
                .fix(Fix {
                    safe: false,
                    description: "escape the \"$\" as \"$$\"".into(),
                    edits: vec![Edit {
                        file,
                        span: Span::new(span.start as usize, span.start as usize),
                        text: "$".into(),
                    }],
                });
        }
        // A name the file also uses for a container's variable is reported as that.
        let host_uses = found
            .into_iter()
            .filter(|(name, _)| !shadowed.iter().any(|u| &u.name == name));
        for (name, u) in host_uses {
            let Some(source) = source else { continue };
            if set_elsewhere.sets(&name) {
                continue;
            }
            let message = if source.example {
                format!("variable \"{name}\" is not listed in {env_name}")
            } else {
                format!("variable \"{name}\" is not set in {env_name}")
            };
            let d = sink.report(file, u.span, message);
            // An example documents what people copy into their `.env`; whether the real
            // one (not committed) sets the name, shipshape cannot see.
            if source.example {
                d.severity = Severity::Info;
                d.note(format!(
                    "{env_name} is a template: the real .env is not in the repository, so whether it sets {name} is not known"
                ));
            }
            d.label("no default").secondary(
                source.file,
                Span::empty(0),
                format!("the project's {env_name}"),
            );
            if u.required {
                d.note(format!("Compose stops with \"required variable {name} is missing a value\" unless the shell sets it"));
            } else {
                d.note(format!("unless the shell sets it, Compose warns \"The \\\"{name}\\\" variable is not set. Defaulting to a blank string.\""));
            }
            if u.uses > 1 {
                d.note(format!("used {} times in this file", u.uses));
            }
            if source.example {
                d.help(format!(
                    "add {name}= to {env_name} so that everyone who copies it sets it"
                ));
            } else {
                d.help(format!(
                    "set {name}= in {env_name}, or give a default: ${{{name}:-value}}"
                ));
            }
        }
    }
}

/// Where else a file's variables are set: the `.env` template of the file's own variant
/// (`.env.dev.example` for `docker-compose.dev.yml`), and the CI jobs that run the file
/// (their pipeline, job and script variables), and the global `variables:` of the
/// pipelines of the repository.
struct SetElsewhere<'a> {
    templates: Vec<&'a DotEnv>,
    runs: Vec<&'a crate::runs::ComposeRun>,
    pipelines: Vec<&'a shipshape_model::gitlab::Pipeline>,
}

impl<'a> SetElsewhere<'a> {
    fn of(cx: &'a ComposeContext<'_>, file: FileId) -> SetElsewhere<'a> {
        let analyzed = cx.ws.file(file);
        let dir = analyzed.dir();
        let templates = analyzed
            .source
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .map(variant_env_files)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|name| cx.ws.file_by_path(&dir.join(name))?.dotenv.as_ref())
            .collect();
        let runs = cx.ws.runs_reading(file).collect();
        // Every job of a pipeline sees its global `variables:`, also one that runs the
        // file through a wrapper script shipshape cannot follow.
        let pipelines = cx
            .ws
            .pipelines_above(&analyzed.source.path)
            .map(|p| &p.model)
            .collect();
        SetElsewhere {
            templates,
            runs,
            pipelines,
        }
    }

    fn sets(&self, name: &str) -> bool {
        self.templates.iter().any(|t| t.defines(name))
            || self.runs.iter().any(|r| r.variables.defines(name))
            || self
                .pipelines
                .iter()
                .any(|p| p.variables.iter().any(|v| v.name == name))
    }
}

/// The project service a value belongs to (`services.<name>...`), and the service key
/// it sits under.
fn enclosing_service<'p>(
    tree: &Tree,
    id: NodeId,
    project: &'p Project,
) -> Option<(&'p Service, String)> {
    let path = tree.path(id);
    match path.as_slice() {
        [
            PathSegment::Key(top),
            PathSegment::Key(name),
            PathSegment::Key(key),
            ..,
        ] if top == "services" => project.service(name).map(|s| (s, key.clone())),
        _ => None,
    }
}

/// Shells that expand `$VAR` in a `-c` script.
const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "ash",
    "dash",
    "zsh",
    "/bin/sh",
    "/bin/bash",
    "/bin/ash",
    "/bin/dash",
    "/bin/zsh",
    "/usr/bin/bash",
];

/// Whether the container runs this value through a shell: the script of `sh -c ...`
/// (string or exec form), a healthcheck string or `CMD-SHELL` test. Compose itself splits
/// a string `command` into words without a shell.
fn run_by_shell(tree: &Tree, id: NodeId) -> bool {
    let path = tree.path(id);
    let key = match path.get(2) {
        Some(PathSegment::Key(k)) => k.as_str(),
        _ => return false,
    };
    let value = tree.scalar(id).unwrap_or_default();
    let words_start_with_shell = |words: &[&str]| {
        let words: Vec<&str> = if words.first() == Some(&"/usr/bin/env") {
            words[1..].to_vec()
        } else {
            words.to_vec()
        };
        words.first().is_some_and(|w| SHELLS.contains(w)) && words.contains(&"-c")
    };
    match tree.parent(id).filter(|&p| tree.is_sequence(p)) {
        // An item of a list: the script after `-c`, or a CMD-SHELL test.
        Some(list) => {
            let items: Vec<&str> = tree
                .items(list)
                .iter()
                .filter_map(|&i| tree.scalar(i))
                .collect();
            if key == "healthcheck" {
                return items.first() == Some(&"CMD-SHELL");
            }
            let at = tree.items(list).iter().position(|&i| i == id).unwrap_or(0);
            words_start_with_shell(&items)
                && items
                    .iter()
                    .position(|w| *w == "-c")
                    .is_some_and(|c| at > c)
        }
        // A whole string: a healthcheck test string runs in a shell; a command only when
        // it starts one.
        None => {
            key == "healthcheck"
                || words_start_with_shell(&value.split_whitespace().collect::<Vec<_>>())
        }
    }
}
