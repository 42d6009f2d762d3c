//! The files of one analysis, parsed and modelled, with the projects they form.

use shipshape_model::interpolation::is_dynamic;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use shipshape_model::FileKind;
use shipshape_model::compose::{Build, ComposeFile, Project};
use shipshape_model::dotenv::DotEnv;
use shipshape_model::gitlab::include::IncludeRef;
use shipshape_model::gitlab::{Origin, Pipeline};
use shipshape_yaml::{FileId, NodeId, ParsedYaml, SourceFile, Span, Tree};

use crate::paths::{dockerfile_path, resolve};
use crate::runs::ComposeRun;

/// Why a file was not parsed as YAML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// Not UTF-8 text; see [`SourceFile::encoding_problem`].
    Encoding,
    /// Larger than the size limit.
    TooLarge { size: u64, limit: u64 },
    /// The YAML parser panicked: a bug in shipshape or saphyr, reported, never fatal.
    ParserCrash { message: String },
    /// A Jinja or cookiecutter template: YAML only once rendered. `offset` is the first
    /// `{{`/`{%` written outside a scalar, or 0 when the file's directory is a template
    /// (`{{ cookiecutter.project_slug }}/`).
    Template {
        offset: usize,
        in_template_dir: bool,
    },
}

#[derive(Debug)]
pub struct AnalyzedFile {
    pub source: SourceFile,
    pub kind: FileKind,
    /// None when the file could not be read as YAML text (see `unreadable`), and for
    /// `.env` files.
    pub yaml: Option<Box<ParsedYaml>>,
    pub unreadable: Option<Unreadable>,
    /// For Compose files: the model.
    pub compose: Option<Box<ComposeFile>>,
    /// For `.env` files: the variables.
    pub dotenv: Option<DotEnv>,
    /// Findings in this file are reported. False for files loaded only because a reported
    /// one refers to them (an `include`, an `extends: file:`, a `.env`).
    pub reported: bool,
    /// The secrets written in it (masked in every snippet a report shows).
    pub secrets: Vec<crate::secrets::SecretFinding>,
    /// [`AnalyzedFile::dollar_scalars`], found on first use.
    pub dollar_scalars: std::sync::OnceLock<Vec<NodeId>>,
}

impl AnalyzedFile {
    pub fn id(&self) -> FileId {
        self.source.id
    }

    pub fn tree(&self) -> Option<&Tree> {
        self.yaml.as_ref().map(|y| &y.tree)
    }

    /// The scalars written in the file (keys included, aliases not followed) whose value
    /// holds a `$`: all that Compose may interpolate. Three rules read them, on every file
    /// of every project a job runs; the tree is walked once.
    pub fn dollar_scalars(&self) -> &[NodeId] {
        self.dollar_scalars.get_or_init(|| {
            let Some(tree) = self.tree() else {
                return Vec::new();
            };
            tree.ids()
                .filter(|&id| tree.scalar_at(id).is_some_and(is_dynamic))
                .collect()
        })
    }

    /// What the secret scan reads of the file.
    pub fn scanned(&self) -> crate::secrets::ScannedFile<'_> {
        crate::secrets::ScannedFile {
            source: &self.source,
            kind: self.kind,
            yaml: self.yaml.as_deref(),
        }
    }

    /// True when the whole file parsed (rules that conclude from an absence need this).
    pub fn is_complete(&self) -> bool {
        self.yaml.as_deref().is_some_and(ParsedYaml::is_complete)
    }

    /// The directory the file is in (relative paths in it are relative to this).
    pub fn dir(&self) -> PathBuf {
        self.source
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }
}

pub use crate::ids::{PipelineId, ProjectId};

/// The files of one analysis, indexed by `FileId` and by path. Files are only ever added
/// (`push` gives the next id and indexes the path), so a lookup by path is never stale.
#[derive(Debug, Default)]
pub struct Files {
    list: Vec<AnalyzedFile>,
    by_path: HashMap<PathBuf, FileId>,
}

impl Files {
    /// Adds a file under the next id; the file's `source.id` is set to it.
    pub fn push(&mut self, mut file: AnalyzedFile) -> FileId {
        let id = FileId(self.list.len() as u32);
        file.source.id = id;
        self.by_path.entry(file.source.path.clone()).or_insert(id);
        self.list.push(file);
        id
    }

    /// Room for `more` files, exactly: a workspace of 100,000 files would keep room for
    /// 31,000 more if its list doubled.
    pub fn reserve(&mut self, more: usize) {
        self.list.reserve_exact(more);
        self.by_path.reserve(more);
    }

    pub fn file(&self, id: FileId) -> &AnalyzedFile {
        &self.list[id.index()]
    }

    /// The file at `path` (as loaded: the path a walk, a name or a reference gave).
    pub fn by_path(&self, path: &Path) -> Option<&AnalyzedFile> {
        self.by_path.get(path).map(|&id| self.file(id))
    }

    pub fn contains_path(&self, path: &Path) -> bool {
        self.by_path.contains_key(path)
    }

    /// Every file, mutably: for the stages that fill in what files are (kind, secrets).
    /// A file's path never changes (the index keeps it).
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, AnalyzedFile> {
        self.list.iter_mut()
    }

    /// [`Files::iter_mut`] for rayon.
    pub fn as_mut_slice(&mut self) -> &mut [AnalyzedFile] {
        &mut self.list
    }

    /// The files, by id, taken out (to number them anew in another `Files`).
    pub fn into_vec(self) -> Vec<AnalyzedFile> {
        self.list
    }
}

impl<'a> IntoIterator for &'a Files {
    type Item = &'a AnalyzedFile;
    type IntoIter = std::slice::Iter<'a, AnalyzedFile>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

impl std::ops::Deref for Files {
    type Target = [AnalyzedFile];

    fn deref(&self) -> &[AnalyzedFile] {
        &self.list
    }
}

/// Everything one analysis knows, built once by the analysis stages and read-only for
/// rules.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Indexed by `FileId`.
    pub files: Files,
    /// Indexed by [`ProjectId`].
    pub compose_projects: Vec<Project>,
    /// Paths the models refer to (`env_file:`), and whether each is a file. Filled by
    /// the analysis so that rules never touch the disk.
    pub paths: HashMap<PathBuf, bool>,
    /// For each `env_file` of `paths` that is missing: why it may be missing on purpose.
    pub missing_env_files: HashMap<PathBuf, MissingEnvFile>,
    /// Dockerfiles that Compose services build from, and whether each declares a
    /// `HEALTHCHECK` (absent when the file could not be read).
    pub dockerfiles: HashMap<PathBuf, DockerfileFacts>,
    /// Names every Compose file of the workspace defines.
    pub compose_names: ComposeNames,
    /// Per GitLab CI file: its `include:` and `trigger: include:` entries, resolved.
    pub ci_includes: HashMap<FileId, Vec<ResolvedInclude>>,
    /// Every pipeline: each root file with what it includes, merged. Indexed by
    /// [`PipelineId`].
    pub pipelines: Vec<CiPipeline>,
    /// The project boundary's roots (`fs::Bounded`): nothing outside them is read, and
    /// `--fix` writes nothing outside them.
    pub project_roots: Vec<PathBuf>,
    /// Per pipeline root file: the `exists:` globs of its rules, and whether a file of
    /// the repository matches each.
    pub exists_facts: HashMap<FileId, HashMap<String, bool>>,
    /// File -> pipelines and runs, built on first use (derived data: [`CiIndex`]).
    pub(crate) ci_index: std::sync::OnceLock<CiIndex>,
}

impl Workspace {
    /// Drops what only the rules read (trees, models, projects, pipelines) and keeps what
    /// a report, `--fix`, `--diff` and `--watch` read: each file's text, line index,
    /// kind and secrets, and what was found on disk. A walk analysed in parts
    /// (`analyze::parts`) keeps each part this way while the next one is analysed.
    pub fn slim(&mut self) {
        for file in self.files.iter_mut() {
            file.yaml = None;
            file.compose = None;
            file.dotenv = None;
            file.dollar_scalars = std::sync::OnceLock::new();
            file.secrets.shrink_to_fit();
        }
        self.compose_projects = Vec::new();
        self.compose_names = ComposeNames::default();
        self.ci_includes = HashMap::new();
        self.pipelines = Vec::new();
        self.exists_facts = HashMap::new();
        self.ci_index = std::sync::OnceLock::new();
    }
}

/// What the analysis read from a Dockerfile that a Compose service builds.
#[derive(Clone, Debug, Default)]
pub struct DockerfileFacts {
    /// The last stage declares a `HEALTHCHECK`.
    pub healthcheck: bool,
    /// The image the last stage starts from.
    pub base_image: Option<String>,
}

/// What the analysis found around a missing `env_file`.
#[derive(Clone, Debug, Default)]
pub struct MissingEnvFile {
    /// An absolute path outside the repository: a file of the machine that runs Compose.
    pub outside: bool,
    /// The `.gitignore` (in its directory or above, up to the repository root) that
    /// ignores it: a file each checkout makes for itself.
    pub ignored_by: Option<PathBuf>,
    /// A template beside it (`.env.example`, `.env.dist`, `.env.sample`,
    /// `.env.template` for `.env`).
    pub template: Option<PathBuf>,
}

/// A GitLab pipeline of the workspace.
#[derive(Debug)]
pub struct CiPipeline {
    /// The root file and its local includes, merged; `model.files` are the files whose
    /// findings this pipeline reports.
    pub model: Pipeline,
    /// Started by another pipeline's `trigger: include:`.
    pub child: bool,
    /// The root is not a file GitLab starts a pipeline from (`.gitlab-ci.yml`, a child
    /// pipeline): a fragment checked without the pipeline that includes it.
    pub fragment: bool,
    /// The `docker compose` commands its jobs run, resolved.
    pub compose_runs: Vec<crate::runs::ComposeRun>,
}

/// One `include:` entry and what it reads.
#[derive(Clone, Debug)]
pub struct ResolvedInclude {
    pub include: IncludeRef,
    /// A `trigger: include:` entry: a child pipeline, not merged into this one.
    pub child: bool,
    pub outcome: IncludeOutcome,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IncludeOutcome {
    /// The files it reads, in order (several for a wildcard).
    Files(Vec<FileId>),
    /// No such file in the repository (the path as GitLab would look for it), and the
    /// repository file whose path is nearest, if one is near.
    Missing {
        path: PathBuf,
        suggestion: Option<String>,
    },
    /// A wildcard that matches no file.
    NoMatch,
    /// `..` leads out of the repository.
    OutsideRepository,
    /// GitLab only includes `.yml` and `.yaml` files.
    NotYaml,
    /// The file exists but could not be read.
    Unreadable,
    /// The path holds a CI variable: only GitLab knows the file.
    Dynamic,
    /// `project`, `remote`, `template` or `component`: not read offline.
    NotLocal,
}

impl IncludeOutcome {
    /// Whether the pipeline has everything this include adds.
    pub fn is_complete(&self) -> bool {
        matches!(self, IncludeOutcome::Files(_))
    }
}

/// What each Compose file of the workspace defines, by name: a file that names something
/// only another file defines is probably combined with it (`-f a.yml -f b.yml`), so rules
/// about undefined names stay silent about those.
#[derive(Debug, Default)]
pub struct ComposeNames {
    /// Service names, container names and network aliases (lowercase: DNS names).
    pub hosts: HashMap<String, Vec<FileId>>,
    pub services: HashMap<String, Vec<FileId>>,
    pub volumes: HashMap<String, Vec<FileId>>,
    pub networks: HashMap<String, Vec<FileId>>,
    pub secrets: HashMap<String, Vec<FileId>>,
    pub configs: HashMap<String, Vec<FileId>>,
}

impl ComposeNames {
    pub fn build(files: &[AnalyzedFile]) -> ComposeNames {
        let mut names = ComposeNames::default();
        for f in files {
            let Some(model) = &f.compose else { continue };
            let id = f.id();
            let add = |map: &mut HashMap<String, Vec<FileId>>, name: &str| {
                map.entry(name.to_string()).or_default().push(id)
            };
            for s in &model.services {
                add(&mut names.services, &s.name);
                add(&mut names.hosts, &s.name.to_ascii_lowercase());
                if let Some(c) = &s.container_name {
                    add(&mut names.hosts, &c.value.to_ascii_lowercase());
                }
                for a in s.networks.iter().flat_map(|n| &n.aliases) {
                    add(&mut names.hosts, &a.value.to_ascii_lowercase());
                }
            }
            for (map, list) in [
                (&mut names.volumes, &model.volumes),
                (&mut names.networks, &model.networks),
                (&mut names.secrets, &model.secrets),
                (&mut names.configs, &model.configs),
            ] {
                for r in list {
                    map.entry(r.name.clone()).or_default().push(id);
                }
            }
        }
        names
    }
}

/// Whether one of `files` lies outside the project.
pub fn outside(project: &Project, files: Option<&Vec<FileId>>) -> bool {
    files.is_some_and(|fs| fs.iter().any(|f| !project.files.contains(f)))
}

impl Workspace {
    pub fn file(&self, id: FileId) -> &AnalyzedFile {
        self.files.file(id)
    }

    pub fn source(&self, id: FileId) -> &SourceFile {
        &self.file(id).source
    }

    pub fn compose(&self, id: FileId) -> Option<&ComposeFile> {
        self.file(id).compose.as_deref()
    }

    /// A path written in file `from`, resolved against that file's directory.
    pub fn resolve(&self, from: FileId, path: &str) -> PathBuf {
        resolve(&self.file(from).dir(), path)
    }

    /// Whether a path probed during the analysis is a file. Paths never probed are
    /// reported as present: a rule cannot find a problem the analysis did not look for.
    pub fn is_file(&self, path: &Path) -> bool {
        self.paths.get(path).copied().unwrap_or(true)
    }

    /// Whether the image a service builds declares a `HEALTHCHECK`; None when unknown.
    pub fn build_has_healthcheck(&self, from: FileId, build: &Build) -> Option<bool> {
        if let Some(inline) = &build.inline {
            return Some(shipshape_model::dockerfile::declares_healthcheck(inline));
        }
        self.dockerfiles
            .get(&dockerfile_path(&self.file(from).dir(), build)?)
            .map(|d| d.healthcheck)
    }

    /// The image the last stage of a service's Dockerfile starts from, when it was read.
    pub fn build_base_image(&self, from: FileId, build: &Build) -> Option<String> {
        if let Some(inline) = &build.inline {
            return shipshape_model::dockerfile::final_base_image(inline);
        }
        self.dockerfiles
            .get(&dockerfile_path(&self.file(from).dir(), build)?)?
            .base_image
            .clone()
    }

    /// The span of a node of a parsed file (what a GitLab value's origin points at).
    pub fn span_of(&self, origin: Origin) -> Span {
        self.file(origin.file)
            .tree()
            .map_or(Span::empty(0), |t| t.node(origin.node).span)
    }

    pub fn file_by_path(&self, path: &Path) -> Option<&AnalyzedFile> {
        self.files.by_path(path)
    }

    /// Every Compose project, with its id.
    pub fn projects(&self) -> impl Iterator<Item = (ProjectId, &Project)> {
        self.compose_projects
            .iter()
            .enumerate()
            .map(|(i, p)| (ProjectId(i as u32), p))
    }

    pub fn project(&self, id: ProjectId) -> &Project {
        &self.compose_projects[id.0 as usize]
    }

    pub fn pipeline(&self, id: PipelineId) -> &CiPipeline {
        &self.pipelines[id.0 as usize]
    }
}

/// Lookups from a file to the CI pipelines and Compose runs about it, built once per
/// workspace on first use. Rules that run per Compose project asked every pipeline of
/// the workspace instead: on 50,000 directories of a Compose file and a pipeline, 2.5
/// billion path comparisons (minutes; benches/README.md "Hostile inputs").
#[derive(Debug, Default)]
pub struct CiIndex {
    /// Per Compose file: the (pipeline, run) indices of the runs that read it, in order.
    runs_by_file: HashMap<FileId, Vec<(PipelineId, usize)>>,
    /// Per directory: the pipelines whose root file is in it, in order.
    pipelines_by_dir: HashMap<PathBuf, Vec<PipelineId>>,
    /// The Compose projects by the path of their first file, sorted (the projects below
    /// a directory are one range).
    projects_by_path: Vec<(PathBuf, ProjectId)>,
}

impl CiIndex {
    fn build(ws: &Workspace) -> CiIndex {
        let mut index = CiIndex::default();
        for (p, pipeline) in ws.pipelines.iter().enumerate() {
            let p = PipelineId(p as u32);
            for (r, run) in pipeline.compose_runs.iter().enumerate() {
                for &file in &run.files.found {
                    let runs = index.runs_by_file.entry(file).or_default();
                    // A run may name a file twice (`-f a -f a`): once is enough.
                    if runs.last() != Some(&(p, r)) {
                        runs.push((p, r));
                    }
                }
            }
            index
                .pipelines_by_dir
                .entry(ws.file(pipeline.model.root_file).dir())
                .or_default()
                .push(p);
        }
        index.projects_by_path = ws
            .projects()
            .filter_map(|(id, p)| Some((ws.file(*p.files.first()?).source.path.clone(), id)))
            .collect();
        index.projects_by_path.sort();
        index
    }
}

impl Workspace {
    fn ci_index(&self) -> &CiIndex {
        self.ci_index.get_or_init(|| CiIndex::build(self))
    }

    /// The Compose runs of every pipeline that read `file`, in pipeline and run order.
    pub fn runs_reading(&self, file: FileId) -> impl Iterator<Item = &ComposeRun> {
        self.ci_index()
            .runs_by_file
            .get(&file)
            .into_iter()
            .flatten()
            .map(|&(p, r)| &self.pipeline(p).compose_runs[r])
    }

    /// The pipelines whose root file's directory holds `path` (at any depth), nearest
    /// directory first.
    pub fn pipelines_above(&self, path: &Path) -> impl Iterator<Item = &CiPipeline> {
        let index = self.ci_index();
        path.ancestors()
            .skip(1)
            .filter_map(|dir| index.pipelines_by_dir.get(dir))
            .flatten()
            .map(|&p| self.pipeline(p))
    }

    /// The Compose projects whose first file lies in `dir` or below it, in path order.
    pub fn projects_below(&self, dir: &Path) -> impl Iterator<Item = ProjectId> {
        let sorted = &self.ci_index().projects_by_path;
        // Path order is component by component: the paths below `dir` follow it in one run.
        let start = sorted.partition_point(|(p, _)| p.as_path() < dir);
        sorted[start..]
            .iter()
            .take_while(move |(p, _)| p.starts_with(dir))
            .map(|&(_, i)| i)
    }
}
