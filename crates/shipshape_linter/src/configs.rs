//! Which configuration applies to each file: the `shipshape.toml` nearest to it, in its
//! own directory or the closest one above, up to the filesystem root (as ruff finds a
//! configuration for each file), or, with `--config`, that one file for every file. The
//! nearest configuration applies whole: nothing is inherited from one further up.
//!
//! Each directory's answer is kept, so a walk of thousands of files looks at each
//! directory once.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::config::{self, Config, ConfigError};
use crate::discover::{FileRules, Input};
use crate::paths::normalize;

/// A configuration file, read.
#[derive(Debug)]
pub struct Configured {
    /// Where it was found (absolute), or as `--config` gave it.
    pub path: PathBuf,
    pub config: Config,
    /// `config.files` with its root absolute and normalized, as the paths it is matched
    /// against are.
    pub file_rules: Arc<FileRules>,
}

impl Configured {
    /// Reads the configuration at `path`; a relative path is relative to `cwd`.
    fn load(path: PathBuf, cwd: &Path) -> Result<Configured, ConfigError> {
        let config = Config::load(&path)?;
        let mut file_rules = config.files.clone();
        // Globs are relative to the configuration's directory, which a relative
        // `--config ../shipshape.toml` gives relative to the working directory.
        file_rules.root = normalize(&cwd.join(&file_rules.root));
        Ok(Configured {
            path,
            config,
            file_rules: Arc::new(file_rules),
        })
    }
}

enum Lookup {
    /// `--config`: this one for every file.
    Forced(Arc<Configured>),
    /// Each file's nearest, found as files are looked up.
    Nearest(Nearest),
}

/// What the lookup of each file's nearest configuration has found so far.
#[derive(Default)]
struct Nearest {
    /// Directory -> the configuration nearest to it (None: none up to the root).
    known: Mutex<HashMap<PathBuf, Option<Arc<Configured>>>>,
    /// Configuration file -> what reading it gave: each is read once.
    loaded: Mutex<HashMap<PathBuf, Option<Arc<Configured>>>>,
}

impl Nearest {
    /// The first configuration in `dir` or above it; every directory passed on the way
    /// up is given the answer. One that cannot be read goes to `errors`, and its
    /// directory gets none. The disk is probed outside the lock: the walk's threads look
    /// up their directories side by side (two `stat`s each, which under the lock made
    /// the walk of 50,000 directories wait).
    fn to(&self, dir: &Path, errors: &Mutex<Vec<ConfigError>>) -> Option<Arc<Configured>> {
        let mut passed = Vec::new();
        let mut found = None;
        for d in dir.ancestors() {
            if let Some(answer) = lock(&self.known).get(d) {
                found = answer.clone();
                break;
            }
            passed.push(d.to_path_buf());
            if let Some(file) = config::find_in(d) {
                found = self.read_once(file, d, errors);
                break;
            }
        }
        let mut known = lock(&self.known);
        for d in passed {
            known.insert(d, found.clone());
        }
        found
    }

    /// The configuration at `file` (found in `dir`), read the first time it is met.
    fn read_once(
        &self,
        file: PathBuf,
        dir: &Path,
        errors: &Mutex<Vec<ConfigError>>,
    ) -> Option<Arc<Configured>> {
        // Held while reading: two threads that meet one configuration read it once.
        let mut loaded = lock(&self.loaded);
        if let Some(answer) = loaded.get(&file) {
            return answer.clone();
        }
        let read = config::check_found(&file).and_then(|()| Configured::load(file.clone(), dir));
        let answer = match read {
            Ok(configured) => Some(Arc::new(configured)),
            Err(err) => {
                lock(errors).push(err);
                None
            }
        };
        loaded.insert(file, answer.clone());
        answer
    }
}

/// The configurations of one run, found as its files are met.
pub struct Configurations {
    lookup: Lookup,
    /// Configurations found that could not be read (or lead out of their repository).
    errors: Mutex<Vec<ConfigError>>,
    no_file_rules: Arc<FileRules>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Configurations {
    /// Every file gets the configuration `--config` names (relative to `cwd`).
    pub fn forced(path: &Path, cwd: &Path) -> Result<Configurations, ConfigError> {
        let configured = Configured::load(path.to_path_buf(), cwd)?;
        Ok(Configurations {
            lookup: Lookup::Forced(Arc::new(configured)),
            errors: Mutex::default(),
            no_file_rules: Arc::default(),
        })
    }

    /// The configurations of a run: the one `--config` names (relative to `cwd`) for
    /// every file, else each file's nearest.
    pub fn of_run(config: Option<&Path>, cwd: &Path) -> Result<Configurations, ConfigError> {
        match config {
            Some(path) => Configurations::forced(path, cwd),
            None => Ok(Configurations::nearest()),
        }
    }

    /// Each file gets the configuration nearest to it.
    pub fn nearest() -> Configurations {
        Configurations {
            lookup: Lookup::Nearest(Nearest::default()),
            errors: Mutex::default(),
            no_file_rules: Arc::default(),
        }
    }

    /// The configuration of the file at `path` (absolute; where the path says the file
    /// is, `..` folded, not where its links lead), or None when no configuration applies.
    pub fn of_file(&self, path: &Path) -> Option<Arc<Configured>> {
        match &self.lookup {
            Lookup::Forced(configured) => Some(Arc::clone(configured)),
            Lookup::Nearest(nearest) => {
                // A walk's paths are normal already: their directory is known but for
                // the first file in it (no path is built for the lookup).
                let known = path
                    .parent()
                    .and_then(|dir| lock(&nearest.known).get(dir).cloned());
                if let Some(answer) = known {
                    return answer;
                }
                let path = normalize(path);
                let dir = path.parent().unwrap_or(&path);
                nearest.to(dir, &self.errors)
            }
        }
    }

    /// The configuration that applies in the directory `dir` (absolute): what the
    /// commands that read one configuration for the working directory use.
    pub fn of_dir(&self, dir: &Path) -> Option<Arc<Configured>> {
        match &self.lookup {
            Lookup::Forced(configured) => Some(Arc::clone(configured)),
            Lookup::Nearest(nearest) => nearest.to(&normalize(dir), &self.errors),
        }
    }

    /// The `[files]` rules of the file at `path` (`discover::discover_by`).
    pub fn file_rules(&self, path: &Path) -> Arc<FileRules> {
        self.of_file(path).map_or_else(
            || Arc::clone(&self.no_file_rules),
            |c| Arc::clone(&c.file_rules),
        )
    }

    /// The configurations that could not be read, one line each, in path order.
    pub fn errors(&self) -> Vec<String> {
        let mut errors: Vec<ConfigError> = lock(&self.errors).clone();
        errors.sort_by(|a, b| a.path.cmp(&b.path));
        errors.dedup();
        errors.iter().map(ToString::to_string).collect()
    }

    /// The configuration files that could not be read, in path order.
    pub fn error_paths(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = lock(&self.errors).iter().map(|e| e.path.clone()).collect();
        paths.sort();
        paths.dedup();
        paths
    }

    /// The configuration files met so far, in path order.
    pub fn paths(&self) -> Vec<PathBuf> {
        match &self.lookup {
            Lookup::Forced(configured) => vec![configured.path.clone()],
            Lookup::Nearest(nearest) => {
                let mut paths: Vec<PathBuf> = lock(&nearest.known)
                    .values()
                    .flatten()
                    .map(|c| c.path.clone())
                    .collect();
                paths.sort();
                paths.dedup();
                paths
            }
        }
    }

    /// The inputs by the configuration that applies to each (a relative input path, as
    /// stdin's name is, is relative to `cwd`): files without one first, then by the
    /// configuration's path. Each input keeps its order.
    pub fn group(&self, inputs: Vec<Input>, cwd: &Path) -> Vec<ConfigGroup> {
        let mut groups: BTreeMap<Option<PathBuf>, ConfigGroup> = BTreeMap::new();
        for input in inputs {
            let configured = self.of_file(&cwd.join(&input.path));
            let key = configured.as_ref().map(|c| c.path.clone());
            groups
                .entry(key)
                .or_insert_with(|| ConfigGroup {
                    configured,
                    inputs: Vec::new(),
                })
                .inputs
                .push(input);
        }
        groups.into_values().collect()
    }
}

/// Files checked with one configuration.
#[derive(Debug)]
pub struct ConfigGroup {
    /// None: no configuration applies (the defaults).
    pub configured: Option<Arc<Configured>>,
    pub inputs: Vec<Input>,
}

impl ConfigGroup {
    /// The configuration's path, None for the defaults.
    pub fn path(&self) -> Option<&Path> {
        self.configured.as_deref().map(|c| c.path.as_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(label: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("shipshape-configs-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a/b/c")).unwrap();
        // A repository: the configurations found must lie inside it.
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        dir
    }

    #[test]
    fn each_file_gets_the_nearest_configuration() {
        let dir = temp_dir("nearest");
        std::fs::write(dir.join("shipshape.toml"), "fail-on = \"error\"\n").unwrap();
        std::fs::write(dir.join("a/b/.shipshape.toml"), "fail-on = \"info\"\n").unwrap();
        let configs = Configurations::nearest();
        let of = |p: &str| configs.of_file(&dir.join(p)).map(|c| c.path.clone());
        assert_eq!(of("compose.yaml"), Some(dir.join("shipshape.toml")));
        assert_eq!(of("a/compose.yaml"), Some(dir.join("shipshape.toml")));
        assert_eq!(
            of("a/b/compose.yaml"),
            Some(dir.join("a/b/.shipshape.toml"))
        );
        assert_eq!(
            of("a/b/c/compose.yaml"),
            Some(dir.join("a/b/.shipshape.toml"))
        );
        // Where the path says the file is.
        assert_eq!(of("a/b/../compose.yaml"), Some(dir.join("shipshape.toml")));
        assert_eq!(
            configs.paths(),
            [dir.join("a/b/.shipshape.toml"), dir.join("shipshape.toml")]
        );
        assert!(configs.errors().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_broken_nearest_configuration_is_an_error_not_skipped() {
        let dir = temp_dir("broken");
        std::fs::write(dir.join("shipshape.toml"), "fail-on = \"error\"\n").unwrap();
        std::fs::write(
            dir.join("a/shipshape.toml"),
            "[rules]\nimagetag = \"off\"\n",
        )
        .unwrap();
        let configs = Configurations::nearest();
        assert!(configs.of_file(&dir.join("a/b/compose.yaml")).is_none());
        assert!(configs.of_file(&dir.join("a/compose.yaml")).is_none());
        let errors = configs.errors();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("unknown rule \"imagetag\""),
            "{errors:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn forced_applies_to_every_file_and_groups_follow_configurations() {
        let dir = temp_dir("forced");
        std::fs::write(dir.join("shipshape.toml"), "").unwrap();
        std::fs::write(dir.join("a/shipshape.toml"), "").unwrap();
        let input = |p: &str| Input {
            path: dir.join(p),
            name: p.into(),
            content: None,
            kind: None,
        };
        let inputs = || vec![input("a/x.yml"), input("b.yml"), input("a/b/y.yml")];
        let nearest = Configurations::nearest().group(inputs(), &dir);
        let names: Vec<(Option<&Path>, Vec<&str>)> = nearest
            .iter()
            .map(|g| (g.path(), g.inputs.iter().map(|i| i.name.as_str()).collect()))
            .collect();
        let root = dir.join("shipshape.toml");
        let sub = dir.join("a/shipshape.toml");
        assert_eq!(
            names,
            [
                (Some(sub.as_path()), vec!["a/x.yml", "a/b/y.yml"]),
                (Some(root.as_path()), vec!["b.yml"]),
            ]
        );
        let forced = Configurations::forced(&root, &dir).unwrap();
        let groups = forced.group(inputs(), &dir);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].inputs.len(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
