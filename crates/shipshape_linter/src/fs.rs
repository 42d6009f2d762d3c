//! The file system as the analysis sees it. The CLI reads the disk; the language server
//! puts its open buffers in front of it. Rules never see this: the analysis reads
//! everything they need up front.

use std::io;
use std::path::{Path, PathBuf};

/// Files listed per directory walk at most (a wildcard `include:` in a huge repository
/// stops there rather than stalling).
pub const MAX_WALK_FILES: usize = 100_000;

pub trait FileSystem: Sync {
    /// The file's bytes, at most `limit + 1` of them (one more than the limit tells the
    /// caller it is over). Only regular files are read: a device (`/dev/zero`) or a FIFO
    /// is an error, never an endless or blocking read.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;
    /// The size in bytes, without reading the file.
    fn len(&self, path: &Path) -> io::Result<u64>;
    fn is_file(&self, path: &Path) -> bool;
    /// Whether anything (file or directory) is at `path`.
    fn exists(&self, path: &Path) -> bool;
    /// Every file below `dir`, as the repository would hold it: `.gitignore`d files and
    /// `.git` left out; at most [`MAX_WALK_FILES`].
    fn walk_files(&self, dir: &Path) -> Vec<PathBuf>;
    /// Whether something is at `path` but the project boundary keeps it from being read
    /// (a link out of the project): findings then say so, not "missing".
    fn is_outside(&self, _path: &Path) -> bool {
        false
    }
}

/// The real disk.
pub struct OsFs;

/// Reads a regular file (links followed), at most `limit + 1` bytes: the size is checked
/// while reading, since `metadata().len()` is 0 for devices and FIFOs.
pub fn read_regular_file(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    if !std::fs::metadata(path)?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok(bytes)
}

impl FileSystem for OsFs {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        read_regular_file(path, limit)
    }

    fn len(&self, path: &Path) -> io::Result<u64> {
        std::fs::metadata(path).map(|m| m.len())
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn walk_files(&self, dir: &Path) -> Vec<PathBuf> {
        ignore::WalkBuilder::new(dir)
            .hidden(false)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .map(ignore::DirEntry::into_path)
            .take(MAX_WALK_FILES)
            .collect()
    }
}

/// Files held in memory, and nothing else: for callers that lint text they generate (the
/// fuzz targets, the property tests) and must never touch the disk.
#[derive(Clone, Debug, Default)]
pub struct MemoryFs {
    pub files: std::collections::BTreeMap<PathBuf, Vec<u8>>,
}

impl FileSystem for MemoryFs {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let bytes = self
            .files
            .get(path)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        let end = bytes
            .len()
            .min(usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX));
        Ok(bytes[..end].to_vec())
    }

    fn len(&self, path: &Path) -> io::Result<u64> {
        self.files
            .get(path)
            .map(|bytes| bytes.len() as u64)
            .ok_or_else(|| io::ErrorKind::NotFound.into())
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    fn exists(&self, path: &Path) -> bool {
        self.files.keys().any(|p| p.starts_with(path))
    }

    fn walk_files(&self, dir: &Path) -> Vec<PathBuf> {
        self.files
            .keys()
            .filter(|p| p.starts_with(dir))
            .take(MAX_WALK_FILES)
            .cloned()
            .collect()
    }
}

/// The project boundary: every path the analysis opens goes through this, resolved with
/// its symlinks followed, and is read only when it lies under one of the project roots
/// (the repository root of an input, the directory given, the configured project root).
/// A repository cannot make shipshape read `/proc/self/environ`, `~/.docker/config.json`
/// or `../other-project` through a link, an `include:`, an `extends: file:` or a `-f`.
pub struct Bounded<'a> {
    inner: &'a dyn FileSystem,
    /// Canonical, and as given (for paths that exist only in an editor's buffers).
    roots: Vec<PathBuf>,
    /// Directory -> its canonical path (None: it does not exist). Every probe of a file
    /// resolves its directory once, not every component of it again (a 3,000-file walk
    /// took 228,000 `readlink` calls before).
    real_dirs: std::sync::Mutex<std::collections::HashMap<PathBuf, Option<PathBuf>>>,
}

/// The error a read outside the project gets (shown as the file's reason).
pub const OUTSIDE_PROJECT: &str = "outside the project: not read";

impl<'a> Bounded<'a> {
    pub fn new(inner: &'a dyn FileSystem, roots: impl IntoIterator<Item = PathBuf>) -> Bounded<'a> {
        let mut all = Vec::new();
        for root in roots {
            let root = crate::paths::normalize(&root);
            if let Ok(real) = std::fs::canonicalize(&root) {
                all.push(real);
            }
            all.push(root);
        }
        all.sort();
        all.dedup();
        Bounded {
            inner,
            roots: all,
            real_dirs: Default::default(),
        }
    }

    /// The roots, canonical and as given: where the analysis reads, and where `--fix` may
    /// write.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Whether `path` (links followed) is under a root. A path that does not exist on
    /// disk (an unsaved editor buffer, a file about to be reported missing) is judged by
    /// its directory's real place, or by its normalized text when that does not exist.
    pub fn contains(&self, path: &Path) -> bool {
        let real = self.real_path(path);
        self.roots.iter().any(|r| real.starts_with(r))
    }

    /// `path` with its links followed: its directory's canonical path (cached), then the
    /// file itself followed when it is a link.
    fn real_path(&self, path: &Path) -> PathBuf {
        let lexical = || crate::paths::normalize(path);
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return std::fs::canonicalize(path).unwrap_or_else(|_| lexical());
        };
        let real_dir = {
            let mut cache = self
                .real_dirs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            cache
                .entry(dir.to_path_buf())
                .or_insert_with(|| std::fs::canonicalize(dir).ok())
                .clone()
        };
        let Some(real_dir) = real_dir else {
            return lexical();
        };
        let candidate = real_dir.join(name);
        match std::fs::symlink_metadata(&candidate) {
            Ok(meta) if meta.file_type().is_symlink() => {
                std::fs::canonicalize(&candidate).unwrap_or(candidate)
            }
            _ => candidate,
        }
    }

    fn check(&self, path: &Path) -> io::Result<()> {
        if self.contains(path) {
            Ok(())
        } else {
            Err(io::Error::other(OUTSIDE_PROJECT))
        }
    }
}

impl FileSystem for Bounded<'_> {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        self.check(path)?;
        self.inner.read(path, limit)
    }

    fn len(&self, path: &Path) -> io::Result<u64> {
        self.check(path)?;
        self.inner.len(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        self.contains(path) && self.inner.is_file(path)
    }

    fn exists(&self, path: &Path) -> bool {
        self.contains(path) && self.inner.exists(path)
    }

    fn is_outside(&self, path: &Path) -> bool {
        !self.contains(path) && self.inner.exists(path)
    }

    fn walk_files(&self, dir: &Path) -> Vec<PathBuf> {
        if !self.contains(dir) {
            return Vec::new();
        }
        self.inner
            .walk_files(dir)
            .into_iter()
            .filter(|p| self.contains(p))
            .collect()
    }
}
