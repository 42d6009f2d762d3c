//! GitLab CI files as pipelines: `include:` entries resolved against the repository the way
//! GitLab reads them (paths from the repository root, `*` and `**` wildcards, never outside
//! it), the files they name loaded, and each root file merged with its includes by the
//! model (SPEC-domain B2, B3).

use shipshape_model::interpolation::is_dynamic;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use shipshape_model::FileKind;
use shipshape_model::gitlab::include::{self, IncludeKind, IncludeRef, glob_match, has_wildcard};
use shipshape_model::gitlab::keywords::MAX_INCLUDES;
use shipshape_model::gitlab::pipeline::{self, PipelineSource};
use shipshape_yaml::FileId;

use crate::fs::FileSystem;
use crate::paths::normalize;
use crate::workspace::{AnalyzedFile, CiPipeline, Files, IncludeOutcome, ResolvedInclude};

/// The files GitLab reads a project's pipeline from by default.
pub const ROOT_NAMES: &[&str] = &[".gitlab-ci.yml", ".gitlab-ci.yaml"];

/// Where an include leads, known before the files are loaded.
#[derive(Debug)]
pub enum Target {
    Paths(Vec<PathBuf>),
    Done(IncludeOutcome),
}

/// An include entry of a file, with where it leads.
#[derive(Debug)]
pub struct PendingInclude {
    pub include: IncludeRef,
    pub child: bool,
    pub target: Target,
}

/// Finds the repository a file belongs to and the files its includes name, with the disk
/// probes cached.
pub struct IncludeResolver<'a> {
    fs: &'a dyn FileSystem,
    project_root: Option<&'a Path>,
    // Behind locks so that the files of a workspace are resolved in parallel.
    roots: Mutex<HashMap<PathBuf, Vec<PathBuf>>>,
    /// For each directory looked at, its nearest ancestor (itself included) holding
    /// `.git`, and the nearest holding a root pipeline file: sibling directories share
    /// their ancestors' answers, so a monorepo's thousands of directories probe each
    /// ancestor once.
    nearest_git: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    nearest_pipeline: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    listings: Mutex<HashMap<PathBuf, Arc<[String]>>>,
}

impl<'a> IncludeResolver<'a> {
    pub fn new(fs: &'a dyn FileSystem, project_root: Option<&'a Path>) -> IncludeResolver<'a> {
        IncludeResolver {
            fs,
            project_root,
            roots: Mutex::default(),
            nearest_git: Mutex::default(),
            nearest_pipeline: Mutex::default(),
            listings: Mutex::default(),
        }
    }

    /// The directories a file in `dir` may take as its repository root, outermost first:
    /// the configured root; else the nearest directory holding `.git` and the nearest one
    /// holding a `.gitlab-ci.yml` (a checkout without `.git`, an example project inside
    /// another repository), or `dir` itself when neither exists.
    pub fn roots(&self, dir: &Path) -> Vec<PathBuf> {
        if let Some(root) = self.project_root {
            return vec![normalize(root)];
        }
        if let Some(found) = lock(&self.roots).get(dir) {
            return found.clone();
        }
        let fs = self.fs;
        let git = nearest(&mut lock(&self.nearest_git), dir, |d| {
            fs.exists(&d.join(".git"))
        });
        let pipeline_dir = nearest(&mut lock(&self.nearest_pipeline), dir, |d| {
            ROOT_NAMES.iter().any(|n| fs.is_file(&d.join(n)))
        });
        let mut found: Vec<PathBuf> = git.into_iter().chain(pipeline_dir).collect();
        found.sort_by_key(|p| p.components().count());
        found.dedup();
        if found.is_empty() {
            found.push(dir.to_path_buf());
        }
        lock(&self.roots).insert(dir.to_path_buf(), found.clone());
        found
    }

    /// Where one include entry of a file in `dir` leads.
    pub fn target(&self, dir: &Path, include: &IncludeRef) -> Target {
        if include.kind != IncludeKind::Local {
            return Target::Done(IncludeOutcome::NotLocal);
        }
        let written = include.target.trim();
        if is_dynamic(written) {
            return Target::Done(IncludeOutcome::Dynamic);
        }
        // Local paths are relative to the repository root; a leading `/` changes nothing.
        let relative = written.trim_start_matches('/');
        let roots = self.roots(dir);
        let outermost = &roots[0];
        if !normalize(&outermost.join(relative)).starts_with(outermost) {
            return Target::Done(IncludeOutcome::OutsideRepository);
        }
        if has_wildcard(relative) {
            for root in &roots {
                let mut matches: Vec<PathBuf> = self
                    .listing(root)
                    .iter()
                    .filter(|p| is_yaml(p) && glob_match(relative, p))
                    .map(|p| root.join(p))
                    .collect();
                if !matches.is_empty() {
                    matches.sort();
                    return Target::Paths(matches);
                }
            }
            return Target::Done(IncludeOutcome::NoMatch);
        }
        if !is_yaml(relative) {
            return Target::Done(IncludeOutcome::NotYaml);
        }
        for root in &roots {
            let path = normalize(&root.join(relative));
            if self.fs.is_file(&path) {
                return Target::Paths(vec![path]);
            }
            // A committed link out of the repository: not read, and said so.
            if self.fs.is_outside(&path) {
                return Target::Done(IncludeOutcome::OutsideRepository);
            }
        }
        // The usual slip: a path relative to the including file.
        let nearest_root = &roots[roots.len() - 1];
        let beside = normalize(&dir.join(relative));
        let suggestion = if self.fs.is_file(&beside)
            && let Ok(rest) = beside.strip_prefix(nearest_root)
        {
            Some(slash_path(rest))
        } else {
            let listing = self.listing(nearest_root);
            let candidates: Vec<&str> = listing
                .iter()
                .map(String::as_str)
                .filter(|p| is_yaml(p))
                .collect();
            crate::text::nearest(relative, candidates).map(str::to_string)
        };
        Target::Done(IncludeOutcome::Missing {
            path: normalize(&outermost.join(relative)),
            suggestion,
        })
    }

    /// The repository's files, relative to its root, with `/`.
    pub(crate) fn listing(&self, root: &Path) -> Arc<[String]> {
        let fs = self.fs;
        lock(&self.listings)
            .entry(root.to_path_buf())
            .or_insert_with(|| {
                fs.walk_files(root)
                    .iter()
                    .filter_map(|p| p.strip_prefix(root).ok())
                    .map(slash_path)
                    .collect()
            })
            .clone()
    }

    /// The include entries of a parsed GitLab file, each with where it leads.
    pub fn includes_of(&self, file: &AnalyzedFile) -> Vec<PendingInclude> {
        let Some(tree) = file.tree() else {
            return Vec::new();
        };
        let Some(root) = include::documents(tree).0.filter(|&r| tree.is_mapping(r)) else {
            return Vec::new();
        };
        let dir = file.dir();
        let own = include::include_refs(file.id(), tree, root)
            .into_iter()
            .map(|i| (i, false));
        let children = include::trigger_include_refs(file.id(), tree, root)
            .into_iter()
            .map(|i| (i, true));
        own.chain(children)
            .map(|(include, child)| PendingInclude {
                target: self.target(&dir, &include),
                include,
                child,
            })
            .collect()
    }
}

/// A cache's lock; a panic elsewhere while it was held leaves a cache that is still
/// consistent (entries are inserted whole).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The nearest of `dir` and its ancestors that `holds`, with every directory on the way
/// remembered in `cache`.
fn nearest(
    cache: &mut HashMap<PathBuf, Option<PathBuf>>,
    dir: &Path,
    holds: impl Fn(&Path) -> bool,
) -> Option<PathBuf> {
    let mut walked: Vec<&Path> = Vec::new();
    let mut found = None;
    for ancestor in dir.ancestors() {
        if let Some(known) = cache.get(ancestor) {
            found = known.clone();
            break;
        }
        walked.push(ancestor);
        if holds(ancestor) {
            found = Some(ancestor.to_path_buf());
            break;
        }
    }
    for d in walked {
        cache.insert(d.to_path_buf(), found.clone());
    }
    found
}

/// A relative path with `/` separators, as GitLab writes include paths.
fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_yaml(path: &str) -> bool {
    path.ends_with(".yml") || path.ends_with(".yaml")
}

/// Turns the pending includes into outcomes naming the loaded files, and marks every file
/// an include reads as GitLab CI (a fragment's name says nothing).
pub fn settle_includes(
    files: &mut Files,
    ci_includes: &mut HashMap<FileId, Vec<ResolvedInclude>>,
    pending: HashMap<FileId, Vec<PendingInclude>>,
) {
    for (from, includes) in pending {
        let resolved: Vec<ResolvedInclude> = includes
            .into_iter()
            .map(|p| {
                let outcome = match p.target {
                    Target::Done(outcome) => outcome,
                    Target::Paths(paths) => {
                        let ids: Vec<FileId> = paths
                            .iter()
                            .filter_map(|path| files.by_path(path))
                            .filter(|f| f.tree().is_some())
                            .map(AnalyzedFile::id)
                            .collect();
                        if ids.is_empty() {
                            IncludeOutcome::Unreadable
                        } else {
                            IncludeOutcome::Files(ids)
                        }
                    }
                };
                ResolvedInclude {
                    include: p.include,
                    child: p.child,
                    outcome,
                }
            })
            .collect();
        for r in &resolved {
            if let IncludeOutcome::Files(ids) = &r.outcome {
                for &id in ids {
                    let file = &mut files.as_mut_slice()[id.index()];
                    if file.kind == FileKind::Yaml {
                        file.kind = FileKind::GitlabCi;
                    }
                }
            }
        }
        ci_includes.insert(from, resolved);
    }
}

/// Builds every pipeline: each GitLab file that no other one includes is a root (and so is
/// each child pipeline file); its includes are merged depth first, each file once, the
/// including file after what it includes.
pub fn build_pipelines(
    files: &Files,
    ci_includes: &HashMap<FileId, Vec<ResolvedInclude>>,
) -> Vec<CiPipeline> {
    let gitlab: Vec<&AnalyzedFile> = files
        .iter()
        .filter(|f| f.kind == FileKind::GitlabCi && f.tree().is_some())
        .collect();
    let mut included: HashSet<FileId> = HashSet::new();
    let mut children: HashSet<FileId> = HashSet::new();
    for (&from, includes) in ci_includes {
        for r in includes {
            if let IncludeOutcome::Files(ids) = &r.outcome {
                let set = if r.child {
                    &mut children
                } else {
                    &mut included
                };
                set.extend(ids.iter().copied().filter(|&id| id != from));
            }
        }
    }
    let mut roots: Vec<FileId> = gitlab
        .iter()
        .map(|f| f.id())
        .filter(|id| !included.contains(id) || children.contains(id))
        .collect();
    let mut pipelines: Vec<CiPipeline> = roots
        .par_iter()
        .map(|&root| build_one(files, ci_includes, root, children.contains(&root)))
        .collect();
    // Files only reachable through an include cycle: each becomes a root of its own.
    let covered: HashSet<FileId> = pipelines
        .iter()
        .flat_map(|p| p.model.files.iter().copied())
        .collect();
    roots = gitlab
        .iter()
        .map(|f| f.id())
        .filter(|id| !covered.contains(id))
        .collect();
    let mut seen = covered;
    for root in roots {
        if seen.contains(&root) {
            continue;
        }
        let p = build_one(files, ci_includes, root, false);
        seen.extend(p.model.files.iter().copied());
        pipelines.push(p);
    }
    pipelines
}

fn build_one(
    files: &Files,
    ci_includes: &HashMap<FileId, Vec<ResolvedInclude>>,
    root: FileId,
    child: bool,
) -> CiPipeline {
    let mut order = Vec::new();
    let mut visited = HashSet::new();
    let mut open = false;
    collect(ci_includes, root, &mut visited, &mut order, &mut open);
    let root_name = files
        .file(root)
        .source
        .path
        .file_name()
        .and_then(|n| n.to_str());
    // A fragment checked on its own: the pipeline that includes it may define the
    // stages, templates and jobs it names.
    let fragment = !child && !root_name.is_some_and(|n| ROOT_NAMES.contains(&n));
    open |= fragment;
    let sources: Vec<PipelineSource<'_>> = order
        .iter()
        .filter_map(|&id| {
            let tree = files.file(id).tree()?;
            let root = include::documents(tree).0?;
            Some(PipelineSource {
                file: id,
                tree,
                root,
            })
        })
        .collect();
    let mut model = pipeline::build(root, &sources, open);
    // Every file read, even one whose document is empty, belongs to this pipeline.
    model.files = order;
    CiPipeline {
        model,
        child,
        fragment,
        compose_runs: Vec::new(),
    }
}

/// Depth first: what a file includes comes before it.
fn collect(
    ci_includes: &HashMap<FileId, Vec<ResolvedInclude>>,
    file: FileId,
    visited: &mut HashSet<FileId>,
    order: &mut Vec<FileId>,
    open: &mut bool,
) {
    if !visited.insert(file) {
        return;
    }
    if visited.len() > MAX_INCLUDES + 1 {
        *open = true;
        return;
    }
    for r in ci_includes.get(&file).into_iter().flatten() {
        if r.child {
            continue;
        }
        match &r.outcome {
            IncludeOutcome::Files(ids) => {
                for &id in ids {
                    collect(ci_includes, id, visited, order, open);
                }
            }
            _ => *open = true,
        }
    }
    order.push(file);
}
