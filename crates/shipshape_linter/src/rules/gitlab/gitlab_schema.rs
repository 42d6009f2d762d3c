//! gitlab-schema: unknown keywords, wrong types and invalid values per the GitLab CI/CD
//! YAML reference (the table in `shipshape_model::gitlab::schema`), in GitLab's own words
//! (`jobs:build config contains unknown keys: scirpt`).

use shipshape_model::gitlab::include::documents;
use shipshape_model::gitlab::keywords::{REMOVED_JOB_KEYWORDS, TOP_LEVEL_KEYWORDS};
use shipshape_model::gitlab::schema;
use shipshape_model::schema::{SchemaError, SchemaErrorKind, SchemaPath};

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::support::{SchemaWording, report_schema_error};
use crate::workspace::{AnalyzedFile, IncludeOutcome};
use shipshape_yaml::FileId;

pub static RULE: Rule = Rule {
    name: "gitlab-schema",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "unknown keyword, wrong type or invalid value per the GitLab CI keyword reference",
    doc: include_str!("../../../rule-docs/gitlab-schema/README.md"),
    checks: &[
        Check::File(check_file),
        Check::Pipeline(check_pipeline),
        Check::Pipeline(check_include_inputs),
        Check::Pipeline(check_script_nesting),
    ],
    options: &[],
};

fn check_file(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(yaml) = &file.yaml else { return };
    let tree = &yaml.tree;
    let (root, header) = documents(tree);
    for err in schema::validate(tree, root, header) {
        report_schema_error(sink, file, &err, wording);
    }
}

/// A pipeline whose jobs are all hidden templates does not run (GitLab refuses it).
fn check_pipeline(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    if cx.is_open() || model.jobs.iter().any(|j| !j.hidden) {
        return;
    }
    let root_file = model.root_file;
    let Some(tree) = cx.tree(root_file) else {
        return;
    };
    let Some(root) = documents(tree).0.filter(|&r| tree.is_mapping(r)) else {
        return;
    };
    let Some(first) = tree.raw_entries(root).first() else {
        return;
    };
    let d = sink.report(
        root_file,
        tree.node(first.key).span,
        "jobs config should contain at least one visible job",
    );
    d.label("the pipeline starts here");
    if model.jobs.is_empty() {
        d.note("a job is a top-level key holding \"script:\" (or \"trigger:\"); this file only sets keywords");
    } else {
        d.note("jobs whose names start with \".\" are hidden templates and never run");
    }
    d.help("add a job, or include this file from a pipeline that has one");
}

/// `include: inputs:` against the included file's `spec: inputs:` header, in GitLab's words
/// (`Ci::Input::Inputs`): every input without a `default` given a value, no value for an
/// input the header does not declare.
fn check_include_inputs(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    for &file in &model.files {
        let Some(tree) = cx.tree(file) else { continue };
        for r in cx.ws.ci_includes.get(&file).into_iter().flatten() {
            let IncludeOutcome::Files(targets) = &r.outcome else {
                continue;
            };
            let origin = r.include.origin;
            if origin.file != file {
                continue;
            }
            let entry = tree.parent(origin.node).filter(|&m| tree.is_mapping(m));
            let given = entry
                .and_then(|m| tree.value(m, "inputs"))
                .map(|i| tree.resolve(i))
                .filter(|&i| tree.is_mapping(i));
            for &target in targets {
                let Some(target_tree) = cx.tree(target) else {
                    continue;
                };
                let declared = documents(target_tree)
                    .1
                    .and_then(|h| tree_value(target_tree, h, "spec"))
                    .and_then(|s| tree_value(target_tree, s, "inputs"))
                    .filter(|&i| target_tree.is_mapping(i));
                let Some(declared) = declared else {
                    if let Some(given) = given {
                        sink.report(
                            file,
                            tree.node(given).span,
                            "Given inputs not defined in the `spec` section of the included configuration file",
                        )
                        .label("the included file has no `spec: inputs:` header")
                        .help("declare the inputs in a `spec: inputs:` header of the included file, or remove them here");
                    }
                    continue;
                };
                let names: Vec<String> = target_tree
                    .entries(declared)
                    .iter()
                    .map(|e| target_tree.key_text(e.key))
                    .collect();
                if let Some(given) = given {
                    for e in tree.entries(given) {
                        let name = tree.key_text(e.key);
                        if !names.contains(&name) {
                            sink.report(
                                file,
                                tree.node(e.key).span,
                                format!("unknown input arguments: {name}"),
                            )
                            .label("the included file declares no such input")
                            .help(format!("its inputs: {}", names.join(", ")));
                        }
                    }
                }
                for e in target_tree.entries(declared) {
                    let spec = target_tree.resolve(e.value);
                    let has_default =
                        target_tree.is_mapping(spec) && target_tree.get(spec, "default").is_some();
                    let name = target_tree.key_text(e.key);
                    let provided = given.is_some_and(|g| tree.get(g, &name).is_some());
                    if has_default || provided {
                        continue;
                    }
                    sink.report(
                        file,
                        cx.span(origin),
                        format!("`{name}` input: required value has not been provided"),
                    )
                    .label(format!("includes a file that needs the input \"{name}\""))
                    .secondary(
                        target,
                        target_tree.node(e.key).span,
                        "declared here, without a `default`",
                    )
                    .help(format!(
                        "give it under `inputs:` of this include: `{name}: ...`"
                    ));
                }
            }
        }
    }
}

/// How deep GitLab lets script lists nest once `!reference`s are resolved (each one puts
/// the list it names inside the list that holds it).
const MAX_SCRIPT_NESTING: usize = 10;

/// Scripts nested deeper than GitLab accepts through `!reference`s (the file check cannot
/// see what a reference brings): `Entry::Commands` accepts "a string or a nested array of
/// strings up to 10 levels deep".
fn check_script_nesting(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    for &file in &model.files {
        let Some(tree) = cx.tree(file) else { continue };
        let Some(root) = documents(tree).0.filter(|&r| tree.is_mapping(r)) else {
            continue;
        };
        for job in tree.entries(root) {
            let name = tree.key_text(job.key);
            let value = tree.resolve(job.value);
            if !tree.is_mapping(value)
                || (TOP_LEVEL_KEYWORDS.contains(&name.as_str()) && name != "default")
            {
                continue;
            }
            for key in ["script", "before_script", "after_script"] {
                let Some(script) = tree.value(value, key) else {
                    continue;
                };
                if !has_reference(tree, script) {
                    continue;
                }
                let Some(depth) = nesting_depth(cx, file, script) else {
                    continue;
                };
                if depth <= MAX_SCRIPT_NESTING {
                    continue;
                }
                let path = if name == "default" {
                    format!("default:{key}")
                } else {
                    format!("jobs:{name}:{key}")
                };
                sink.report(
                    file,
                    tree.node(script).span,
                    format!("{path} config should be a string or a nested array of strings up to {MAX_SCRIPT_NESTING} levels deep"),
                )
                .label(format!("{depth} levels deep once its !references are resolved"))
                .note("each `!reference` puts the list it names inside the list that holds it")
                .help("reference fewer nested lists, or write the commands out in the template");
            }
        }
    }
}

/// Whether a `!reference` occurs in the value (walked by index, no recursion).
fn has_reference(tree: &shipshape_yaml::Tree, node: shipshape_yaml::NodeId) -> bool {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if tree.tag(n) == Some("!reference") {
            return true;
        }
        let n = tree.resolve(n);
        if tree.is_sequence(n) {
            stack.extend(tree.items(n));
        }
    }
    false
}

/// The list nesting of a script as GitLab validates it: `!reference`s replaced by what they
/// name (in the pipeline's files, the root winning), followed at most ten deep (None past
/// that).
fn nesting_depth(
    cx: &PipelineContext<'_>,
    file: FileId,
    node: shipshape_yaml::NodeId,
) -> Option<usize> {
    let mut deepest = 0;
    // (file, node, lists around it, references followed to reach it)
    let mut stack = vec![(file, node, 0usize, 0usize)];
    let mut steps = 0usize;
    while let Some((f, n, level, hops)) = stack.pop() {
        steps += 1;
        if steps > 100_000 {
            return None;
        }
        let Some(tree) = cx.tree(f) else { continue };
        if tree.tag(n) == Some("!reference") {
            let path: Vec<&str> = tree
                .items(tree.resolve(n))
                .iter()
                .filter_map(|&i| tree.scalar(i))
                .collect();
            // A chain longer than GitLab follows (a loop, most likely) is
            // unknown-reference's finding, not a depth to measure.
            if hops >= MAX_SCRIPT_NESTING {
                return None;
            }
            if let Some((tf, tn)) = reference_target(cx, &path) {
                stack.push((tf, tn, level, hops + 1));
            }
            continue;
        }
        let n = tree.resolve(n);
        if tree.is_sequence(n) {
            deepest = deepest.max(level + 1);
            for &item in tree.items(n) {
                stack.push((f, item, level + 1, hops));
            }
        }
    }
    Some(deepest)
}

/// The node a `!reference [a, b, ...]` names, as written in the pipeline's files.
fn reference_target(
    cx: &PipelineContext<'_>,
    path: &[&str],
) -> Option<(FileId, shipshape_yaml::NodeId)> {
    let (first, rest) = path.split_first()?;
    cx.model().files.iter().rev().find_map(|&f| {
        let tree = cx.tree(f)?;
        let root = documents(tree).0?;
        let mut node = tree_value(tree, root, first)?;
        for key in rest {
            node = tree_value(tree, node, key)?;
        }
        Some((f, node))
    })
}

fn tree_value(
    tree: &shipshape_yaml::Tree,
    map: shipshape_yaml::NodeId,
    key: &str,
) -> Option<shipshape_yaml::NodeId> {
    tree.is_mapping(map)
        .then(|| tree.value(map, key))
        .flatten()
        .map(|v| tree.resolve(v))
}

/// `jobs:build:artifacts`, `default:image`, `workflow:rules[0]`: the path in GitLab's
/// notation (a first key that is not a top-level keyword is a job).
fn gitlab_path(path: &SchemaPath) -> String {
    let written = path.joined(":");
    match path.first_key() {
        Some(first) if !TOP_LEVEL_KEYWORDS.contains(&first) => format!("jobs:{written}"),
        _ => written,
    }
}

/// What a GitLab schema finding says: GitLab's own error strings, with the fix.
fn wording(err: &SchemaError) -> Option<SchemaWording> {
    let path = gitlab_path(&err.path);
    Some(match &err.kind {
        SchemaErrorKind::UnknownKey { key, suggestion } => {
            let parent = if path.is_empty() {
                "root".to_string()
            } else {
                path
            };
            let removed = REMOVED_JOB_KEYWORDS.iter().find(|(old, _)| old == key);
            SchemaWording {
                message: format!("{parent} config contains unknown keys: {key}"),
                label: Some("not a GitLab CI keyword here".into()),
                note: None,
                help: Some(match (removed, suggestion) {
                    (Some((old, new)), _) => format!(
                        "\"{old}\" is the old name of \"{new}\", which GitLab no longer accepts: write \"{new}:\""
                    ),
                    (None, Some(s)) => format!("did you mean \"{s}\"?"),
                    (None, None) => "GitLab rejects the whole pipeline over a key it does not know; hide your own data in a key that starts with \".\"".into(),
                }),
            }
        }
        SchemaErrorKind::WrongType { expected, found } => SchemaWording {
            message: format!("{path} config should be {expected}"),
            label: Some(format!("{found} here")),
            note: None,
            help: Some(
                if expected.starts_with("a string") && matches!(*found, "a number" | "a boolean") {
                    "put the value in quotes to make it a string".into()
                } else {
                    format!(
                        "GitLab rejects the pipeline until this is {expected}; see the keyword in the CI/CD YAML syntax reference"
                    )
                },
            ),
        },
        SchemaErrorKind::NotInEnum {
            value,
            allowed,
            suggestion,
        } => SchemaWording {
            message: format!("{path} config should be one of: {}", allowed.join(", ")),
            label: Some(format!("\"{value}\" is not one of them")),
            note: None,
            help: Some(match suggestion {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => "write one of the values listed; GitLab rejects any other".into(),
            }),
        },
        SchemaErrorKind::MissingKey { key } => SchemaWording {
            message: format!("{path} config missing required keys: {key}"),
            label: Some(format!("needs \"{key}\"")),
            note: None,
            help: Some(format!(
                "add \"{key}:\" here; GitLab rejects the pipeline without it"
            )),
        },
        // An empty file or a Compose v1 layout is not a GitLab schema matter.
        SchemaErrorKind::EmptyFile | SchemaErrorKind::LegacyFormat { .. } => return None,
        SchemaErrorKind::Invalid { message } => {
            let subject = if path.is_empty() {
                "the file".to_string()
            } else {
                path
            };
            SchemaWording {
                message: format!("{subject} {message}"),
                label: Some("invalid here".into()),
                note: None,
                help: Some("GitLab rejects the pipeline over this value; see the keyword in the CI/CD YAML syntax reference".into()),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_model::schema::Segment;

    #[test]
    fn paths_in_gitlab_notation() {
        let key = |k: &str| Segment::Key(k.into());
        let path = |segments: Vec<Segment>| gitlab_path(&SchemaPath(segments));
        assert_eq!(
            path(vec![key("build.linux"), key("artifacts"), key("paths")]),
            "jobs:build.linux:artifacts:paths"
        );
        assert_eq!(path(vec![key("default"), key("image")]), "default:image");
        assert_eq!(
            path(vec![
                key("build.linux"),
                key("rules"),
                Segment::Index(0),
                key("when")
            ]),
            "jobs:build.linux:rules[0]:when"
        );
    }
}
