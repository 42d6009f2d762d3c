//! unknown-reference: a `!reference [job, key, ...]` whose path names nothing, that leads
//! back to itself, that nests deeper than GitLab follows, or whose expansion would create
//! more values than shipshape copies (an expansion bomb).

use shipshape_model::gitlab::keywords::MAX_REFERENCE_DEPTH;
use shipshape_model::gitlab::pipeline::MAX_EXPANDED_NODES;
use shipshape_model::gitlab::{PipelineError, Value};

use super::support::{is_dynamic, report_at};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::rules::support::did_you_mean;

pub static RULE: Rule = Rule {
    name: "unknown-reference",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a `!reference [job, key, ...]` path does not exist",
    doc: include_str!("../../../rule-docs/unknown-reference/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

/// GitLab's notation: `!reference ["job", "key"]`.
fn written(path: &[String]) -> String {
    let parts: Vec<String> = path.iter().map(|p| format!("\"{p}\"")).collect();
    format!("!reference [{}]", parts.join(", "))
}

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    for err in &model.errors {
        match err {
            PipelineError::UnknownReference { origin, path } => {
                if cx.is_open() || path.iter().any(|p| is_dynamic(p)) {
                    continue;
                }
                let d = report_at(
                    cx,
                    sink,
                    *origin,
                    format!("{} could not be found", written(path)),
                );
                // Walk as far as the path goes, to say which part is missing.
                let mut cur = model.top.as_ref();
                let mut found = 0;
                for key in path {
                    match cur.and_then(|v| v.entry(key)) {
                        Some(e) => {
                            cur = Some(&e.value);
                            found += 1;
                        }
                        None => break,
                    }
                }
                let missing = path.get(found).map_or("", String::as_str);
                let within = if found == 0 {
                    "at the top level".to_string()
                } else {
                    format!("in \"{}\"", path[..found].join("."))
                };
                d.label(format!("no \"{missing}\" {within}"));
                let keys: Vec<&str> = cur
                    .map(Value::entries)
                    .unwrap_or_default()
                    .iter()
                    .map(|e| &*e.key)
                    .collect();
                if let Some(help) = did_you_mean(missing, keys.iter().copied()) {
                    d.help(help);
                } else if found > 0 && cur.is_some_and(|v| !v.is_map()) {
                    d.note(format!("\"{}\" is not a mapping", path[..found].join(".")));
                }
            }
            PipelineError::CircularReference { origin, path } => {
                let d = report_at(
                    cx,
                    sink,
                    *origin,
                    format!("{} is part of a circular chain", written(path)),
                );
                d.label("this reference leads back to itself");
                d.help("reference the value it should copy, not the key that holds this reference");
            }
            PipelineError::ReferenceTooDeep { origin, path } => {
                let d = report_at(
                    cx,
                    sink,
                    *origin,
                    format!("{} nests references too deep", written(path)),
                );
                d.label(format!(
                    "GitLab follows at most {MAX_REFERENCE_DEPTH} levels of !reference"
                ));
                d.help("reference the value directly instead of through another reference");
            }
            PipelineError::TooManyNodes {
                origin,
                reference: true,
            } => {
                let d = report_at(
                    cx,
                    sink,
                    *origin,
                    format!("expanding !reference would create over {MAX_EXPANDED_NODES} nodes"),
                );
                d.label("the references this one leads to were not all followed");
                d.note("each level of !reference repeats everything below it: a few references per level multiply into millions of values");
                d.help("reference a template's value once and reuse it, instead of references to references");
            }
            _ => {}
        }
    }
}
