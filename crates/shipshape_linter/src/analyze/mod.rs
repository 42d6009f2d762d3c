//! The analysis, in stages, each taking the previous stage's output and returning its own:
//!
//! 1. [`load`]: read and parse the files asked for (and an editor's other files as
//!    context), in parallel; classify them; build their models.
//! 2. [`related`]: load what they refer to (includes, `.env` files, `extends: file:`, the
//!    root pipeline), build the GitLab pipelines, find the Compose commands their jobs
//!    run and load those files too.
//! 3. [`projects`]: scan for secrets, probe the paths the models name on disk, group the
//!    Compose files into projects, give each CI run its project. The `Workspace` is built
//!    here, once; from then on it is read-only.
//! 4. [`run_rules`]: the enabled rules over files, projects, pipelines and the workspace.
//! 5. [`report`]: keep the findings of reported files, apply ignore comments, merge one
//!    cause's findings, sort, redact secrets, cap per file.
//!
//! [`merge`] makes one report of several analyses (one per configuration, or per part of
//! a walk too large to hold at once: [`parts`]).

mod load;
mod merge;
mod parts;
mod probe;
mod projects;
mod related;
mod report;
mod run_rules;

use crate::diagnostic::Diagnostic;
use crate::discover::Input;
use crate::fs::{Bounded, FileSystem, OsFs};
use crate::pipelines::IncludeResolver;
use crate::settings::Settings;
use crate::workspace::Workspace;

pub use merge::{Merged, merge};
pub use parts::{Part, PartLimits, PartOwners, split as split_into_parts};
pub use run_rules::INTERNAL_ERROR;

#[derive(Debug)]
pub struct Analysis {
    pub workspace: Workspace,
    /// Findings in reported files, sorted by path, line, column, rule.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be read, one line each.
    pub errors: Vec<String>,
    /// What the user should know about this run that is not a finding: findings left
    /// out of a file over [`Settings::max_diagnostics_per_file`]. One line each.
    pub notices: Vec<String>,
}

impl Analysis {
    /// Keeps what a report reads ([`Workspace::slim`]): the findings, the files' text.
    pub fn slim(&mut self) {
        self.workspace.slim();
    }
}

pub fn analyze(inputs: Vec<Input>, settings: &Settings) -> Analysis {
    analyze_with(inputs, settings, &OsFs)
}

pub fn analyze_with(inputs: Vec<Input>, settings: &Settings, fs: &dyn FileSystem) -> Analysis {
    analyze_in_context(inputs, Vec::new(), settings, fs)
}

/// Analyses `inputs` (reported) with `context` loaded beside them but not reported: the
/// rest of an editor's workspace, so that names other files define are known.
pub fn analyze_in_context(
    inputs: Vec<Input>,
    context: Vec<Input>,
    settings: &Settings,
    fs: &dyn FileSystem,
) -> Analysis {
    analyze_cancellable(inputs, context, settings, fs, &|| false)
        .expect("an analysis that is never cancelled completes")
}

/// `analyze_in_context` that gives up, returning None, once `cancelled()` says so: the
/// language server's analysis of a version the user has already typed past. Checked
/// between the stages and before each file's, project's and pipeline's rules.
pub fn analyze_cancellable(
    inputs: Vec<Input>,
    context: Vec<Input>,
    settings: &Settings,
    fs: &dyn FileSystem,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Analysis> {
    // Every read below goes through the project boundary.
    let mut bounded = Bounded::unbounded(fs);
    let roots = load::project_roots(&inputs, &context, settings, &bounded);
    bounded.set_roots(roots);
    bounded.list_at_first_probe(
        inputs
            .iter()
            .chain(&context)
            .filter_map(|i| i.path.parent())
            .filter(|dir| settings.walked_above(dir).is_some()),
    );
    let fs: &dyn FileSystem = &bounded;
    let loaded = load::inputs(inputs, context, settings, fs);
    if cancelled() {
        return None;
    }
    let resolver = IncludeResolver::new(fs, settings.project_root.as_deref());
    let related = related::follow(loaded.files, settings, fs, &resolver);
    let workspace = projects::workspace(related, fs, &resolver, bounded.roots());
    if cancelled() {
        return None;
    }
    let found = run_rules::check(&workspace, settings, cancelled);
    if cancelled() {
        return None;
    }
    let report = report::finish(&workspace, settings, found);
    Some(Analysis {
        workspace,
        diagnostics: report.diagnostics,
        errors: loaded.errors,
        notices: report.notices,
    })
}

/// What a caught panic says.
fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use std::path::PathBuf;

    use super::*;
    use crate::FileKind;

    fn compose_input() -> Input {
        Input {
            path: PathBuf::from("/nowhere/compose.yaml"),
            name: "compose.yaml".into(),
            content: Some(b"services:\n  web:\n    image: nginx\n".to_vec()),
            kind: Some(FileKind::Compose),
        }
    }

    #[test]
    fn a_cancelled_analysis_stops_and_returns_nothing() {
        let settings = Settings::default();
        let polls = AtomicUsize::new(0);
        // Cancelled after the first checkpoint: the rules never run.
        let cancelled = || polls.fetch_add(1, Ordering::Relaxed) >= 1;
        let outcome = analyze_cancellable(
            vec![compose_input()],
            Vec::new(),
            &settings,
            &OsFs,
            &cancelled,
        );
        assert!(outcome.is_none());
        assert_eq!(
            polls.load(Ordering::Relaxed),
            2,
            "stops at the next checkpoint"
        );
        let complete =
            analyze_cancellable(vec![compose_input()], Vec::new(), &settings, &OsFs, &|| {
                false
            })
            .expect("not cancelled");
        assert!(complete.diagnostics.iter().any(|d| d.rule == "image-tag"));
    }
}
