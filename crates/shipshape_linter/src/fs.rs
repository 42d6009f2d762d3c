//! The file system as the analysis sees it. The CLI reads the disk; the language server
//! puts its open buffers in front of it. Rules never see this: the analysis reads
//! everything they need up front.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// True when this is the disk and nothing else: what `lstat` says of a path is then
    /// what `is_file` and `exists` would say ([`Bounded`] answers its probes with one
    /// system call instead of two).
    fn is_disk(&self) -> bool {
        false
    }
}

/// The real disk.
pub struct OsFs;

/// Reads a regular file (links followed), at most `limit + 1` bytes: the size is checked
/// while reading, since `metadata().len()` is 0 for devices and FIFOs.
///
/// Opened first and asked what it is through the open file (one path lookup, not two:
/// 100,000 small files paid a `stat` by path and an `open` each). Opened non-blocking, so
/// that a FIFO answers at once instead of waiting for a writer; nothing is read from
/// what is not a regular file.
pub fn read_regular_file(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    read_regular(path, limit, 0)
}

/// [`read_regular_file`] with more `open` flags (`O_NOFOLLOW`).
fn read_regular(path: &Path, limit: u64, flags: i32) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | flags);
    }
    #[cfg(not(unix))]
    let _ = flags;
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    // Room for the size the file had (one more byte to see the end): no probing reads.
    // Only a hint: the read itself stops at the limit, whatever the file does meanwhile.
    let expected = meta.len().min(limit).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
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

    fn is_disk(&self) -> bool {
        true
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
    /// `roots`' bytes, for lookups by ancestor.
    root_set: std::collections::HashSet<Vec<u8>>,
    /// False until the roots are set: everything is inside.
    drawn: bool,
    /// Directory -> its canonical path (None: it does not exist). Every probe of a file
    /// resolves its directory once, not every component of it again (a 3,000-file walk
    /// took 228,000 `readlink` calls before).
    real_dirs: std::sync::Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    /// Canonical directory -> its entries, once probed often enough.
    listings: std::sync::Mutex<ListingCache>,
}

type ListingCache = HashMap<PathBuf, Listing>;

/// Probes of one directory answered by `lstat` before it is listed.
const PROBES_BEFORE_LISTING: u32 = 3;

/// Where a directory stands in [`Bounded`]'s cache.
enum Listing {
    /// Probed this many times, not listed yet.
    Probed(u32),
    /// Listed (None: it cannot be).
    Listed(Option<Arc<HashMap<OsString, EntryKind>>>),
}

/// What a directory entry is, as its listing says (links not followed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EntryKind {
    Dir,
    File,
    Link,
    Other,
}

impl EntryKind {
    fn of(t: std::fs::FileType) -> EntryKind {
        if t.is_symlink() {
            EntryKind::Link
        } else if t.is_dir() {
            EntryKind::Dir
        } else if t.is_file() {
            EntryKind::File
        } else {
            EntryKind::Other
        }
    }
}

/// A path as [`Bounded`] resolved it.
struct Resolved {
    /// Links followed.
    real: PathBuf,
    kind: Probed,
}

/// What `lstat` said of a resolved path that is not a link.
enum Probed {
    Found {
        file: bool,
    },
    /// Nothing there (or its directory is missing).
    Absent,
    /// A link (followed by `real`), or an error other than "not found".
    Unknown,
}

/// The error a read outside the project gets (shown as the file's reason).
pub const OUTSIDE_PROJECT: &str = "outside the project: not read";

fn outside_project() -> io::Error {
    io::Error::other(OUTSIDE_PROJECT)
}

impl<'a> Bounded<'a> {
    pub fn new(inner: &'a dyn FileSystem, roots: impl IntoIterator<Item = PathBuf>) -> Bounded<'a> {
        let mut bounded = Bounded::unbounded(inner);
        bounded.set_roots(roots);
        bounded
    }

    /// A boundary not drawn yet: every path is inside until [`Bounded::set_roots`]. For
    /// finding the roots themselves (each input's repository root), with the directory
    /// listings and canonical paths it finds kept for the analysis.
    pub fn unbounded(inner: &'a dyn FileSystem) -> Bounded<'a> {
        Bounded {
            inner,
            roots: Vec::new(),
            root_set: Default::default(),
            drawn: false,
            real_dirs: Default::default(),
            listings: Default::default(),
        }
    }

    /// Draws the boundary: from now on only paths under `roots` are inside.
    pub fn set_roots(&mut self, roots: impl IntoIterator<Item = PathBuf>) {
        let mut all = Vec::new();
        for root in roots {
            let root = crate::paths::normalize(&root);
            all.extend(self.real_dir(&root));
            all.push(root);
        }
        all.sort();
        all.dedup();
        self.root_set = all
            .iter()
            .map(|r| r.as_os_str().as_encoded_bytes().to_vec())
            .collect();
        self.roots = all;
        self.drawn = true;
    }

    /// Lists each of `dirs` (as given) at its first probe instead of after
    /// [`PROBES_BEFORE_LISTING`] of them: for directories a walk went through, which it
    /// listed already, and which the analysis probes for `.env`, CI and Compose names
    /// (three `lstat`s before the listing were 150,000 system calls in a walk of 50,000
    /// directories). They are entered as probed enough.
    pub fn list_at_first_probe<'p>(&mut self, dirs: impl IntoIterator<Item = &'p Path>) {
        for dir in dirs {
            if let Some(real) = self.real_dir(dir) {
                self.listings
                    .get_mut()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .entry(real)
                    .or_insert(Listing::Probed(PROBES_BEFORE_LISTING));
            }
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
        self.inside(&self.resolve(path).real)
    }

    fn inside(&self, real: &Path) -> bool {
        // Each input's repository root is a root: a walk of 50,000 directories that each
        // hold a `.gitlab-ci.yml` has 100,000 of them (as given and canonical). Looked up
        // by the bytes of each ancestor (a `Path` hashes component by component).
        if !self.drawn {
            return true;
        }
        let bytes = real.as_os_str().as_encoded_bytes();
        self.root_set.contains(bytes)
            || bytes
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'/')
                .any(|(i, _)| self.root_set.contains(&bytes[..i.max(1)]))
    }

    /// `path` with its links followed: its directory's canonical path (cached), then the
    /// file itself followed when it is a link; with what `lstat` said of it.
    fn resolve(&self, path: &Path) -> Resolved {
        let lexical = || crate::paths::normalize(path);
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            let real = std::fs::canonicalize(path).unwrap_or_else(|_| lexical());
            return Resolved {
                real,
                kind: Probed::Unknown,
            };
        };
        let Some(real_dir) = self.real_dir(dir) else {
            return Resolved {
                real: lexical(),
                kind: Probed::Absent,
            };
        };
        let candidate = real_dir.join(name);
        match self.entry(&real_dir, name) {
            Ok(Some(EntryKind::Link)) => Resolved {
                real: std::fs::canonicalize(&candidate).unwrap_or(candidate),
                kind: Probed::Unknown,
            },
            Ok(Some(kind)) => Resolved {
                real: candidate,
                kind: Probed::Found {
                    file: kind == EntryKind::File,
                },
            },
            Ok(None) => Resolved {
                real: candidate,
                kind: Probed::Absent,
            },
            Err(_) => Resolved {
                real: candidate,
                kind: Probed::Unknown,
            },
        }
    }

    /// What is at `name` in the canonical directory `real_dir` (None: nothing). A
    /// directory probed more than [`PROBES_BEFORE_LISTING`] times is listed, once, and
    /// answers from its listing: probing six `.env` names, four override names and the
    /// default Compose and CI files in each of 50,000 directories took 26 `statx` calls
    /// a directory, where a listing takes four system calls. One probe in a directory of
    /// 5,000 entries (a file named inside a monorepo) stays one `lstat`. Where a
    /// directory cannot be listed, and where names may not be compared byte for byte
    /// (file systems that fold case), `lstat` answers.
    fn entry(&self, real_dir: &Path, name: &OsStr) -> io::Result<Option<EntryKind>> {
        if cfg!(target_os = "linux")
            && let Some(listing) = self.listing(real_dir)
        {
            return Ok(listing.get(name).copied());
        }
        match std::fs::symlink_metadata(real_dir.join(name)) {
            Ok(meta) => Ok(Some(EntryKind::of(meta.file_type()))),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// The names in `real_dir` and what each is, once it has been probed often enough
    /// to be worth listing; None before that, or when it cannot be listed.
    fn listing(&self, real_dir: &Path) -> Option<Arc<HashMap<OsString, EntryKind>>> {
        let lock = || {
            self.listings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        {
            let mut listings = lock();
            let state = listings
                .entry(real_dir.to_path_buf())
                .or_insert(Listing::Probed(0));
            match state {
                Listing::Listed(known) => return known.clone(),
                Listing::Probed(n) if *n < PROBES_BEFORE_LISTING => {
                    *n += 1;
                    return None;
                }
                Listing::Probed(_) => {}
            }
        }
        let listed = std::fs::read_dir(real_dir).ok().map(|entries| {
            let names: HashMap<OsString, EntryKind> = entries
                .filter_map(Result::ok)
                .filter_map(|e| Some((e.file_name(), EntryKind::of(e.file_type().ok()?))))
                .collect();
            Arc::new(names)
        });
        lock().insert(real_dir.to_path_buf(), Listing::Listed(listed.clone()));
        listed
    }

    /// The canonical path of directory `dir`, None when it does not exist: its parent's
    /// (cached) with its own name, `lstat`ed to see whether it is a link, so that a walk
    /// of 50,000 directories makes one system call per directory rather than one per
    /// component of each path.
    fn real_dir(&self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.cache().get(dir) {
            return known.clone();
        }
        let real = match (dir.parent(), dir.file_name()) {
            (Some(parent), Some(name)) if !parent.as_os_str().is_empty() => {
                self.real_dir(parent).and_then(|real_parent| {
                    let candidate = real_parent.join(name);
                    match self.entry(&real_parent, name) {
                        Ok(Some(EntryKind::Dir)) => Some(candidate),
                        Ok(Some(EntryKind::Link)) => std::fs::canonicalize(&candidate)
                            .ok()
                            .filter(|p| p.is_dir()),
                        _ => None,
                    }
                })
            }
            // `/`, `.`, `..`, a relative name alone: as the system resolves it.
            _ => std::fs::canonicalize(dir).ok(),
        };
        self.cache().insert(dir.to_path_buf(), real.clone());
        real
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Option<PathBuf>>> {
        self.real_dirs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn check(&self, path: &Path) -> io::Result<()> {
        if self.contains(path) {
            Ok(())
        } else {
            Err(outside_project())
        }
    }
}

impl FileSystem for Bounded<'_> {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        // On the disk, a file in a directory known to be inside is opened without
        // following a link in its last component: the open itself says whether the name
        // is a link (ELOOP), where an `lstat` before every read cost one more lookup of
        // each of 100,000 files. A link takes the whole check.
        #[cfg(target_os = "linux")]
        if self.inner.is_disk()
            && let (Some(dir), Some(name)) = (path.parent(), path.file_name())
            && !dir.as_os_str().is_empty()
            && let Some(real_dir) = self.real_dir(dir)
        {
            let real = real_dir.join(name);
            if !self.inside(&real) {
                return Err(outside_project());
            }
            match read_regular(&real, limit, libc::O_NOFOLLOW) {
                Err(err) if err.raw_os_error() == Some(libc::ELOOP) => {}
                read => return read,
            }
        }
        self.check(path)?;
        self.inner.read(path, limit)
    }

    fn len(&self, path: &Path) -> io::Result<u64> {
        self.check(path)?;
        self.inner.len(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        let resolved = self.resolve(path);
        self.inside(&resolved.real)
            && match resolved.kind {
                Probed::Found { file } if self.inner.is_disk() => file,
                Probed::Absent if self.inner.is_disk() => false,
                _ => self.inner.is_file(path),
            }
    }

    fn exists(&self, path: &Path) -> bool {
        let resolved = self.resolve(path);
        self.inside(&resolved.real)
            && match resolved.kind {
                Probed::Found { .. } if self.inner.is_disk() => true,
                Probed::Absent if self.inner.is_disk() => false,
                _ => self.inner.exists(path),
            }
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
