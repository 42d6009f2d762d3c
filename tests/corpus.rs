//! Smoke test over the real-world corpus in `../shared/corpus` (beside the checkout in CI;
//! skipped, with a message, in a user's clone without it).
//!
//! Every file is checked on its own thread: a panic, an internal error, or a file whose
//! check does not end within 10 s (a hang guard, not a speed test: speed is measured by
//! the benchmarks) fails the test. The corpus README's "Notable content" files must get a
//! sensible result, and the findings per rule are printed so false-positive storms show.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use shipshape_linter::{Analysis, FileKind, INTERNAL_ERROR, Input, Settings, analyze};
use shipshape_report::concise;

const HANG_GUARD: Duration = Duration::from_secs(10);

fn corpus() -> Option<PathBuf> {
    let dir = support::repo_root().join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: {} is absent (CI has ../shared beside the checkout)",
            dir.display()
        );
        None
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
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
        .flat_map(|d| files_under(&corpus.join(d)))
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
                    *per_rule.entry(d.rule).or_default() += 1;
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
    let rules = |name: &str| -> Vec<String> {
        findings(name)
            .iter()
            .map(|l| l[l.find('[').unwrap() + 1..l.find(']').unwrap()].to_string())
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
    // Empty documents.
    for name in [
        "compose/compose-spec__compose-go/loader__testdata__empty.yaml",
        "compose/open-telemetry__opentelemetry-demo/compose.extras.yaml",
        "gitlab-ci/timo-reymann__gitlab-ci-verify/pkg/verifier/test_data/.gitlab-ci.yml",
    ] {
        assert_eq!(rules(name), Vec::<String>::new(), "{name}");
    }
    // A tab inside block scalar content is text, not indentation.
    assert_eq!(
        rules("compose/coollabsio__coolify/templates__compose__dify.yaml"),
        Vec::<String>::new()
    );
    // A file name with a space.
    assert_eq!(
        rules("compose/compose-spec__compose-go/cli__testdata__UNNORMALIZED PATH__compose.yaml"),
        Vec::<String>::new()
    );
}

/// No corpus file has a syntax error that Docker Compose or GitLab would report: every
/// parse failure of the schema tools is a duplicate key, a second document or a leniency.
#[test]
fn the_corpus_has_no_yaml_syntax_findings() {
    let Some(corpus) = corpus() else { return };
    let inputs: Vec<Input> = ["compose", "gitlab-ci"]
        .iter()
        .flat_map(|d| files_under(&corpus.join(d)))
        .map(|p| input(&corpus, &p))
        .collect();
    let settings = Settings {
        rules: shipshape_linter::RuleSelection::only(["yaml-syntax", "tab-indentation"]).unwrap(),
        ..Settings::default()
    };
    let analysis = analyze(inputs, &settings);
    assert_eq!(concise(&analysis.workspace, &analysis.diagnostics), "");
}
