//! Smoke test over the real-world corpus in `../shared/corpus` (beside the checkout in CI;
//! skipped, with a message, in a user's clone without it; a failure when `CI` is set).
//!
//! Every file is checked on its own thread: a panic, an internal error, or a file whose
//! check does not end within 10 s (a hang guard, not a speed test: speed is measured by
//! the benchmarks) fails the test. The corpus README's "Notable content" files must get a
//! sensible result, and the findings per rule are compared with snapshots in
//! `tests/corpus/` so that false-positive storms show in review.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use shipshape_linter::{Analysis, FileKind, INTERNAL_ERROR, Input, Settings, analyze};
use shipshape_report::concise;

const HANG_GUARD: Duration = Duration::from_secs(10);

/// Compares what a corpus test reports with its snapshot in `tests/corpus/`: a change in
/// what shipshape says about the corpus shows in review (`UPDATE_EXPECT=1` rewrites the
/// snapshot; read its diff before committing).
fn matches_snapshot(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(format!("{name}.txt"));
    print!("{actual}");
    if std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v != "0") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {} (UPDATE_EXPECT=1 writes it)", path.display()));
    if expected != actual {
        let diff: Vec<String> = diff_lines(&expected, actual);
        panic!(
            "{} differs from what shipshape now reports on the corpus (UPDATE_EXPECT=1 \
             rewrites it after review):\n{}",
            path.display(),
            diff.join("\n")
        );
    }
}

/// The lines only one side has, `-` expected and `+` actual.
fn diff_lines(expected: &str, actual: &str) -> Vec<String> {
    let old: std::collections::BTreeSet<&str> = expected.lines().collect();
    let new: std::collections::BTreeSet<&str> = actual.lines().collect();
    old.difference(&new)
        .map(|l| format!("- {l}"))
        .chain(new.difference(&old).map(|l| format!("+ {l}")))
        .collect()
}

fn corpus() -> Option<PathBuf> {
    support::shared_dir("corpus", "")
}

/// Corpus files keep their kind in their top folder (their names are flattened paths).
fn input(corpus: &Path, path: &Path) -> Input {
    let name = path
        .strip_prefix(corpus)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let kind = if name.starts_with("compose/") {
        FileKind::Compose
    } else {
        FileKind::GitlabCi
    };
    Input {
        path: path.to_path_buf(),
        name,
        content: None,
        kind: Some(kind),
    }
}

/// Checks one file on its own thread; Err on panic or when the hang guard expires.
fn check_guarded(input: Input) -> Result<Analysis, String> {
    let (tx, rx) = mpsc::channel();
    let name = input.name.clone();
    std::thread::Builder::new()
        .name(name.clone())
        .spawn(move || {
            let _ = tx.send(analyze(vec![input], &Settings::default()));
        })
        .unwrap();
    match rx.recv_timeout(HANG_GUARD) {
        Ok(analysis) => Ok(analysis),
        Err(mpsc::RecvTimeoutError::Timeout) => {
            Err(format!("{name}: still running after {HANG_GUARD:?}"))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(format!("{name}: panicked")),
    }
}

#[test]
fn every_corpus_file_is_checked_without_panic_or_hang() {
    let Some(corpus) = corpus() else { return };
    let mut failures = Vec::new();
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut files_with_findings = 0;
    let files: Vec<PathBuf> = ["compose", "gitlab-ci"]
        .iter()
        .flat_map(|d| support::files_under(&corpus.join(d)))
        .collect();
    assert!(files.len() > 1000, "the corpus holds {} files", files.len());
    for path in &files {
        match check_guarded(input(&corpus, path)) {
            Err(failure) => failures.push(failure),
            Ok(analysis) => {
                if !analysis.errors.is_empty() {
                    failures.push(format!("{}: {:?}", path.display(), analysis.errors));
                }
                for d in &analysis.diagnostics {
                    if d.rule == INTERNAL_ERROR {
                        failures.push(concise(&analysis.workspace, std::slice::from_ref(d)));
                    }
                    *per_rule.entry(d.rule.as_str()).or_default() += 1;
                }
                files_with_findings += usize::from(!analysis.diagnostics.is_empty());
            }
        }
    }
    println!(
        "corpus: {} files, {files_with_findings} with findings",
        files.len()
    );
    for (rule, n) in &per_rule {
        println!("  {rule}: {n}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The corpus README's "Notable content", each with the result a reviewer expects.
#[test]
fn notable_corpus_files_get_sensible_results() {
    let Some(corpus) = corpus() else { return };
    let findings = |name: &str| -> Vec<String> {
        let analysis = check_guarded(input(&corpus, &corpus.join(name))).unwrap();
        concise(&analysis.workspace, &analysis.diagnostics)
            .lines()
            .map(str::to_string)
            .collect()
    };
    // What these files test is the front end and the schema: other rules may well find
    // things in them.
    const FRONT_END: &[&str] = &[
        "yaml-syntax",
        "tab-indentation",
        "duplicate-key",
        "compose-schema",
        "internal-error",
    ];
    let rules = |name: &str| -> Vec<String> {
        findings(name)
            .iter()
            .map(|l| l[l.find('[').unwrap() + 1..l.find(']').unwrap()].to_string())
            .filter(|r| FRONT_END.contains(&r.as_str()))
            .collect()
    };

    // Valid YAML that saphyr alone rejects: a flow `]` at the parent key's indentation.
    assert_eq!(
        rules("compose/open-telemetry__opentelemetry-demo/compose.yaml"),
        Vec::<String>::new()
    );
    // Compose's `!reset` tag.
    assert_eq!(
        rules("compose/compose-spec__compose-go/loader__testdata__extends__reset.yaml"),
        Vec::<String>::new()
    );
    // A `spec:` header document, then the pipeline.
    assert_eq!(
        rules("gitlab-ci/gitlabhq__omnibus-gitlab/.gitlab-ci.yml"),
        Vec::<String>::new()
    );
    // Repeated job keys, which GitLab accepts (last wins) and which are still mistakes.
    for name in [
        "gitlab-ci/GNOME__libxml2/.gitlab-ci.yml",
        "gitlab-ci/OpenMW__openmw/.gitlab-ci.yml",
        "gitlab-ci/gitlabhq__cli/test/testdata/.gitlab-ci.yml",
        "gitlab-ci/firecow__gitlab-ci-local/tests/test-cases/duplicated-keys/.gitlab-ci.yml",
    ] {
        let found = rules(name);
        assert!(
            !found.is_empty() && found.iter().all(|r| r == "duplicate-key"),
            "{name}: {found:?}"
        );
    }
    // Two `<<` in one mapping: GitLab applies both; not a finding in a pipeline.
    assert_eq!(
        rules("gitlab-ci/f-droid__fdroidserver/.gitlab-ci.yml"),
        Vec::<String>::new()
    );
    // Empty documents: Compose refuses an empty file; an empty pipeline parses.
    for name in [
        "compose/compose-spec__compose-go/loader__testdata__empty.yaml",
        "compose/open-telemetry__opentelemetry-demo/compose.extras.yaml",
    ] {
        assert_eq!(rules(name), ["compose-schema"], "{name}");
    }
    assert_eq!(
        rules("gitlab-ci/timo-reymann__gitlab-ci-verify/pkg/verifier/test_data/.gitlab-ci.yml"),
        Vec::<String>::new()
    );
    // A tab inside block scalar content is text, not indentation.
    let dify = rules("compose/coollabsio__coolify/templates__compose__dify.yaml");
    assert!(dify.iter().all(|r| r == "compose-schema"), "{dify:?}");
    // A file name with a space.
    assert_eq!(
        rules("compose/compose-spec__compose-go/cli__testdata__UNNORMALIZED PATH__compose.yaml"),
        Vec::<String>::new()
    );
}

/// Every corpus file in one analysis, with only these rules on.
fn whole_corpus_with(corpus: &Path, rules: &[&str]) -> Analysis {
    let inputs: Vec<Input> = ["compose", "gitlab-ci"]
        .iter()
        .flat_map(|d| support::files_under(&corpus.join(d)))
        .map(|p| input(corpus, &p))
        .collect();
    let settings = Settings {
        rules: shipshape_linter::RuleSelection::only(rules.iter().copied()).unwrap(),
        ..Settings::default()
    };
    analyze(inputs, &settings)
}

/// No corpus file has a syntax error that Docker Compose or GitLab would report: every
/// parse failure of the schema tools is a duplicate key, a second document or a leniency.
#[test]
fn the_corpus_has_no_yaml_syntax_findings() {
    let Some(corpus) = corpus() else { return };
    let analysis = whole_corpus_with(&corpus, &["yaml-syntax", "tab-indentation"]);
    assert_eq!(concise(&analysis.workspace, &analysis.diagnostics), "");
}

/// One row of `SCHEMA_VERDICTS.tsv`.
struct Verdict {
    path: String,
    schema: String,
    verdict: String,
    first_error: String,
}

fn verdicts(corpus: &Path) -> Vec<Verdict> {
    let text = std::fs::read_to_string(corpus.join("SCHEMA_VERDICTS.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            Verdict {
                path: cols[0].to_string(),
                schema: cols[1].to_string(),
                verdict: cols[2].to_string(),
                first_error: cols[3].to_string(),
            }
        })
        .collect()
}

/// Compares one schema rule's valid/invalid verdict with the official schema's on the
/// given rows, prints the agreement and every disagreement with both sides' reasons, and
/// returns the share that agrees (in percent). `counts` says which findings count (a
/// finding the JSON schema cannot express is left out of the comparison).
fn schema_agreement(
    corpus: &Path,
    rule: &str,
    rows: &[Verdict],
    counts: impl Fn(&str) -> bool,
) -> (f64, Vec<String>) {
    let settings = Settings {
        rules: shipshape_linter::RuleSelection::only([rule]).unwrap(),
        ..Settings::default()
    };
    let mut disagreements = Vec::new();
    for row in rows {
        let analysis = analyze(vec![input(corpus, &corpus.join(&row.path))], &settings);
        let ours: Vec<&str> = analysis
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .filter(|m| counts(m))
            .collect();
        if ours.is_empty() != (row.verdict == "valid") {
            disagreements.push(format!(
                "{}\n    schema: {} {}\n    shipshape: {}",
                row.path,
                row.verdict,
                row.first_error,
                ours.first().unwrap_or(&"no finding")
            ));
        }
    }
    let agree = rows.len() - disagreements.len();
    let share = agree as f64 / rows.len() as f64 * 100.0;
    println!(
        "{rule} agrees with the official schema on {agree} of {} files ({share:.1}%)",
        rows.len()
    );
    for d in &disagreements {
        println!("  disagreement: {d}");
    }
    (share, disagreements)
}

/// ISSUE 3: on the corpus, compose-schema's valid/invalid verdict agrees with the official
/// JSON schema's (as check-jsonschema reports it) for at least 98% of the Compose files.
/// Every disagreement is printed with both sides' reasons.
#[test]
fn compose_schema_agrees_with_the_official_schema() {
    let Some(corpus) = corpus() else { return };
    let rows: Vec<Verdict> = verdicts(&corpus)
        .into_iter()
        .filter(|v| v.schema == "compose-spec")
        .collect();
    let (share, disagreements) = schema_agreement(&corpus, "compose-schema", &rows, |_| true);
    println!(
        "  (a parse-error verdict is check-jsonschema's YAML loader failing; shipshape reads these files)"
    );
    assert!(
        share >= 98.0,
        "{share:.1}% agreement:\n{}",
        disagreements.join("\n")
    );
}

/// Rows whose schema verdict the corpus README documents as an artefact of the schema
/// tooling, not GitLab's behaviour: after check-jsonschema's `!reference` transform a
/// reference becomes a list where a scalar or map is expected, and `parallel: null` (a
/// reset of an inherited value) is valid in GitLab. Empty lists the editor's schema
/// rejects and GitLab accepts (`artifacts: paths: []`, `reports: junit: []`; issue 14)
/// are set aside the same way. Only their `invalid` verdicts are set aside.
const GITLAB_VERDICT_ARTEFACTS: &[(&str, &str)] = &[
    (
        "gitlabhq__gitlab-runner/.gitlab/ci/_common.gitlab-ci.yml",
        "!reference transform",
    ),
    (
        "gitlabhq__gitlab-runner/.gitlab/ci/hosted-runners-bridge.gitlab-ci.yml",
        "!reference transform",
    ),
    (
        "gitlabhq__omnibus-gitlab/gitlab-ci-config/dev-gitlab-org.yml",
        "!reference transform",
    ),
    (
        "firecow__gitlab-ci-local/tests/test-cases/image/.gitlab-ci.yml",
        "!reference transform",
    ),
    (
        "firecow__gitlab-ci-local/tests/test-cases/reference/",
        "!reference transform",
    ),
    (
        "gitlabhq__gitlab-runner/.gitlab/ci/test.gitlab-ci.yml",
        "parallel: null",
    ),
    (
        "firecow__gitlab-ci-local/tests/test-cases/schema-validation-ignore/.gitlab-ci-2.yml",
        "empty list GitLab accepts",
    ),
    (
        "timo-reymann__gitlab-ci-verify/pkg/checks/test_data/pages/emptyArtifactPaths.yml",
        "empty list GitLab accepts",
    ),
];

/// Files the editor's schema calls valid and GitLab's Ruby validation, which decides
/// whether a pipeline runs, rejects (issue 19): shipshape follows GitLab. Only their
/// `valid` verdicts are set aside.
const GITLAB_RUBY_REJECTS: &[(&str, &str)] = &[
    (
        "firecow__gitlab-ci-local/tests/test-cases/cache-key-invalid-files/.gitlab-ci-three.yml",
        "Ruby rejects: cache:key:files holds at most two paths",
    ),
    (
        "firecow__gitlab-ci-local/tests/test-cases/rules-blank/",
        "Ruby rejects: `rules: []` can't be blank (Entry::Rules)",
    ),
    (
        "firecow__gitlab-ci-local/tests/test-cases/when/",
        "Ruby rejects: `when: never` outside rules (Entry::Job::ALLOWED_WHEN)",
    ),
    (
        "firecow__gitlab-ci-local/tests/test-cases/reference/.gitlab-ci-11-level-deep.yml",
        "Ruby rejects: a script 11 lists deep once its !references are resolved (Entry::Commands)",
    ),
    (
        "timo-reymann__gitlab-ci-verify/internal/gitlab/ci-yaml/test_data/gitlab-ci/validMultiJob.yaml",
        "Ruby rejects: a hidden key with a null value can't be blank (Entry::Hidden)",
    ),
];

/// ISSUE 4: on the corpus, gitlab-schema's valid/invalid verdict agrees with the official
/// JSON schema's for at least 98% of the GitLab CI files the schema tool could load (rows
/// where check-jsonschema's loader failed, mostly `spec:` header documents, say nothing),
/// the README's documented artefacts aside. Every disagreement is printed.
#[test]
fn gitlab_schema_agrees_with_the_official_schema() {
    let Some(corpus) = corpus() else { return };
    let artefact = |row: &Verdict| {
        let rest = row.path.strip_prefix("gitlab-ci/")?;
        GITLAB_VERDICT_ARTEFACTS
            .iter()
            .find(|(p, _)| row.verdict == "invalid" && rest.starts_with(p))
            .or_else(|| {
                GITLAB_RUBY_REJECTS
                    .iter()
                    .find(|(p, _)| row.verdict == "valid" && rest.starts_with(p))
            })
    };
    let mut unloadable = 0;
    let mut rows = Vec::new();
    for row in verdicts(&corpus)
        .into_iter()
        .filter(|v| v.schema == "gitlab-ci")
    {
        if row.verdict == "parse-error" {
            unloadable += 1;
        } else if let Some((_, why)) = artefact(&row) {
            println!("  set aside ({why}): {}", row.path);
        } else {
            rows.push(row);
        }
    }
    println!("  ({unloadable} files the schema tool could not load are left out)");
    // A pipeline without a visible job is an error GitLab gives and a JSON schema cannot
    // express: not part of the comparison.
    let (share, disagreements) = schema_agreement(&corpus, "gitlab-schema", &rows, |m| {
        m != "jobs config should contain at least one visible job"
    });
    assert!(
        share >= 98.0,
        "{share:.1}% agreement:\n{}",
        disagreements.join("\n")
    );
}

/// How many corpus files of one kind get at least one warning or error, and the findings
/// per rule, against the snapshot: a false-positive storm would show here first.
fn share_with_findings(corpus: &Path, kind: &str, what: &str) {
    let inputs: Vec<Input> = support::files_under(&corpus.join(kind))
        .iter()
        .map(|p| input(corpus, p))
        .collect();
    let total = inputs.len();
    let analysis = analyze(inputs, &Settings::default());
    let mut files = std::collections::BTreeSet::new();
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &analysis.diagnostics {
        *per_rule.entry(d.rule.as_str()).or_default() += 1;
        if d.severity >= shipshape_linter::Severity::Warning {
            files.insert(d.file());
        }
    }
    let mut report = format!(
        "corpus {what} with at least one warning or error: {} of {total} ({:.1}%)\n",
        files.len(),
        files.len() as f64 / total as f64 * 100.0
    );
    for (rule, n) in per_rule {
        report.push_str(&format!("  {rule}: {n}\n"));
    }
    matches_snapshot(&format!("share-{kind}"), &report);
}

/// ISSUE 3: the share of corpus Compose files with findings.
#[test]
fn share_of_corpus_compose_files_with_findings() {
    let Some(corpus) = corpus() else { return };
    share_with_findings(&corpus, "compose", "Compose files");
}

/// ISSUE 4: the share of corpus pipeline files (root files, and fragments checked with
/// their pipeline) with findings.
#[test]
fn share_of_corpus_pipelines_with_findings() {
    let Some(corpus) = corpus() else { return };
    share_with_findings(&corpus, "gitlab-ci", "GitLab CI files");
}

/// ISSUE 5: the repositories of the corpus that hold both Compose and GitLab CI files,
/// rebuilt at their original paths, checked with the cross-file rules: what they find is
/// compared with its snapshot (false positives show in review), and nothing crashes.
#[test]
fn cross_file_rules_over_repositories_with_both_kinds() {
    let Some(corpus) = corpus() else { return };
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).unwrap();
    // repository -> [(local path, original path, kind)]
    let mut repos: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        repos.entry(cols[2].to_string()).or_default().push((
            cols[1].to_string(),
            cols[4].to_string(),
            cols[0].to_string(),
        ));
    }
    let rules = [
        "missing-exit-code-from",
        "unknown-compose-service",
        "compose-file-not-found",
        "ci-variable-not-passed",
        "env-drift",
        "unknown-host",
    ];
    let mut checked = 0;
    let mut report = String::new();
    for (repo, files) in &repos {
        let kinds: std::collections::BTreeSet<&str> = files.iter().map(|f| f.2.as_str()).collect();
        if kinds.len() < 2 {
            continue;
        }
        checked += 1;
        let dir = support::TempDir::new("corpus-repo");
        for (local, original, _) in files {
            dir.write(original, std::fs::read(corpus.join(local)).unwrap());
        }
        let found = shipshape_linter::discover(&[dir.path().to_path_buf()], dir.path());
        // The repository root is found as for a user's checkout (example projects inside
        // it have their own `.gitlab-ci.yml`, and run from their own directory).
        let settings = Settings {
            rules: shipshape_linter::RuleSelection::only(rules).unwrap(),
            report_under: vec![dir.path().to_path_buf()],
            ..Settings::default()
        };
        let analysis = analyze(found.inputs, &settings);
        let runs: usize = analysis
            .workspace
            .pipelines
            .iter()
            .map(|p| p.compose_runs.len())
            .sum();
        report.push_str(&format!(
            "{repo}: {} files, {runs} docker compose commands in CI jobs, {} findings\n",
            files.len(),
            analysis.diagnostics.len()
        ));
        for line in concise(&analysis.workspace, &analysis.diagnostics).lines() {
            report.push_str(&format!("  {line}\n"));
        }
        assert!(
            analysis
                .diagnostics
                .iter()
                .all(|d| d.rule != INTERNAL_ERROR),
            "{repo}"
        );
    }
    assert!(checked > 0, "no corpus repository holds both kinds of file");
    matches_snapshot("cross-file", &report);
}

/// ISSUE 6: every `hardcoded-secret` finding on the corpus (redacted), with the count per
/// severity, against the snapshot: a reviewer judges each new one.
#[test]
fn hardcoded_secrets_in_the_corpus() {
    let Some(corpus) = corpus() else { return };
    let analysis = whole_corpus_with(&corpus, &["hardcoded-secret"]);
    let mut per_severity: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &analysis.diagnostics {
        *per_severity.entry(d.severity.as_str()).or_default() += 1;
    }
    let mut report = format!("hardcoded-secret on the corpus: {per_severity:?}\n");
    for line in concise(&analysis.workspace, &analysis.diagnostics).lines() {
        report.push_str(&format!("  {line}\n"));
    }
    matches_snapshot("hardcoded-secrets", &report);
}

/// The pipeline rules (issue 18) on the whole corpus: every finding at warning or error is
/// listed in `tests/corpus/pipeline-rules-judged.tsv` with its verdict (TP, FP, D) and
/// why, and the rule READMEs' notes discuss them. A finding nobody judged, a row no longer
/// found, or a row judged FP that is still reported fails the test.
#[test]
fn pipeline_rule_findings_on_the_corpus_are_judged() {
    let Some(corpus) = corpus() else { return };
    let rules = [
        "needs-not-in-pipeline",
        "job-never-runs",
        "duplicate-pipelines",
    ];
    let analysis = whole_corpus_with(&corpus, &rules);
    let found: std::collections::BTreeSet<(String, String)> = concise(
        &analysis.workspace,
        &analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity >= shipshape_linter::Severity::Warning)
            .cloned()
            .collect::<Vec<_>>(),
    )
    .lines()
    .map(|line| {
        // `path:line:column: severity[rule] message`
        let (location, rest) = line.split_once(": ").expect("concise line");
        let (path_line, _column) = location.rsplit_once(':').expect("column");
        let rule = rest
            .split_once('[')
            .and_then(|(_, r)| r.split_once(']'))
            .map(|(r, _)| r.to_string())
            .expect("rule");
        (path_line.to_string(), rule)
    })
    .collect();
    let judged_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/pipeline-rules-judged.tsv");
    let judged_text = std::fs::read_to_string(&judged_path).expect("pipeline-rules-judged.tsv");
    let mut judged = std::collections::BTreeMap::new();
    for line in judged_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "location, rule, verdict, reason: {line}");
        assert!(["TP", "FP", "D"].contains(&cols[2]), "verdict: {line}");
        judged.insert(
            (cols[0].to_string(), cols[1].to_string()),
            cols[2].to_string(),
        );
    }
    println!("pipeline rules on the corpus (warning and error):");
    for (location, rule) in &found {
        let verdict = judged.get(&(location.clone(), rule.clone()));
        println!(
            "  {location} {rule}: {}",
            verdict.map_or("NOT JUDGED", String::as_str)
        );
    }
    let unjudged: Vec<_> = found.iter().filter(|k| !judged.contains_key(k)).collect();
    let stale: Vec<_> = judged.keys().filter(|k| !found.contains(k)).collect();
    let false_positives: Vec<_> = judged
        .iter()
        .filter(|(k, v)| *v == "FP" && found.contains(k))
        .collect();
    assert!(
        unjudged.is_empty() && stale.is_empty() && false_positives.is_empty(),
        "judge new findings in {}: unjudged {unjudged:?}; no longer found {stale:?}; FP still reported {false_positives:?}",
        judged_path.display()
    );
}
