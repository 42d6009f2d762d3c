//! Paths as written in files, resolved lexically: no disk access (the project boundary in
//! `fs` resolves links; these only fold `.` and `..`).

use shipshape_model::interpolation::is_dynamic;
use std::path::{Component, Path, PathBuf};

use shipshape_model::compose::Build;

/// The Dockerfile a `build:` uses: `dockerfile` (default `Dockerfile`) within the context,
/// relative to the Compose file's directory. None when a variable decides it.
pub fn dockerfile_path(compose_dir: &Path, build: &Build) -> Option<PathBuf> {
    let context = build.context.as_deref().unwrap_or(".");
    let dockerfile = build.dockerfile.as_deref().unwrap_or("Dockerfile");
    if is_dynamic(context) || is_dynamic(dockerfile) || context.contains("://") {
        return None;
    }
    Some(resolve(&resolve(compose_dir, context), dockerfile))
}

/// `dir` joined with `path` and normalised lexically (`.` and `..` folded; no disk access).
pub fn resolve(dir: &Path, path: &str) -> PathBuf {
    let joined = if Path::new(path).is_absolute() {
        PathBuf::from(path)
    } else {
        dir.join(path)
    };
    normalize(&joined)
}

pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
