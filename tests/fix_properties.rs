//! Property tests for the fix engine, on generated Compose and CI files full of what the
//! fixable rules look for: tabs in indentation, `version:`, unquoted `22:22` ports, `$VAR`
//! meant for the container, `only: [merge-requests]`, `docker compose up` without
//! `--exit-code-from`, ignore comments that suppress nothing, misspelt keys, templates,
//! stages and needs; LF or CRLF. Applying fixes,
//! all of one rule's until none is left or any subset of all of them at once, gives files
//! that still parse (a file that did not may now) and on which the fixed findings are gone.

use std::collections::HashMap;
use std::path::PathBuf;

use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::strategy::ValueTree;
use proptest::test_runner::FileFailurePersistence;
use shipshape_linter::fix::apply_fixes;
use shipshape_linter::fs::MemoryFs;
use shipshape_linter::{Analysis, Diagnostic, Fix, Input, RULES, Settings, analyze_with};

/// The generated project: file name -> text. Nothing else exists.
struct Project(HashMap<PathBuf, String>);

/// A failing case prints as the files it is made of.
impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut files: Vec<_> = self.0.iter().collect();
        files.sort();
        for (path, text) in files {
            writeln!(f, "--- {}\n{text}", path.display())?;
        }
        Ok(())
    }
}

const ROOT: &str = "/project";

impl Project {
    fn analyze(&self) -> Analysis {
        let mut names: Vec<&PathBuf> = self.0.keys().collect();
        names.sort();
        let inputs = names
            .into_iter()
            .map(|path| Input {
                path: path.clone(),
                name: path.strip_prefix(ROOT).unwrap().display().to_string(),
                content: None,
                kind: None,
            })
            .collect();
        let settings = Settings {
            project_root: Some(PathBuf::from(ROOT)),
            ..Settings::default()
        };
        let disk = MemoryFs {
            files: self
                .0
                .iter()
                .map(|(path, text)| (path.clone(), text.clone().into_bytes()))
                .collect(),
        };
        analyze_with(inputs, &settings, &disk)
    }

    /// Applies `fixes` to every file; returns how many were applied.
    fn apply(&mut self, analysis: &Analysis, fixes: &[&Fix]) -> usize {
        let mut applied = 0;
        for file in &analysis.workspace.files {
            let Some(text) = self.0.get_mut(&file.source.path) else {
                continue;
            };
            let (fixed, n) = apply_fixes(text, file.id(), fixes.iter().copied());
            *text = fixed;
            applied += n;
        }
        applied
    }

    /// Files whose YAML does not read to the end.
    fn broken_files(&self) -> Vec<PathBuf> {
        let mut broken: Vec<PathBuf> = self
            .0
            .iter()
            .filter(|(_, text)| !shipshape_yaml::parse(text).is_complete())
            .map(|(path, _)| path.clone())
            .collect();
        broken.sort();
        broken
    }

    /// Files that parsed before and no longer do (a fix may repair a file, never break one).
    fn newly_broken(&self, before: &[PathBuf]) -> Vec<String> {
        self.broken_files()
            .into_iter()
            .filter(|p| !before.contains(p))
            .map(|p| format!("{}:\n{}", p.display(), self.0[&p]))
            .collect()
    }
}

fn fixable(analysis: &Analysis) -> Vec<&Diagnostic> {
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.fix.is_some())
        .collect()
}

fn count_with_fix(analysis: &Analysis, rule: &str) -> usize {
    fixable(analysis).iter().filter(|d| d.rule == rule).count()
}

/// One service, as lines below `services:` (two-space indentation).
fn service() -> impl Strategy<Value = Vec<String>> {
    (
        select(vec!["web", "db", "cache", "tests", "worker"]),
        select(vec![
            "image: postgres:16",
            "image: redis:7.2.5  # shipshape: ignore[image-tag] pinned",
            "image: nginx",
            "build: .",
        ]),
        proptest::option::of(select(vec![
            "2222:22",
            "\"8080:80\"",
            "22:22",
            "5432:5432",
            "1:30",
        ])),
        proptest::option::of(select(vec![
            "command: sh -c \"echo $GREETING\"",
            "command: sh -c 'echo ${GREETING}'",
            "command: pytest -x",
        ])),
        any::<bool>(),
        proptest::option::of(select(vec!["restart: always", "restrat: always"])),
    )
        .prop_map(|(name, image, port, command, env, restart)| {
            let mut lines = vec![format!("  {name}:"), format!("    {image}")];
            if let Some(restart) = restart {
                lines.push(format!("    {restart}"));
            }
            if let Some(port) = port {
                lines.push("    ports:".into());
                lines.push(format!("      - {port}"));
            }
            if let Some(command) = command {
                lines.push(format!("    {command}"));
            }
            if env {
                lines.push("    environment:".into());
                lines.push("      - GREETING=hello".into());
            }
            lines
        })
}

fn compose() -> impl Strategy<Value = Vec<String>> {
    (any::<bool>(), proptest::collection::vec(service(), 1..5)).prop_map(|(version, services)| {
        let mut lines = Vec::new();
        if version {
            lines.push("version: \"3.8\"".to_string());
        }
        lines.push("services:".into());
        let mut seen = Vec::new();
        for s in services {
            // One definition per name: a repeated key is another rule's business.
            if !seen.contains(&s[0]) {
                seen.push(s[0].clone());
                lines.extend(s);
            }
        }
        lines
    })
}

fn pipeline() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        (
            select(vec!["integration", "review", "unit"]),
            select(vec![
                "docker compose up --build",
                "docker compose up --exit-code-from tests",
                "docker-compose up",
                "make test",
            ]),
            proptest::option::of(select(vec![
                "merge-requests",
                "merge_requests",
                "tag",
                "main",
            ])),
            // Names near the real ones, for the did-you-mean fixes.
            proptest::option::of(select(vec![".base", ".bsae"])),
            proptest::option::of(select(vec!["test", "tset"])),
            proptest::option::of(select(vec!["unit", "uint", "review", "reveiw"])),
        ),
        1..4,
    )
    .prop_map(|jobs| {
        let mut lines = vec![
            ".base:".to_string(),
            "  before_script:".into(),
            "    - echo start".into(),
        ];
        let mut seen = Vec::new();
        for (name, script, only, extends, stage, need) in jobs {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            lines.push(format!("{name}:"));
            lines.push("  script:".into());
            lines.push(format!("    - {script}"));
            if let Some(only) = only {
                lines.push("  only:".into());
                lines.push(format!("    - {only}"));
            }
            if let Some(extends) = extends {
                lines.push(format!("  extends: {extends}"));
            }
            if let Some(stage) = stage {
                lines.push(format!("  stage: {stage}"));
            }
            if let Some(need) = need.filter(|n| *n != name) {
                lines.push(format!("  needs: [{need}]"));
            }
        }
        lines
    })
}

/// Joins lines, with a tab for the indentation of some of them, LF or CRLF.
fn render(lines: Vec<String>, tabs: &[usize], crlf: bool) -> String {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    for (i, line) in lines.into_iter().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if indent >= 2 && tabs.contains(&i) {
            out.push('\t');
            out.push_str(&line[2..]);
        } else {
            out.push_str(&line);
        }
        out.push_str(eol);
    }
    out
}

fn project() -> impl Strategy<Value = Project> {
    (
        compose(),
        pipeline(),
        proptest::collection::vec(0..40usize, 0..3),
        any::<bool>(),
    )
        .prop_map(|(compose, pipeline, tabs, crlf)| {
            let mut files = HashMap::new();
            files.insert(
                PathBuf::from(ROOT).join("compose.yaml"),
                render(compose, &tabs, crlf),
            );
            files.insert(
                PathBuf::from(ROOT).join(".gitlab-ci.yml"),
                render(pipeline, &tabs, crlf),
            );
            Project(files)
        })
}

const FIXABLE_RULES: usize = 11;

#[test]
fn the_generators_reach_every_fixable_rule() {
    let fixable_rules: Vec<&str> = RULES
        .iter()
        .filter(|r| r.fix != shipshape_linter::FixAvailability::None)
        .map(|r| r.name)
        .collect();
    assert_eq!(
        fixable_rules.len(),
        FIXABLE_RULES,
        "{fixable_rules:?}: teach the generators the new one"
    );
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let project = project().new_tree(&mut runner).unwrap().current();
        for d in fixable(&project.analyze()) {
            seen.insert(d.rule.as_str());
        }
    }
    let missing: Vec<&&str> = fixable_rules
        .iter()
        .filter(|r| !seen.contains(**r))
        .collect();
    assert!(
        missing.is_empty(),
        "no generated file gets a fix from {missing:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fix_properties.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    })]

    /// Every fix of one rule, round after round until none is left: the files still parse,
    /// the rule has nothing left to fix, and it takes at most a few rounds.
    #[test]
    fn fixing_one_rule_leaves_nothing_of_it_to_fix(mut project in project()) {
        let before = project.analyze();
        let was_broken = project.broken_files();
        let rules: std::collections::BTreeSet<&str> = fixable(&before).iter().map(|d| d.rule.as_str()).collect();
        for rule in rules {
            let mut rounds = 0;
            loop {
                let analysis = project.analyze();
                let fixes: Vec<&Fix> = fixable(&analysis)
                    .into_iter()
                    .filter(|d| d.rule == rule)
                    .filter_map(|d| d.fix.as_ref())
                    .collect();
                if fixes.is_empty() {
                    break;
                }
                let applied = project.apply(&analysis, &fixes);
                prop_assert!(applied > 0, "{rule}: {} fixes, none applied", fixes.len());
                rounds += 1;
                prop_assert!(rounds <= 3, "{rule}: still fixing after 3 rounds");
            }
            prop_assert_eq!(project.newly_broken(&was_broken), Vec::<String>::new(), "after fixing {}", rule);
            prop_assert_eq!(count_with_fix(&project.analyze(), rule), 0);
        }
    }

    /// Any subset of all the fixes, applied at once: the files still parse, and in each
    /// file that parsed before, each rule has as many fewer findings to fix as fixes of it
    /// were applied there. (In a file that did not parse, a fix such as the tab one lets
    /// the rules see the file for the first time: they may find more.)
    #[test]
    fn any_subset_of_fixes_applies_cleanly(
        mut project in project(),
        choice in subsequence((0..64usize).collect::<Vec<_>>(), 0..64),
    ) {
        let before = project.analyze();
        let was_broken = project.broken_files();
        let candidates = fixable(&before);
        let chosen: Vec<&Diagnostic> = choice.iter().filter_map(|&i| candidates.get(i).copied()).collect();
        let fixes: Vec<&Fix> = chosen.iter().filter_map(|d| d.fix.as_ref()).collect();
        let applied = project.apply(&before, &fixes);
        prop_assert_eq!(project.newly_broken(&was_broken), Vec::<String>::new());
        let after = project.analyze();
        // Overlapping fixes wait for the next run: compare counts only when all applied.
        if applied < fixes.len() {
            return Ok(());
        }
        let tally = |analysis: &Analysis, among: &[&Diagnostic]| {
            let mut counts: HashMap<(PathBuf, &str), usize> = HashMap::new();
            for d in among {
                let path = analysis.workspace.file(d.file()).source.path.clone();
                *counts.entry((path, d.rule.as_str())).or_default() += 1;
            }
            counts
        };
        let (had, fixed, left) = (
            tally(&before, &candidates),
            tally(&before, &chosen),
            tally(&after, &fixable(&after)),
        );
        for ((path, rule), n) in fixed {
            if was_broken.contains(&path) {
                continue;
            }
            let key = (path, rule);
            let remaining = left.get(&key).copied().unwrap_or(0);
            prop_assert!(
                remaining + n <= had[&key],
                "{}: {rule}: {} to fix, {n} fixed, {remaining} left",
                key.0.display(),
                had[&key]
            );
        }
    }
}
