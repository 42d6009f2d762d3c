//! `shipshape check --watch`: the report, then a new one after each change to what the
//! check read, until Ctrl-C (exit 0).
//!
//! What is watched is the directories the check reads: those a walk of the checked
//! directories enters (`.gitignore` honoured, never `.git/` nor the skipped dependency
//! directories), and the directories of the named files, of every file the analysis
//! loaded (includes, `.env` files, the pipeline that runs a Compose file...), of the
//! paths it looked for on disk and of the configuration files. Each directory is watched
//! on its own, not recursively: a recursive watch would enter `.git/` and `target/`.
//! After each check the set is computed again, so a new directory is watched from then.
//!
//! Events are filtered (a file shipshape would not check, in a watched directory, such as
//! an editor's swap file, changes nothing) and debounced: the check runs once the
//! changes have been quiet for [`DEBOUNCE`].

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use shipshape_linter::config::CONFIG_NAMES;
use shipshape_linter::configs::Configurations;
use shipshape_linter::discover::{classify_name, display_name, os_text, walk_enters, walked_dirs};

use crate::check::{Checked, check};
use crate::cli::CheckArgs;
use crate::error;

/// How long the changes must be quiet before the check runs: an editor's save, a `git
/// checkout`, a formatter over several files are one change.
const DEBOUNCE: Duration = Duration::from_millis(200);

pub fn run(args: &CheckArgs) -> u8 {
    if args.paths.iter().any(|p| p == Path::new("-")) {
        error("--watch cannot watch stdin; pass the files' paths instead");
        return 2;
    }
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(err) => {
            error(format!("cannot read the current directory: {err}"));
            return 2;
        }
    };
    // Ctrl-C ends the watch; the last report stands. Nothing is being written but the
    // report (`--fix` and `--output-file` are refused with `--watch`).
    if let Err(err) = ctrlc::set_handler(|| std::process::exit(0)) {
        error(format!("--watch cannot handle Ctrl-C: {err}"));
        return 2;
    }
    let (sender, events) = channel();
    let mut watcher = match notify::recommended_watcher(sender) {
        Ok(watcher) => watcher,
        Err(err) => {
            error(format!("--watch cannot watch files here: {err}"));
            return 2;
        }
    };
    let mut watched: BTreeSet<PathBuf> = BTreeSet::new();
    let mut checked = check(args);
    let mut said_watching = false;
    loop {
        let wanted = directories(args, &cwd, &checked);
        let relevant = Relevant::new(args, &cwd, &checked);
        // The analysis is not kept while waiting: a monorepo's is hundreds of MB.
        drop(checked);
        if let Err(message) = rewatch(&mut watcher, &mut watched, wanted) {
            error(message);
            return 2;
        }
        if !said_watching && !args.quiet {
            let n = watched.len();
            let s = if n == 1 { "y" } else { "ies" };
            eprintln!("shipshape: watching {n} director{s} for changes (Ctrl-C to stop)");
        }
        said_watching = true;
        let Some(changed) = next_change(&events, &relevant) else {
            error("the file watcher stopped");
            return 2;
        };
        // A new directory is watched before the check that reads it: a change made
        // as soon as its report is out is seen.
        let mut wanted = watched.clone();
        wanted.extend(
            changed
                .iter()
                .filter(|p| p.is_dir())
                .flat_map(|d| walked_dirs(d)),
        );
        if let Err(message) = rewatch(&mut watcher, &mut watched, wanted) {
            error(message);
            return 2;
        }
        let names: Vec<String> = changed.iter().map(|p| display_name(p, &cwd)).collect();
        crate::check::print_output(&separator(&names));
        checked = check(args);
    }
}

/// The directories to watch after a check (see the module's comment).
fn directories(args: &CheckArgs, cwd: &Path, checked: &Checked) -> BTreeSet<PathBuf> {
    let mut dirs = BTreeSet::new();
    let named = if args.paths.is_empty() {
        vec![cwd.to_path_buf()]
    } else {
        args.paths.iter().map(|p| cwd.join(p)).collect()
    };
    let parent = |path: &Path| path.parent().map(Path::to_path_buf);
    for path in &named {
        if path.is_dir() {
            dirs.extend(walked_dirs(path));
        } else {
            // A named file that is missing is noticed when it is created.
            dirs.extend(parent(path));
        }
    }
    if let Some(analysis) = &checked.analysis {
        let ws = &analysis.workspace;
        let read = ws.files.iter().map(|f| f.source.path.as_path());
        let probed = ws.paths.keys().chain(ws.dockerfiles.keys());
        dirs.extend(read.chain(probed.map(PathBuf::as_path)).filter_map(parent));
    }
    dirs.extend(checked.configurations.iter().filter_map(|p| parent(p)));
    dirs.retain(|d| d.is_dir());
    dirs
}

/// Watches `wanted` and nothing else.
fn rewatch(
    watcher: &mut RecommendedWatcher,
    watched: &mut BTreeSet<PathBuf>,
    wanted: BTreeSet<PathBuf>,
) -> Result<(), String> {
    for gone in watched.difference(&wanted) {
        // A removed directory's watch is already gone.
        let _ = watcher.unwatch(gone);
    }
    for dir in wanted.difference(watched) {
        match watcher.watch(dir, RecursiveMode::NonRecursive) {
            Ok(()) => {}
            // Removed since it was listed: the next check lists it no more.
            Err(err) if matches!(err.kind, notify::ErrorKind::PathNotFound) => {}
            Err(err) => return Err(format!("cannot watch {}: {err}", dir.display())),
        }
    }
    *watched = wanted;
    Ok(())
}

/// What a change must touch to be checked again.
struct Relevant {
    /// Every path the check read or looked for.
    read: HashSet<PathBuf>,
    /// To tell a new file the check would read.
    configurations: Option<Configurations>,
}

impl Relevant {
    fn new(args: &CheckArgs, cwd: &Path, checked: &Checked) -> Relevant {
        let mut read: HashSet<PathBuf> = checked.configurations.iter().cloned().collect();
        if let Some(analysis) = &checked.analysis {
            let ws = &analysis.workspace;
            read.extend(ws.files.iter().map(|f| f.source.path.clone()));
            read.extend(ws.paths.keys().cloned());
            read.extend(ws.dockerfiles.keys().cloned());
        }
        // As the check found them (a `--config` that cannot be read gives no rules
        // here; the check says why).
        let configurations = Configurations::of_run(args.config.as_deref(), cwd).ok();
        Relevant {
            read,
            configurations,
        }
    }

    /// Whether a change at `path` may change the report: a configuration file, a path
    /// the check read, a file it would check (by name or by its `[files]` rules), a
    /// directory a walk enters, or a removed directory that held a file it read.
    fn matters(&self, path: &Path) -> bool {
        if path.components().any(|c| c.as_os_str() == ".git") {
            return false;
        }
        let name = path.file_name().map(os_text).unwrap_or_default();
        if CONFIG_NAMES.contains(&name.as_ref()) || self.read.contains(path) {
            return true;
        }
        // A new directory may already hold files to check (`mkdir x && cp ... x/`, or
        // a checkout), which no watch saw arrive.
        if path.is_dir() {
            return walk_enters(path);
        }
        if !path.exists() && self.read.iter().any(|r| r.starts_with(path)) {
            return true;
        }
        let rules = self.configurations.as_ref().map(|c| c.file_rules(path));
        let excluded = rules.as_ref().is_some_and(|r| r.excluded(path));
        let kind = rules.as_ref().and_then(|r| r.kind(path));
        !excluded && (kind.is_some() || classify_name(&name).is_some())
    }
}

/// Waits for a change that matters, then for the changes to be quiet for [`DEBOUNCE`];
/// returns the paths that changed, in order, or None when the watcher stopped. An error
/// of the watcher (events lost) counts as a change.
fn next_change(
    events: &Receiver<notify::Result<Event>>,
    relevant: &Relevant,
) -> Option<Vec<PathBuf>> {
    let mut changed = BTreeSet::new();
    let take = |event: notify::Result<Event>, changed: &mut BTreeSet<PathBuf>| match event {
        Ok(event) if matches!(event.kind, EventKind::Access(_)) => false,
        Ok(event) => {
            let before = changed.len();
            changed.extend(event.paths.into_iter().filter(|p| relevant.matters(p)));
            changed.len() > before
        }
        Err(_) => true,
    };
    // Until one change matters, wait as long as it takes.
    loop {
        match events.recv() {
            Ok(event) => {
                if take(event, &mut changed) {
                    break;
                }
            }
            // The watcher is gone: nothing will change any more.
            Err(_) => return None,
        }
    }
    // Then until the changes that matter have been quiet for DEBOUNCE (others, such as
    // a log written in a watched directory, do not hold the check back).
    let mut quiet_at = Instant::now() + DEBOUNCE;
    while let Some(left) = quiet_at.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(event) => {
                if take(event, &mut changed) {
                    quiet_at = Instant::now() + DEBOUNCE;
                }
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    Some(changed.into_iter().collect())
}

/// The line before each new report: the time (UTC) and what changed.
fn separator(names: &[String]) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let clock = format!(
        "{:02}:{:02}:{:02} UTC",
        now / 3600 % 24,
        now / 60 % 60,
        now % 60
    );
    const SHOWN: usize = 3;
    let mut what = names
        .iter()
        .take(SHOWN)
        .map(|n| shipshape_report::escape_controls(n).into_owned())
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        what.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    if what.is_empty() {
        what = "files".into();
    }
    format!("\n---- {clock}: {what} changed; checking again ----\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_names_what_changed() {
        let line = separator(&["compose.yaml".into()]);
        assert!(line.starts_with("\n---- "), "{line}");
        assert!(
            line.ends_with(" UTC: compose.yaml changed; checking again ----\n"),
            "{line}"
        );
        let names: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert!(separator(&names).contains(": a, b, c and 2 more changed;"));
        assert!(separator(&["\u{1b}[31m".into()]).contains("\\u{1b}[31m"));
    }
}
