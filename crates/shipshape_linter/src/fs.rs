//! The file system as the analysis sees it. The CLI reads the disk; the language server
//! puts its open buffers in front of it. Rules never see this: the analysis reads
//! everything they need up front.

use std::io;
use std::path::Path;

pub trait FileSystem: Sync {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// The size in bytes, without reading the file.
    fn len(&self, path: &Path) -> io::Result<u64>;
    fn is_file(&self, path: &Path) -> bool;
}

/// The real disk.
pub struct OsFs;

impl FileSystem for OsFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn len(&self, path: &Path) -> io::Result<u64> {
        std::fs::metadata(path).map(|m| m.len())
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
}
