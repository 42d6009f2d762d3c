//! The binary end to end: discovery, formats, exit codes, stdin, output file, --fix, rules.

mod support;

use serde_json::Value;
use support::{TempDir, code, repo_root, shipshape, shipshape_with_stdin, stderr, stdout};

const TAB_PIPELINE: &str = "test:\n  variables:\n    A: x\n  \tB: y\n  script:\n    - make test\n";

#[test]
fn version_and_help() {
    let dir = TempDir::new("version");
    let out = shipshape(dir.path(), &["--version"]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out).trim(),
        format!("shipshape {}", env!("CARGO_PKG_VERSION"))
    );
    let out = shipshape(dir.path(), &["check", "--help"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("--format"));
}

#[test]
fn example_project_shows_the_tab_findings_with_snippets() {
    let root = repo_root();
    let out = shipshape(&root, &["check", "examples/banter-bus"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("error[tab-indentation]: tab character in indentation"),
        "{text}"
    );
    assert!(
        text.contains("examples/banter-bus/before/.gitlab-ci.yml:40:3"),
        "{text}"
    );
    assert!(
        text.contains("BANTER_BUS_CORE_API_DB_PASSWORD"),
        "snippet shown: {text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no color when stdout is not a terminal"
    );
    assert!(
        text.lines().last().unwrap().starts_with("found "),
        "summary line: {text}"
    );
}

/// The seed-derived examples show the cross-file findings where the seeds really have the
/// problem, and none where they do not (ISSUE 5).
#[test]
fn example_projects_show_the_cross_file_findings_of_their_seeds() {
    let root = repo_root();
    let cross_file = "missing-exit-code-from,unknown-compose-service,compose-file-not-found,ci-variable-not-passed,env-drift";
    // Seed 002: `--exit-code-from deploy` while the tests run in `unit_tests`.
    let out = shipshape(
        &root,
        &[
            "check",
            "examples/python-pipeline",
            "--format",
            "concise",
            "--select",
            cross_file,
        ],
    );
    assert_eq!(
        stdout(&out),
        "examples/python-pipeline/.gitlab-ci.yml:11:50: warning[missing-exit-code-from] --exit-code-from deploy reports \"deploy\"'s exit code: when the tests in \"unit_tests\" fail, job \"pipeline\" still passes\n"
    );
    // Seed 000: `docker compose build` and `docker compose run app ...` are sound.
    let out = shipshape(
        &root,
        &[
            "check",
            "examples/banter-bus",
            "--format",
            "concise",
            "--select",
            cross_file,
        ],
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(code(&out), 0);
}

#[test]
fn tab_is_reported_at_its_exact_line_and_column_although_the_file_does_not_parse() {
    let dir = TempDir::new("tab");
    dir.write(".gitlab-ci.yml", TAB_PIPELINE);
    let out = shipshape(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        // One cause, one finding: yaml-syntax leaves the tab to tab-indentation.
        ".gitlab-ci.yml:4:3: error[tab-indentation] tab character in indentation\n"
    );
}

#[test]
fn json_matches_the_contract() {
    let dir = TempDir::new("json");
    dir.write(".gitlab-ci.yml", TAB_PIPELINE);
    let out = shipshape(
        dir.path(),
        &[
            "check",
            ".",
            "--format",
            "json",
            "--select",
            "tab-indentation",
        ],
    );
    assert_eq!(code(&out), 1);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let top: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top, ["diagnostics", "version"]);
    assert_eq!(json["version"], 2);
    let d = &json["diagnostics"][0];
    let mut keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "end", "fix", "help", "label", "message", "notes", "path", "related", "rule",
            "severity", "start"
        ]
    );
    assert_eq!(d["rule"], "tab-indentation");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["path"], ".gitlab-ci.yml");
    assert_eq!(d["start"], serde_json::json!({"line": 4, "column": 3}));
    assert_eq!(d["end"], serde_json::json!({"line": 4, "column": 4}));
    assert_eq!(d["message"], "tab character in indentation");
    assert_eq!(d["help"], "YAML forbids tabs for indentation; use spaces");
    assert_eq!(d["label"], "tab");
    assert!(d["notes"].is_array());
    assert_eq!(
        d["fix"],
        serde_json::json!({"safe": true, "edits": [
            {"start": {"line": 4, "column": 1}, "end": {"line": 4, "column": 4}, "text": "    "}
        ]})
    );
}

/// The evidence the human format shows (notes, the other places) is in the JSON too.
#[test]
fn json_keeps_notes_and_related_places() {
    let dir = TempDir::new("json-evidence");
    dir.write(
        "compose.yaml",
        "services:\n  app:\n    image: x\n    depends_on:\n      - db\n  db:\n    image: postgres:16\n",
    );
    let out = shipshape(
        dir.path(),
        &["check", "--format", "json", "--select", "missing-readiness"],
    );
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["rule"], "missing-readiness");
    let notes = d["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("a PostgreSQL server")),
        "{d}"
    );
    assert_eq!(d["related"], serde_json::json!([]));
}

#[test]
fn json_fix_is_null_when_there_is_none() {
    let dir = TempDir::new("json-null");
    dir.write(
        "compose.yaml",
        "services:\n  a:\n    image: x\n    image: y\n",
    );
    let out = shipshape(dir.path(), &["check", "--format", "json"]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["diagnostics"][0]["rule"], "duplicate-key");
    assert!(json["diagnostics"][0]["fix"].is_null());
}

#[test]
fn clean_files_exit_zero() {
    let dir = TempDir::new("clean");
    dir.write("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n");
    let out = shipshape(dir.path(), &["check"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out), "no problems found in 1 file\n");
}

#[test]
fn usage_and_io_errors_exit_two_with_one_line() {
    let dir = TempDir::new("errors");
    let out = shipshape(dir.path(), &["check", "missing.yml"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "shipshape: error: missing.yml: no such file or directory\n"
    );
    // Nothing was read: no "no problems found in 0 files" beside the error.
    assert_eq!(stdout(&out), "");
    let out = shipshape(dir.path(), &["check", "--select", "tab-indentaton"]);
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "shipshape: error: unknown rule `tab-indentaton`; did you mean `tab-indentation`?\n"
    );
    let out = shipshape(dir.path(), &["check", "--format", "xml"]);
    assert_eq!(code(&out), 2);
}

#[test]
fn stdin_is_named_and_classified_by_stdin_filename() {
    let dir = TempDir::new("stdin");
    let out = shipshape_with_stdin(
        dir.path(),
        &[
            "check",
            "-",
            "--stdin-filename",
            "ci/.gitlab-ci.yml",
            "--format",
            "concise",
        ],
        Some(TAB_PIPELINE.as_bytes()),
    );
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).starts_with("ci/.gitlab-ci.yml:4:3: error[tab-indentation]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn output_file_gets_the_report() {
    let dir = TempDir::new("output");
    dir.write(".gitlab-ci.yml", TAB_PIPELINE);
    let out = shipshape(
        dir.path(),
        &["check", "--format", "json", "--output-file", "report.json"],
    );
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "");
    let json: Value = serde_json::from_str(&dir.read("report.json")).unwrap();
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 1);
}

#[test]
fn discovery_includes_dotfiles_honours_gitignore_and_skips_git() {
    let dir = TempDir::new("discover");
    dir.write(".gitignore", "ignored/\n");
    dir.write(".gitlab-ci.yml", "a: 1\na: 2\n");
    dir.write("deploy/docker-compose.prod.yml", "x: 1\nx: 2\n");
    dir.write("ignored/compose.yaml", "y: 1\ny: 2\n");
    dir.write(".git/compose.yaml", "z: 1\nz: 2\n");
    dir.write("values.yaml", "w: 1\nw: 2\n");
    // Installed tools and dependencies are someone else's YAML.
    dir.write(".cargo/registry/src/x/compose.yaml", "v: 1\nv: 2\n");
    dir.write("node_modules/pkg/docker-compose.yml", "v: 1\nv: 2\n");
    let out = shipshape(
        dir.path(),
        &["check", "--format", "concise", "--select", "duplicate-key"],
    );
    assert_eq!(
        stdout(&out),
        ".gitlab-ci.yml:2:1: warning[duplicate-key] duplicate key \"a\" at the top level\n\
         deploy/docker-compose.prod.yml:2:1: error[duplicate-key] duplicate key \"x\" at the top level\n"
    );
    // A file given by name is checked whatever its name.
    let out = shipshape(
        dir.path(),
        &[
            "check",
            "values.yaml",
            "--format",
            "concise",
            "--select",
            "duplicate-key",
        ],
    );
    assert_eq!(
        stdout(&out),
        "values.yaml:2:1: warning[duplicate-key] duplicate key \"w\" at the top level\n"
    );
}

#[test]
fn select_ignore_and_fail_on() {
    let dir = TempDir::new("select");
    dir.write(".gitlab-ci.yml", TAB_PIPELINE);
    let out = shipshape(
        dir.path(),
        &["check", "--ignore", "tab-indentation,yaml-syntax"],
    );
    assert_eq!(code(&out), 0);
    let out = shipshape(dir.path(), &["check", "--fail-on", "never"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("tab-indentation"));
    // Spaces around names are trimmed, and a group name stands for its rules.
    let out = shipshape(
        dir.path(),
        &["check", "--ignore", " tab-indentation, yaml-syntax "],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let out = shipshape(dir.path(), &["check", "--ignore", "yaml"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let out = shipshape(
        dir.path(),
        &["check", "--select", "yaml", "--format", "concise"],
    );
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("error[tab-indentation]"),
        "{}",
        stdout(&out)
    );
}

/// `vscode-languageclient` starts the server with `--stdio` appended; other transports
/// are refused with a message.
#[test]
fn lsp_accepts_stdio_and_refuses_other_transports() {
    let dir = TempDir::new("lsp-flags");
    let initialize =
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    let exit = r#"{"jsonrpc":"2.0","method":"exit"}"#;
    let input = format!(
        "Content-Length: {}\r\n\r\n{initialize}Content-Length: {}\r\n\r\n{exit}",
        initialize.len(),
        exit.len()
    );
    let out = shipshape_with_stdin(
        dir.path(),
        &["lsp", "--stdio", "--clientProcessId=1234"],
        Some(input.as_bytes()),
    );
    assert!(
        stdout(&out).contains("\"capabilities\""),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = shipshape(dir.path(), &["lsp", "--socket", "5007"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("only stdio is served"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fix_rewrites_the_file_and_a_second_run_changes_nothing() {
    let dir = TempDir::new("fix");
    let path = dir.write(".gitlab-ci.yml", TAB_PIPELINE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let out = shipshape(dir.path(), &["check", "--fix", "--format", "concise"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stderr(&out), "shipshape: fixed 1 problem in 1 file\n");
    assert_eq!(
        dir.read(".gitlab-ci.yml"),
        TAB_PIPELINE.replace("  \t", "    ")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    let out = shipshape(dir.path(), &["check", "--fix"]);
    assert_eq!(code(&out), 0);
    assert_eq!(stderr(&out), "");
}

#[test]
fn without_fix_nothing_is_written() {
    let dir = TempDir::new("nofix");
    dir.write(".gitlab-ci.yml", TAB_PIPELINE);
    shipshape(dir.path(), &["check"]);
    assert_eq!(dir.read(".gitlab-ci.yml"), TAB_PIPELINE);
}

#[test]
fn output_order_is_path_line_column_rule() {
    let dir = TempDir::new("order");
    for name in ["b/compose.yaml", "a/compose.yaml", "compose.yaml"] {
        dir.write(name, "k: 1\nk: 2\nj: 1\nj: 2\n");
    }
    let out = shipshape(
        dir.path(),
        &["check", "--format", "concise", "--select", "duplicate-key"],
    );
    let lines: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "a/compose.yaml:2:1:",
            "a/compose.yaml:4:1:",
            "b/compose.yaml:2:1:",
            "b/compose.yaml:4:1:",
            "compose.yaml:2:1:",
            "compose.yaml:4:1:"
        ]
    );
}

#[test]
fn rule_lists_and_documents() {
    let dir = TempDir::new("rule");
    let out = shipshape(dir.path(), &["rule"]);
    assert_eq!(code(&out), 0);
    for name in ["yaml-syntax", "tab-indentation", "duplicate-key"] {
        assert!(stdout(&out).contains(name));
    }
    let out = shipshape(dir.path(), &["rule", "tab-indentation"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("# tab-indentation\n"));
    let out = shipshape(dir.path(), &["rule", "tab-indent"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("unknown rule `tab-indent`"));
}

#[test]
fn shipshape_toml_is_found_upward_and_checked() {
    let dir = TempDir::new("config");
    dir.write(
        "shipshape.toml",
        "fail-on = \"error\"\n[rules]\nimage-tag = \"off\"\nobsolete-version = \"info\"\n",
    );
    dir.write(
        "app/compose.yaml",
        "version: \"3\"\nservices:\n  web:\n    image: nginx\n",
    );
    let out = shipshape(&dir.path().join("app"), &["check", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "compose.yaml:1:1: info[obsolete-version] the top-level \"version\" \"3\" is obsolete\n"
    );
    // `fail-on = "error"`: an info finding does not fail; the flag wins over the file.
    assert_eq!(code(&out), 0);
    let out = shipshape(&dir.path().join("app"), &["check", "--fail-on", "info"]);
    assert_eq!(code(&out), 1);
    // An unknown rule is an error with its line.
    dir.write("shipshape.toml", "[rules]\n\nimagetag = \"off\"\n");
    let out = shipshape(&dir.path().join("app"), &["check"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out)
            .contains("shipshape.toml:3: unknown rule \"imagetag\"; did you mean \"image-tag\"?"),
        "{}",
        stderr(&out)
    );
    // --config names another file.
    dir.write("other.toml", "[rules]\nobsolete-version = \"off\"\n");
    let out = shipshape(
        &dir.path().join("app"),
        &["check", "--config", "../other.toml", "--format", "concise"],
    );
    assert_eq!(
        stdout(&out),
        "compose.yaml:4:12: info[image-tag] image \"nginx\" has no tag, so it means \"nginx:latest\"\n"
    );
}

#[test]
fn diff_shows_the_fixes_and_writes_nothing() {
    let dir = TempDir::new("diff");
    let before = "version: \"3.8\"\nservices:\n  web:\n    image: nginx:1.27\n";
    dir.write("compose.yaml", before);
    let out = shipshape(dir.path(), &["check", "--diff"]);
    assert_eq!(
        stdout(&out),
        "--- a/compose.yaml\n+++ b/compose.yaml\n@@ -1,4 +1,3 @@\n-version: \"3.8\"\n services:\n   web:\n     image: nginx:1.27\n"
    );
    assert_eq!(code(&out), 1);
    assert_eq!(dir.read("compose.yaml"), before);
    dir.write("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n");
    let out = shipshape(dir.path(), &["check", "--diff"]);
    assert_eq!(stdout(&out), "");
    assert_eq!(code(&out), 0);
}

/// `--diff` is a patch `git apply` takes, and it shows no line holding a secret: the
/// context stops before one, and a change next to one is left out and said so.
#[test]
fn diff_applies_with_git_and_shows_no_secret() {
    if !support::tool_available("git", "apt-get install git") {
        return;
    }
    let dir = TempDir::new("diff-apply");
    let before = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: s3cr3t-Pa55word-xyz\n\t  TZ: UTC\n      LANG: C\n  web:\n    image: nginx:1.27\n    environment:\n\t  TZ: UTC\n      A: b\n      C: d\n      POSTGRES_PASSWORD: s3cr3t-Pa55word-xyz\n";
    dir.write("compose.yaml", before);
    let out = shipshape(dir.path(), &["check", "--diff"]);
    let patch = stdout(&out);
    assert!(!patch.contains("s3cr3t"), "{patch}");
    assert!(
        patch.contains("+      TZ: UTC"),
        "the change away from secrets is shown:\n{patch}"
    );
    assert!(
        stderr(&out).contains("compose.yaml: 1 change next to a secret not shown in the diff"),
        "{}",
        stderr(&out)
    );
    dir.write("fix.patch", &patch);
    let apply = |args: &[&str]| {
        std::process::Command::new("git")
            .args(["apply"])
            .args(args)
            .arg("fix.patch")
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let check = apply(&["--check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(apply(&[]).status.success());
    let patched = dir.read("compose.yaml");
    assert_eq!(
        patched,
        before.replacen("\t  TZ: UTC\n      A", "      TZ: UTC\n      A", 1)
    );
}

/// The CI jobs the README offers are themselves clean.
#[test]
fn the_documented_ci_jobs_pass_their_own_check() {
    let root = repo_root();
    let out = shipshape(
        &root,
        &[
            "check",
            "editors/ci/gitlab-ci.yml",
            "editors/ci/github-actions.yml",
            "--format",
            "concise",
            "--fail-on",
            "info",
        ],
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn init_writes_a_starter_file_once() {
    let dir = TempDir::new("init");
    let out = shipshape(dir.path(), &["init"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(dir.read("shipshape.toml").contains("[[links]]"));
    // The starter file is a valid configuration as it is.
    dir.write("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n");
    assert_eq!(code(&shipshape(dir.path(), &["check"])), 0);
    let out = shipshape(dir.path(), &["init"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("shipshape.toml exists already"),
        "{}",
        stderr(&out)
    );
    assert_eq!(code(&shipshape(dir.path(), &["init", "--force"])), 0);
}

#[test]
fn graph_draws_dependencies_stages_and_findings() {
    let dir = TempDir::new("graph");
    dir.write(
        "compose.yaml",
        "services:\n  app:\n    image: example/app:1.0\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready\"]\n",
    );
    dir.write(
        ".gitlab-ci.yml",
        "build:\n  stage: build\n  script: make\ntest:\n  needs: [build]\n  script: make test\ndeploy:\n  stage: deploy\n  needs: [tset]\n  script: make deploy\n",
    );
    let out = shipshape(dir.path(), &["graph"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.starts_with("flowchart LR\n"), "{text}");
    assert!(text.contains("c0_app -->|healthy| c0_db"), "{text}");
    assert!(
        text.contains("c0_db[\"db<br/>postgres:16<br/>(healthcheck)\"]"),
        "{text}"
    );
    assert!(text.contains("subgraph g1_s0[\"build\"]"), "{text}");
    assert!(
        !text.contains("p0_tset"),
        "no node for a job that does not exist: {text}"
    );
    assert!(text.contains("p0_build --> p0_test"), "{text}");
    // The job whose need is undefined is highlighted.
    assert!(text.contains("class p0_deploy error"), "{text}");
    let dot = stdout(&shipshape(dir.path(), &["graph", "--format", "dot"]));
    assert!(dot.starts_with("digraph shipshape {"), "{dot}");
    assert!(
        dot.contains("c0_app -> c0_db [label=\"healthy\"];"),
        "{dot}"
    );
}

/// A job's `docker compose` commands draw an edge to each service they start: the one
/// `run` or `exec` names, those `up` names, every service `up` alone starts (not one
/// behind a profile the command leaves off). Commands that start nothing, and runs whose
/// Compose file is missing or named by a variable, draw none.
#[test]
fn graph_links_jobs_to_the_compose_services_they_start() {
    let dir = TempDir::new("graph-runs");
    dir.write(
        "compose.yaml",
        "services:\n  app:\n    image: example/app:1.0\n    depends_on: [db]\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n    profiles: [debug]\n  tools:\n    image: example/tools:1.0\n    profiles: [tools]\n",
    );
    dir.write(
        ".gitlab-ci.yml",
        concat!(
            "unit:\n  script:\n    - docker compose run --rm app pytest\n    - docker compose down -v\n",
            "e2e:\n  script:\n    - docker compose up -d db\n    - docker compose exec -T db pg_isready\n",
            "all:\n  script:\n    - docker compose --profile debug up -d\n",
            "missing:\n  script:\n    - docker compose -f nowhere.yaml run app\n",
            "dynamic:\n  script:\n    - docker compose -f \"$COMPOSE_YAML\" run app\n",
            "built:\n  script:\n    - docker compose build app\n",
        ),
    );
    let text = stdout(&shipshape(dir.path(), &["graph"]));
    let edges: Vec<&str> = text.lines().filter(|l| l.contains("-.->|")).collect();
    // The project's own edge, then one per job and service, in script order.
    assert_eq!(
        edges,
        [
            "  c0_app -.->|started| c0_db",
            "  p0_unit -.->|run| c0_app",
            "  p0_e2e -.->|up, exec| c0_db",
            "  p0_all -.->|up| c0_app",
            "  p0_all -.->|up| c0_db",
            "  p0_all -.->|up| c0_cache",
        ],
        "{text}"
    );
    let dot = stdout(&shipshape(dir.path(), &["graph", "--format", "dot"]));
    // Outside every cluster: after the last one closes, at the top level.
    let links = &dot[dot.rfind("\n  }\n").expect("a cluster") + 5..];
    assert_eq!(
        links,
        concat!(
            "  p0_unit -> c0_app [label=\"run\", style=dashed];\n",
            "  p0_e2e -> c0_db [label=\"up, exec\", style=dashed];\n",
            "  p0_all -> c0_app [label=\"up\", style=dashed];\n",
            "  p0_all -> c0_db [label=\"up\", style=dashed];\n",
            "  p0_all -> c0_cache [label=\"up\", style=dashed];\n",
            "}\n",
        ),
        "{dot}"
    );
    // The pipeline alone: the project is not drawn, so no edge leads into it.
    let alone = stdout(&shipshape(dir.path(), &["graph", ".gitlab-ci.yml"]));
    assert!(alone.contains("p0_unit[\"unit\"]"), "{alone}");
    assert!(!alone.contains("c0_"), "{alone}");
}

/// The issue's case: the example's three jobs each `docker compose run app`.
#[test]
fn graph_of_the_example_links_its_jobs_to_app() {
    let text = stdout(&shipshape(&repo_root(), &["graph", "examples/banter-bus"]));
    for job in ["test_3alint", "test_3aunit_2dtests", "test_3aintegration"] {
        assert!(
            text.contains(&format!("  p0_{job} -.->|run| c0_app\n")),
            "{text}"
        );
    }
}

/// The flagship example's advice works on its image: mongo 4.4 ships the legacy `mongo`
/// shell, not `mongosh`.
#[test]
fn the_example_suggests_a_healthcheck_that_works_on_mongo_4_4() {
    let out = shipshape(
        &repo_root(),
        &[
            "check",
            "examples/banter-bus",
            "--select",
            "missing-readiness",
        ],
    );
    let text = stdout(&out);
    assert!(
        text.contains(r#"test: ["CMD", "mongo", "--quiet", "--eval", "db.adminCommand('ping')"]"#),
        "{text}"
    );
    assert!(!text.contains("mongosh"), "{text}");
}

/// What a CLI user expects: completions and a man page, `--quiet`, `--statistics`,
/// `--color`, and flags that would do nothing refused.
#[test]
fn completions_man_quiet_statistics_color_and_conflicts() {
    let dir = TempDir::new("cli-doors");
    dir.write("compose.yaml", "services:\n  web:\n    image: nginx\n");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = shipshape(dir.path(), &["completions", shell]);
        assert_eq!(code(&out), 0, "{shell}: {}", stderr(&out));
        assert!(stdout(&out).contains("shipshape"), "{shell}");
    }
    let man = shipshape(dir.path(), &["man"]);
    assert_eq!(code(&man), 0);
    assert!(stdout(&man).contains(".TH shipshape 1"), "{}", stdout(&man));

    let quiet = stdout(&shipshape(dir.path(), &["check", "-q"]));
    assert!(quiet.contains("image-tag"), "{quiet}");
    assert!(!quiet.contains("found 1 info"), "{quiet}");
    let stats = shipshape(
        dir.path(),
        &["check", "--statistics", "--format", "concise"],
    );
    assert!(
        stderr(&stats).contains("1  info     image-tag"),
        "{}",
        stderr(&stats)
    );

    let colored = stdout(&shipshape(dir.path(), &["check", "--color", "always"]));
    assert!(colored.contains('\x1b'), "{colored:?}");
    let plain = stdout(&shipshape(dir.path(), &["check", "--color", "never"]));
    assert!(!plain.contains('\x1b'), "{plain:?}");

    let out = shipshape(dir.path(), &["check", "--unsafe-fixes"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--unsafe-fixes applies with --fix or --diff"));
    let out = shipshape(dir.path(), &["check", "--stdin-filename", "x.yml", "."]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("pass `-` as the path"));
}

/// The README's GitLab job on a clean project, as its script runs it: shipshape installed
/// by cargo into `$CI_PROJECT_DIR/.cargo` (its registry then holds shipshape's own
/// sources, rule cases full of findings), then `shipshape check` in the project. It
/// reports nothing: the job file is clean and `.cargo/` is not walked.
#[test]
fn the_readme_gitlab_job_on_a_clean_project_reports_nothing() {
    let root = repo_root();
    let dir = TempDir::new("readme-gitlab-job");
    let job = std::fs::read_to_string(root.join("editors/ci/gitlab-ci.yml")).unwrap();
    dir.write(".gitlab-ci.yml", &job);
    dir.write(
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"8080:80\"\n",
    );
    // What `cargo install --git` leaves in CARGO_HOME: the checkout with its rule cases.
    let installed = ".cargo/git/checkouts/shipshape-0123456789abcdef/a1b2c3d";
    for case in [
        "rules/tab-indentation/cases/fires-crlf-line-endings",
        "rules/image-tag/cases",
        "rules/hardcoded-secret/cases",
    ] {
        for file in support::files_under(&root.join(case)) {
            let relative = file.strip_prefix(&root).unwrap();
            dir.write(
                &format!("{installed}/{}", relative.display()),
                std::fs::read(&file).unwrap(),
            );
        }
    }
    let out = shipshape(dir.path(), &["check", "--fail-on", "info"]);
    assert_eq!(
        stdout(&out).lines().next(),
        Some("no problems found in 2 files"),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The same files outside `.cargo/` are found: the walk, not the files, keeps them out.
    let out = shipshape(dir.path(), &["check", ".cargo", "--format", "concise"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}
