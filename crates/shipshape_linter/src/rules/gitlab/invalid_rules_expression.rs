//! invalid-rules-expression: a `rules:if` (jobs, `workflow:`, `include:`) or
//! `only`/`except: variables` expression that GitLab cannot parse, and regular expressions
//! (in expressions and `only`/`except` refs) that RE2 rejects.

use shipshape_model::gitlab::expression::{self, as_pattern, check_regex};
use shipshape_model::gitlab::include::documents;
use shipshape_model::gitlab::keywords::TOP_LEVEL_KEYWORDS;
use shipshape_yaml::{NodeId, Tree};

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "invalid-rules-expression",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a `rules:if` expression does not parse, or holds an invalid regex",
    doc: include_str!("../../../rule-docs/invalid-rules-expression/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(tree) = file.tree() else { return };
    let Some(root) = documents(tree).0.filter(|&r| tree.is_mapping(r)) else {
        return;
    };
    for entry in tree.entries(root) {
        let key = tree.key_text(entry.key);
        match key.as_str() {
            "workflow" => {
                if let Some(rules) = tree.value(entry.value, "rules") {
                    rules_ifs(sink, file, tree, rules, "workflow:rules:rule");
                }
            }
            "include" => {
                let items = if tree.is_sequence(entry.value) {
                    tree.items(entry.value).to_vec()
                } else {
                    vec![entry.value]
                };
                for item in items {
                    if let Some(rules) = tree.value(item, "rules") {
                        rules_ifs(sink, file, tree, rules, "include:rules:rule");
                    }
                }
            }
            k if TOP_LEVEL_KEYWORDS.contains(&k) => {}
            _ if tree.is_mapping(entry.value) => {
                let path = format!("jobs:{key}");
                if let Some(rules) = tree.value(entry.value, "rules") {
                    rules_ifs(sink, file, tree, rules, &format!("{path}:rules:rule"));
                }
                for filter in ["only", "except"] {
                    if let Some(f) = tree.value(entry.value, filter) {
                        only_except(sink, file, tree, f, &format!("{path}:{filter}"));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Every `if:` of a rules list (nested lists, as `!reference` leaves them, included).
fn rules_ifs(sink: &mut Sink<'_>, file: &AnalyzedFile, tree: &Tree, rules: NodeId, path: &str) {
    let mut stack = vec![rules];
    while let Some(node) = stack.pop() {
        let node = tree.resolve(node);
        if tree.is_sequence(node) {
            stack.extend(tree.items(node).iter().rev());
        } else if tree.is_mapping(node)
            && let Some(cond) = tree.value(node, "if")
        {
            expression(sink, file, tree, cond, &format!("{path} if"));
        }
    }
}

fn expression(sink: &mut Sink<'_>, file: &AnalyzedFile, tree: &Tree, node: NodeId, what: &str) {
    let Some(text) = tree.scalar(node) else {
        return;
    };
    // Filled in when GitLab reads the file.
    if text.contains("$[[") && text.contains("]]") {
        return;
    }
    if let Err(err) = expression::parse(text) {
        let span = tree.value_subspan(&file.source.text, node, err.range.clone());
        let d = sink.report(file.id(), span, format!("{what} invalid expression syntax"));
        d.label(err.message);
        d.note("GitLab refuses the pipeline: \"This GitLab CI configuration is invalid\"");
    }
}

fn only_except(sink: &mut Sink<'_>, file: &AnalyzedFile, tree: &Tree, filter: NodeId, path: &str) {
    let (refs, variables) = if tree.is_mapping(filter) {
        (tree.value(filter, "refs"), tree.value(filter, "variables"))
    } else {
        (Some(filter), None)
    };
    if let Some(vars) = variables {
        for &item in tree.items(vars) {
            expression(sink, file, tree, item, &format!("{path}:variables"));
        }
    }
    let Some(refs) = refs else { return };
    let items = if tree.is_sequence(refs) {
        tree.items(refs).to_vec()
    } else {
        vec![refs]
    };
    for item in items {
        let Some(text) = tree.scalar(item) else {
            continue;
        };
        let pattern = text.split_once('@').map_or(text, |(p, _)| p);
        let Some((body, flags)) = as_pattern(pattern) else {
            continue;
        };
        if let Err(message) = check_regex(body, flags) {
            let span = tree.value_subspan(&file.source.text, item, 0..pattern.len());
            let d = sink.report(
                file.id(),
                span,
                format!("{path} holds an invalid regular expression"),
            );
            d.label(message);
            d.note("GitLab evaluates `/pattern/` refs with RE2 (no lookaround, no backreferences)");
        }
    }
}
