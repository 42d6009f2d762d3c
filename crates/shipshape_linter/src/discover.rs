//! From the paths a user gives to the files to check.
//!
//! Directories are walked with `ignore` (it honours `.gitignore`, `.ignore` and the global
//! git excludes, inside a git repository or not). Dotfiles are included, since
//! `.gitlab-ci.yml` is one, and `.git/` is skipped. A walked file is checked when its name
//! says what it is; a file named explicitly is always checked, and classified by content
//! when its name says nothing.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};
use shipshape_model::FileKind;
use shipshape_model::kind::NAME_PATTERNS;

/// One file to analyse.
#[derive(Clone, Debug)]
pub struct Input {
    /// Where to read it (absolute, or as given).
    pub path: PathBuf,
    /// As shown to users: relative to the base directory when below it, with `/`.
    pub name: String,
    /// The text itself, for stdin and editor buffers; None to read `path`.
    pub content: Option<Vec<u8>>,
    /// What its name says it is; None to decide by content.
    pub kind: Option<FileKind>,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub inputs: Vec<Input>,
    /// One line each: a path that does not exist, a directory that cannot be read.
    pub errors: Vec<String>,
    /// The directories walked (for [`crate::Settings::report_under`]).
    pub walked: Vec<PathBuf>,
}

static NAME_GLOBS: LazyLock<GlobSet> = LazyLock::new(|| {
    let mut builder = GlobSetBuilder::new();
    for (pattern, _) in NAME_PATTERNS {
        builder.add(Glob::new(pattern).expect("NAME_PATTERNS are valid globs"));
    }
    builder.build().expect("NAME_PATTERNS compile")
});

/// The kind a file name says a file is (the name only, not its directories).
pub fn classify_name(file_name: &str) -> Option<FileKind> {
    NAME_GLOBS
        .matches(file_name)
        .first()
        .map(|&i| NAME_PATTERNS[i].1)
}

/// What the configuration adds to discovery (`[files]` of shipshape.toml): globs that
/// make files of other names Compose or GitLab CI files, and globs of files to leave out.
/// Globs are relative to `root` (the configuration file's directory).
#[derive(Clone, Debug, Default)]
pub struct FileRules {
    pub root: PathBuf,
    pub kinds: Vec<(GlobSet, FileKind)>,
    pub exclude: Option<GlobSet>,
}

impl FileRules {
    fn relative<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }

    /// Whether the configuration leaves the file out.
    pub fn excluded(&self, path: &Path) -> bool {
        self.exclude
            .as_ref()
            .is_some_and(|g| g.is_match(self.relative(path)))
    }

    /// The kind the configuration gives a file, if any.
    pub fn kind(&self, path: &Path) -> Option<FileKind> {
        let rel = self.relative(path);
        self.kinds
            .iter()
            .find(|(g, _)| g.is_match(rel))
            .map(|(_, k)| *k)
    }
}

/// Finds the files under `paths`; relative paths are relative to `base`, which is also
/// what names are shown relative to.
pub fn discover(paths: &[PathBuf], base: &Path) -> Discovery {
    discover_with(paths, base, &FileRules::default())
}

/// [`discover`], with the configuration's file rules.
pub fn discover_with(paths: &[PathBuf], base: &Path, rules: &FileRules) -> Discovery {
    let rules = Arc::new(rules.clone());
    discover_by(paths, base, &|_| Arc::clone(&rules))
}

/// The file rules that apply to a file, by its path: one configuration's for every file,
/// or each file's nearest configuration's (`configs::Configurations::file_rules`).
pub type RulesAt<'r> = dyn Fn(&Path) -> Arc<FileRules> + Sync + 'r;

/// [`discover`], each file (named, or met while walking) with the file rules `rules_at`
/// gives it: a directory under its own `shipshape.toml` is walked with that file's
/// `[files]` rules.
pub fn discover_by(paths: &[PathBuf], base: &Path, rules_at: &RulesAt<'_>) -> Discovery {
    let mut out = Discovery::default();
    for path in paths {
        let abs = if path.is_absolute() {
            path.clone()
        } else {
            base.join(path)
        };
        match std::fs::metadata(&abs) {
            Err(err) => out
                .errors
                .push(format!("{}: {}", path.display(), io_reason(&err))),
            Ok(meta) if meta.is_dir() => {
                walk(&abs, base, rules_at, &mut out);
                out.walked.push(crate::paths::normalize(&abs));
            }
            Ok(_) => {
                let rules = rules_at(&abs);
                if rules.excluded(&abs) {
                    continue;
                }
                let kind = rules
                    .kind(&abs)
                    .or_else(|| abs.file_name().and_then(|n| classify_name(&os_text(n))));
                out.inputs.push(Input {
                    name: display_name(&abs, base),
                    path: abs,
                    content: None,
                    kind,
                });
            }
        }
    }
    out.inputs.sort_by(|a, b| a.name.cmp(&b.name));
    out.inputs.dedup_by(|a, b| a.path == b.path);
    out
}

/// Directories a walk does not enter (unless named on the command line): installed
/// tools and dependencies, whose YAML is someone else's (a CI job that installs shipshape
/// with cargo into `$CI_PROJECT_DIR/.cargo` must not lint the registry's test fixtures).
pub const SKIPPED_DIRS: &[&str] = &[".cargo", "node_modules", ".venv", "venv", "vendor"];

/// The walk of a directory: `.gitignore` honoured (in a git repository or not), dotfiles
/// included, `.git` and [`SKIPPED_DIRS`] below it not entered.
fn walker(dir: &Path) -> WalkBuilder {
    let mut builder = WalkBuilder::new(dir);
    builder.hidden(false).require_git(false).filter_entry(|e| {
        e.file_name() != ".git"
            && !(e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n)))
    });
    builder
}

/// The directories a walk of `dir` enters (`dir` first, then in path order): what
/// `shipshape check --watch` watches.
pub fn walked_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = walker(dir)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_dir()))
        .map(ignore::DirEntry::into_path)
        .collect();
    dirs.sort();
    dirs
}

/// Whether a walk that reaches `dir`'s parent enters `dir` (not `.git`, not a skipped
/// directory, not ignored by a `.gitignore`): whether a new directory is one
/// `shipshape check --watch` watches.
pub fn walk_enters(dir: &Path) -> bool {
    let Some(parent) = dir.parent() else {
        return true;
    };
    walker(parent)
        .max_depth(Some(1))
        .build()
        .filter_map(Result::ok)
        .any(|e| e.depth() == 1 && e.path() == dir)
}

/// Walks `dir` on every core (a monorepo is thousands of directories); what it finds is
/// put in order by the caller, the errors here.
fn walk(dir: &Path, base: &Path, rules_at: &RulesAt<'_>, out: &mut Discovery) {
    let found: Mutex<(Vec<Input>, Vec<String>)> = Mutex::default();
    walker(dir).build_parallel().run(|| {
        let found = &found;
        Box::new(move |entry| {
            let lock = || {
                found
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            };
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    lock().1.push(err.to_string());
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let rules = rules_at(entry.path());
            if rules.excluded(entry.path()) {
                return WalkState::Continue;
            }
            let Some(kind) = rules
                .kind(entry.path())
                // A name with bytes that are not UTF-8 is still checked: the
                // patterns are ASCII.
                .or_else(|| classify_name(&os_text(entry.file_name())))
            else {
                return WalkState::Continue;
            };
            let path = entry.into_path();
            let input = Input {
                name: display_name(&path, base),
                path,
                content: None,
                kind: Some(kind),
            };
            lock().0.push(input);
            WalkState::Continue
        })
    });
    let (inputs, mut errors) = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    errors.sort();
    out.inputs.extend(inputs);
    out.errors.extend(errors);
}

/// `path` relative to `base` when below it, else as it is; always with `/`.
pub fn display_name(path: &Path, base: &Path) -> String {
    let shown = path.strip_prefix(base).unwrap_or(path);
    let mut name = String::new();
    for comp in shown.components() {
        match comp {
            std::path::Component::CurDir => continue,
            std::path::Component::RootDir => name.push('/'),
            other => {
                if !name.is_empty() && !name.ends_with('/') {
                    name.push('/');
                }
                name.push_str(&os_text(other.as_os_str()));
            }
        }
    }
    if name.is_empty() { ".".into() } else { name }
}

/// A file name as text: a byte that is not UTF-8 is written `\xff` (not replaced by
/// U+FFFD, which would make two names one), in every output.
pub fn os_text(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    if let Some(text) = name.to_str() {
        return text.into();
    }
    let mut out = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.into()
}

/// A path as text, as [`os_text`] writes a name.
pub fn path_text(path: &Path) -> String {
    os_text(path.as_os_str()).into_owned()
}

/// The reason of an I/O error without Rust's "(os error 2)" suffix.
pub fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = err.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_classify_like_compose_and_gitlab_do() {
        for name in [
            "compose.yml",
            "compose.yaml",
            "compose.override.yaml",
            "docker-compose.yml",
            "docker-compose.ci.yaml",
            "docker-compose-dev.yml",
            "app.compose.yml",
        ] {
            assert_eq!(classify_name(name), Some(FileKind::Compose), "{name}");
        }
        for name in [".gitlab-ci.yml", ".gitlab-ci.yaml", "build.gitlab-ci.yml"] {
            assert_eq!(classify_name(name), Some(FileKind::GitlabCi), "{name}");
        }
        for name in [
            "compose.json",
            "values.yaml",
            "docker-compose",
            "gitlab-ci.yml",
            ".gitlab-ci.yml.bak",
        ] {
            assert_eq!(classify_name(name), None, "{name}");
        }
    }

    #[test]
    fn display_names_are_relative_below_base() {
        let base = Path::new("/repo");
        assert_eq!(
            display_name(Path::new("/repo/a/compose.yml"), base),
            "a/compose.yml"
        );
        assert_eq!(
            display_name(Path::new("/elsewhere/x.yml"), base),
            "/elsewhere/x.yml"
        );
        assert_eq!(display_name(Path::new("/repo/./b.yml"), base), "b.yml");
    }
}
