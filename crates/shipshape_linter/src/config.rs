//! `shipshape.toml`: the project's settings, found upward from the working directory.
//! Every key is known: an unknown key, rule name or value is an error that names its line,
//! never silently ignored.
//!
//! ```toml
//! fail-on = "warning"        # error | warning | info | never
//!
//! [rules]
//! image-tag = "off"          # off | error | warning | info
//!
//! [secrets]
//! allow-values = ["banterbus"]
//! allow-regexes = ["^dev-"]
//! allow-paths = ["tests/fixtures/**"]
//!
//! [files]
//! compose = ["deploy/*.yml"]
//! gitlab-ci = ["ci/**/*.yml"]
//! exclude = ["vendor/**"]
//!
//! [[links]]
//! job = "integration"
//! compose = ["docker/compose.ci.yml"]
//!
//! [limits]
//! max-file-size = "10MB"     # bytes, or with KB / MB / GB (1024-based)
//! max-diagnostics-per-file = 1000
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use shipshape_model::FileKind;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::discover::FileRules;
use crate::registry::{nearest_rule, rule_index};
use crate::secrets::SecretAllowlist;
use crate::settings::Settings;

/// The file names looked for, in each directory from the working one upward.
pub const CONFIG_NAMES: &[&str] = &["shipshape.toml", ".shipshape.toml"];

/// When the exit code becomes 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Severity(Severity),
    Never,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    secrets: RawSecrets,
    #[serde(default)]
    files: RawFiles,
    #[serde(default)]
    links: Vec<RawLink>,
    #[serde(default)]
    limits: RawLimits,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLimits {
    max_file_size: Option<Spanned<toml::Value>>,
    max_diagnostics_per_file: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawFiles {
    #[serde(default)]
    compose: Vec<Spanned<String>>,
    #[serde(default)]
    gitlab_ci: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLink {
    job: String,
    compose: Vec<String>,
}

/// A CI job that runs Compose files its script does not show (`make test` runs
/// `docker compose up` inside): the cross-file rules treat the job as running them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobLink {
    pub job: String,
    /// Each file as written in shipshape.toml, and its absolute path.
    pub compose: Vec<(String, PathBuf)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSecrets {
    #[serde(default)]
    allow_values: Vec<String>,
    #[serde(default)]
    allow_regexes: Vec<Spanned<String>>,
    #[serde(default)]
    allow_paths: Vec<Spanned<String>>,
}

/// A loaded configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it was read from.
    pub path: Option<PathBuf>,
    pub fail_on: Option<FailOn>,
    /// Rule name -> None (off) or a severity.
    pub rules: Vec<(String, Option<Severity>)>,
    pub secrets: SecretAllowlist,
    pub files: FileRules,
    pub links: Vec<JobLink>,
    pub max_file_size: Option<u64>,
    pub max_diagnostics_per_file: Option<usize>,
}

/// A configuration error: `shipshape.toml:3: unknown rule "imagetag"; did you mean ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// The configuration file that applies in `dir`: the first of [`CONFIG_NAMES`] in it or
/// an ancestor.
pub fn find(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .flat_map(|d| CONFIG_NAMES.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())
}

/// The configuration found upward (not one named with `--config`) must lie, links
/// followed, inside the repository it was found in: the nearest directory above it that
/// holds `.git`, else its own directory. A repository's `shipshape.toml` linked to a file
/// of the machine (`~/.docker/config.json`) would otherwise be read, and its keys echoed
/// in the error messages.
pub fn check_found(path: &Path) -> Result<(), ConfigError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let home = dir
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(dir);
    let inside = match (std::fs::canonicalize(path), std::fs::canonicalize(home)) {
        (Ok(real), Ok(home)) => real.starts_with(home),
        _ => false,
    };
    if inside {
        Ok(())
    } else {
        Err(ConfigError {
            path: path.to_path_buf(),
            line: None,
            message: "leads outside the repository it is in (a link): not read".into(),
        })
    }
}

/// A configuration larger than this is refused (`--config /dev/zero` must not read on).
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let fail = |message: String| ConfigError {
            path: path.to_path_buf(),
            line: None,
            message,
        };
        let bytes = crate::fs::read_regular_file(path, MAX_CONFIG_BYTES).map_err(|e| {
            fail(format!(
                "cannot read it: {}",
                crate::discover::io_reason(&e)
            ))
        })?;
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            return Err(fail(format!(
                "it is over {MAX_CONFIG_BYTES} bytes: not a shipshape configuration"
            )));
        }
        let text = String::from_utf8(bytes).map_err(|_| fail("it is not UTF-8 text".into()))?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let error = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: path.to_path_buf(),
            line: span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            // toml's message repeats the position on its first lines; keep the reason.
            let message = e.message().trim().to_string();
            error(e.span(), message)
        })?;
        let mut config = Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        if let Some(f) = &raw.fail_on {
            config.fail_on = Some(match f.get_ref().as_str() {
                "never" => FailOn::Never,
                s => FailOn::Severity(Severity::parse(s).ok_or_else(|| {
                    error(Some(f.span()), format!("fail-on must be \"error\", \"warning\", \"info\" or \"never\", not \"{s}\""))
                })?),
            });
        }
        for (name, level) in &raw.rules {
            if rule_index(name.get_ref()).is_none() {
                let hint = nearest_rule(name.get_ref())
                    .map_or(String::new(), |n| format!("; did you mean \"{n}\"?"));
                return Err(error(
                    Some(name.span()),
                    format!("unknown rule \"{}\"{hint}", name.get_ref()),
                ));
            }
            let severity = match level.get_ref().as_str() {
                "off" => None,
                s => Some(Severity::parse(s).ok_or_else(|| {
                    error(
                        Some(level.span()),
                        format!(
                            "a rule is \"off\", \"error\", \"warning\" or \"info\", not \"{s}\""
                        ),
                    )
                })?),
            };
            config.rules.push((name.get_ref().clone(), severity));
        }
        for r in &raw.secrets.allow_regexes {
            regex::Regex::new(r.get_ref())
                .map_err(|e| error(Some(r.span()), format!("invalid regex: {e}")))?;
        }
        for p in &raw.secrets.allow_paths {
            globset::Glob::new(p.get_ref())
                .map_err(|e| error(Some(p.span()), format!("invalid glob: {e}")))?;
        }
        let regexes: Vec<String> = raw
            .secrets
            .allow_regexes
            .iter()
            .map(|r| r.get_ref().clone())
            .collect();
        let paths: Vec<String> = raw
            .secrets
            .allow_paths
            .iter()
            .map(|p| p.get_ref().clone())
            .collect();
        let dir = path.parent().unwrap_or(Path::new("."));
        config.secrets = SecretAllowlist::new(raw.secrets.allow_values, &regexes, &paths)
            .map_err(|m| error(None, m))?
            .relative_to(dir);
        let globs = |list: &[Spanned<String>]| -> Result<Option<GlobSet>, ConfigError> {
            if list.is_empty() {
                return Ok(None);
            }
            let mut builder = GlobSetBuilder::new();
            for g in list {
                builder.add(
                    Glob::new(g.get_ref())
                        .map_err(|e| error(Some(g.span()), format!("invalid glob: {e}")))?,
                );
            }
            builder
                .build()
                .map(Some)
                .map_err(|e| error(None, e.to_string()))
        };
        let mut kinds = Vec::new();
        if let Some(g) = globs(&raw.files.compose)? {
            kinds.push((g, FileKind::Compose));
        }
        if let Some(g) = globs(&raw.files.gitlab_ci)? {
            kinds.push((g, FileKind::GitlabCi));
        }
        config.files = FileRules {
            root: dir.to_path_buf(),
            kinds,
            exclude: globs(&raw.files.exclude)?,
        };
        config.links = raw
            .links
            .into_iter()
            .map(|l| JobLink {
                job: l.job,
                compose: l
                    .compose
                    .iter()
                    .map(|c| (c.clone(), crate::workspace::resolve(dir, c)))
                    .collect(),
            })
            .collect();
        if let Some(size) = &raw.limits.max_file_size {
            config.max_file_size = Some(parse_size(size.get_ref()).ok_or_else(|| {
                error(
                    Some(size.span()),
                    "max-file-size is a number of bytes or a size such as \"512KB\" or \"10MB\""
                        .into(),
                )
            })?);
        }
        if let Some(max) = &raw.limits.max_diagnostics_per_file {
            config.max_diagnostics_per_file = Some(
                usize::try_from(*max.get_ref())
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| {
                        error(
                            Some(max.span()),
                            "max-diagnostics-per-file must be at least 1".into(),
                        )
                    })?,
            );
        }
        Ok(config)
    }

    /// Applies the file to settings (the command line applies its flags after this).
    pub fn apply(&self, settings: &mut Settings) {
        for (name, severity) in &self.rules {
            settings
                .rules
                .set(name, *severity)
                .expect("rule names are checked when the file is read");
        }
        settings.secrets = self.secrets.clone();
        settings.links = self.links.clone();
        if let Some(size) = self.max_file_size {
            settings.max_file_size = size;
        }
        if let Some(max) = self.max_diagnostics_per_file {
            settings.max_diagnostics_per_file = max;
        }
    }
}

/// `1048576`, `"512KB"`, `"10MB"`, `"1 GiB"`: bytes, 1024-based units. At least 1 byte.
fn parse_size(value: &toml::Value) -> Option<u64> {
    let bytes = match value {
        toml::Value::Integer(n) => u64::try_from(*n).ok()?,
        toml::Value::String(s) => {
            let s = s.trim();
            let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let number: u64 = s[..digits].parse().ok()?;
            let unit = match s[digits..].trim().to_ascii_uppercase().as_str() {
                "" | "B" => 1,
                "K" | "KB" | "KIB" => 1 << 10,
                "M" | "MB" | "MIB" => 1 << 20,
                "G" | "GB" | "GIB" => 1 << 30,
                _ => return None,
            };
            number.checked_mul(unit)?
        }
        _ => return None,
    };
    (bytes > 0).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rules_fail_on_and_secrets() {
        let c = Config::parse(
            Path::new("shipshape.toml"),
            "fail-on = \"error\"\n[rules]\nimage-tag = \"off\"\nunknown-host = \"error\"\n[secrets]\nallow-values = [\"banterbus\"]\n",
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(FailOn::Severity(Severity::Error)));
        assert_eq!(
            c.rules,
            [
                ("image-tag".to_string(), None),
                ("unknown-host".to_string(), Some(Severity::Error))
            ]
        );
        assert_eq!(c.secrets.values, ["banterbus"]);
    }

    #[test]
    fn reads_limits() {
        let parse = |text: &str| Config::parse(Path::new("shipshape.toml"), text);
        let c =
            parse("[limits]\nmax-file-size = \"512KB\"\nmax-diagnostics-per-file = 50\n").unwrap();
        assert_eq!(c.max_file_size, Some(512 * 1024));
        assert_eq!(c.max_diagnostics_per_file, Some(50));
        assert_eq!(
            parse("[limits]\nmax-file-size = 2048\n")
                .unwrap()
                .max_file_size,
            Some(2048)
        );
        assert_eq!(
            parse("[limits]\nmax-file-size = \"10 MiB\"\n")
                .unwrap()
                .max_file_size,
            Some(10 << 20)
        );
        let err = parse("[limits]\nmax-file-size = \"ten megabytes\"\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("max-file-size"), "{}", err.message);
        assert_eq!(
            parse("[limits]\nmax-diagnostics-per-file = 0\n")
                .unwrap_err()
                .line,
            Some(2)
        );
    }

    #[test]
    fn errors_name_their_line() {
        let err = |text: &str| {
            Config::parse(Path::new("shipshape.toml"), text)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("[rules]\n\nimagetag = \"off\"\n"),
            "shipshape.toml:3: unknown rule \"imagetag\"; did you mean \"image-tag\"?"
        );
        assert!(
            err("fail_on = \"x\"\n").starts_with("shipshape.toml:1: unknown field `fail_on`"),
            "{}",
            err("fail_on = \"x\"\n")
        );
        assert_eq!(
            err("[rules]\nimage-tag = \"loud\"\n"),
            "shipshape.toml:2: a rule is \"off\", \"error\", \"warning\" or \"info\", not \"loud\""
        );
        assert!(
            err("[secrets]\nallow-regexes = [\"(\"]\n")
                .starts_with("shipshape.toml:2: invalid regex")
        );
    }
}
