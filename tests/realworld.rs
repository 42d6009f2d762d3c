//! Precision on real projects: `../shared/realworld` holds twenty repositories that run
//! GitLab CI and Docker Compose, with every error and warning shipshape once gave judged by
//! hand in `JUDGED.tsv` (TP, FP, or D for debatable). Each directory is checked as a user
//! checks it (`shipshape check --format json .` inside it), findings are matched to the
//! judged rows by path, line and rule, and the test fails when
//! - a row judged FP is still reported at warning or error;
//! - a row judged TP is no longer reported at warning or error;
//! - more than a third of the rows judged D are still reported at warning or error.
//!
//! New findings, judged the same way, go into `tests/realworld/added.tsv` (the columns of
//! `JUDGED.tsv`, which is read-only here).
//! A verdict found wrong on the evidence is corrected in `tests/realworld/overrides.tsv`
//! (the row's repo, location and rule, the new verdict, why); each override is reviewed.
//! The table per rule is printed (`cargo test --test realworld -- --nocapture`), and new
//! warning+ findings nobody has judged are listed, so they get judged and added.
//!
//! Without `../shared` the test is skipped with a message, and fails when `CI` is set.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
    Tp,
    Fp,
    Debatable,
}

impl Verdict {
    fn parse(s: &str) -> Verdict {
        match s {
            "TP" => Verdict::Tp,
            "FP" => Verdict::Fp,
            "D" => Verdict::Debatable,
            other => panic!("unknown verdict {other:?}"),
        }
    }
}

/// (repo, path, line, rule): how a judged row and a finding are matched.
type Key = (String, String, u32, String);

struct Row {
    verdict: Verdict,
    reason: String,
    message: String,
}

fn realworld() -> Option<PathBuf> {
    support::shared_dir("realworld", "JUDGED.tsv")
}

/// `path:line:column` -> (path, line). Paths may hold `:` only before the last two.
fn split_location(location: &str) -> (String, u32) {
    let mut parts = location.rsplitn(3, ':');
    let _column = parts.next();
    let line = parts.next().and_then(|l| l.parse().ok()).expect("line");
    let path = parts.next().expect("path").to_string();
    (path, line)
}

/// The judged rows: `JUDGED.tsv`, plus `tests/realworld/added.tsv` (same columns) for
/// findings that appeared after it was written and were judged here.
fn read_judged(dir: &std::path::Path) -> HashMap<Key, Row> {
    let mut text = std::fs::read_to_string(dir.join("JUDGED.tsv")).unwrap();
    let added = support::repo_root().join("tests/realworld/added.tsv");
    let added = std::fs::read_to_string(added).unwrap_or_default();
    for line in added.lines().filter(|l| !l.starts_with('#')).skip(1) {
        text.push_str(line);
        text.push('\n');
    }
    let mut rows = HashMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [repo, _severity, rule, location, message, verdict, reason] = cols[..] else {
            panic!("JUDGED.tsv: expected 7 columns: {line}");
        };
        let (path, line) = split_location(location);
        rows.insert(
            (repo.into(), path, line, rule.into()),
            Row {
                verdict: Verdict::parse(verdict),
                reason: reason.into(),
                message: message.into(),
            },
        );
    }
    rows
}

/// Applies `tests/realworld/overrides.tsv`: repo, location, rule, verdict, why.
fn apply_overrides(rows: &mut HashMap<Key, Row>) -> usize {
    let path = support::repo_root().join("tests/realworld/overrides.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut count = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [repo, location, rule, verdict, why] = cols[..] else {
            panic!("overrides.tsv: expected 5 columns: {line}");
        };
        assert!(
            why.trim().len() > 10,
            "overrides.tsv: every override says why: {line}"
        );
        let (path, line_no) = split_location(location);
        let key = (repo.to_string(), path, line_no, rule.to_string());
        let row = rows.get_mut(&key).unwrap_or_else(|| {
            panic!("overrides.tsv names a row JUDGED.tsv does not have: {line}")
        });
        row.verdict = Verdict::parse(verdict);
        row.reason = format!("override: {why}");
        count += 1;
    }
    count
}

/// Every warning and error shipshape reports in one repository, keyed like the rows.
fn findings(dir: &std::path::Path, repo: &str) -> BTreeMap<Key, String> {
    let out = support::shipshape(&dir.join(repo), &["check", "--format", "json", "."]);
    assert!(
        matches!(support::code(&out), 0 | 1),
        "{repo}: exit {}: {}",
        support::code(&out),
        support::stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found = BTreeMap::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let severity = d["severity"].as_str().unwrap();
        assert_ne!(d["rule"], "internal-error", "{repo}: {d}");
        if !matches!(severity, "warning" | "error") {
            continue;
        }
        let key = (
            repo.to_string(),
            d["path"].as_str().unwrap().to_string(),
            d["start"]["line"].as_u64().unwrap() as u32,
            d["rule"].as_str().unwrap().to_string(),
        );
        found.insert(
            key,
            format!("{severity}: {}", d["message"].as_str().unwrap()),
        );
    }
    found
}

#[derive(Default)]
struct Counts {
    tp_kept: usize,
    tp_lost: usize,
    fp_left: usize,
    fp_gone: usize,
    d_left: usize,
    d_gone: usize,
    new: usize,
}

#[test]
fn judged_findings_on_real_projects() {
    let Some(dir) = realworld() else { return };
    let mut rows = read_judged(&dir);
    let overridden = apply_overrides(&mut rows);
    let repos: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        repos.len() >= 20,
        "expected twenty repositories in {}",
        dir.display()
    );

    let mut found = BTreeMap::new();
    for repo in &repos {
        found.extend(findings(&dir, repo));
    }

    let mut per_rule: BTreeMap<String, Counts> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut new = Vec::new();
    for (key, row) in &rows {
        let counts = per_rule.entry(key.3.clone()).or_default();
        let reported = found.contains_key(key);
        let at = format!("{}/{}:{} [{}]", key.0, key.1, key.2, key.3);
        match (row.verdict, reported) {
            (Verdict::Tp, true) => counts.tp_kept += 1,
            (Verdict::Tp, false) => {
                counts.tp_lost += 1;
                failures.push(format!("TP no longer reported: {at} {}", row.message));
            }
            (Verdict::Fp, true) => {
                counts.fp_left += 1;
                failures.push(format!(
                    "FP still reported: {at} {} ({})",
                    row.message, row.reason
                ));
            }
            (Verdict::Fp, false) => counts.fp_gone += 1,
            (Verdict::Debatable, true) => counts.d_left += 1,
            (Verdict::Debatable, false) => counts.d_gone += 1,
        }
    }
    for (key, message) in &found {
        if !rows.contains_key(key) {
            per_rule.entry(key.3.clone()).or_default().new += 1;
            new.push(format!(
                "{}/{}:{} [{}] {message}",
                key.0, key.1, key.2, key.3
            ));
        }
    }

    println!(
        "real-world precision ({} repositories, {overridden} overrides)",
        repos.len()
    );
    println!(
        "{:<26} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>5}",
        "rule", "TP kept", "TP lost", "FP left", "FP gone", "D left", "D gone", "new"
    );
    let mut total = Counts::default();
    for (rule, c) in &per_rule {
        println!(
            "{rule:<26} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>5}",
            c.tp_kept, c.tp_lost, c.fp_left, c.fp_gone, c.d_left, c.d_gone, c.new
        );
        total.tp_kept += c.tp_kept;
        total.tp_lost += c.tp_lost;
        total.fp_left += c.fp_left;
        total.fp_gone += c.fp_gone;
        total.d_left += c.d_left;
        total.d_gone += c.d_gone;
        total.new += c.new;
    }
    println!(
        "{:<26} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>5}",
        "total",
        total.tp_kept,
        total.tp_lost,
        total.fp_left,
        total.fp_gone,
        total.d_left,
        total.d_gone,
        total.new
    );
    if !new.is_empty() {
        println!(
            "\nnew warning+ findings, not judged yet (judge them and add them to JUDGED.tsv):"
        );
        for n in &new {
            println!("  {n}");
        }
    }
    let debatable = total.d_left + total.d_gone;
    if total.d_left * 3 > debatable {
        failures.push(format!(
            "{} of {debatable} debatable rows still reported at warning or error (at most a third)",
            total.d_left
        ));
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
