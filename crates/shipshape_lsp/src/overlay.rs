//! The file system the editor sees: open buffers in front of the disk, so that an unsaved
//! change to a Compose file is what the pipeline that runs it is checked against.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use shipshape_linter::fs::{FileSystem, OsFs};

pub struct OverlayFs {
    pub buffers: HashMap<PathBuf, String>,
}

impl FileSystem for OverlayFs {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        match self.buffers.get(path) {
            Some(text) => Ok(text.clone().into_bytes()),
            None => OsFs.read(path, limit),
        }
    }

    fn len(&self, path: &Path) -> io::Result<u64> {
        match self.buffers.get(path) {
            Some(text) => Ok(text.len() as u64),
            None => OsFs.len(path),
        }
    }

    fn is_file(&self, path: &Path) -> bool {
        self.buffers.contains_key(path) || OsFs.is_file(path)
    }

    fn exists(&self, path: &Path) -> bool {
        self.buffers.contains_key(path) || OsFs.exists(path)
    }

    fn walk_files(&self, dir: &Path) -> Vec<PathBuf> {
        let mut files = OsFs.walk_files(dir);
        for path in self.buffers.keys() {
            if path.starts_with(dir) && !files.contains(path) {
                files.push(path.clone());
            }
        }
        files
    }
}
