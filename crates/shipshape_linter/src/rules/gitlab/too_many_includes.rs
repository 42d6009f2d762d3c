//! too-many-includes: a pipeline that includes more files than GitLab reads (150, nested
//! includes and repeats counted). GitLab rejects it; shipshape stops merging there too.

use shipshape_model::gitlab::keywords::MAX_INCLUDES;
use shipshape_yaml::FileId;

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};
use crate::workspace::{IncludeOutcome, ResolvedInclude};

use super::support::report_at;

pub static RULE: Rule = Rule {
    name: "too-many-includes",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a pipeline that includes more than 150 files, nested includes and repeats counted",
    doc: include_str!("../../../rule-docs/too-many-includes/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let mut count = 0;
    let root = cx.model().root_file;
    let Some(over) = first_over_limit(cx, root, &mut vec![root], &mut count) else {
        return;
    };
    let target = over.include.target.trim();
    report_at(
        cx,
        sink,
        over.include.origin,
        format!("the pipeline includes more than {MAX_INCLUDES} files; `{target}` is include number {}", MAX_INCLUDES + 1),
    )
    .label(format!("include number {}", MAX_INCLUDES + 1))
    .note(format!(
        "GitLab counts every include, nested ones and repeats of the same file too, and stops with \"Maximum of {MAX_INCLUDES} nested includes are allowed!\"; no job runs"
    ))
    .help("merge small included files, or include a file once instead of from several places");
}

/// Walks the includes as GitLab expands them (depth first, every occurrence) and returns
/// the one that passes the limit. Stops there, so a file included twice by each of many
/// nested files costs at most the limit's worth of steps. A file that includes itself
/// (through others) is not followed around the loop: what GitLab makes of a loop is not
/// documented, and a finding that says "150 files" about a pipeline of two would mislead.
fn first_over_limit<'c>(
    cx: &'c PipelineContext<'_>,
    file: FileId,
    stack: &mut Vec<FileId>,
    count: &mut usize,
) -> Option<&'c ResolvedInclude> {
    for r in cx.ws.ci_includes.get(&file).into_iter().flatten() {
        if r.child {
            continue;
        }
        let files: &[FileId] = match &r.outcome {
            IncludeOutcome::Files(ids) => ids,
            // Read by GitLab, unknown here: one include, whose own includes are not seen.
            IncludeOutcome::NotLocal => &[],
            _ => continue,
        };
        *count += files.len().max(1);
        if *count > MAX_INCLUDES {
            return Some(r);
        }
        for &id in files {
            if stack.contains(&id) {
                continue;
            }
            stack.push(id);
            let over = first_over_limit(cx, id, stack, count);
            stack.pop();
            if over.is_some() {
                return over;
            }
        }
    }
    None
}
