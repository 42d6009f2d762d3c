//! unknown-include: an `include: local` (or `trigger: include:`) file that is not in the
//! repository, lies outside it, or that GitLab would not read.

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::workspace::IncludeOutcome;

use super::support::{includes, report_at};

pub static RULE: Rule = Rule {
    name: "unknown-include",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "an `include: local` file does not exist in the repository",
    doc: include_str!("../../../rule-docs/unknown-include/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    for r in includes(cx) {
        let target = r.include.target.trim();
        let origin = r.include.origin;
        match &r.outcome {
            IncludeOutcome::Missing { suggestion, .. } => {
                let d = report_at(
                    cx,
                    sink,
                    origin,
                    format!("Local file `{target}` does not exist!"),
                );
                d.label("no such file in the repository");
                d.note("GitLab reads local includes from the repository root, whichever file includes them");
                if let Some(s) = suggestion {
                    d.help(format!("did you mean \"{s}\"?"));
                }
            }
            IncludeOutcome::NoMatch => {
                let d = report_at(
                    cx,
                    sink,
                    origin,
                    format!("no file matches the include pattern `{target}`"),
                );
                d.label("matches no file in the repository");
                d.note("GitLab includes nothing for it, silently; `*` stays within one directory, `**` crosses directories, and only .yml and .yaml files count");
            }
            IncludeOutcome::OutsideRepository => {
                let d = report_at(
                    cx,
                    sink,
                    origin,
                    format!("local include `{target}` points outside the repository"),
                );
                d.label("leads out of the repository root (`..`, an absolute path or a link)");
                d.note("GitLab reads local includes from the repository only; shipshape does not read this file");
                d.help("include a file of another project with `project:` and `file:`");
            }
            IncludeOutcome::NotYaml => {
                let d = report_at(
                    cx,
                    sink,
                    origin,
                    format!("Included file `{target}` does not have YAML extension!"),
                );
                d.label("GitLab only includes .yml and .yaml files");
            }
            IncludeOutcome::Unreadable => {
                let d = report_at(
                    cx,
                    sink,
                    origin,
                    format!("included file `{target}` could not be read"),
                );
                d.label("not readable as YAML text");
            }
            IncludeOutcome::Files(_) | IncludeOutcome::Dynamic | IncludeOutcome::NotLocal => {}
        }
    }
}
