//! Stage 3: the `Workspace`, built once: secrets found, disk probed, Compose files grouped
//! into the projects `docker compose` runs, each CI run given its project.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use shipshape_model::FileKind;
use shipshape_model::compose::files::{DirFile, ProjectFiles, env_file_role, group_directory};
use shipshape_model::compose::{ComposeFile, EnvSource, Project};
use shipshape_yaml::FileId;

use super::related::Related;
use crate::fs::FileSystem;
use crate::paths::resolve;
use crate::pipelines::IncludeResolver;
use crate::runs::ComposeRun;
use crate::workspace::{
    AnalyzedFile, CiPipeline, ComposeNames, Files, PipelineId, ProjectId, Workspace,
};

pub(super) fn workspace(
    related: Related,
    fs: &dyn FileSystem,
    resolver: &IncludeResolver<'_>,
    project_roots: &[PathBuf],
) -> Workspace {
    let Related {
        mut files,
        ci_includes,
        mut pipelines,
        runs,
    } = related;
    // Scanned as each was loaded (`load::load`); a file a pipeline includes became a
    // GitLab file since, which the help of its secrets says.
    for f in files.iter_mut() {
        let in_ci = f.kind == FileKind::GitlabCi;
        for secret in &mut f.secrets {
            secret.in_ci_script = in_ci;
        }
    }
    let disk = super::probe::probe_paths(&files, fs, resolver, project_roots);
    let compose_names = ComposeNames::build(&files);
    let exists_facts = exists_facts(&files, &ci_includes, &pipelines, resolver);
    let env_files = env_files_by_dir(&files);
    let mut compose_projects = compose_projects(&files, &env_files);
    let runs = crate::compose_runs::settle(&files, runs);
    attach_runs(
        &files,
        &env_files,
        &mut compose_projects,
        &mut pipelines,
        runs,
    );
    Workspace {
        files,
        compose_projects,
        paths: disk.paths,
        missing_env_files: disk.missing_env_files,
        dockerfiles: disk.dockerfiles,
        compose_names,
        ci_includes,
        pipelines,
        exists_facts,
        project_roots: project_roots.to_vec(),
        ci_index: std::sync::OnceLock::new(),
    }
}

/// Groups the Compose files of each directory into the projects `docker compose` would
/// run (`shipshape_model::compose::files::group_directory`), and merges each.
fn compose_projects(files: &Files, env_files: &EnvFilesByDir<'_>) -> Vec<Project> {
    let mut by_dir: BTreeMap<PathBuf, Vec<&AnalyzedFile>> = BTreeMap::new();
    for f in files
        .iter()
        .filter(|f| f.compose.is_some() && f.is_complete_enough())
    {
        by_dir.entry(f.dir()).or_default().push(f);
    }
    // A file that another one includes belongs to that project, not to one of its own.
    let included: HashSet<FileId> = files
        .iter()
        .filter_map(|f| Some((f, f.compose.as_ref()?)))
        .flat_map(|(f, m)| {
            m.include
                .iter()
                .filter_map(|i| lookup_compose(files, f.id(), &i.value))
                .map(|c| c.file)
        })
        .collect();
    // Which files form each project is decided here, in directory order; merging them,
    // the costly part, runs in parallel below.
    let mut groups: Vec<(PathBuf, ProjectFiles)> = Vec::new();
    for (dir, in_dir) in by_dir {
        let in_dir: Vec<DirFile<'_>> = in_dir
            .into_iter()
            .filter(|f| !included.contains(&f.id()))
            .filter_map(|f| {
                Some(DirFile {
                    id: f.id(),
                    // A name that is not UTF-8 is no default name: a project of its own.
                    name: file_name(f).unwrap_or(""),
                    model: f.compose.as_ref()?,
                })
            })
            .collect();
        groups.extend(
            group_directory(&in_dir)
                .into_iter()
                .map(|g| (dir.clone(), g)),
        );
    }
    groups
        .into_par_iter()
        .map(|(dir, group)| {
            let env = env_files.get(&dir).map_or(&[][..], Vec::as_slice);
            let members: Vec<&AnalyzedFile> =
                group.members.iter().map(|&f| files.file(f)).collect();
            full_project(files, &dir, &members, group.owned, env)
        })
        .collect()
}

/// The `.env` files of the workspace, by directory.
type EnvFilesByDir<'f> = HashMap<PathBuf, Vec<&'f AnalyzedFile>>;

fn env_files_by_dir(files: &Files) -> EnvFilesByDir<'_> {
    let mut by_dir: EnvFilesByDir<'_> = HashMap::new();
    for f in files.iter().filter(|f| f.kind == FileKind::DotEnv) {
        by_dir.entry(f.dir()).or_default().push(f);
    }
    by_dir
}

/// The project of `members` merged in order, with the `.env` files of `dir` and the
/// files they include (whose findings the project reports).
fn full_project(
    files: &Files,
    dir: &Path,
    members: &[&AnalyzedFile],
    owned: Vec<FileId>,
    env_files: &[&AnalyzedFile],
) -> Project {
    let models: Vec<&ComposeFile> = members
        .iter()
        .filter_map(|f| f.compose.as_deref())
        .collect();
    let lookup = |from: FileId, path: &str| lookup_compose(files, from, path);
    let mut project = Project::merge(dir.to_path_buf(), &models, owned, &lookup);
    project.env_sources = env_files
        .iter()
        .filter_map(|f| {
            Some(EnvSource {
                file: f.id(),
                example: env_file_role(file_name(f)?)?,
            })
        })
        .collect();
    for f in project.included.clone() {
        if !project.owned.contains(&f) {
            project.owned.push(f);
        }
        if !project.files.contains(&f) {
            project.files.push(f);
        }
    }
    project
}

/// Gives every Compose run of a CI job the project its files form: a project already
/// grouped from the same files, or a new one (then Compose rules check exactly the
/// combination CI runs, `-f base.yml -f ci.yml` included), and hands the run to its
/// pipeline.
fn attach_runs(
    files: &Files,
    env_files: &EnvFilesByDir<'_>,
    projects: &mut Vec<Project>,
    pipelines: &mut [CiPipeline],
    runs: Vec<(PipelineId, ComposeRun)>,
) {
    let mut known: HashMap<Vec<FileId>, ProjectId> = projects
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let members: Vec<FileId> = p
                .files
                .iter()
                .copied()
                .filter(|f| !p.included.contains(f))
                .collect();
            (members, ProjectId(i as u32))
        })
        .collect();
    for (pipeline, mut run) in runs {
        let found = &run.files;
        if found.missing.is_empty() && !found.dynamic && !found.found.is_empty() {
            let id = match known.get(&found.found) {
                Some(&id) => id,
                None => {
                    let members: Vec<&AnalyzedFile> =
                        found.found.iter().map(|&f| files.file(f)).collect();
                    // Relative paths in the files (and `.env`) are read from the first
                    // file's directory.
                    let dir = members[0].dir();
                    let env = env_files.get(&dir).map_or(&[][..], Vec::as_slice);
                    let project = full_project(files, &dir, &members, found.found.clone(), env);
                    projects.push(project);
                    let id = ProjectId(projects.len() as u32 - 1);
                    known.insert(found.found.clone(), id);
                    id
                }
            };
            run.project = Some(id);
        }
        pipelines[pipeline.0 as usize].compose_runs.push(run);
    }
    for p in pipelines.iter_mut() {
        p.compose_runs.shrink_to_fit();
    }
}

fn lookup_compose<'f>(files: &'f Files, from: FileId, path: &str) -> Option<&'f ComposeFile> {
    let target = resolve(&files.file(from).dir(), path);
    files.by_path(&target)?.compose.as_deref()
}

fn file_name(f: &AnalyzedFile) -> Option<&str> {
    f.source.path.file_name()?.to_str()
}

impl AnalyzedFile {
    /// A Compose file good enough to be part of a project: it parsed (maybe partially).
    fn is_complete_enough(&self) -> bool {
        self.yaml.is_some()
    }
}

/// The `exists:` globs of each pipeline's rules, evaluated against its repository's files
/// (listed once per repository, and only when some rule has `exists:`).
fn exists_facts(
    files: &Files,
    ci_includes: &HashMap<FileId, Vec<crate::workspace::ResolvedInclude>>,
    pipelines: &[CiPipeline],
    resolver: &IncludeResolver<'_>,
) -> HashMap<FileId, HashMap<String, bool>> {
    let mut out = HashMap::new();
    for pipeline in pipelines {
        let globs = crate::simulation::exists_globs(pipeline, ci_includes, files);
        if globs.is_empty() {
            continue;
        }
        let root_file = pipeline.model.root_file;
        // The innermost root: the directory of the nearest `.gitlab-ci.yml` (GitLab's
        // `exists:` is relative to the project's root, where that file is).
        let Some(repository) = resolver.roots(&files.file(root_file).dir()).pop() else {
            continue;
        };
        let listing = resolver.listing(&repository);
        out.insert(
            root_file,
            crate::simulation::evaluate_exists(&globs, &listing),
        );
    }
    out
}
