//! `shipshape.toml`: the project's settings (`configs` finds the one each file gets).
//! Every key is known: an unknown key, rule name or value is an error that names its line,
//! never silently ignored.
//!
//! ```toml
//! fail-on = "warning"        # error | warning | info | never
//!
//! [rules]
//! image-tag = "off"          # off | error | warning | info
//!
//! [rules.localhost-reference]  # a rule's table: its severity and its options
//! severity = "warning"
//! public-url-variables = ["APP_LINK"]
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
//! part-files = 4000          # a walk past either is analysed in parts of whole directories
//! part-size = "6MB"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use shipshape_model::FileKind;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::discover::FileRules;
use crate::registry::nearest_rule;
use crate::secrets::SecretAllowlist;
use crate::settings::{JobLink, Settings};

/// The file names looked for, in each directory from the working one upward.
pub const CONFIG_NAMES: &[&str] = &["shipshape.toml", ".shipshape.toml"];

/// When the exit code becomes 1: a finding at least this severe (`fail-on` in
/// shipshape.toml, `--fail-on` on the command line).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FailOn {
    Error,
    #[default]
    Warning,
    Info,
    /// Always exit 0 when the check ran.
    Never,
}

impl FailOn {
    pub const NAMES: &[&str] = &["error", "warning", "info", "never"];

    pub fn parse(name: &str) -> Option<FailOn> {
        match name {
            "never" => Some(FailOn::Never),
            _ => Some(match Severity::parse(name)? {
                Severity::Error => FailOn::Error,
                Severity::Warning => FailOn::Warning,
                Severity::Info => FailOn::Info,
            }),
        }
    }

    /// The least severity that fails the check; None for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    fail_on: Option<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
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
    part_files: Option<Spanned<i64>>,
    part_size: Option<Spanned<toml::Value>>,
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
    /// Options of `[rules.<name>]` tables.
    pub options: crate::rule::RuleOptions,
    pub secrets: SecretAllowlist,
    pub files: FileRules,
    pub links: Vec<JobLink>,
    pub max_file_size: Option<u64>,
    pub max_diagnostics_per_file: Option<usize>,
    pub part_files: Option<usize>,
    pub part_size: Option<u64>,
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

/// The configuration file in `dir` itself: the first of [`CONFIG_NAMES`] there.
pub fn find_in(dir: &Path) -> Option<PathBuf> {
    CONFIG_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// A configuration found (not one named with `--config`) must lie, links
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
            let s = f.get_ref();
            config.fail_on = Some(FailOn::parse(s).ok_or_else(|| {
                error(
                    Some(f.span()),
                    format!(
                        "fail-on must be \"error\", \"warning\", \"info\" or \"never\", not \"{s}\""
                    ),
                )
            })?);
        }
        parse_rules(&raw.rules, &error, &mut config)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        config.secrets = secret_allowlist(raw.secrets, dir, &error)?;
        config.files = file_rules(&raw.files, dir, &error)?;
        config.links = raw
            .links
            .into_iter()
            .map(|l| JobLink {
                job: l.job,
                compose: l
                    .compose
                    .iter()
                    .map(|c| (c.clone(), crate::paths::resolve(dir, c)))
                    .collect(),
            })
            .collect();
        let limits = &raw.limits;
        let size = |value: &Option<Spanned<toml::Value>>, key: &str| {
            value
                .as_ref()
                .map(|v| {
                    parse_size(v.get_ref()).ok_or_else(|| {
                        error(
                            Some(v.span()),
                            format!(
                                "{key} is a number of bytes or a size such as \"512KB\" or \"10MB\""
                            ),
                        )
                    })
                })
                .transpose()
        };
        let count = |value: &Option<Spanned<i64>>, key: &str| {
            value
                .as_ref()
                .map(|v| {
                    usize::try_from(*v.get_ref())
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or_else(|| error(Some(v.span()), format!("{key} must be at least 1")))
                })
                .transpose()
        };
        config.max_file_size = size(&limits.max_file_size, "max-file-size")?;
        config.max_diagnostics_per_file =
            count(&limits.max_diagnostics_per_file, "max-diagnostics-per-file")?;
        config.part_size = size(&limits.part_size, "part-size")?;
        config.part_files = count(&limits.part_files, "part-files")?;
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
        settings.options = self.options.clone();
        if let Some(size) = self.max_file_size {
            settings.max_file_size = size;
        }
        if let Some(max) = self.max_diagnostics_per_file {
            settings.max_diagnostics_per_file = max;
        }
        if let Some(files) = self.part_files {
            settings.part_limits.files = files;
        }
        if let Some(bytes) = self.part_size {
            settings.part_limits.bytes = bytes;
        }
    }
}

/// What `ConfigError` a problem at a span of the file is.
type ErrorAt<'e> = dyn Fn(Option<std::ops::Range<usize>>, String) -> ConfigError + 'e;

/// `[rules]`: each rule's severity (`name = "warning"`), or its table (`severity` and the
/// options the rule declares).
fn parse_rules(
    rules: &BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    error: &ErrorAt<'_>,
    config: &mut Config,
) -> Result<(), ConfigError> {
    for (name, value) in rules {
        let Some(rule) = crate::registry::rule(name.get_ref()) else {
            let hint = nearest_rule(name.get_ref())
                .map_or(String::new(), |n| format!("; did you mean \"{n}\"?"));
            return Err(error(
                Some(name.span()),
                format!("unknown rule \"{}\"{hint}", name.get_ref()),
            ));
        };
        // The span of the whole `[rules.x]` table or `x = ...` value: toml keeps no
        // spans inside a `toml::Value`, so errors about a key point at its table.
        let at = Some(value.span());
        let level = match value.get_ref() {
            toml::Value::String(level) => Some(level.as_str()),
            toml::Value::Table(table) => {
                for (key, option_value) in table.iter().filter(|(k, _)| *k != "severity") {
                    let option = rule.option(key).ok_or_else(|| {
                        let known: Vec<&str> = rule.options.iter().map(|o| o.name).collect();
                        let hint = crate::text::nearest(key, known.iter().copied())
                            .map(|n| format!("; did you mean \"{n}\"?"))
                            .unwrap_or_else(|| match known.as_slice() {
                                [] => {
                                    format!("; {} has no options, only \"severity\"", rule.name)
                                }
                                names => format!("; its options: {}", names.join(", ")),
                            });
                        error(
                            at.clone(),
                            format!("unknown option \"{key}\" of rule \"{}\"{hint}", rule.name),
                        )
                    })?;
                    let strings = option_strings(option_value).ok_or_else(|| {
                        error(
                            at.clone(),
                            format!(
                                "{}.{} must be {}",
                                rule.name,
                                option.name,
                                option.kind.as_str()
                            ),
                        )
                    })?;
                    config.options.set_strings(rule.name, option.name, strings);
                }
                match table.get("severity") {
                    None => None,
                    Some(toml::Value::String(level)) => Some(level.as_str()),
                    Some(_) => {
                        return Err(error(
                            at,
                            format!("{}.severity must be a string", rule.name),
                        ));
                    }
                }
            }
            _ => {
                return Err(error(
                    at,
                    format!(
                        "rule \"{}\" takes a severity (\"off\", \"error\", \"warning\", \"info\") or a table of options",
                        rule.name
                    ),
                ));
            }
        };
        let Some(level) = level else { continue };
        let severity = match level {
            "off" => None,
            s => Some(Severity::parse(s).ok_or_else(|| {
                error(
                    at.clone(),
                    format!("a rule is \"off\", \"error\", \"warning\" or \"info\", not \"{s}\""),
                )
            })?),
        };
        config.rules.push((rule.name.to_string(), severity));
    }
    Ok(())
}

/// `[secrets]`: what `hardcoded-secret` leaves alone; `allow-paths` relative to `dir`.
fn secret_allowlist(
    raw: RawSecrets,
    dir: &Path,
    error: &ErrorAt<'_>,
) -> Result<SecretAllowlist, ConfigError> {
    for r in &raw.allow_regexes {
        regex::Regex::new(r.get_ref())
            .map_err(|e| error(Some(r.span()), format!("invalid regex: {e}")))?;
    }
    for p in &raw.allow_paths {
        globset::Glob::new(p.get_ref())
            .map_err(|e| error(Some(p.span()), format!("invalid glob: {e}")))?;
    }
    let regexes: Vec<String> = raw
        .allow_regexes
        .iter()
        .map(|r| r.get_ref().clone())
        .collect();
    let paths: Vec<String> = raw
        .allow_paths
        .iter()
        .map(|p| p.get_ref().clone())
        .collect();
    SecretAllowlist::new(raw.allow_values, &regexes, &paths)
        .map_err(|m| error(None, m))
        .map(|allow| allow.relative_to(dir))
}

/// `[files]`: kinds by glob and excluded paths, relative to `dir`.
fn file_rules(raw: &RawFiles, dir: &Path, error: &ErrorAt<'_>) -> Result<FileRules, ConfigError> {
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
    if let Some(g) = globs(&raw.compose)? {
        kinds.push((g, FileKind::Compose));
    }
    if let Some(g) = globs(&raw.gitlab_ci)? {
        kinds.push((g, FileKind::GitlabCi));
    }
    Ok(FileRules {
        root: dir.to_path_buf(),
        kinds,
        exclude: globs(&raw.exclude)?,
    })
}

/// A list of strings, or None.
fn option_strings(value: &toml::Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
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
    fn a_rule_table_sets_severity_and_options() {
        let config = Config::parse(
            Path::new("shipshape.toml"),
            "[rules]\nimage-tag = \"off\"\n\n[rules.localhost-reference]\nseverity = \"error\"\npublic-url-variables = [\"APP_LINK\"]\n",
        )
        .unwrap();
        assert!(config.rules.contains(&("image-tag".into(), None)));
        assert!(
            config
                .rules
                .contains(&("localhost-reference".into(), Some(Severity::Error)))
        );
        assert_eq!(
            config
                .options
                .strings("localhost-reference", "public-url-variables"),
            ["APP_LINK"]
        );
        let err = |text: &str| {
            Config::parse(Path::new("s.toml"), text)
                .unwrap_err()
                .message
        };
        assert!(
            err("[rules.localhost-reference]\npublic-url-variable = []\n")
                .contains("did you mean \"public-url-variables\"")
        );
        assert!(err("[rules.image-tag]\nx = 1\n").contains("has no options"));
        assert!(
            err("[rules.localhost-reference]\npublic-url-variables = [1]\n")
                .contains("a list of strings")
        );
        assert!(err("[rules]\nimage-tag = 3\n").contains("a severity"));
    }

    #[test]
    fn reads_rules_fail_on_and_secrets() {
        let c = Config::parse(
            Path::new("shipshape.toml"),
            "fail-on = \"error\"\n[rules]\nimage-tag = \"off\"\nunknown-host = \"error\"\n[secrets]\nallow-values = [\"banterbus\"]\n",
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(FailOn::Error));
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
        let c = parse("[limits]\npart-files = 100\npart-size = \"1MB\"\n").unwrap();
        let mut settings = Settings::default();
        c.apply(&mut settings);
        assert_eq!(
            settings.part_limits,
            crate::analyze::PartLimits {
                files: 100,
                bytes: 1 << 20
            }
        );
        for wrong in ["part-files = 0", "part-files = -3", "part-size = \"big\""] {
            let err = parse(&format!("[limits]\n{wrong}\n")).unwrap_err();
            assert_eq!(err.line, Some(2), "{wrong}");
            assert!(err.message.contains("part-"), "{}", err.message);
        }
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
