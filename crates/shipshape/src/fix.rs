//! `--fix`: apply the fixes of an analysis to the files on disk.
//!
//! Each file is written atomically: a temporary file created with `O_EXCL` under a random
//! name in the target's directory (never a name a repository could plant a link at),
//! given the original's permissions and, where the process may, its owner, then renamed
//! over the target. A link is written through to its target when that target is inside
//! the project, and refused otherwise; hard-linked and read-only files are refused; a
//! file that changed on disk since it was analysed is skipped. Refused and skipped files
//! are left untouched and reported, one line each.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use shipshape_linter::fix::apply_fixes;
use shipshape_linter::{Analysis, Fix};
use shipshape_yaml::FileId;

#[derive(Debug, Default)]
pub struct Outcome {
    pub fixes: usize,
    pub files: usize,
    /// I/O errors: the run ends with exit code 2.
    pub errors: Vec<String>,
    /// Files refused or skipped ("compose.yaml: is read-only; not fixed"): their findings
    /// stay, and decide the exit code as usual.
    pub skipped: Vec<String>,
}

/// The fixes to apply, per file.
fn fixes_by_file(analysis: &Analysis, include_unsafe: bool) -> BTreeMap<FileId, Vec<&Fix>> {
    let mut by_file: BTreeMap<FileId, Vec<&Fix>> = BTreeMap::new();
    for d in &analysis.diagnostics {
        if let Some(fix) = &d.fix
            && (fix.safe || include_unsafe)
        {
            by_file.entry(d.file()).or_default().push(fix);
        }
    }
    by_file
}

/// The files the fixes change: (file, its new text, how many fixes).
pub fn plan(analysis: &Analysis, include_unsafe: bool) -> Vec<(FileId, String, usize)> {
    fixes_by_file(analysis, include_unsafe)
        .into_iter()
        .filter_map(|(id, fixes)| {
            let source = analysis.workspace.source(id);
            let (text, applied) = apply_fixes(&source.text, id, fixes);
            (applied > 0 && text != source.text).then_some((id, text, applied))
        })
        .collect()
}

/// `--diff`: the changes `--fix` would make, as a unified diff that `git apply` takes,
/// and the hunks left out of it. No line that holds a secret is shown: context stops
/// before such a line, and a change to such a line (or one that would keep no context)
/// is left out, with a line saying so, rather than shown or masked (a masked line would
/// not apply).
pub fn diff(analysis: &Analysis, include_unsafe: bool) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut left_out = Vec::new();
    for (id, fixes) in fixes_by_file(analysis, include_unsafe) {
        let file = analysis.workspace.file(id);
        let before = file.source.text.as_str();
        let (after, applied) = apply_fixes(before, id, fixes);
        if applied == 0 || after == before {
            continue;
        }
        let secret_lines: BTreeSet<usize> = file
            .secrets
            .iter()
            .flat_map(|s| {
                let first = file.source.line_col(s.span.start as usize).line as usize;
                let last = file.source.line_col(s.span.end as usize).line as usize;
                first..=last
            })
            .collect();
        let (hunks, hidden) = file_hunks(before, &after, &secret_lines);
        if hidden > 0 {
            let s = if hidden == 1 { "" } else { "s" };
            left_out.push(format!(
                "{}: {hidden} change{s} next to a secret not shown in the diff (--fix applies it)",
                file.source.name
            ));
        }
        if !hunks.is_empty() {
            out.push_str(&format!("--- a/{0}\n+++ b/{0}\n", file.source.name));
            out.push_str(&hunks);
        }
    }
    (out, left_out)
}

/// Lines of context around a change, as `diff -u` gives.
const CONTEXT: usize = 3;

/// The hunks of one file's diff, one per change, and how many were left out. Context is
/// up to [`CONTEXT`] lines on each side (between two changes, each takes its half, so
/// hunks never overlap), trimmed so that no line in `secret_lines` (0-based, of
/// `before`) is shown. A change to a secret's line is left out, and so is one left
/// without context on a side where the file goes on: `git apply` anchors a hunk by its
/// context (one without context after it must end the file, one without context before
/// it must start it).
fn file_hunks(before: &str, after: &str, secret_lines: &BTreeSet<usize>) -> (String, usize) {
    use similar::{DiffTag, TextDiff};
    let diff = TextDiff::from_lines(before, after);
    let old = diff.old_slices();
    let new = diff.new_slices();
    let ops = diff.ops();
    let mut out = String::new();
    let mut hidden = 0;
    for (i, op) in ops.iter().enumerate() {
        if op.tag() == DiffTag::Equal {
            continue;
        }
        if op.old_range().any(|l| secret_lines.contains(&l)) {
            hidden += 1;
            continue;
        }
        // The equal lines before and after this change that it may show.
        let before_eq = i
            .checked_sub(1)
            .map(|p| &ops[p])
            .filter(|p| p.tag() == DiffTag::Equal)
            .map_or(op.old_range().start..op.old_range().start, |p| {
                let r = p.old_range();
                // Between two changes: the later half.
                let from = if i >= 2 {
                    r.start + r.len() / 2
                } else {
                    r.start
                };
                from.max(r.end.saturating_sub(CONTEXT))..r.end
            });
        let after_eq = ops.get(i + 1).filter(|n| n.tag() == DiffTag::Equal).map_or(
            op.old_range().end..op.old_range().end,
            |n| {
                let r = n.old_range();
                // Between two changes: the earlier half.
                let to = if i + 2 < ops.len() {
                    r.start + r.len() / 2
                } else {
                    r.end
                };
                r.start..to.min(r.start + CONTEXT)
            },
        );
        let lead_start = before_eq
            .clone()
            .rev()
            .find(|l| secret_lines.contains(l))
            .map_or(before_eq.start, |l| l + 1);
        let trail_end = after_eq
            .clone()
            .find(|l| secret_lines.contains(l))
            .unwrap_or(after_eq.end);
        let leading = before_eq.end - lead_start;
        let trailing = trail_end - after_eq.start;
        if (leading == 0 && lead_start > 0) || (trailing == 0 && trail_end < old.len()) {
            hidden += 1;
            continue;
        }
        let mut body = String::new();
        let lines = [
            (' ', &old[lead_start..before_eq.end]),
            ('-', &old[op.old_range()]),
            ('+', &new[op.new_range()]),
            (' ', &old[after_eq.start..trail_end]),
        ];
        for (sign, part) in lines {
            for line in part {
                push_line(&mut body, sign, line);
            }
        }
        let old_count = leading + op.old_range().len() + trailing;
        let new_count = leading + op.new_range().len() + trailing;
        let new_start = op.new_range().start - leading;
        let range = |start: usize, count: usize| match count {
            0 => format!("{start},0"),
            1 => format!("{}", start + 1),
            n => format!("{},{n}", start + 1),
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n{body}",
            range(lead_start, old_count),
            range(new_start, new_count)
        ));
    }
    (out, hidden)
}

/// One diff line; a last line without a line break says so, as `diff` does.
fn push_line(out: &mut String, sign: char, line: &str) {
    out.push(sign);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}

pub fn apply(analysis: &Analysis, include_unsafe: bool) -> Outcome {
    let roots = &analysis.workspace.project_roots;
    // Two names of one file (a link named beside its target): written once, by the first.
    let mut targets = std::collections::BTreeSet::new();
    let planned: Vec<(FileId, String, usize)> = plan(analysis, include_unsafe)
        .into_iter()
        .filter(|(id, ..)| {
            fs::canonicalize(&analysis.workspace.source(*id).path)
                .map_or(true, |target| targets.insert(target))
        })
        .collect();
    // Each write waits for the disk (`sync_all` before the rename): a few at once, so that
    // 3,000 fixed files do not take a second of waiting one after the other.
    let written: Vec<Result<PathBuf, NotWritten>> = std::thread::scope(|scope| {
        let chunk = planned.len().div_ceil(WRITERS).max(1);
        let workers: Vec<_> = planned
            .chunks(chunk)
            .map(|files| {
                scope.spawn(move || {
                    files
                        .iter()
                        .map(|(id, text, _)| {
                            let source = analysis.workspace.source(*id);
                            write_fixed(
                                &source.path,
                                source.text.as_bytes(),
                                text.as_bytes(),
                                roots,
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a writer does not panic"))
            .collect()
    });
    let mut outcome = Outcome::default();
    for ((id, _, applied), result) in planned.iter().zip(written) {
        let name = shipshape_report::escape_controls(&analysis.workspace.source(*id).name);
        match result {
            Ok(_) => {
                outcome.fixes += applied;
                outcome.files += 1;
            }
            Err(NotWritten::Refused(reason)) => {
                outcome.skipped.push(format!("{name}: {reason}; not fixed"));
            }
            Err(NotWritten::Io(err)) => outcome.errors.push(format!(
                "{name}: could not write the fixes: {}",
                shipshape_linter::discover::io_reason(&err)
            )),
        }
    }
    outcome
}

/// Files written at once by `--fix`.
const WRITERS: usize = 8;

/// Why a file was not written.
#[derive(Debug)]
pub enum NotWritten {
    /// Left alone on purpose, for the reason given (said on stderr, not an error).
    Refused(String),
    Io(std::io::Error),
}

impl From<std::io::Error> for NotWritten {
    fn from(err: std::io::Error) -> NotWritten {
        NotWritten::Io(err)
    }
}

fn refused(reason: impl Into<String>) -> NotWritten {
    NotWritten::Refused(reason.into())
}

/// Replaces the file at `path` (a link: its target) by `new`, so that a reader sees
/// either the old or the new file, never half of one, when the file is still `analysed`
/// and may be written: its real path under one of `roots`, a regular file with one name
/// and write permission. Returns the path written (the link's target for a link).
/// Nothing is left behind when it is not written.
pub fn write_fixed(
    path: &Path,
    analysed: &[u8],
    new: &[u8],
    roots: &[PathBuf],
) -> Result<PathBuf, NotWritten> {
    let is_link = fs::symlink_metadata(path)?.file_type().is_symlink();
    let target = fs::canonicalize(path)?;
    if !roots.iter().any(|root| target.starts_with(root)) {
        return Err(refused(if is_link {
            "is a link to a file outside the project"
        } else {
            "is outside the project (through a linked directory)"
        }));
    }
    let meta = fs::metadata(&target)?;
    if !meta.is_file() {
        return Err(refused("is not a regular file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if meta.nlink() > 1 {
            return Err(refused(format!(
                "has {} hard links, which a rewrite would split",
                meta.nlink()
            )));
        }
    }
    // No write bit at all, or none this user holds (a file of another user): replacing
    // it would change what its owner chose.
    let writable =
        !meta.permissions().readonly() && fs::OpenOptions::new().write(true).open(&target).is_ok();
    if !writable {
        return Err(refused("is read-only"));
    }
    let dir = target.parent().unwrap_or(Path::new("/"));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Created with O_EXCL under a random name: a planted file or link of that name makes
    // the creation fail and try another name, never writes through it. Dropped (on any
    // error below) it is removed.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.shipshape-"))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.as_file_mut().write_all(new)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        // Best effort: only root (or the owner, for the group) may; otherwise the file
        // is this user's, as any editor's save would leave it.
        let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
    }
    // After the owner: a chown clears the set-id bits.
    tmp.as_file().set_permissions(meta.permissions())?;
    tmp.as_file().sync_all()?;
    let now = shipshape_linter::fs::read_regular_file(&target, analysed.len() as u64)?;
    if now != analysed {
        return Err(refused("changed since it was read"));
    }
    tmp.persist(&target).map_err(|e| NotWritten::Io(e.error))?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A file edited between the analysis and the write keeps the edit: the fix is
    /// skipped and said, and no temporary file stays.
    #[test]
    fn a_file_changed_since_it_was_read_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let path = root.join("compose.yaml");
        fs::write(&path, "services: {}\n# edited meanwhile\n").unwrap();
        let result = write_fixed(
            &path,
            b"services: {}\n",
            b"fixed\n",
            std::slice::from_ref(&root),
        );
        match result {
            Err(NotWritten::Refused(reason)) => assert_eq!(reason, "changed since it was read"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "services: {}\n# edited meanwhile\n"
        );
        assert_eq!(names(&root), ["compose.yaml"]);
    }

    #[test]
    fn an_unchanged_file_is_replaced_with_its_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let path = root.join("compose.yaml");
        fs::write(&path, "before\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        write_fixed(&path, b"before\n", b"after\n", std::slice::from_ref(&root)).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "after\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o7777, 0o640);
        }
        assert_eq!(names(&root), ["compose.yaml"]);
    }

    /// The owner is kept where the process may set it (as root); elsewhere the chown
    /// fails quietly and the test has nothing to check.
    #[cfg(unix)]
    #[test]
    fn the_owner_is_kept_when_it_can_be() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let path = root.join("compose.yaml");
        fs::write(&path, "before\n").unwrap();
        if std::os::unix::fs::chown(&path, Some(4321), Some(4321)).is_err() {
            return;
        }
        write_fixed(&path, b"before\n", b"after\n", std::slice::from_ref(&root)).unwrap();
        let meta = fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (4321, 4321));
        assert_eq!(fs::read_to_string(&path).unwrap(), "after\n");
    }

    /// An error after the temporary file was made (here: the target vanished before the
    /// final check) removes it.
    #[test]
    fn no_temporary_file_stays_after_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        let path = root.join("missing.yaml");
        assert!(matches!(
            write_fixed(&path, b"a\n", b"b\n", std::slice::from_ref(&root)),
            Err(NotWritten::Io(_))
        ));
        let path = root.join("compose.yaml");
        fs::write(&path, "x\n").unwrap();
        // Outside every root: refused before anything is created.
        let elsewhere = root.join("elsewhere");
        assert!(matches!(
            write_fixed(&path, b"x\n", b"y\n", &[elsewhere]),
            Err(NotWritten::Refused(_))
        ));
        assert_eq!(names(&root), ["compose.yaml"]);
    }
}
