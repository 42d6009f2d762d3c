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
use std::time::Instant;

use support::{TempDir, repo_root, shown as text};

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
    try_repo_command(&repo_root(), dir, hook, all_files)
        .env("PATH", path)
        .env(
            "PRE_COMMIT_HOME",
            repo_root().join("target/pre-commit-cache"),
        )
        .output()
        .unwrap()
}

/// `pre-commit try-repo <hooks> <hook>` run in `dir`, to be given its environment.
fn try_repo_command(hooks: &Path, dir: &Path, hook: &str, all_files: bool) -> Command {
    let mut cmd = Command::new("pre-commit");
    cmd.arg("try-repo")
        .arg(hooks)
        .arg(hook)
        .arg("--color=never");
    if all_files {
        cmd.arg("--all-files");
    }
    cmd.current_dir(dir);
    cmd
}

const BAD_COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n    restrat: always\n";
const GOOD_COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n    restart: always\n";

fn fails_then_passes(hook: &str) {
    fails_then_passes_with(|dir| try_repo(dir, hook, true));
}

/// A bad Compose file fails the hook `try_repo` runs (with every file) and the fixed one
/// passes.
fn fails_then_passes_with(try_repo: impl Fn(&Path) -> Output) {
    let repo = repository(&[
        ("docker-compose.yml", BAD_COMPOSE),
        ("README.md", "not checked\n"),
    ]);
    let out = try_repo(repo.path());
    let shown = text(&out);
    assert!(!out.status.success(), "{shown}");
    assert!(
        shown.contains("unknown key \"restrat\" in \"services.web\"") && shown.contains("Failed"),
        "{shown}"
    );
    repo.write("docker-compose.yml", GOOD_COMPOSE);
    let out = try_repo(repo.path());
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

/// The mirror's files (editors/pre-commit-mirror/) at the root of a git repository of
/// their own, as they are published.
fn mirror_repository() -> TempDir {
    let folder = repo_root().join("editors/pre-commit-mirror");
    let files: Vec<(String, String)> = support::files_under(&folder)
        .into_iter()
        .map(|path| {
            let name = path.strip_prefix(&folder).unwrap().display().to_string();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    repository(&files)
}

/// The mirror's `language: python` hook, installed by pre-commit from a fresh cache. pip
/// reaches no index: it takes the wheel scripts/build-wheel.sh built and setuptools (to
/// build the mirror's own metadata-only package) from local folders, so nothing can be
/// compiled (maturin is nowhere to be found) and the hook runs the wheel's binary.
#[test]
#[ignore = "needs the wheel scripts/build-wheel.sh builds (a release build); .ci/run runs it"]
fn the_mirror_python_hook_installs_the_wheel_and_fails_then_passes() {
    if !available() {
        return;
    }
    let Some(wheel) = support::built_wheel() else {
        return;
    };
    let Some(setuptools) = support::built_file(
        "target/tools/pip-wheels",
        "setuptools-",
        ".whl",
        "python3 -m pip download --dest target/tools/pip-wheels setuptools",
    ) else {
        return;
    };
    let mirror = mirror_repository();
    let find_links = format!(
        "{} {}",
        wheel.parent().unwrap().display(),
        setuptools.parent().unwrap().display()
    );
    // No other shipshape on the PATH (a `cargo install`ed one, say): the one that runs is
    // the one pip put in the hook's environment, which pre-commit puts first.
    let path = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .filter(|dir| !dir.join("shipshape").exists())
        .collect::<Vec<_>>();
    let path = std::env::join_paths(path).unwrap();
    // try-repo installs the hook into a store of its own each time: each run is a first.
    let started = Instant::now();
    fails_then_passes_with(|dir| {
        try_repo_command(mirror.path(), dir, "shipshape", true)
            .env("PATH", &path)
            .env("PIP_NO_INDEX", "1")
            .env("PIP_FIND_LINKS", &find_links)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .output()
            .unwrap()
    });
    eprintln!(
        "the mirror's hook installed and ran twice in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The mirror's hook is the main `shipshape` hook with another `language`, and its
/// package pins the wheel of this version: a release that bumps the workspace version
/// must bump them too.
#[test]
fn the_mirror_hook_matches_the_main_one_and_pins_this_version() {
    let read = |name: &str| std::fs::read_to_string(repo_root().join(name)).unwrap();
    let main = read(".pre-commit-hooks.yaml");
    let mirror = read("editors/pre-commit-mirror/.pre-commit-hooks.yaml");
    // The lines of the hook whose id is `shipshape`, up to the next list item; comments
    // left out (the main file's header shows a `- id: shipshape` too, indented).
    let hook = |text: &str| -> Vec<String> {
        let mut lines = text.lines().skip_while(|l| *l != "- id: shipshape");
        let first = lines.next().expect("a shipshape hook").to_string();
        let rest = lines
            .take_while(|l| !l.starts_with("- "))
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(str::to_string);
        std::iter::once(first).chain(rest).collect()
    };
    let (main, mirror) = (hook(&main), hook(&mirror));
    let without_language = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| !l.trim_start().starts_with("language:"))
            .cloned()
            .collect()
    };
    assert_eq!(without_language(&main), without_language(&mirror));
    assert!(
        mirror.contains(&"  language: python".to_string()),
        "{mirror:?}"
    );

    let version = env!("CARGO_PKG_VERSION");
    let pyproject = read("editors/pre-commit-mirror/pyproject.toml");
    assert!(
        pyproject.contains(&format!("\nversion = \"{version}\"\n")),
        "{pyproject}"
    );
    assert!(
        pyproject.contains(&format!("\"shipshape-lint=={version}\"")),
        "{pyproject}"
    );
    assert!(
        read("pyproject.toml").contains("\nname = \"shipshape-lint\"\n"),
        "the wheel the mirror pins is the one pyproject.toml builds"
    );
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
