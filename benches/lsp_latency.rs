//! didChange -> publishDiagnostics latency of `shipshape lsp` on a 5,000-line pipeline,
//! through the real binary over stdio, as an editor sees it: the time from writing the
//! change to reading the diagnostics for that version. Also the first diagnostics after
//! didOpen (which includes indexing the workspace), and, in a session of its own (the
//! budget's case), the first diagnostics of a 1,000-job pipeline.
//!
//! `cargo bench --bench lsp_latency`; `-- --edits N` sets the number of changes. A reply
//! that does not come within a minute stops the bench with the version it waited for,
//! instead of waiting forever.

#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use lsp_client::Client;
use serde_json::json;
use support::{ms, percentile};

/// A `shipshape lsp` process, initialized, rooted at `dir`. A reply that does not come
/// within a minute stops the bench instead of letting it wait forever.
struct Session(Client);

impl Session {
    fn start(dir: &Path) -> Session {
        let mut client = Client::start();
        client.patience = Duration::from_secs(60);
        let root = format!("file://{}", dir.display());
        client.request(
            1,
            "initialize",
            json!({"processId": null, "rootUri": root, "capabilities": {}}),
        );
        client.notify("initialized", json!({}));
        Session(client)
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.0.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, params: serde_json::Value) {
        self.0.notify("textDocument/didChange", params);
    }

    /// Reads until the diagnostics of `uri` at `version`; returns how many it carried.
    fn wait_for(&self, uri: &str, version: i64) -> usize {
        loop {
            let d = self.0.diagnostics_for(uri);
            if d["version"] == version {
                return d["diagnostics"].as_array().map_or(0, Vec::len);
            }
        }
    }

    fn stop(mut self) {
        self.0.request(2, "shutdown", serde_json::Value::Null);
        self.0.notify("exit", serde_json::Value::Null);
        let _ = self.0.child.wait();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let edits: usize = args
        .iter()
        .position(|a| a == "--edits")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);

    // The budget's case first, in a session of its own: a pipeline of 1,000 jobs opened
    // in an editor, to its first diagnostics.
    let big_text = support::pipeline(1000);
    let big_dir = support::temp_dir("lsp-1000");
    std::fs::write(big_dir.join(".gitlab-ci.yml"), &big_text).unwrap();
    let big_uri = format!("file://{}/.gitlab-ci.yml", big_dir.display());
    let mut session = Session::start(&big_dir);
    let start = Instant::now();
    session.open(&big_uri, &big_text);
    session.wait_for(&big_uri, 1);
    let big_first = start.elapsed();
    session.stop();
    let _ = std::fs::remove_dir_all(&big_dir);

    let mut jobs = 300;
    let mut text = support::pipeline(jobs);
    while text.lines().count() < 5_000 {
        jobs += 10;
        text = support::pipeline(jobs);
    }
    let lines = text.lines().count();
    let dir = support::temp_dir("lsp");
    std::fs::write(dir.join(".gitlab-ci.yml"), &text).unwrap();
    std::fs::write(dir.join("requirements.txt"), "pytest\n").unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  app:\n    image: registry.example.com/shop/app:1.4\n    depends_on: [db]\n  db:\n    image: postgres:16\n",
    )
    .unwrap();
    let uri = format!("file://{}/.gitlab-ci.yml", dir.display());
    let mut session = Session::start(&dir);
    let start = Instant::now();
    session.open(&uri, &text);
    let findings = session.wait_for(&uri, 1);
    let first = start.elapsed();

    // Each edit retypes one character of a script line near the end of the file, the
    // way a keystroke does; the edits are spaced out so that each one is analysed.
    let target = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("pytest tests/unit_"))
        .last()
        .map(|(i, l)| (i, l.find("unit_").unwrap() + 5))
        .unwrap();
    let mut samples = Vec::with_capacity(edits);
    for n in 0..edits {
        let version = 2 + n as i64;
        let digit = ((n % 9) + 1).to_string();
        let (line, character) = target;
        let start = Instant::now();
        session.change(json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {
                "start": {"line": line, "character": character},
                "end": {"line": line, "character": character + 1}}, "text": digit}]}));
        session.wait_for(&uri, version);
        samples.push(start.elapsed());
    }
    session.stop();
    let _ = std::fs::remove_dir_all(&dir);

    samples.sort();
    println!(
        "lsp latency: a {lines}-line pipeline ({jobs} jobs, {} bytes, {findings} findings)",
        text.len()
    );
    println!("  didOpen -> first diagnostics: {:.1} ms", ms(first));
    println!(
        "  didChange -> publishDiagnostics over {edits} edits: min {:.1} ms, median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(samples[0]),
        ms(percentile(&samples, 50)),
        ms(percentile(&samples, 95)),
        ms(*samples.last().unwrap()),
    );
    println!("  (each change first waits 10 ms for the next one: the server's debounce)");
    println!(
        "  didOpen -> first diagnostics, a 1,000-job pipeline ({} lines, own session): {:.1} ms",
        big_text.lines().count(),
        ms(big_first)
    );
}
