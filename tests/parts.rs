//! A walk past `[limits] part-files` / `part-size` is analysed in parts of whole
//! directories, each with the files of the directories above it as context, and kept only
//! as far as a report reads it (`shipshape_linter::analyze::parts`). These tests hold it
//! to its promise: the report is the one the walk gives in one part, finding for finding
//! and fingerprint for fingerprint, on the examples, the twenty real repositories and the
//! corpus, with parts far smaller than the default so that they really split.

mod support;

use std::path::Path;

use support::{TempDir, code, shipshape, shown, stdout};

/// `shipshape check --format FORMAT DIR` with `[limits]` set by a configuration of its
/// own: (exit code, stdout).
fn check_with_limits(dir: &Path, limits: &str, format: &str) -> (i32, String) {
    let config = TempDir::new("parts-config");
    let path = config.write("shipshape.toml", format!("[limits]\n{limits}\n"));
    let out = shipshape(
        dir,
        &[
            "check",
            "--config",
            path.to_str().unwrap(),
            "--format",
            format,
            ".",
        ],
    );
    assert!(
        code(&out) <= 1,
        "{} with {limits}: {}",
        dir.display(),
        shown(&out)
    );
    (code(&out), stdout(&out))
}

/// The report of `dir` in parts of `small` against the report in one part, in `format`.
fn assert_same_report(dir: &Path, small: &str, format: &str) {
    let whole = check_with_limits(dir, "part-files = 1000000\npart-size = \"1GB\"", format);
    let parted = check_with_limits(dir, small, format);
    if whole != parted {
        let whole_lines: Vec<&str> = whole.1.lines().collect();
        let parted_lines: Vec<&str> = parted.1.lines().collect();
        let only_whole: Vec<&&str> = whole_lines
            .iter()
            .filter(|l| !parted_lines.contains(l))
            .take(10)
            .collect();
        let only_parted: Vec<&&str> = parted_lines
            .iter()
            .filter(|l| !whole_lines.contains(l))
            .take(10)
            .collect();
        panic!(
            "{} in parts ({small}) reports otherwise than whole (exit {} vs {}):\n\
             only whole: {only_whole:#?}\nonly in parts: {only_parted:#?}",
            dir.display(),
            whole.0,
            parted.0
        );
    }
}

#[test]
fn the_examples_in_parts_of_one_file_report_as_whole() {
    for example in ["examples/banter-bus", "examples/python-pipeline"] {
        let dir = support::repo_root().join(example);
        for format in ["concise", "gitlab"] {
            assert_same_report(&dir, "part-files = 1", format);
        }
    }
}

#[test]
fn the_real_world_repositories_in_parts_report_as_whole() {
    let Some(realworld) = support::shared_dir("realworld", "JUDGED.tsv") else {
        return;
    };
    // Ten files a part splits the largest ones (isard-vdi: over a hundred files; baserow's
    // overlays in deploy/ beside its root Compose files; Overbookd, oly-exams) into
    // several, and the twenty of them into many.
    for format in ["concise", "gitlab"] {
        assert_same_report(&realworld, "part-files = 10", format);
    }
    assert_same_report(
        &realworld.join("isard-vdi__isard"),
        "part-files = 10",
        "json",
    );
}

#[test]
fn the_corpus_in_parts_reports_as_whole() {
    let Some(corpus) = support::shared_dir("corpus", "MANIFEST.tsv") else {
        return;
    };
    // Its files lie side by side in two directories: a directory too large for a part
    // is split file by file, each part with its neighbours as context.
    assert_same_report(&corpus, "part-files = 50", "concise");
}

#[test]
fn a_part_sees_the_base_file_of_the_directory_above() {
    // An overlay below the base it completes, and a CI file in a subdirectory that the
    // root pipeline includes: in a part of their own they still see the root's files.
    let repo = TempDir::new("parts-context");
    repo.write(
        "compose.yaml",
        "services:\n  api:\n    image: example/api:1.0\n    volumes: [data:/data]\nvolumes:\n  data: {}\n",
    );
    repo.write(
        "deploy/prod/compose.override.yaml",
        "services:\n  api:\n    volumes: [data:/data]\n    restart: always\n",
    );
    repo.write(
        ".gitlab-ci.yml",
        "include:\n  - local: helm/.gitlab-ci.yml\nstages: [build, deploy]\n.base:\n  image: alpine:3.20\nbuild:\n  stage: build\n  script: [make]\n",
    );
    repo.write(
        "helm/.gitlab-ci.yml",
        "deploy:\n  extends: .base\n  stage: deploy\n  needs: [build]\n  script: [helm upgrade]\n",
    );
    let (whole_code, whole) = check_with_limits(repo.path(), "", "concise");
    // Two files a part: the root's two files are the context of the part below.
    let (parted_code, parted) = check_with_limits(repo.path(), "part-files = 2", "concise");
    assert_eq!((parted_code, &parted), (whole_code, &whole));
    for wrong in [
        "unknown-extends",
        "unknown-needs",
        "undeclared-stage",
        "undefined-resource",
    ] {
        assert!(!parted.contains(wrong), "{wrong} in parts:\n{parted}");
    }
}
