//! The Python wheel (pyproject.toml, built by scripts/build-wheel.sh into target/wheels/)
//! installed as a user installs it: into a fresh virtual environment, by pip, from the
//! file alone (`--no-index`: nothing else is fetched, and nothing is compiled, since
//! maturin itself could not be fetched). The `shipshape` it puts in the environment's
//! `bin/` is then run on a small project.
//!
//! Ignored: the wheel is a release build (minutes), which `.ci/run` makes with the script
//! before running `cargo test --test wheel -- --ignored`. Without the wheel or python3
//! the test is skipped with a line saying so, and fails under `CI`.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::{TempDir, code, repo_root, shown, stdout};

fn run(program: &Path, args: &[&str], cwd: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()))
}

#[test]
#[ignore = "needs the wheel scripts/build-wheel.sh builds (a release build); .ci/run runs it"]
fn the_wheel_installs_into_a_fresh_virtual_environment_and_checks_a_project() {
    let Some(wheel) = support::built_wheel() else {
        return;
    };
    if !support::tool_available("python3", "apt-get install python3 python3-venv") {
        return;
    }
    let dir = TempDir::new("wheel");
    let venv = dir.path().join("venv");
    let out = run(
        Path::new("python3"),
        &["-m", "venv", venv.to_str().unwrap()],
        dir.path(),
    );
    assert!(out.status.success(), "python3 -m venv: {}", shown(&out));
    let out = run(
        &venv.join("bin/python"),
        &[
            "-m",
            "pip",
            "install",
            "--no-index",
            "--disable-pip-version-check",
            wheel.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "pip install: {}", shown(&out));

    let shipshape = venv.join("bin/shipshape");
    let out = run(&shipshape, &["--version"], dir.path());
    assert_eq!(
        stdout(&out),
        format!("shipshape {}\n", env!("CARGO_PKG_VERSION"))
    );

    // The rules' READMEs are compiled in: the installed binary prints one as written.
    let out = run(&shipshape, &["rule", "image-tag"], dir.path());
    let readme = std::fs::read_to_string(repo_root().join("rules/image-tag/README.md")).unwrap();
    assert_eq!(code(&out), 0, "{}", shown(&out));
    assert_eq!(stdout(&out), readme);

    // A compose file with an untagged image, then with a tag: exit 1 with the finding,
    // then 0 and silence.
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    let check = |compose: &str| {
        std::fs::write(project.join("compose.yaml"), compose).unwrap();
        run(
            &shipshape,
            &["check", "--format", "concise", "--fail-on", "info"],
            &project,
        )
    };
    let out = check("services:\n  web:\n    image: nginx\n");
    assert_eq!(code(&out), 1, "{}", shown(&out));
    assert_eq!(
        stdout(&out),
        "compose.yaml:3:12: info[image-tag] image \"nginx\" has no tag, so it means \"nginx:latest\"\n",
        "{}",
        shown(&out)
    );
    let out = check("services:\n  web:\n    image: nginx:1.27\n");
    assert_eq!(code(&out), 0, "{}", shown(&out));
    assert_eq!(stdout(&out), "", "{}", shown(&out));
}
