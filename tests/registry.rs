//! Ties the rule registry (metadata in code) to `rules/` (prose and cases): every rule has
//! a README with the fixed skeleton whose metadata line matches the code, at least one
//! case that fires and one that must stay silent; every folder in `rules/` is a rule.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use shipshape_linter::RULES;

const HEADINGS: &[&str] = &[
    "## What it checks",
    "## Why it matters",
    "## Example",
    "## How to fix",
    "## Options",
    "## How to suppress",
    "## References",
];

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules")
}

#[test]
fn names_are_kebab_case_and_unique() {
    let mut seen = BTreeSet::new();
    for rule in RULES {
        assert!(
            !rule.name.is_empty()
                && rule
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !rule.name.starts_with('-')
                && !rule.name.ends_with('-'),
            "{} is not kebab-case",
            rule.name
        );
        assert!(seen.insert(rule.name), "{} is registered twice", rule.name);
    }
}

#[test]
fn summaries_are_one_lowercase_line() {
    for rule in RULES {
        let s = rule.summary;
        assert!(
            !s.contains('\n') && !s.ends_with('.'),
            "{}: {s:?}",
            rule.name
        );
        assert!(
            s.chars().next().is_some_and(|c| !c.is_uppercase()),
            "{}: {s:?}",
            rule.name
        );
    }
}

#[test]
fn every_rule_has_a_readme_with_the_skeleton() {
    for rule in RULES {
        let path = rules_dir().join(rule.name).join("README.md");
        let text =
            fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing {}", path.display()));
        // `include_str!` of another rule's README (a copied rule file) shows here.
        assert_eq!(
            rule.doc.lines().next(),
            Some(format!("# {}", rule.name).as_str()),
            "{}: the rule embeds another rule's README",
            rule.name
        );
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        assert_eq!(
            lines.next(),
            Some(format!("# {}", rule.name).as_str()),
            "{}: title",
            rule.name
        );
        let meta = format!(
            "group: {} · severity: {} · fix: {}",
            rule.group.as_str(),
            rule.severity.as_str(),
            rule.fix.as_str()
        );
        assert_eq!(
            lines.next(),
            Some(meta.as_str()),
            "{}: metadata line",
            rule.name
        );
        let mut from = 0;
        for heading in HEADINGS {
            let at = text[from..]
                .find(&format!("\n{heading}\n"))
                .unwrap_or_else(|| {
                    panic!("{}: missing or misplaced heading {heading:?}", rule.name)
                });
            from += at + heading.len();
        }
    }
}

#[test]
fn every_rule_has_a_firing_and_a_silent_case() {
    for rule in RULES {
        let cases = rules_dir().join(rule.name).join("cases");
        let (mut fires, mut silent) = (0, 0);
        for entry in fs::read_dir(&cases).unwrap_or_else(|_| panic!("missing {}", cases.display()))
        {
            let expected = entry.unwrap().path().join("expected.txt");
            match fs::read_to_string(&expected) {
                Ok(text) if text.is_empty() => silent += 1,
                Ok(_) => fires += 1,
                Err(_) => panic!("missing {}", expected.display()),
            }
        }
        assert!(fires > 0, "{}: no case that fires", rule.name);
        assert!(silent > 0, "{}: no case that must stay silent", rule.name);
    }
}

#[test]
fn every_rules_folder_is_a_registered_rule() {
    let registered: BTreeSet<&str> = RULES.iter().map(|r| r.name).collect();
    for entry in fs::read_dir(rules_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            assert!(
                registered.contains(name.as_str()),
                "rules/{name} is not in the registry"
            );
        }
    }
}

#[test]
fn fixable_rules_test_their_fixes() {
    use shipshape_linter::FixAvailability;
    for rule in RULES.iter().filter(|r| r.fix != FixAvailability::None) {
        let cases = rules_dir().join(rule.name).join("cases");
        let has_fixed = fs::read_dir(&cases)
            .unwrap()
            .any(|e| e.unwrap().path().join("fixed").is_dir());
        assert!(
            has_fixed,
            "{}: fixable, but no case has a fixed/ folder",
            rule.name
        );
    }
}

/// The README's "Options" section documents the options the rule declares; a rule that
/// declares none shows no `[rules.<name>]` table of options (its section says "None.",
/// or names the global settings it reads, such as `[secrets]`).
#[test]
fn options_are_documented_in_the_readme() {
    for rule in RULES {
        let options = rule
            .doc
            .split("\n## Options\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap_or_else(|| panic!("{}: no Options section", rule.name));
        if rule.options.is_empty() {
            assert!(
                options.trim_start().starts_with("None")
                    || !options.contains(&format!("[rules.{}]", rule.name)),
                "{}: declares no option, its README's Options must not show any",
                rule.name
            );
            continue;
        }
        assert!(
            options.contains(&format!("[rules.{}]", rule.name)),
            "{}: Options shows the [rules.{}] table",
            rule.name,
            rule.name
        );
        for option in rule.options {
            assert!(
                options.contains(&format!("`{}`", option.name)),
                "{}: option {} is not documented in its README",
                rule.name,
                option.name
            );
            assert_eq!(option.name, option.name.to_ascii_lowercase(), "kebab-case");
        }
    }
}

/// README's rule table lists every registered rule once, in registry order, with its
/// group, severity and whether it has a fix as the code says.
#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let rows: Vec<Vec<&str>> = readme
        .lines()
        .filter(|l| l.starts_with("| [") && l.contains("](rules/"))
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r[0].trim_start_matches('[').split(']').next().unwrap_or(""))
        .collect();
    let registered: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    assert_eq!(names, registered, "README's rule table, in registry order");
    for (row, rule) in rows.iter().zip(RULES) {
        assert_eq!(row[1], rule.group.as_str(), "{}: group", rule.name);
        assert!(
            row[2].starts_with(rule.severity.as_str()),
            "{}: severity {} in the README, {} in the code",
            rule.name,
            row[2],
            rule.severity.as_str()
        );
        let has_fix = rule.fix != shipshape_linter::FixAvailability::None;
        assert_eq!(row[3] != "—", has_fix, "{}: fix column", rule.name);
    }
}
