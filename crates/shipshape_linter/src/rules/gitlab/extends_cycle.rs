//! extends-cycle: `extends` chains that loop back, or that have more ancestors than GitLab
//! allows (10), or whose copies would create more values than shipshape makes (an
//! expansion bomb).

use shipshape_model::gitlab::PipelineError;
use shipshape_model::gitlab::keywords::MAX_EXTENDS_ANCESTORS;
use shipshape_model::gitlab::pipeline::MAX_EXPANDED_NODES;

use super::support::report_at;
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "extends-cycle",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "`extends` chains loop, or go deeper than GitLab allows",
    doc: include_str!("../../../rule-docs/extends-cycle/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    for err in &cx.model().errors {
        match err {
            PipelineError::ExtendsCycle { job, chain, origin } => {
                let d = report_at(
                    cx,
                    sink,
                    *origin,
                    format!("{job}: circular dependency detected in `extends`"),
                );
                d.label(format!("\"{}\" leads back here", chain[chain.len() - 2]))
                    .note(format!("the chain: {}", chain.join(" -> ")))
                    .help("remove one of these `extends` so that the chain ends at a template that extends nothing");
            }
            PipelineError::ExtendsTooDeep { job, chain, origin } => {
                let d = report_at(
                    cx,
                    sink,
                    *origin,
                    format!("{job}: nesting too deep in `extends`"),
                );
                d.label(format!(
                    "ancestor number {} of \"{job}\"",
                    chain.len() - 1
                ))
                .note(format!(
                    "GitLab allows {MAX_EXTENDS_ANCESTORS} ancestors; the chain: {}",
                    chain.join(" -> ")
                ))
                .help("merge some of the templates, or extend several templates side by side (`extends: [.a, .b]`)");
            }
            PipelineError::TooManyNodes {
                origin,
                reference: false,
            } => {
                let d = report_at(
                    cx,
                    sink,
                    *origin,
                    format!(
                        "expanding `extends` and `default:` would create over {MAX_EXPANDED_NODES} nodes"
                    ),
                );
                d.label("what this job inherits was not all copied")
                    .note("every job that extends a template gets a copy of it: large templates extended by many jobs multiply")
                    .help("keep templates small, or split the pipeline into child pipelines");
            }
            _ => {}
        }
    }
}
