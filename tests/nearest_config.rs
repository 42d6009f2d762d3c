//! Each checked file gets the nearest `shipshape.toml` (in its directory or above), as
//! ruff does; `--config` forces one for every file.

mod support;

use serde_json::Value;
use support::{TempDir, code, shipshape, stderr, stdout};

const TAGLESS: &str = "services:\n  web:\n    image: nginx\n";
const VERSIONED: &str = "version: \"3\"\nservices:\n  web:\n    image: nginx\n";

/// A repository whose root configuration makes `image-tag` a warning, and whose `sub/`
/// has its own that turns `image-tag` off and makes `obsolete-version` an error.
fn repository() -> TempDir {
    let dir = TempDir::new("nearest");
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    dir.write("shipshape.toml", "[rules]\nimage-tag = \"warning\"\n");
    dir.write("compose.yaml", TAGLESS);
    dir.write(
        "sub/shipshape.toml",
        "[rules]\nimage-tag = \"off\"\nobsolete-version = \"error\"\n",
    );
    dir.write("sub/compose.yaml", VERSIONED);
    dir
}

#[test]
fn each_file_is_checked_with_its_nearest_configuration() {
    let dir = repository();
    let out = shipshape(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "compose.yaml:3:12: warning[image-tag] image \"nginx\" has no tag, so it means \"nginx:latest\"\n\
         sub/compose.yaml:1:1: error[obsolete-version] the top-level \"version\" \"3\" is obsolete\n",
        "{}",
        stderr(&out)
    );
    assert_eq!(code(&out), 1);
    // A file named on the command line too, from anywhere.
    let out = shipshape(
        &dir.path().join("sub"),
        &[
            "check",
            "--format",
            "concise",
            "../compose.yaml",
            "compose.yaml",
        ],
    );
    assert_eq!(
        stdout(&out),
        "../compose.yaml:3:12: warning[image-tag] image \"nginx\" has no tag, so it means \"nginx:latest\"\n\
         compose.yaml:1:1: error[obsolete-version] the top-level \"version\" \"3\" is obsolete\n"
    );
}

#[test]
fn config_forces_one_configuration_for_every_file() {
    let dir = repository();
    let out = shipshape(
        dir.path(),
        &["check", "--format", "concise", "--config", "shipshape.toml"],
    );
    assert_eq!(
        stdout(&out),
        "compose.yaml:3:12: warning[image-tag] image \"nginx\" has no tag, so it means \"nginx:latest\"\n\
         sub/compose.yaml:1:1: warning[obsolete-version] the top-level \"version\" \"3\" is obsolete\n\
         sub/compose.yaml:4:12: warning[image-tag] image \"nginx\" has no tag, so it means \"nginx:latest\"\n"
    );
}

/// One report whatever the number of configurations: one JSON document, in path order;
/// one human summary counting every file.
#[test]
fn several_configurations_make_one_report() {
    let dir = repository();
    dir.write("zz/compose.yaml", TAGLESS);
    let out = shipshape(dir.path(), &["check", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let paths: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["compose.yaml", "sub/compose.yaml", "zz/compose.yaml"]
    );
    let out = shipshape(dir.path(), &["check"]);
    let text = stdout(&out);
    assert_eq!(
        text.lines().last().unwrap(),
        "found 1 error, 2 warnings in 3 of 3 files; 1 fixable with --fix",
        "{text}"
    );
}

/// Walking a directory applies, to each file under it, its nearest configuration's
/// `[files]`: a subdirectory's own exclusions and kinds hold from the root.
#[test]
fn a_subdirectory_configurations_files_rules_hold_when_walked_from_above() {
    let dir = repository();
    dir.write(
        "sub/shipshape.toml",
        "[rules]\nimage-tag = \"off\"\n[files]\nexclude = [\"fixtures/**\"]\ncompose = [\"deploy/*.yml\"]\n",
    );
    dir.write("sub/fixtures/compose.yaml", VERSIONED);
    // Content alone would not make it Compose: no `services:`.
    dir.write("sub/deploy/stack.yml", "web:\n  image: nginx:1.27\n");
    let out = shipshape(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "compose.yaml:3:12: warning[image-tag] image \"nginx\" has no tag, so it means \"nginx:latest\"\n\
         sub/compose.yaml:1:1: warning[obsolete-version] the top-level \"version\" \"3\" is obsolete\n\
         sub/deploy/stack.yml:1:1: error[compose-schema] services at the top level: this is the Compose v1 file format\n",
        "{}",
        stderr(&out)
    );
}

/// The exit code holds each finding to the `fail-on` of its file's configuration.
#[test]
fn each_configuration_has_its_own_fail_on() {
    let dir = TempDir::new("nearest-fail-on");
    dir.write("shipshape.toml", "fail-on = \"error\"\n");
    dir.write("compose.yaml", VERSIONED.replace("nginx", "nginx:1.27"));
    dir.write("sub/shipshape.toml", "fail-on = \"warning\"\n");
    dir.write("sub/compose.yaml", TAGLESS.replace("nginx", "nginx:1.27"));
    // The root's warning does not fail under fail-on = "error".
    let out = shipshape(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    // sub/'s warning does under fail-on = "warning".
    dir.write("sub/compose.yaml", VERSIONED.replace("nginx", "nginx:1.27"));
    let out = shipshape(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    // The flag wins over every file.
    let out = shipshape(dir.path(), &["check", "--fail-on", "error"]);
    assert_eq!(code(&out), 0);
}

/// A file that two configurations' analyses both load (the root pipeline includes a
/// fragment under `sub/`; `sub/`'s Compose file brings the root pipeline along) is
/// reported once, with its own nearest configuration's settings.
#[test]
fn a_file_both_analyses_load_is_reported_once_by_its_own_configuration() {
    let dir = TempDir::new("nearest-shared");
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    dir.write("shipshape.toml", "[rules]\nimage-tag = \"off\"\n");
    dir.write(
        ".gitlab-ci.yml",
        "include:\n  - local: sub/ci/build.yml\ntest:\n  script: [make]\n  script: [make test]\n",
    );
    dir.write("sub/shipshape.toml", "[rules]\nduplicate-key = \"off\"\n");
    dir.write("sub/compose.yaml", TAGLESS);
    dir.write(
        "sub/ci/build.yml",
        "build:\n  script: [make]\n  script: [make build]\n",
    );
    let out = shipshape(dir.path(), &["check", "--format", "concise"]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with(".gitlab-ci.yml:5:3: warning[duplicate-key]"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("sub/compose.yaml:3:12: info[image-tag]"),
        "{text}"
    );
}

/// A broken configuration below the working directory stops the run with its line, as
/// the one above it does.
#[test]
fn a_broken_nearest_configuration_is_an_error() {
    let dir = repository();
    dir.write("sub/shipshape.toml", "[rules]\n\nimagetag = \"off\"\n");
    let out = shipshape(dir.path(), &["check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out)
            .contains("shipshape.toml:3: unknown rule \"imagetag\"; did you mean \"image-tag\"?"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

/// `--fix` and `--diff` apply each file's fixes as its own configuration has them: a
/// rule turned off in one directory fixes nothing there.
#[test]
fn fixes_follow_each_files_configuration() {
    let dir = TempDir::new("nearest-fix");
    dir.write("shipshape.toml", "[rules]\nobsolete-version = \"off\"\n");
    dir.write("compose.yaml", VERSIONED.replace("nginx", "nginx:1.27"));
    dir.write("sub/shipshape.toml", "");
    dir.write("sub/compose.yaml", VERSIONED.replace("nginx", "nginx:1.27"));
    let out = shipshape(dir.path(), &["check", "--diff"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let diff = stdout(&out);
    assert!(diff.starts_with("--- a/sub/compose.yaml\n"), "{diff}");
    assert!(!diff.contains("a/compose.yaml"), "{diff}");
    let out = shipshape(dir.path(), &["check", "--fix"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        dir.read("sub/compose.yaml"),
        TAGLESS.replace("nginx", "nginx:1.27")
    );
    assert_eq!(
        dir.read("compose.yaml"),
        VERSIONED.replace("nginx", "nginx:1.27")
    );
}
