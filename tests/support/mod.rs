//! Helpers shared by the workspace-level tests.
#![allow(dead_code)]

pub mod lsp_client;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "shipshape-test-{label}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes a file (creating its directories) and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.0.join(name)).unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file below `dir`, in path order.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Runs the built binary in `cwd`.
pub fn shipshape(cwd: &Path, args: &[&str]) -> Output {
    shipshape_with_stdin(cwd, args, None)
}

pub fn shipshape_with_stdin(cwd: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shipshape"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// stdout then stderr, lossily decoded: what a failed assertion shows.
pub fn shown(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally, not by a signal")
}

/// `../shared/<name>` beside the checkout, when `marker` (a file or folder inside it) is
/// there. Without it the test is skipped with a line saying so, and fails when `CI` is
/// set: CI has `../shared` beside the checkout.
pub fn shared_dir(name: &str, marker: &str) -> Option<PathBuf> {
    let dir = repo_root().join("../shared").join(name);
    if dir.join(marker).exists() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is absent, and CI is set: CI must have ../shared beside the checkout",
        dir.display()
    );
    eprintln!(
        "skipped: {} is absent (CI has ../shared beside the checkout)",
        dir.display()
    );
    None
}

/// Whether a missing external tool fails the test rather than skipping it: under CI
/// (`CI` set), or when `.ci/run` has installed them (`SHIPSHAPE_REQUIRE_TOOLS=1`).
pub fn tools_required() -> bool {
    std::env::var_os("SHIPSHAPE_REQUIRE_TOOLS").is_some_and(|v| v == "1")
        || std::env::var_os("CI").is_some()
}

/// Whether `program --version` runs; when it does not, the test fails under
/// `tools_required()` and is skipped, saying so, elsewhere.
pub fn tool_available(program: &str, install: &str) -> bool {
    let ok = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(!tools_required(), "{program} is not installed ({install})");
        eprintln!("skipped: {program} is not installed ({install})");
    }
    ok
}

/// The wheel `scripts/build-wheel.sh` built for this version
/// (`target/wheels/shipshape_lint-<version>-py3-none-<platform>.whl`).
pub fn built_wheel() -> Option<PathBuf> {
    built_file(
        "target/wheels",
        &format!("shipshape_lint-{}-", env!("CARGO_PKG_VERSION")),
        ".whl",
        "scripts/build-wheel.sh builds it",
    )
}

/// A file in `dir` (relative to the checkout) named `prefix*suffix`, which `.ci/run`
/// makes before the tests that need it (`how` says how). Without one the test fails under
/// `tools_required()` and is skipped, saying so, elsewhere.
pub fn built_file(dir: &str, prefix: &str, suffix: &str, how: &str) -> Option<PathBuf> {
    let dir = repo_root().join(dir);
    let found = std::fs::read_dir(&dir).ok().and_then(|entries| {
        entries.filter_map(|e| e.ok().map(|e| e.path())).find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
        })
    });
    if found.is_none() {
        let why = format!("no {prefix}*{suffix} in {} ({how})", dir.display());
        assert!(!tools_required(), "{why}");
        eprintln!("skipped: {why}");
    }
    found
}
