//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit (from
//! PyPI) with `try-repo` against throwaway git repositories: a bad Compose file fails the
//! hook with the finding, the fixed file passes, and when only a pipeline is staged the
//! hook still reads the Compose file the pipeline runs.
//!
//! `.ci/run` installs pre-commit and sets `SHIPSHAPE_REQUIRE_TOOLS=1`, which makes its
//! absence a failure. The `language: rust` hook builds shipshape from a clone with cargo
//! (minutes): `cargo test --test precommit -- --ignored` runs it, and `.ci/run` does.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{TempDir, repo_root};

fn available() -> bool {
    support::tool_available("pre-commit", "pip install pre-commit")
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.email=ci@example.com", "-c", "user.name=CI"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A git repository with these files committed.
fn repository(files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new("precommit");
    git(dir.path(), &["init", "-q"]);
    for (name, text) in files {
        dir.write(name, text);
    }
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "initial"]);
    dir
}

/// `pre-commit try-repo <this checkout> <hook>` in `dir`, with the built binary first on
/// the PATH (for the system hook) and pre-commit's cache kept under target/.
fn try_repo(dir: &Path, hook: &str, all_files: bool) -> Output {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_shipshape"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("pre-commit");
    cmd.arg("try-repo")
        .arg(repo_root())
        .arg(hook)
        .arg("--color=never");
    if all_files {
        cmd.arg("--all-files");
    }
    cmd.current_dir(dir)
        .env("PATH", path)
        .env(
            "PRE_COMMIT_HOME",
            repo_root().join("target/pre-commit-cache"),
        )
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const BAD_COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n    restrat: always\n";
const GOOD_COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n    restart: always\n";

fn fails_then_passes(hook: &str) {
    let repo = repository(&[
        ("docker-compose.yml", BAD_COMPOSE),
        ("README.md", "not checked\n"),
    ]);
    let out = try_repo(repo.path(), hook, true);
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(
        shown.contains("unknown key \"restrat\" in \"services.web\"") && shown.contains("Failed"),
        "{shown}"
    );
    repo.write("docker-compose.yml", GOOD_COMPOSE);
    let out = try_repo(repo.path(), hook, true);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Passed"), "{}", text(&out));
}

#[test]
fn the_system_hook_fails_on_a_bad_file_and_passes_once_it_is_fixed() {
    if available() {
        fails_then_passes("shipshape-system");
    }
}

#[test]
#[ignore = "builds shipshape with cargo install (minutes); .ci/run runs it"]
fn the_rust_hook_fails_on_a_bad_file_and_passes_once_it_is_fixed() {
    if available() {
        fails_then_passes("shipshape");
    }
}

#[test]
fn a_staged_pipeline_is_checked_against_the_compose_file_it_runs() {
    if !available() {
        return;
    }
    let repo = repository(&[
        (
            "docker-compose.yml",
            "services:\n  db:\n    image: postgres:16\n  tests:\n    image: python:3.12\n    command: pytest\n",
        ),
        (
            ".gitlab-ci.yml",
            "test:\n  script:\n    - docker compose run --rm tests\n",
        ),
    ]);
    // Only the pipeline changes, and only it is staged: pre-commit passes only it.
    repo.write(
        ".gitlab-ci.yml",
        "test:\n  script:\n    - docker compose run --rm test\n",
    );
    git(repo.path(), &["add", ".gitlab-ci.yml"]);
    let out = try_repo(repo.path(), "shipshape-system", false);
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(shown.contains("no such service: test"), "{shown}");
    assert!(shown.contains("did you mean \"tests\"?"), "{shown}");
}

/// The hook triggers on every YAML file, `.env` files and shipshape.toml: a changed
/// configuration is validated (a misspelt severity fails the commit with its line), and a
/// YAML file that is neither Compose nor GitLab CI gets the YAML rules only.
#[test]
fn the_hook_checks_configuration_env_and_other_yaml_files() {
    if !available() {
        return;
    }
    let repo = repository(&[
        ("shipshape.toml", "[rules]\nimage-tag = \"off\"\n"),
        (
            "k8s/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\n",
        ),
    ]);
    repo.write("shipshape.toml", "[rules]\nimage-tag = \"of\"\n");
    repo.write(
        "k8s/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
    );
    git(repo.path(), &["add", "."]);
    let out = try_repo(repo.path(), "shipshape-system", false);
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(
        shown.contains(
            "shipshape.toml:2: a rule is \"off\", \"error\", \"warning\" or \"info\", not \"of\""
        ),
        "{shown}"
    );
    repo.write("shipshape.toml", "[rules]\nimage-tag = \"off\"\n");
    repo.write(".env", "TOKEN=glpat-abcdefghijklmnopqrst\n");
    git(repo.path(), &["add", "."]);
    let out = try_repo(repo.path(), "shipshape-system", false);
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(
        shown.contains(".env:1:7"),
        "the committed token is found: {shown}"
    );
    assert!(
        !shown.contains("deployment.yaml"),
        "plain YAML without problems: {shown}"
    );
}
