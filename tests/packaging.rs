//! `cargo package` for every crate of the workspace, so that `cargo install` from the
//! registry builds: each crate's metadata is complete, its path dependencies carry a
//! version, and its package holds what it compiles. The linter compiles the rules'
//! READMEs in (`include_str!`); they live in the repository's rules/, outside the crate,
//! and reach its package through the `crates/shipshape_linter/rule-docs` link.
//!
//! Offline: the registry's cache already holds what the workspace builds with.

mod support;

use std::collections::BTreeSet;
use std::process::{Command, Output};

use support::{repo_root, shown};

fn cargo(args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args(args)
        .current_dir(repo_root())
        .output()
        .unwrap()
}

/// The linter's package carries each rule's README, and none of the rules' cases (the
/// workspace tests' fixtures, megabytes).
#[test]
fn the_linter_package_holds_every_rule_readme_and_no_case() {
    let out = cargo(&[
        "package",
        "--list",
        "--offline",
        "--allow-dirty",
        "-p",
        "shipshape_linter",
    ]);
    assert!(out.status.success(), "{}", shown(&out));
    let listed = String::from_utf8(out.stdout).unwrap();
    let docs: BTreeSet<&str> = listed
        .lines()
        .filter(|l| l.starts_with("rule-docs/"))
        .collect();
    let rules: Vec<String> = std::fs::read_dir(repo_root().join("rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = rules
        .iter()
        .map(|r| format!("rule-docs/{r}/README.md"))
        .collect();
    assert_eq!(
        docs,
        expected.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );
    // `.cargo_vcs_info.json` is listed in a git checkout only.
    let others: Vec<&str> = listed
        .lines()
        .filter(|l| !l.starts_with("rule-docs/") && !l.starts_with("src/"))
        .filter(|l| *l != ".cargo_vcs_info.json")
        .collect();
    assert_eq!(
        others,
        ["Cargo.lock", "Cargo.toml", "Cargo.toml.orig"],
        "{listed}"
    );
}

/// Every crate packaged and its package built on its own, against the others' packages
/// (cargo's local registry for a workspace's unpublished crates), as `cargo install`
/// would build them from crates.io.
#[test]
#[ignore = "builds every packaged crate (minutes); .ci/run runs it"]
fn every_crate_packages_and_builds_from_its_package() {
    forget_unpacked_packages();
    let out = cargo(&["package", "--workspace", "--offline", "--allow-dirty"]);
    let shown = shown(&out);
    assert!(out.status.success(), "{shown}");
    for name in CRATES {
        assert!(
            shown.contains(&format!("Verifying {name} v{}", env!("CARGO_PKG_VERSION"))),
            "{name} was not verified: {shown}"
        );
    }
}

const CRATES: [&str; 6] = [
    "shipshape_yaml",
    "shipshape_model",
    "shipshape_linter",
    "shipshape_report",
    "shipshape_lsp",
    "shipshape",
];

/// `cargo package` verifies each crate against the others' packages through a local
/// registry in target/package, which cargo unpacks into `$CARGO_HOME/registry/src/-<hash>`,
/// a directory named after the registry's path, and reuses by name and version: a second
/// run from a checkout at the same path built against the first run's sources (seen:
/// "no `Part` in the root" after the linter gained it). This workspace's unpacked crates
/// go first; nothing else there is touched.
fn forget_unpacked_packages() {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")));
    let Some(Ok(sources)) = home.map(|h| std::fs::read_dir(h.join("registry/src"))) else {
        return;
    };
    let local = sources
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('-'));
    for registry in local {
        for name in CRATES {
            let unpacked = registry
                .path()
                .join(format!("{name}-{}", env!("CARGO_PKG_VERSION")));
            if unpacked.is_dir() {
                std::fs::remove_dir_all(&unpacked).unwrap();
            }
        }
    }
}
