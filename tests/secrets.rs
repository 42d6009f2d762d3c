//! ISSUE 6: no output ever holds a secret in full. The cases of `hardcoded-secret` are
//! checked with every rule on, in every output format, and through the language server;
//! each secret they hold is searched for in the output.

mod support;

use support::{repo_root, shipshape, stderr, stdout};

/// Every output format of `shipshape check`.
const FORMATS: &[&str] = &["human", "concise", "json", "sarif", "gitlab", "github"];

/// The secrets the firing cases hold: what the cases' own expected output says it found,
/// read back from the files at those positions.
fn secrets_of(case: &std::path::Path) -> Vec<String> {
    let out = shipshape(
        case,
        &[
            "check",
            ".",
            "--format",
            "json",
            "--select",
            "hardcoded-secret",
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut secrets = Vec::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let text = std::fs::read_to_string(case.join(d["path"].as_str().unwrap())).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let (sl, sc) = (
            d["start"]["line"].as_u64().unwrap() as usize,
            d["start"]["column"].as_u64().unwrap() as usize,
        );
        let (el, ec) = (
            d["end"]["line"].as_u64().unwrap() as usize,
            d["end"]["column"].as_u64().unwrap() as usize,
        );
        if sl == el {
            let line: Vec<char> = lines[sl - 1].chars().collect();
            secrets.push(line[sc - 1..ec - 1].iter().collect());
        } else {
            // A multi-line secret (a private key): each whole line inside it.
            secrets.extend(lines[sl..el - 1].iter().map(|l| l.trim().to_string()));
        }
    }
    secrets.retain(|s| s.len() >= 6);
    assert!(!secrets.is_empty(), "{}", case.display());
    secrets
}

fn cases() -> Vec<std::path::PathBuf> {
    let dir = repo_root().join("rules/hardcoded-secret/cases");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("fires-")
        })
        .collect();
    out.sort();
    out
}

#[test]
fn no_format_prints_a_secret() {
    for case in cases() {
        let secrets = secrets_of(&case);
        for format in FORMATS {
            let out = shipshape(&case, &["check", ".", "--format", format]);
            let mut text = stdout(&out);
            if *format == "sarif" {
                // The rules' documentation is the same for every run: only what the run
                // found matters here.
                let mut log: serde_json::Value = serde_json::from_str(&text).unwrap();
                log["runs"][0]["tool"] = serde_json::Value::Null;
                text = log.to_string();
            }
            assert!(text.contains("hardcoded-secret"), "{format}: {text}");
            for s in &secrets {
                assert!(
                    !text.contains(s.as_str()),
                    "{} --format {format} prints {s:?}",
                    case.display()
                );
            }
        }
        let diff = stdout(&shipshape(
            &case,
            &["check", ".", "--diff", "--unsafe-fixes"],
        ));
        for s in &secrets {
            assert!(
                !diff.contains(s.as_str()),
                "{} --diff prints {s:?}",
                case.display()
            );
        }
    }
}

/// Issue 16, item 10: a variable name carved out of a password by a lone `$`
/// (`Pa$word123` -> `word123`) is a piece of the secret: undefined-variable reports the
/// `$` without naming it, in every format and in `--diff`.
#[test]
fn no_format_names_a_variable_carved_from_a_password() {
    let case = repo_root().join("rules/hardcoded-secret/cases/fires-password-with-a-dollar");
    let pieces = ["tValue", "word123", "en9Xq7"];
    for format in FORMATS {
        let mut text = stdout(&shipshape(&case, &["check", ".", "--format", format]));
        if *format == "sarif" {
            // The rules' documentation (undefined-variable's shows `Pa$word123`).
            let mut log: serde_json::Value = serde_json::from_str(&text).unwrap();
            log["runs"][0]["tool"] = serde_json::Value::Null;
            text = log.to_string();
        }
        assert!(text.contains("undefined-variable"), "{format}: {text}");
        assert!(text.contains("invalid-interpolation"), "{format}: {text}");
        for piece in pieces {
            assert!(
                !text.contains(piece),
                "--format {format} prints {piece:?}: {text}"
            );
        }
    }
    // The `$` -> `$$` fixes change the secrets' lines: left out of the diff, and said so.
    let out = shipshape(&case, &["check", ".", "--diff", "--unsafe-fixes"]);
    let diff = stdout(&out);
    assert!(
        stderr(&out).contains("next to a secret not shown in the diff"),
        "{}",
        stderr(&out)
    );
    for piece in pieces {
        assert!(!diff.contains(piece), "--diff prints {piece:?}: {diff}");
    }
}

#[test]
fn the_language_server_publishes_no_secret() {
    let case = repo_root().join("rules/hardcoded-secret/cases/fires-known-token-formats");
    let secrets = secrets_of(&case);
    let text = std::fs::read_to_string(case.join(".gitlab-ci.yml")).unwrap();
    let mut client = support::lsp_client::Client::start();
    let uri = format!("file://{}", case.join(".gitlab-ci.yml").display());
    client.request(
        1,
        "initialize",
        serde_json::json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    client.notify("initialized", serde_json::json!({}));
    client.notify(
        "textDocument/didOpen",
        serde_json::json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    );
    let published = client.diagnostics().to_string();
    client.child.kill().unwrap();
    client.child.wait().unwrap();
    assert!(published.contains("hardcoded-secret"), "{published}");
    for s in &secrets {
        assert!(
            !published.contains(s.as_str()),
            "the server publishes {s:?}"
        );
    }
}
