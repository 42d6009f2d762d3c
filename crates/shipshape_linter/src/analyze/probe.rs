//! Stage 3a: what the models point at on disk, probed once so that rules never touch it.

use shipshape_model::interpolation::is_dynamic;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::fs::FileSystem;
use crate::paths::{dockerfile_path, resolve};
use crate::pipelines::IncludeResolver;
use crate::workspace::{DockerfileFacts, Files, MissingEnvFile};

/// What the probe found.
#[derive(Default)]
pub(super) struct DiskFacts {
    pub paths: HashMap<PathBuf, bool>,
    pub missing_env_files: HashMap<PathBuf, MissingEnvFile>,
    pub dockerfiles: HashMap<PathBuf, DockerfileFacts>,
}

/// The files Compose files name in `include:` (and its `env_file:`) and `extends: file:`,
/// resolved; remote ones (`oci://`, `git@`, URLs) and those made of variables left out.
fn compose_file_refs(files: &Files) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for file in files.iter() {
        let Some(model) = &file.compose else { continue };
        let extends = model
            .services
            .iter()
            .filter_map(|s| s.extends.as_ref()?.file.as_ref());
        for path in model
            .include
            .iter()
            .chain(&model.include_env_files)
            .chain(extends)
        {
            if shipshape_model::compose::is_local_file_ref(&path.value) {
                out.push(resolve(&file.dir(), &path.value));
            }
        }
    }
    out
}

/// `.gitignore` files are read up to this size (a larger one is read in part).
const MAX_GITIGNORE: u64 = 1024 * 1024;

/// Dockerfiles larger than this are not read for a `HEALTHCHECK`.
const MAX_DOCKERFILE: u64 = 1024 * 1024;

/// Records what the models point at on disk (whether `env_file`s exist, whether built
/// Dockerfiles declare a healthcheck), so rules can ask without the disk.
pub(super) fn probe_paths(
    files: &Files,
    fs: &dyn FileSystem,
    resolver: &IncludeResolver<'_>,
    project_roots: &[PathBuf],
) -> DiskFacts {
    let mut facts = DiskFacts::default();
    let mut paths = Vec::new();
    let mut dockerfiles = Vec::new();
    for file in files.iter() {
        let Some(model) = &file.compose else { continue };
        let dir = file.dir();
        for service in &model.services {
            for env_file in &service.env_files {
                if !is_dynamic(&env_file.path.value) {
                    let absolute = env_file.path.value.starts_with(['/', '~']);
                    paths.push((resolve(&dir, &env_file.path.value), absolute, dir.clone()));
                }
            }
            if let Some(path) = service
                .build
                .as_ref()
                .and_then(|b| dockerfile_path(&dir, b))
            {
                dockerfiles.push(path);
            }
        }
    }
    // `include:` and `extends: file:` targets: missing only when inside the project (a
    // path outside it is never looked at, so it counts as present).
    for path in compose_file_refs(files) {
        let inside = project_roots.iter().any(|r| path.starts_with(r));
        let present = !inside || fs.is_file(&path) || fs.is_outside(&path);
        facts.paths.insert(path, present);
    }
    for (path, absolute, compose_dir) in paths {
        let exists = fs.is_file(&path);
        if !exists && !facts.missing_env_files.contains_key(&path) {
            let hint = missing_env_file(fs, resolver, &path, absolute, &compose_dir);
            facts.missing_env_files.insert(path.clone(), hint);
        }
        facts.paths.insert(path, exists);
    }
    for path in dockerfiles {
        if facts.dockerfiles.contains_key(&path)
            || fs.len(&path).map_or(true, |n| n > MAX_DOCKERFILE)
        {
            continue;
        }
        if let Ok(bytes) = fs.read(&path, MAX_DOCKERFILE)
            && bytes.len() as u64 <= MAX_DOCKERFILE
        {
            let text = String::from_utf8_lossy(&bytes);
            let dockerfile = DockerfileFacts {
                healthcheck: shipshape_model::dockerfile::declares_healthcheck(&text),
                base_image: shipshape_model::dockerfile::final_base_image(&text),
            };
            facts.dockerfiles.insert(path, dockerfile);
        }
    }
    facts
}

/// Why an `env_file` may be missing on purpose: an absolute path outside the repository,
/// git-ignored, or made from a template beside it.
fn missing_env_file(
    fs: &dyn FileSystem,
    resolver: &IncludeResolver<'_>,
    path: &Path,
    absolute: bool,
    compose_dir: &Path,
) -> MissingEnvFile {
    let mut hint = MissingEnvFile::default();
    let Some(dir) = path.parent() else {
        return hint;
    };
    let Some(root) = resolver.roots(compose_dir).into_iter().next() else {
        return hint;
    };
    if !path.starts_with(&root) {
        hint.outside = absolute;
        return hint;
    }
    if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
        hint.template = shipshape_model::dotenv::TEMPLATE_SUFFIXES
            .iter()
            .map(|s| dir.join(format!("{name}{s}")))
            .find(|p| fs.is_file(p));
    }
    // The nearest `.gitignore` that decides (ignores, or re-includes with `!`) wins.
    for ancestor in dir.ancestors().take_while(|a| a.starts_with(&root)) {
        let file = ancestor.join(".gitignore");
        let Ok(bytes) = fs.read(&file, MAX_GITIGNORE) else {
            continue;
        };
        let mut builder = ignore::gitignore::GitignoreBuilder::new(ancestor);
        for line in String::from_utf8_lossy(&bytes).lines() {
            // A line the matcher cannot read is left out, as git does.
            let _ = builder.add_line(None, line);
        }
        let Ok(matcher) = builder.build() else {
            continue;
        };
        match matcher.matched_path_or_any_parents(path, false) {
            ignore::Match::Ignore(_) => {
                hint.ignored_by = Some(file);
                break;
            }
            ignore::Match::Whitelist(_) => break,
            ignore::Match::None => {}
        }
    }
    hint
}
