//! What the analysis found about each `docker compose` command of a CI job: the files
//! it reads, the project they form, the variables that reach it. Plain data, filled by
//! `compose_runs` and read by the CI/Compose rules.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use shipshape_model::compose::{Project, Service};
use shipshape_model::compose_cli::{Invocation, Starts, VarValue};
use shipshape_model::gitlab::Origin;
use shipshape_yaml::FileId;

use crate::ids::ProjectId;

/// One Compose command of a job.
#[derive(Clone, Debug)]
pub struct ComposeRun {
    pub job: String,
    /// The job's key (in the file that defines it last).
    pub job_key: Origin,
    /// The script line (a scalar) that holds the command; word ranges are into its value.
    pub origin: Origin,
    pub invocation: Invocation,
    /// The working directory, relative to the repository root (`""` for the root); None
    /// when a `cd` to a place only known at run time came before.
    pub cwd: Option<String>,
    /// In `after_script` (a new shell: no `cd` or `export` of the script carries over).
    pub after_script: bool,
    pub files: RunFiles,
    /// The project the files form (an index into `Workspace::compose_projects`), when
    /// every file was found and read.
    pub project: Option<ProjectId>,
    /// The `--env-file` files, read (they replace `.env`).
    pub env_files: Vec<FileId>,
    pub variables: RunVariables,
    /// `COMPOSE_PROFILES` as the command sees it (job variable, export or assignment).
    pub profiles_env: Option<shipshape_model::compose_cli::VarValue>,
    /// The words (and redirection targets) of the commands before this one in the same
    /// shell: a file named there may be created by the script (`cp`, `> file`, `curl -o`).
    pub earlier_words: Vec<String>,
    /// Directories an earlier command makes (`git clone URL dir`, `mkdir`, `tar -C dir`,
    /// `unzip -d dir`), as written: what is below them may come with them.
    pub made_dirs: Vec<String>,
    /// Not a command of the script: shipshape.toml links the job to these files
    /// (`[[links]]`); `origin` is the job's key, and the invocation stands for `up`.
    pub linked: bool,
}

impl ComposeRun {
    /// The profiles the command enables: `--profile` flags and `COMPOSE_PROFILES`; None
    /// when a variable decides them.
    pub fn active_profiles(&self) -> Option<HashSet<String>> {
        let mut out = HashSet::new();
        for p in self.invocation.profiles() {
            if p.dynamic {
                return None;
            }
            out.insert(p.text.clone());
        }
        match &self.profiles_env {
            None => {}
            Some(VarValue::Dynamic) => return None,
            Some(VarValue::Literal(env)) => out.extend(
                env.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty()),
            ),
        }
        Some(out)
    }

    /// Whether Compose starts `service` for this command: it has no profile, one of its
    /// profiles is enabled (or a variable decides them: then it may be), or the command
    /// names it (which enables its profiles).
    pub fn is_active(&self, service: &Service) -> bool {
        if service.profiles.is_empty()
            || self
                .invocation
                .services
                .iter()
                .any(|w| w.text == service.name)
        {
            return true;
        }
        match self.active_profiles() {
            None => true,
            Some(active) => {
                active.contains("*") || service.profiles.iter().any(|p| active.contains(&p.value))
            }
        }
    }

    /// The services of `project` the command starts by itself, without what they depend
    /// on: those it names (`run app`, `up web db`), or, naming none, every service its
    /// profiles enable (`up`, and a run shipshape.toml links). None of them when a flag
    /// the tables do not know may have taken a service name as its value.
    pub fn targets<'p>(&self, project: &'p Project) -> Vec<&'p Service> {
        let inv = &self.invocation;
        if inv.uncertain {
            return Vec::new();
        }
        let Some(starts) = inv.starts() else {
            return Vec::new();
        };
        if inv.services.is_empty() {
            return match starts {
                Starts::NamedOrAll => project
                    .services
                    .iter()
                    .map(|s| &**s)
                    .filter(|s| self.is_active(s))
                    .collect(),
                Starts::Named => Vec::new(),
            };
        }
        let mut out: Vec<&Service> = Vec::new();
        for word in &inv.services {
            if let Some(service) = project.service(&word.text)
                && !out.iter().any(|s| s.name == service.name)
            {
                out.push(service);
            }
        }
        out
    }
}

/// Which Compose files a run reads.
#[derive(Clone, Debug, Default)]
pub struct RunFiles {
    pub found: Vec<FileId>,
    pub missing: Vec<MissingFile>,
    /// Some file is named through a variable or the working directory is unknown.
    pub dynamic: bool,
    /// No `-f` and no `COMPOSE_FILE`: the default file names.
    pub default_names: bool,
}

#[derive(Clone, Debug)]
pub struct MissingFile {
    /// As written.
    pub written: String,
    /// Where Compose would look for it.
    pub path: PathBuf,
    /// Every place it may be, one per candidate repository root (see
    /// `IncludeResolver::roots`).
    pub candidates: Vec<PathBuf>,
    pub at: FileArg,
}

/// Where a run names a file.
#[derive(Clone, Debug)]
pub enum FileArg {
    /// A `-f`/`--file` value (its range in the script line).
    Flag(std::ops::Range<usize>),
    /// An entry of `COMPOSE_FILE` set in the job's `variables:` (the value's origin, and
    /// the entry's range in the value).
    Variable(Origin, std::ops::Range<usize>),
    /// A `-f` value that an unquoted `$VAR` of the command line brings, from a variable the
    /// job's `variables:` set (`COMPOSE_FILES: -f a.yml -f b.yml`): the value's origin,
    /// the word's range in the value, and the variable's name.
    Expanded(Origin, std::ops::Range<usize>, String),
    /// `COMPOSE_FILE=...` on the command line or exported by the script (the word's range).
    Assignment(std::ops::Range<usize>),
    /// A file shipshape.toml links the job to.
    Link,
    /// No file named: the default names.
    Default,
}

/// The variables known to reach Compose's interpolation for one run.
#[derive(Clone, Debug, Default)]
pub struct RunVariables {
    /// Name -> where the CI configuration sets it (None: set by the script itself).
    pub set: HashMap<String, Option<Origin>>,
    /// The script sources a file, `eval`s or `set -a`: it may set anything.
    pub open: bool,
}

impl RunVariables {
    pub fn defines(&self, name: &str) -> bool {
        self.set.contains_key(name)
            || shipshape_model::gitlab::keywords::is_predefined_variable(name)
            || shipshape_model::interpolation::COMPOSE_PREDEFINED.contains(&name)
    }
}
