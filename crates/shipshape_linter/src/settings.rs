//! What one analysis run checks and how severely.

use std::path::{Path, PathBuf};

use shipshape_yaml::Limits;

use crate::diagnostic::Severity;
use crate::registry::{RULES, rule_index};

/// Default size limit: real Compose and CI files stay under 100 KB; a 10 MB one is a
/// generated or wrong file, and its diagnostic says so instead of stalling an editor.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Default cap on the findings reported per file: far above what a hand-written file has
/// (the corpus's worst is under 100), low enough that a generated one cannot flood a log.
pub const DEFAULT_MAX_DIAGNOSTICS_PER_FILE: usize = 1000;

#[derive(Clone, Debug)]
pub struct Settings {
    pub rules: RuleSelection,
    pub max_file_size: u64,
    pub max_diagnostics_per_file: usize,
    pub yaml_limits: Limits,
    /// The repository root, against which GitLab reads `include: local` paths. None:
    /// found from each file (the nearest directory holding `.git`, then the nearest one
    /// holding `.gitlab-ci.yml`).
    pub project_root: Option<PathBuf>,
    /// Directories the user asked to check: a file found under one only because another
    /// file includes it (a pipeline fragment such as `ci/build.yml`) is reported too.
    pub report_under: Vec<PathBuf>,
    /// When a walk is analysed in parts (analyze/parts.rs): the directories (or
    /// files) of this part. A CI job's Compose command that reads only another part's
    /// files is left to that part. Empty: the whole of `report_under` is this analysis's.
    pub report_part: Vec<PathBuf>,
    /// How much of a walk is analysed at once (`[limits] part-files`, `part-size`).
    pub part_limits: PartLimits,
    /// Values, patterns and files `hardcoded-secret` leaves alone.
    pub secrets: crate::secrets::SecretAllowlist,
    /// CI jobs linked to Compose files in shipshape.toml.
    pub links: Vec<JobLink>,
    /// Rule options from `[rules.<name>]` tables.
    pub options: crate::rule::RuleOptions,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            rules: RuleSelection::default(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_diagnostics_per_file: DEFAULT_MAX_DIAGNOSTICS_PER_FILE,
            yaml_limits: Limits::default(),
            project_root: None,
            report_under: Vec::new(),
            report_part: Vec::new(),
            part_limits: PartLimits::default(),
            secrets: crate::secrets::SecretAllowlist::default(),
            links: Vec::new(),
            options: crate::rule::RuleOptions::default(),
        }
    }
}

impl Settings {
    /// The directory being checked (`report_under`) that `path` lies in, if any: a file
    /// a walk found.
    pub fn walked_above(&self, path: &Path) -> Option<&Path> {
        self.report_under
            .iter()
            .map(PathBuf::as_path)
            .find(|walked| path.starts_with(walked))
    }
}

/// How much one part of a walk may hold (analyze/parts.rs). Either limit splits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartLimits {
    /// Files (inputs: the walk's Compose, GitLab CI and `.env` files).
    pub files: usize,
    /// Bytes of those files' text.
    pub bytes: u64,
}

impl Default for PartLimits {
    /// About 100 MB of memory for a part at the worst ratio measured (Compose files of
    /// many small services: 17 bytes of memory per byte of YAML); far above any real
    /// repository we measured (the largest of `../shared/realworld` has 40 files).
    fn default() -> PartLimits {
        PartLimits {
            files: 4_000,
            bytes: 6 * 1024 * 1024,
        }
    }
}

/// A CI job that runs Compose files its script does not show (`make test` runs
/// `docker compose up` inside): the cross-file rules treat the job as running them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobLink {
    pub job: String,
    /// Each file as written in shipshape.toml, and its absolute path.
    pub compose: Vec<(String, PathBuf)>,
}

/// Per registered rule: off, or on at a severity.
#[derive(Clone, Debug)]
pub struct RuleSelection {
    severity: Vec<Option<Severity>>,
}

impl Default for RuleSelection {
    /// Every rule, at its default severity.
    fn default() -> RuleSelection {
        RuleSelection {
            severity: RULES.iter().map(|r| Some(r.severity)).collect(),
        }
    }
}

impl RuleSelection {
    pub fn none() -> RuleSelection {
        RuleSelection {
            severity: vec![None; RULES.len()],
        }
    }

    /// Only the named rules, at their default severity.
    pub fn only<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<RuleSelection, String> {
        let mut sel = RuleSelection::none();
        for name in names {
            let i = known(name)?;
            sel.severity[i] = Some(RULES[i].severity);
        }
        Ok(sel)
    }

    /// Turns a rule off (None) or on at a severity.
    pub fn set(&mut self, name: &str, severity: Option<Severity>) -> Result<(), String> {
        let i = known(name)?;
        self.severity[i] = severity;
        Ok(())
    }

    /// The effective severity of the rule at this registry index, or None when it is off.
    pub fn severity(&self, index: usize) -> Option<Severity> {
        self.severity.get(index).copied().flatten()
    }

    /// Keeps only the rules `only` enables: those keep their severity here, or take the
    /// one `only` gives when they are off here (`--select` over a configuration).
    pub fn keep_only(&mut self, only: &RuleSelection) {
        for (i, mine) in self.severity.iter_mut().enumerate() {
            *mine = match (only.severity(i), *mine) {
                (None, _) => None,
                (Some(_), Some(s)) => Some(s),
                (Some(s), None) => Some(s),
            };
        }
    }
}

fn known(name: &str) -> Result<usize, String> {
    rule_index(name).ok_or_else(|| match crate::registry::nearest_rule(name) {
        Some(near) => format!("unknown rule `{name}`; did you mean `{near}`?"),
        None => format!("unknown rule `{name}`; `shipshape rule` lists them"),
    })
}
