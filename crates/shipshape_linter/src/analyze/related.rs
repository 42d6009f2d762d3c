//! Stage 2: the files the loaded ones refer to, the GitLab pipelines they form, and the
//! Compose files those pipelines' jobs run.

use shipshape_model::interpolation::is_dynamic;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use shipshape_model::FileKind;
use shipshape_model::compose::files::ENV_FILES;
use shipshape_yaml::FileId;

use super::load::add_files;
use crate::compose_runs::PendingRun;
use crate::discover::Input;
use crate::fs::FileSystem;
use crate::paths::{normalize, resolve};
use crate::pipelines::{IncludeResolver, PendingInclude, ROOT_NAMES, Target};
use crate::settings::Settings;
use crate::workspace::{AnalyzedFile, CiPipeline, Files, ResolvedInclude};

/// Related files are followed this many hops from a reported file: one more than GitLab's
/// include count allows, so a chain of nested includes is read as far as GitLab would
/// read it and `too-many-includes` sees where it passes the limit.
const MAX_RELATED_ROUNDS: usize = shipshape_model::gitlab::keywords::MAX_INCLUDES + 1;

/// What stage 2 returns.
pub(super) struct Related {
    pub files: Files,
    pub ci_includes: HashMap<FileId, Vec<ResolvedInclude>>,
    pub pipelines: Vec<CiPipeline>,
    /// The Compose commands of the pipelines' jobs, their files not yet given ids.
    pub runs: Vec<PendingRun>,
}

pub(super) fn follow(
    mut files: Files,
    settings: &Settings,
    fs: &dyn FileSystem,
    resolver: &IncludeResolver<'_>,
) -> Related {
    let mut ci_includes = HashMap::new();
    let pending = load_related(&mut files, settings, fs, resolver, 0);
    crate::pipelines::settle_includes(&mut files, &mut ci_includes, pending);
    let pipelines = crate::pipelines::build_pipelines(&files, &ci_includes);
    // The Compose files CI jobs run, and what those files bring along.
    let mut runs = crate::compose_runs::discover(&files, &pipelines, resolver, fs, &settings.links);
    let ours = if settings.report_part.is_empty() {
        &settings.report_under
    } else {
        &settings.report_part
    };
    runs.retain(|run| run_concerns_reported(run, &files, ours));
    let (compose_paths, env_paths) = crate::compose_runs::wanted_paths(&runs);
    let first_new = files.len();
    add_related(&mut files, compose_paths, FileKind::Compose, settings, fs);
    add_related(&mut files, env_paths, FileKind::DotEnv, settings, fs);
    let pending = load_related(&mut files, settings, fs, resolver, first_new);
    crate::pipelines::settle_includes(&mut files, &mut ci_includes, pending);
    report_under(&mut files, &settings.report_under);
    Related {
        files,
        ci_includes,
        pipelines,
        runs,
    }
}

/// Whether a CI job's Compose command matters to what is reported: its job is in a
/// reported file, or it reads a reported Compose file (or one under a directory being
/// checked: of this part, for a walk analysed in parts). The others' Compose files are
/// not loaded: one Compose file named inside a monorepo whose root pipeline includes
/// every service's CI file would otherwise load every service's Compose files (issue 17;
/// benches/README.md "Named files").
fn run_concerns_reported(
    run: &crate::compose_runs::PendingRun,
    files: &Files,
    report_under: &[PathBuf],
) -> bool {
    files.file(run.run.origin.file).reported
        || run.paths().any(|path| {
            files.by_path(path).is_some_and(|f| f.reported)
                || report_under.iter().any(|d| path.starts_with(d))
        })
}

/// Files the reported ones refer to: `.env` files beside Compose files, the targets of
/// Compose `include:` and `extends: file:`, the files GitLab CI files include, and the
/// repository's root pipeline when a reported GitLab file is a fragment of it. Loaded so
/// rules can see what Compose and GitLab will see, and not reported on (unless the user
/// named them too, or they are under a directory the user named). Returns the GitLab
/// files' includes, resolved to paths.
fn load_related(
    files: &mut Files,
    settings: &Settings,
    fs: &dyn FileSystem,
    resolver: &IncludeResolver<'_>,
    from: usize,
) -> HashMap<FileId, Vec<PendingInclude>> {
    let mut known: HashSet<PathBuf> = files.iter().map(|f| f.source.path.clone()).collect();
    let mut pending = HashMap::new();
    let mut scanned = from;
    // Files loaded earlier under another kind that a pipeline turns out to include.
    let mut rescan: Vec<usize> = Vec::new();
    for _ in 0..MAX_RELATED_ROUNDS {
        // What each new file points at, found in parallel, then merged in file order.
        let found: Vec<Pointers> = rescan
            .par_iter()
            .map(|&i| &files[i])
            .chain(files[scanned..].par_iter())
            .map(|file| related_of(resolver, file, &known))
            .collect();
        let mut wanted: HashMap<PathBuf, FileKind> = HashMap::new();
        let mut included: HashSet<&Path> = HashSet::new();
        for (paths, includes) in &found {
            wanted.extend(paths.iter().cloned());
            for p in includes.iter().flat_map(|(_, found)| found) {
                if let Target::Paths(paths) = &p.target {
                    included.extend(paths.iter().map(PathBuf::as_path));
                }
            }
        }
        // A file's kind is its role: a file a pipeline includes is GitLab CI whatever its
        // name (`ci/docker-compose-upload.yml`), even when the walk found it first.
        rescan = files
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                matches!(f.kind, FileKind::Compose | FileKind::Yaml)
                    && included.contains(f.source.path.as_path())
            })
            .map(|(i, _)| i)
            .collect();
        drop(included);
        for &i in &rescan {
            let file = &mut files.as_mut_slice()[i];
            file.kind = FileKind::GitlabCi;
            file.compose = None;
        }
        for (_, includes) in found {
            pending.extend(includes);
        }
        scanned = files.len();
        // (`related_of` left out the known paths.)
        let mut new: Vec<(PathBuf, FileKind)> = wanted
            .into_par_iter()
            .filter(|(path, _)| fs.is_file(path))
            .collect();
        // Files are numbered in path order, whatever order the set gave.
        new.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        known.extend(new.iter().map(|(p, _)| p.clone()));
        let names = RelatedNames::new(files);
        let inputs: Vec<Input> = new
            .into_iter()
            .map(|(path, kind)| Input {
                name: names.of(&path),
                path,
                content: None,
                kind: Some(kind),
            })
            .collect();
        if inputs.is_empty() && rescan.is_empty() {
            break;
        }
        let mut ignored = Vec::new();
        add_files(files, &mut ignored, inputs, false, settings, fs);
    }
    pending
}

/// What [`related_of`] finds for one file: the paths to load, and a GitLab file's
/// resolved includes.
type Pointers = (
    Vec<(PathBuf, FileKind)>,
    Option<(FileId, Vec<PendingInclude>)>,
);

/// The files one file points at that are not loaded yet: a GitLab file's includes (also
/// returned, resolved, for `settle_includes`), the root pipeline of a file outside the
/// root, and beside a Compose file its `.env` files, the pipeline that may run it and
/// the files it includes or extends.
fn related_of(
    resolver: &IncludeResolver<'_>,
    file: &AnalyzedFile,
    known: &HashSet<PathBuf>,
) -> Pointers {
    let mut wanted: Vec<(PathBuf, FileKind)> = Vec::new();
    let mut want = |path: PathBuf, kind: FileKind| {
        if !known.contains(&path) {
            wanted.push((path, kind));
        }
    };
    let mut includes = None;
    let dir = file.dir();
    if file.kind == FileKind::GitlabCi {
        let found = resolver.includes_of(file);
        for p in &found {
            if let Target::Paths(paths) = &p.target {
                for path in paths {
                    want(path.clone(), FileKind::GitlabCi);
                }
            }
        }
        includes = Some((file.id(), found));
    }
    let is_root = file
        .source
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| ROOT_NAMES.contains(&n));
    let model = file.compose.as_ref();
    // The pipeline that may run it (a pre-commit hook passes only the changed files; the
    // cross-file rules still see the repository).
    if file.reported && (model.is_some() || file.kind == FileKind::GitlabCi && !is_root) {
        for root in resolver.roots(&dir) {
            for name in ROOT_NAMES {
                want(root.join(name), FileKind::GitlabCi);
            }
        }
    }
    if let Some(model) = model {
        for (name, _) in ENV_FILES {
            want(dir.join(name), FileKind::DotEnv);
        }
        // `.env.dev.example` documents `docker-compose.dev.yml`'s variables.
        if let Some(name) = file.source.path.file_name().and_then(|n| n.to_str()) {
            for env in shipshape_model::dotenv::variant_env_files(name) {
                want(dir.join(env), FileKind::DotEnv);
            }
        }
        let refs = model.include.iter().map(|t| t.value.as_str()).chain(
            model
                .services
                .iter()
                .filter_map(|s| s.extends.as_ref()?.file.as_ref().map(|f| f.value.as_str())),
        );
        for path in refs.filter(|p| !is_dynamic(p)) {
            want(resolve(&dir, path), FileKind::Compose);
        }
    }
    (wanted, includes)
}

/// Files loaded as related ones but under a directory the user asked to check are
/// reported like the files found there by name.
fn report_under(files: &mut Files, dirs: &[PathBuf]) {
    if dirs.is_empty() {
        return;
    }
    for f in files.iter_mut() {
        if !f.reported
            && f.kind != FileKind::DotEnv
            && dirs
                .iter()
                .any(|d| normalize(&f.source.path).starts_with(d))
        {
            f.reported = true;
        }
    }
}

/// Loads files as related ones (not reported), unless they are loaded already or absent.
fn add_related(
    files: &mut Files,
    paths: std::collections::BTreeSet<PathBuf>,
    kind: FileKind,
    settings: &Settings,
    fs: &dyn FileSystem,
) {
    let names = RelatedNames::new(files);
    let inputs: Vec<Input> = paths
        .into_iter()
        .filter(|p| !files.contains_path(p) && fs.is_file(p))
        .map(|path| Input {
            name: names.of(&path),
            path,
            content: None,
            kind: Some(kind),
        })
        .collect();
    add_files(files, &mut Vec::new(), inputs, false, settings, fs);
}

/// Related files' names, shown like their neighbours' (relative when theirs are): the
/// name of the first loaded file whose directory holds the path, with the rest appended.
struct RelatedNames<'w> {
    /// A directory of loaded files -> (the first such file, the directory as it names it).
    dirs: HashMap<&'w Path, (usize, &'w Path)>,
}

impl<'w> RelatedNames<'w> {
    fn new(files: &'w Files) -> RelatedNames<'w> {
        let mut dirs = HashMap::new();
        for (i, f) in files.iter().enumerate() {
            if let (Some(dir), Some(name_dir)) =
                (f.source.path.parent(), Path::new(&f.source.name).parent())
            {
                dirs.entry(dir).or_insert((i, name_dir));
            }
        }
        RelatedNames { dirs }
    }

    fn of(&self, path: &Path) -> String {
        let named = path
            .ancestors()
            .filter_map(|dir| Some((dir, self.dirs.get(dir)?)))
            .min_by_key(|(_, (first, _))| *first);
        match named {
            Some((dir, (_, name_dir))) => {
                let rest = path.strip_prefix(dir).expect("an ancestor");
                crate::discover::display_name(&name_dir.join(rest), Path::new(""))
            }
            None => crate::discover::path_text(path),
        }
    }
}
