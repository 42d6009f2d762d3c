//! `shipshape check --watch`: a new report after each change to what the check reads,
//! none for files it would not check, exit 0 on Ctrl-C.

mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use support::{TempDir, code, shipshape, stderr};

/// How long a report may take to come: far above what it takes (well under a second),
/// so that a loaded machine does not fail the test.
const PATIENCE: Duration = Duration::from_secs(20);

/// A `shipshape check --watch` child, its output read line by line on threads.
struct Watching {
    child: Child,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
    out: String,
    err: String,
}

/// The lines of a pipe, sent as they come; the channel closes at its end.
fn lines(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

impl Watching {
    fn start(dir: &TempDir, args: &[&str]) -> Watching {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shipshape"))
            .args(["check", "--watch"])
            .args(args)
            .current_dir(dir.path())
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = lines(child.stdout.take().unwrap());
        let stderr = lines(child.stderr.take().unwrap());
        Watching {
            child,
            stdout,
            stderr,
            out: String::new(),
            err: String::new(),
        }
    }

    /// Reads what has come on both pipes, for at most `wait`.
    fn read(&mut self, wait: Duration) {
        let step = Duration::from_millis(20);
        let until = Instant::now() + wait;
        loop {
            while let Ok(line) = self.stdout.try_recv() {
                self.out.push_str(&line);
                self.out.push('\n');
            }
            while let Ok(line) = self.stderr.try_recv() {
                self.err.push_str(&line);
                self.err.push('\n');
            }
            if Instant::now() >= until {
                return;
            }
            std::thread::sleep(step);
        }
    }

    /// Waits until stdout (or stderr) holds `text` `times` times; fails the test, with
    /// everything the child said, after [`PATIENCE`].
    fn wait_for(&mut self, text: &str, times: usize, on_stderr: bool) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let seen = if on_stderr { &self.err } else { &self.out };
            if seen.matches(text).count() >= times {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no {text:?} (x{times}) within {PATIENCE:?}\nstdout:\n{}\nstderr:\n{}",
                self.out,
                self.err
            );
            self.read(Duration::from_millis(50));
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(unix)]
#[test]
fn watch_checks_again_after_a_change_and_ctrl_c_ends_it_with_0() {
    let dir = TempDir::new("watch");
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    dir.write(".gitignore", "target/\n");
    dir.write("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n");
    let mut watching = Watching::start(&dir, &["--color", "never"]);
    watching.wait_for("no problems found in 1 file", 1, false);
    // The watches are set once this is said; a change before would be missed.
    watching.wait_for("for changes (Ctrl-C to stop)", 1, true);

    // Files shipshape would not check change nothing: a note, an ignored build output,
    // the repository's own files.
    dir.write("notes.txt", "x\n");
    dir.write("target/compose.yaml", "version: \"3\"\n");
    dir.write(".git/index", "x");
    watching.read(Duration::from_millis(600));
    assert!(!watching.out.contains("checking again"), "{}", watching.out);

    dir.write(
        "compose.yaml",
        "version: \"3\"\nservices:\n  web:\n    image: nginx:1.27\n",
    );
    watching.wait_for("warning[obsolete-version]", 1, false);
    let separator = watching
        .out
        .lines()
        .find(|l| l.starts_with("---- "))
        .unwrap()
        .to_string();
    assert!(
        separator.ends_with(" UTC: compose.yaml changed; checking again ----"),
        "{separator}"
    );
    watching.wait_for("found 1 warning in 1 of 1 file", 1, false);

    // A new directory is watched from the check it brings on.
    dir.write("api/compose.yaml", "services:\n  db:\n    image: redis\n");
    watching.wait_for("info[image-tag]", 1, false);
    dir.write("api/compose.yaml", "services:\n  db:\n    image: redis:7\n");
    watching.wait_for("found 1 warning in 1 of 2 files", 1, false);

    // A changed configuration is read again.
    dir.write("shipshape.toml", "[rules]\nobsolete-version = \"off\"\n");
    watching.wait_for("no problems found in 2 files", 1, false);

    let pid = watching.child.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + PATIENCE;
    let exit = loop {
        if let Some(exit) = watching.child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(exit.code(), Some(0), "{exit:?}");
}

#[test]
fn watch_refuses_what_it_cannot_repeat() {
    let dir = TempDir::new("watch-refused");
    dir.write("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n");
    for flags in [
        &["--fix"][..],
        &["--diff"],
        &["--output-file", "report.txt"],
    ] {
        let mut args = vec!["check", "--watch"];
        args.extend(flags);
        let out = shipshape(dir.path(), &args);
        assert_eq!(code(&out), 2, "{flags:?}");
        assert!(
            stderr(&out).contains("cannot be used with"),
            "{}",
            stderr(&out)
        );
    }
    let out = shipshape(dir.path(), &["check", "--watch", "-"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--watch cannot watch stdin"),
        "{}",
        stderr(&out)
    );
}
