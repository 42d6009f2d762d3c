//! GitLab's own schema tests as cases: the files of GitLab's
//! `spec/frontend/editor/schema/ci/yaml_tests/{positive,negative}_tests`, kept in
//! `../shared/corpus` (found through its `MANIFEST.tsv`), each checked as a pipeline: copied
//! alone as `.gitlab-ci.yml` into an empty directory and run through the real binary.
//!
//! A case is one top-level key of a file (a job, or `include:`/`variables:`), with the
//! lines up to the next top-level key; GitLab's editor tests feed each file to its JSON
//! schema the same way, one case per key.
//!
//! - Every negative case is flagged: an error inside its lines from a rule other than the
//!   ones these fragments trip for reasons that are not the case (`INCIDENTAL`: no
//!   `script:`, a local include or a stage the fragment does not have). The exceptions
//!   are where GitLab's Ruby validation, which decides whether a pipeline runs, accepts
//!   what its editor schema rejects (`RUBY_ACCEPTS`, each with its reason).
//! - Every positive case is silent at the schema level: no `gitlab-schema` finding, except
//!   where GitLab's Ruby validation rejects what the editor schema accepts
//!   (`RUBY_REJECTS`).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Rules these fragments trip for reasons that are not what their case tests: the
/// editor's schema does not ask for `script:`, and the fragments name local files and
/// stages they do not have.
const INCIDENTAL: &[&str] = &[
    "missing-script",
    "unknown-include",
    "unresolved-include",
    "undeclared-stage",
    "unknown-needs",
];

/// Negative cases of the editor schema that GitLab's Ruby validation (`lib/gitlab/ci/
/// config/entry/**`, what decides whether a pipeline is created) accepts: shipshape
/// follows GitLab, so these stay silent.
const RUBY_ACCEPTS: &[(&str, &str, &str)] = &[
    (
        "artifacts.yml",
        "browser_performance list of string paths",
        "Entry::Reports validates every report as `array_of_strings_or_string`: a list is accepted",
    ),
    (
        "artifacts.yml",
        "browser_performance mixed list of string paths and globs",
        "Entry::Reports validates every report as `array_of_strings_or_string`: a list is accepted",
    ),
    (
        "artifacts.yml",
        "browser_performance string array",
        "Entry::Reports validates every report as `array_of_strings_or_string`: a list is accepted",
    ),
    (
        "artifacts.yml",
        "browser_performance no paths",
        "Entry::Reports validates its reports `with_options allow_nil: true`: an empty report is none",
    ),
    (
        "artifacts.yml",
        "cyclonedx no paths",
        "Entry::Reports validates its reports `with_options allow_nil: true`: an empty report is none",
    ),
    (
        "artifacts.yml",
        "performance string path",
        "Entry::Reports still lists `performance` (kept when it was renamed browser_performance)",
    ),
    (
        "services.yml",
        "empty_services",
        "a job key set to null is unspecified (`Entry::Unspecified`): it resets an inherited value",
    ),
    (
        "services.yml",
        "empty_entrypoint",
        "Entry::Image/Service validate `entrypoint` as `array_of_strings`: an empty array is one",
    ),
    (
        "services.yml",
        "empty_command",
        "Entry::Service validates `command` as `array_of_strings`: an empty array is one",
    ),
    (
        "services.yml",
        "empty_pull_policy",
        "Entry::PullPolicy accepts an empty array (`pull_policy: []` means the runner's default)",
    ),
];

/// Positive cases of the editor schema that GitLab's Ruby validation rejects: shipshape
/// reports them, as GitLab would.
const RUBY_REJECTS: &[(&str, &str, &str)] = &[(
    "spec_inputs.yml",
    "spec",
    "`spec:` in the pipeline document (not a header document before `---`) is no keyword \
     there: GitLab reads it as a job and rejects it",
)];

/// The schema test files, from the corpus manifest: (negative?, file name, corpus path).
fn schema_test_files(corpus: &Path) -> Vec<(bool, String, PathBuf)> {
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).unwrap();
    let mut files: Vec<(bool, String, PathBuf)> = manifest
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let (local, repo, original) = (fields.get(1)?, fields.get(2)?, fields.get(4)?);
            let rest = original.strip_prefix("spec/frontend/editor/schema/ci/yaml_tests/")?;
            if *repo != "gitlabhq/gitlabhq" {
                return None;
            }
            let (kind, name) = rest.split_once('/')?;
            Some((
                kind == "negative_tests",
                name.to_string(),
                corpus.join(local),
            ))
        })
        .collect();
    files.sort();
    files
}

/// The top-level keys of a file, each with its first and last line (1-based).
fn cases(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut starts: Vec<(String, usize)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let first = line.chars().next();
        if first.is_none_or(|c| c.is_whitespace() || c == '#' || c == '-') {
            continue;
        }
        // `rules:exists as string:` is one key: it ends at the colon before a space or
        // the end of the line.
        let colon = line
            .find(": ")
            .or_else(|| line.trim_end().strip_suffix(':').map(str::len));
        let Some(colon) = colon else { continue };
        let key = line[..colon].trim_matches(|c| c == '"' || c == '\'');
        starts.push((key.to_string(), i + 1));
    }
    (0..starts.len())
        .map(|k| {
            let end = starts.get(k + 1).map_or(lines.len(), |(_, l)| l - 1);
            (starts[k].0.clone(), starts[k].1, end)
        })
        .collect()
}

/// One finding of the concise format: (line, severity, rule).
fn findings(file: &Path) -> Vec<(usize, String, String)> {
    let dir = support::TempDir::new("gitlab-schema-tests");
    std::fs::copy(file, dir.path().join(".gitlab-ci.yml")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(["check", "--format", "concise", "--quiet", ".gitlab-ci.yml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| {
            // .gitlab-ci.yml:LINE:COL: SEVERITY[RULE] message
            let mut parts = l.splitn(4, ':');
            let (_, line, _, rest) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            let rest = rest.trim_start();
            let open = rest.find('[')?;
            let close = rest.find(']')?;
            Some((
                line.parse().ok()?,
                rest[..open].to_string(),
                rest[open + 1..close].to_string(),
            ))
        })
        .collect()
}

#[test]
fn gitlab_schema_tests_negative_flagged_positive_silent() {
    let Some(corpus) = support::shared_dir("corpus", "MANIFEST.tsv") else {
        return;
    };
    let files = schema_test_files(&corpus);
    assert_eq!(files.len(), 16, "GitLab's schema test files in the corpus");
    let mut failures = Vec::new();
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut accepted = 0;
    let mut rejected = 0;
    for (negative, name, path) in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let found = findings(path);
        for (case, first, last) in cases(&text) {
            let inside = found
                .iter()
                .filter(|(l, _, _)| (first..=last).contains(l))
                .collect::<Vec<_>>();
            let what = if *negative { "negative" } else { "positive" };
            let count = counts.entry(what).or_default();
            count.0 += 1;
            if *negative {
                let flagged = inside
                    .iter()
                    .filter(|(_, sev, rule)| sev == "error" && !INCIDENTAL.contains(&rule.as_str()))
                    .map(|(_, _, rule)| rule.as_str())
                    .collect::<Vec<_>>();
                let ruby = RUBY_ACCEPTS
                    .iter()
                    .find(|(f, c, _)| f == name && *c == case);
                match (ruby, flagged.is_empty()) {
                    (Some(_), true) => accepted += 1,
                    (Some((_, _, why)), false) => failures.push(format!(
                        "{what} {name} `{case}`: flagged ({flagged:?}), but GitLab accepts it: {why}"
                    )),
                    (None, true) => {
                        failures.push(format!("{what} {name} `{case}` (lines {first}-{last}): not flagged"))
                    }
                    (None, false) => {
                        count.1 += 1;
                        println!("{what} {name} `{case}`: {flagged:?}");
                    }
                }
            } else {
                let schema = inside
                    .iter()
                    .filter(|(_, _, rule)| rule == "gitlab-schema")
                    .count();
                let rejects = RUBY_REJECTS
                    .iter()
                    .find(|(f, c, _)| f == name && *c == case);
                if let Some((_, _, why)) = rejects {
                    if schema == 0 {
                        failures.push(format!(
                            "{what} {name} `{case}`: silent, but GitLab rejects it: {why}"
                        ));
                    } else {
                        rejected += 1;
                    }
                } else if schema == 0 {
                    count.1 += 1;
                } else {
                    failures.push(format!(
                        "{what} {name} `{case}`: {schema} gitlab-schema findings"
                    ));
                }
            }
        }
    }
    println!(
        "negative cases flagged: {}/{} ({accepted} accepted by GitLab's Ruby validation); \
         positive cases silent: {}/{} ({rejected} rejected by GitLab's Ruby validation)",
        counts["negative"].1, counts["negative"].0, counts["positive"].1, counts["positive"].0
    );
    assert_eq!(
        accepted,
        RUBY_ACCEPTS.len(),
        "every Ruby-accepted case is met"
    );
    assert_eq!(
        rejected,
        RUBY_REJECTS.len(),
        "every Ruby-rejected case is met"
    );
    assert!(
        failures.is_empty(),
        "{} cases disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A file named on the command line under a name that says nothing is GitLab CI by its
/// content, even without a `script:` job: the schema test files keep their own names
/// here (negative `artifacts.yml` holds only `artifacts:` templates, `variables.yml` only
/// `variables:`, positive `spec_inputs.yml` `spec: inputs:`, `include:` and triggers), and
/// still get GitLab's findings.
#[test]
fn gitlab_ci_without_script_jobs_is_read_as_gitlab_ci() {
    let Some(corpus) = support::shared_dir("corpus", "MANIFEST.tsv") else {
        return;
    };
    for (negative, name, path) in schema_test_files(&corpus) {
        let wanted = match name.as_str() {
            "artifacts.yml" | "variables.yml" => negative,
            "spec_inputs.yml" => !negative,
            _ => false,
        };
        if !wanted {
            continue;
        }
        let dir = support::TempDir::new("gitlab-by-content");
        std::fs::copy(&path, dir.path().join(&name)).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_shipshape"))
            .args(["check", "--format", "concise", "--quiet", &name])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.contains("error[gitlab-schema]"),
            "{name} is not read as GitLab CI:\n{stdout}"
        );
    }
}
