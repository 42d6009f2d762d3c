//! The files of one analysis, parsed and modelled, with the projects they form.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use shipshape_model::FileKind;
use shipshape_model::compose::{Build, ComposeFile, Project};
use shipshape_model::dotenv::DotEnv;
use shipshape_model::gitlab::include::IncludeRef;
use shipshape_model::gitlab::{Origin, Pipeline};
use shipshape_yaml::{FileId, NodeId, ParsedYaml, SourceFile, Span, Tree};

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
    pub yaml: Option<ParsedYaml>,
    pub unreadable: Option<Unreadable>,
    /// For Compose files: the model.
    pub compose: Option<ComposeFile>,
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
                .filter(|&id| tree.scalar_at(id).is_some_and(|v| v.contains('$')))
                .collect()
        })
    }

    /// True when the whole file parsed (rules that conclude from an absence need this).
    pub fn is_complete(&self) -> bool {
        self.yaml.as_ref().is_some_and(ParsedYaml::is_complete)
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

#[derive(Debug, Default)]
pub struct Workspace {
    /// Indexed by `FileId`.
    pub files: Vec<AnalyzedFile>,
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
    /// Every pipeline: each root file with what it includes, merged.
    pub pipelines: Vec<CiPipeline>,
    /// The project boundary's roots (`fs::Bounded`): nothing outside them is read, and
    /// `--fix` writes nothing outside them.
    pub project_roots: Vec<PathBuf>,
    /// Files by path, once every file is loaded ([`Workspace::index_paths`]).
    pub(crate) by_path: HashMap<PathBuf, FileId>,
    /// File -> pipelines and runs, built on first use (`ci_index.rs`).
    pub(crate) ci_index: std::sync::OnceLock<crate::ci_index::CiIndex>,
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
    pub compose_runs: Vec<crate::compose_runs::ComposeRun>,
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
        &self.files[id.index()]
    }

    pub fn source(&self, id: FileId) -> &SourceFile {
        &self.file(id).source
    }

    pub fn compose(&self, id: FileId) -> Option<&ComposeFile> {
        self.file(id).compose.as_ref()
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
        if self.by_path.len() == self.files.len() {
            return self.by_path.get(path).map(|&id| self.file(id));
        }
        self.files.iter().find(|f| f.source.path == path)
    }

    /// Indexes the files by path for [`Workspace::file_by_path`]; a file added later
    /// makes the index stale, and lookups scan again until it is rebuilt.
    pub fn index_paths(&mut self) {
        self.by_path = self
            .files
            .iter()
            .map(|f| (f.source.path.clone(), f.id()))
            .collect();
    }
}

/// The Dockerfile a `build:` uses: `dockerfile` (default `Dockerfile`) within the context,
/// relative to the Compose file's directory. None when a variable decides it.
pub fn dockerfile_path(compose_dir: &Path, build: &Build) -> Option<PathBuf> {
    let context = build.context.as_deref().unwrap_or(".");
    let dockerfile = build.dockerfile.as_deref().unwrap_or("Dockerfile");
    if context.contains('$') || dockerfile.contains('$') || context.contains("://") {
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
