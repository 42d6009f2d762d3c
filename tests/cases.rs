//! Runs every rule case in `rules/<rule>/cases/<case>/`, in-process.
//!
//! A case folder is a tiny project. `expected.txt` is the concise output of
//! `shipshape check .` run in that folder with only that rule enabled (empty: the rule must
//! stay silent); a firing case's `expected-human.txt` is its full human output (snippets,
//! labels, notes, help). When the folder has `fixed/`, the rule's fixes (safe and unsafe, as
//! `--fix --unsafe-fixes` applies them) are applied too: each file must come out exactly
//! as in `fixed/`, still parse, no longer trigger the rule, and a second round of fixing
//! must change nothing.
//!
//! `UPDATE_EXPECT=1 cargo test --test cases` rewrites the expected files and `fixed/` from the
//! current behaviour, for review in the diff.

use std::fs;
use std::path::{Path, PathBuf};

use shipshape_linter::fix::apply_fixes;
use shipshape_linter::{Analysis, Input, RuleSelection, Settings, analyze, discover};
use shipshape_report::concise;
use shipshape_report::{HumanOptions, human};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn update() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v != "0")
}

/// The inputs `shipshape check .` finds in a case folder, minus its `fixed/` copies.
fn case_inputs(dir: &Path) -> Vec<Input> {
    let found = discover(&[dir.to_path_buf()], dir);
    assert!(
        found.errors.is_empty(),
        "{}: {:?}",
        dir.display(),
        found.errors
    );
    found
        .inputs
        .into_iter()
        .filter(|i| !i.name.starts_with("fixed/"))
        .collect()
}

/// Runs the case's rule, plus the rules listed in the case's `select.txt` (for rules that
/// need others' findings, like `unused-ignore`); only the case's rule is compared.
fn run(rule: &str, dir: &Path, inputs: Vec<Input>) -> Analysis {
    let extra = fs::read_to_string(dir.join("select.txt")).unwrap_or_default();
    let names = std::iter::once(rule).chain(extra.split_whitespace());
    // The case folder is the repository: GitLab reads `include: local` paths from it, and
    // the fragments it includes are reported like the files found by name.
    let mut settings = Settings {
        project_root: Some(dir.to_path_buf()),
        report_under: vec![dir.to_path_buf()],
        ..Settings::default()
    };
    // A case may carry its own shipshape.toml (the secret allowlist, a rule's options).
    let config = dir.join("shipshape.toml");
    if config.is_file() {
        shipshape_linter::config::Config::load(&config)
            .unwrap()
            .apply(&mut settings);
    }
    settings.rules = RuleSelection::only(names).unwrap();
    let mut analysis = analyze(inputs, &settings);
    analysis.diagnostics.retain(|d| d.rule == rule);
    analysis
}

#[test]
fn every_rule_case_matches_its_expected_output() {
    let rules_dir = repo_root().join("rules");
    let mut failures = Vec::new();
    let mut count = 0;
    let mut rule_dirs: Vec<PathBuf> = fs::read_dir(&rules_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    rule_dirs.sort();
    for rule_dir in rule_dirs {
        let rule = rule_dir.file_name().unwrap().to_str().unwrap().to_string();
        let Ok(entries) = fs::read_dir(rule_dir.join("cases")) else {
            continue;
        };
        let mut cases: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        cases.sort();
        for case in cases {
            count += 1;
            if let Err(message) = check_case(&rule, &case) {
                failures.push(format!(
                    "--- {rule}/{}\n{message}",
                    case.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(count > 0, "no cases found under {}", rules_dir.display());
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check_case(rule: &str, dir: &Path) -> Result<(), String> {
    let analysis = run(rule, dir, case_inputs(dir));
    if !analysis.errors.is_empty() {
        return Err(format!("I/O errors: {:?}", analysis.errors));
    }
    let concise_out = concise(&analysis.workspace, &analysis.diagnostics);
    compare(&dir.join("expected.txt"), &concise_out)?;
    // A firing case also pins what a person reads: snippets, labels, notes and help.
    let human_path = dir.join("expected-human.txt");
    if analysis.diagnostics.is_empty() {
        if human_path.exists() {
            return Err(format!("{} of a silent case", human_path.display()));
        }
    } else {
        let human_out = human(
            &analysis.workspace,
            &analysis.diagnostics,
            HumanOptions { color: false },
        );
        compare(&human_path, &human_out)?;
    }
    if dir.join("fixed").is_dir()
        || update() && analysis.diagnostics.iter().any(|d| d.fix.is_some())
    {
        check_fixes(rule, dir, &analysis)?;
    }
    Ok(())
}

/// `actual` against the file at `path` (written instead with `UPDATE_EXPECT=1`).
fn compare(path: &Path, actual: &str) -> Result<(), String> {
    if update() {
        fs::write(path, actual).unwrap();
        return Ok(());
    }
    let expected = fs::read_to_string(path)
        .map_err(|_| format!("missing {} (run with UPDATE_EXPECT=1)", path.display()))?;
    if expected != actual {
        return Err(format!(
            "{}:\nexpected:\n{expected}actual:\n{actual}",
            path.display()
        ));
    }
    Ok(())
}

fn check_fixes(rule: &str, dir: &Path, analysis: &Analysis) -> Result<(), String> {
    let mut fixed_inputs = Vec::new();
    for file in &analysis.workspace.files {
        let id = file.id();
        let fixes = analysis
            .diagnostics
            .iter()
            .filter(|d| d.file() == id)
            .filter_map(|d| d.fix.as_ref());
        let (text, _) = apply_fixes(&file.source.text, id, fixes);
        let fixed_path = dir.join("fixed").join(&file.source.name);
        if update() {
            if text != file.source.text {
                fs::create_dir_all(fixed_path.parent().unwrap()).unwrap();
                fs::write(&fixed_path, &text).unwrap();
            }
        } else if text != file.source.text {
            let want = fs::read_to_string(&fixed_path)
                .map_err(|_| format!("missing {}", fixed_path.display()))?;
            if want != text {
                return Err(format!(
                    "{} after --fix:\nexpected:\n{want}actual:\n{text}",
                    file.source.name
                ));
            }
        }
        fixed_inputs.push(Input {
            path: file.source.path.clone(),
            name: file.source.name.clone(),
            content: Some(text.into_bytes()),
            kind: Some(file.kind),
        });
    }
    // The fixed files parse and the rule is satisfied; fixing again changes nothing.
    let after = run(rule, dir, fixed_inputs);
    for file in &after.workspace.files {
        if let Some(yaml) = &file.yaml
            && !yaml.is_complete()
        {
            return Err(format!(
                "{} does not parse after --fix: {:?}",
                file.source.name, yaml.errors[0]
            ));
        }
    }
    let remaining: Vec<_> = after
        .diagnostics
        .iter()
        .filter(|d| d.fix.is_some())
        .collect();
    if !remaining.is_empty() {
        return Err(format!(
            "fixes remain after --fix (not idempotent):\n{}",
            concise(&after.workspace, &after.diagnostics)
        ));
    }
    Ok(())
}
