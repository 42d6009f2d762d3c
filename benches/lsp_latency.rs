//! didChange -> publishDiagnostics latency of `shipshape lsp` on a 5,000-line pipeline,
//! through the real binary over stdio, as an editor sees it: the time from writing the
//! change to reading the diagnostics for that version. Also the first diagnostics after
//! didOpen (which includes indexing the workspace).
//!
//! `cargo bench --bench lsp_latency`; `-- --edits N` sets the number of changes.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdout, Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};
use support::{ms, percentile};

fn send(stdin: &mut impl Write, message: &Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
}

fn recv(reader: &mut BufReader<ChildStdout>) -> Value {
    let mut length = 0;
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "the server closed stdout"
        );
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// Reads until the diagnostics of `uri` at `version`; returns how many it carried.
fn wait_for(reader: &mut BufReader<ChildStdout>, uri: &str, version: i64) -> usize {
    loop {
        let m = recv(reader);
        if m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["version"] == version
        {
            return m["params"]["diagnostics"].as_array().map_or(0, Vec::len);
        }
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
    let root = format!("file://{}", dir.display());
    let uri = format!("{root}/.gitlab-ci.yml");

    let mut child = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": null, "rootUri": root, "capabilities": {}}}),
    );
    recv(&mut reader);
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );

    let start = Instant::now();
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
            {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}}),
    );
    let findings = wait_for(&mut reader, &uri, 1);
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
        send(
            &mut stdin,
            &json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {
                    "start": {"line": line, "character": character},
                    "end": {"line": line, "character": character + 1}}, "text": digit}]}}),
        );
        wait_for(&mut reader, &uri, version);
        samples.push(start.elapsed());
    }

    // The budget's case: a pipeline of 1,000 jobs opened in the same session.
    let big_text = support::pipeline(1000);
    let big_uri = format!("{root}/big/.gitlab-ci.yml");
    let start = Instant::now();
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
            {"uri": big_uri, "languageId": "yaml", "version": 1, "text": big_text}}}),
    );
    wait_for(&mut reader, &big_uri, 1);
    let big_first = start.elapsed();
    send(
        &mut stdin,
        &json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}),
    );
    send(&mut stdin, &json!({"jsonrpc": "2.0", "method": "exit"}));
    let _ = child.wait();
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
        "  didOpen -> first diagnostics, a 1,000-job pipeline ({} lines): {:.1} ms",
        big_text.lines().count(),
        ms(big_first)
    );
}
