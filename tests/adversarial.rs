//! Hostile and odd inputs through the real binary: each ends quickly, with a diagnostic
//! where there is something to say, never with a crash, a hang or a lost finding in
//! another file.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::{TempDir, code, shipshape, stderr, stdout};

/// The rules about YAML itself: these tests are about the front end, not about what the
/// Compose rules make of a hostile file.
const YAML_RULES: &str = "yaml-syntax,tab-indentation,duplicate-key";

/// Runs `shipshape check <file> --format json` with the YAML rules and returns (exit
/// code, diagnostics).
fn check(dir: &TempDir, name: &str, contents: impl AsRef<[u8]>) -> (i32, Vec<Value>) {
    dir.write(name, contents);
    let started = Instant::now();
    let out = shipshape(
        dir.path(),
        &["check", name, "--format", "json", "--select", YAML_RULES],
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{name} took {:?}",
        started.elapsed()
    );
    assert!(stderr(&out).is_empty(), "{name}: {}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{name}: {e}\n{}", stdout(&out)));
    (code(&out), json["diagnostics"].as_array().unwrap().clone())
}

fn rules_and_messages(diags: &[Value]) -> Vec<(String, String)> {
    diags
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn billion_laughs() {
    let dir = TempDir::new("laughs");
    let mut text = String::from(
        "x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        text.push_str(&format!("x-{}: &{} [{refs}]\n", w[1], w[1]));
    }
    text.push_str("services:\n  web:\n    image: nginx\n    labels: *i\n");
    let (code, diags) = check(&dir, "compose.yaml", text);
    assert_eq!(code, 1);
    assert_eq!(
        rules_and_messages(&diags),
        [(
            "yaml-syntax".into(),
            "aliases expand this document by more than 1000000 nodes".into()
        )]
    );
}

/// The same bomb in a pipeline: templates, `extends` and the schema walk must not expand
/// it, and no rule may conclude anything from the values the budget cut off.
#[test]
fn billion_laughs_in_a_pipeline() {
    let dir = TempDir::new("laughs-ci");
    let mut text = String::from(
        ".a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        text.push_str(&format!(".{}: &{} [{refs}]\n", w[1], w[1]));
    }
    text.push_str(".t: &t\n  script: *i\n  tags: *i\njob:\n  <<: *t\n  extends: .t\n  before_script: [!reference [.t, script]]\n");
    let (code, diags) = check(&dir, ".gitlab-ci.yml", text);
    assert_eq!(code, 1);
    assert_eq!(
        rules_and_messages(&diags),
        [(
            "yaml-syntax".into(),
            "aliases expand this document by more than 1000000 nodes".into()
        )]
    );
}

#[test]
fn deep_block_nesting() {
    let dir = TempDir::new("deep-block");
    let (code, diags) = check(&dir, "compose.yaml", "- ".repeat(100_000) + "x\n");
    assert_eq!(code, 1);
    assert_eq!(diags.len(), 1);
    assert_eq!(
        diags[0]["message"],
        "the file is too deeply nested: nesting deeper than 256 levels"
    );
    assert_eq!(diags[0]["start"]["line"], 1);
}

#[test]
fn deep_flow_nesting() {
    let dir = TempDir::new("deep-flow");
    let (code, diags) = check(&dir, "compose.yaml", "[".repeat(100_000));
    assert_eq!(code, 1);
    assert_eq!(diags[0]["rule"], "yaml-syntax");
    assert_eq!(
        diags[0]["message"],
        "invalid YAML: recursion limit exceeded"
    );
}

#[test]
fn binary_file() {
    let dir = TempDir::new("binary");
    let mut bytes = b"\x7fELF\x02\x01\x01\x00".to_vec();
    bytes.extend((0..4096u32).map(|i| (i * 7 % 256) as u8));
    let (code, diags) = check(&dir, "docker-compose.yml", bytes);
    assert_eq!(code, 1);
    assert_eq!(
        rules_and_messages(&diags),
        [("yaml-syntax".into(), "binary file, not YAML text".into())]
    );
}

#[test]
fn not_utf8() {
    let dir = TempDir::new("latin1");
    let (code, diags) = check(
        &dir,
        "compose.yaml",
        b"services:\n  caf\xe9:\n    image: x\n",
    );
    assert_eq!(code, 1);
    assert_eq!(
        diags[0]["start"],
        serde_json::json!({"line": 2, "column": 6})
    );
}

#[test]
fn ten_megabyte_single_line() {
    let dir = TempDir::new("long-line");
    // Just under the limit: parsed; the unclosed list is reported at the end of the line.
    let body = "1,".repeat(4_999_000);
    let (code, diags) = check(&dir, "compose.yaml", format!("x: [{body}"));
    assert_eq!(code, 1);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["rule"], "yaml-syntax");
    assert_eq!(diags[0]["start"]["line"], 1);
    // Just over the limit: reported, not parsed.
    let (code, diags) = check(&dir, "big.compose.yaml", "#".repeat(10 * 1024 * 1024 + 1));
    assert_eq!(code, 1);
    assert_eq!(
        rules_and_messages(&diags),
        [(
            "yaml-syntax".into(),
            "the file is 10.0 MB, above the 10.0 MB size limit, and was not checked".into()
        )]
    );
}

#[test]
fn an_empty_compose_file_is_reported_once_by_the_schema_rule() {
    let dir = TempDir::new("empty-compose");
    dir.write("compose.yaml", "# nothing yet\n");
    let out = shipshape(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "compose.yaml:1:1: error[compose-schema] the Compose file is empty\n"
    );
}

#[test]
fn empty_and_comment_only_files() {
    let dir = TempDir::new("empty");
    assert_eq!(check(&dir, "compose.yaml", ""), (0, vec![]));
    assert_eq!(
        check(&dir, ".gitlab-ci.yml", "# nothing yet\n"),
        (0, vec![])
    );
    assert_eq!(check(&dir, "docker-compose.yml", "\n\n   \n"), (0, vec![]));
}

#[test]
fn crlf_positions_and_fix() {
    let dir = TempDir::new("crlf");
    let text = "services:\r\n  web:\r\n\timage: nginx\r\n    ports:\r\n      - \"80:80\"\r\n";
    let (code, diags) = check(&dir, "compose.yaml", text);
    assert_eq!(code, 1);
    let tab = diags
        .iter()
        .find(|d| d["rule"] == "tab-indentation")
        .unwrap();
    assert_eq!(tab["start"], serde_json::json!({"line": 3, "column": 1}));
    let out = shipshape(
        dir.path(),
        &["check", "compose.yaml", "--fix", "--select", YAML_RULES],
    );
    assert_eq!(code_of(&out), 0, "{}", stdout(&out));
    assert_eq!(dir.read("compose.yaml"), text.replace('\t', "    "));
}

fn code_of(out: &std::process::Output) -> i32 {
    code(out)
}

#[test]
fn byte_order_mark() {
    let dir = TempDir::new("bom");
    let (code, diags) = check(&dir, "compose.yaml", "\u{feff}name: a\nname: b\n");
    assert_eq!(code, 1);
    assert_eq!(diags[0]["rule"], "duplicate-key");
    assert_eq!(
        diags[0]["start"],
        serde_json::json!({"line": 2, "column": 1})
    );
    let (_, diags) = check(&dir, "docker-compose.yml", "\u{feff}a: 1\na: 2\n");
    assert_eq!(diags[0]["start"]["column"], 1);
    let (code, diags) = check(&dir, "x.compose.yml", "\u{feff}\tkey: v\n");
    assert_eq!(code, 1);
    assert_eq!(
        diags[0]["start"],
        serde_json::json!({"line": 1, "column": 1}),
        "the BOM is not a column"
    );
}

#[test]
fn one_bad_file_does_not_hide_the_others() {
    let dir = TempDir::new("mixed");
    dir.write("a/compose.yaml", "- ".repeat(50_000));
    dir.write("b/compose.yaml", b"\x00\x01\x02");
    dir.write(
        "c/compose.yaml",
        "services:\n  x:\n    image: a\n    image: b\n",
    );
    let out = shipshape(
        dir.path(),
        &["check", "--format", "concise", "--select", YAML_RULES],
    );
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("a/compose.yaml:1:"), "{text}");
    assert!(
        text.contains("b/compose.yaml:1:1: error[yaml-syntax] binary file"),
        "{text}"
    );
    assert!(
        text.contains("c/compose.yaml:4:5: error[duplicate-key]"),
        "{text}"
    );
}

/// Every input a fuzz target crashed on (tests/fuzz-regressions/TARGET/, see
/// fuzz/README.md), linted with all rules as the file that target names it (a `shell`
/// input as a job's script line): no crash, no `internal-error`, and JSON out.
#[test]
fn fuzz_crashes_stay_fixed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut seen = 0;
    for (target, name) in [
        ("yaml", "file.yaml"),
        ("compose", "compose.yaml"),
        ("pipeline", ".gitlab-ci.yml"),
        ("shell", ".gitlab-ci.yml"),
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let dir = TempDir::new("fuzz-regression");
            let mut contents = std::fs::read(&path).unwrap();
            if target == "shell" {
                // A script line: a JSON string is a YAML double-quoted scalar.
                let line = serde_json::to_string(&String::from_utf8_lossy(&contents)).unwrap();
                contents = format!("job:\n  script:\n    - {line}\n").into_bytes();
            }
            dir.write(name, contents);
            let out = shipshape(dir.path(), &["check", name, "--format", "json"]);
            let shown = path.display();
            assert!(matches!(code(&out), 0 | 1), "{shown}: {}", stderr(&out));
            let json: Value = serde_json::from_str(&stdout(&out))
                .unwrap_or_else(|e| panic!("{shown}: {e}\n{}", stdout(&out)));
            for d in json["diagnostics"].as_array().unwrap() {
                assert_ne!(d["rule"], "internal-error", "{shown}: {d}");
            }
            seen += 1;
        }
    }
    assert!(seen > 0, "no inputs under {}", root.display());
}

/// The size limit is the project's to set (`[limits] max-file-size`); a file over it is
/// one finding at its first line, and the files beside it are still checked.
#[test]
fn the_file_size_limit_is_configurable() {
    let dir = TempDir::new("size-limit");
    dir.write("shipshape.toml", "[limits]\nmax-file-size = \"1KB\"\n");
    dir.write(
        "big/compose.yaml",
        format!(
            "services:\n  app:\n    image: alpine:3.20\n{}",
            "# padding\n".repeat(200)
        ),
    );
    dir.write(
        "small/compose.yaml",
        "services:\n  app:\n    image: alpine\n",
    );
    let out = shipshape(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let found: Vec<(String, String, i64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
                d["start"]["line"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "big/compose.yaml".to_string(),
                "the file is 2040 bytes, above the 1024 bytes size limit, and was not checked"
                    .to_string(),
                1
            ),
            (
                "small/compose.yaml".to_string(),
                "image \"alpine\" has no tag, so it means \"alpine:latest\"".to_string(),
                3
            ),
        ]
    );
}

/// A generated file with a finding on every line reports the first ones only, and says how
/// many it left out; the other files keep theirs.
#[test]
fn findings_per_file_are_capped() {
    let dir = TempDir::new("diagnostic-cap");
    dir.write("shipshape.toml", "[limits]\nmax-diagnostics-per-file = 5\n");
    let services: String = (0..20)
        .map(|i| format!("  s{i}:\n    image: alpine\n"))
        .collect();
    dir.write("a/compose.yaml", format!("services:\n{services}"));
    dir.write("b/compose.yaml", "services:\n  app:\n    image: alpine\n");
    let out = shipshape(
        dir.path(),
        &["check", ".", "--format", "json", "--select", "image-tag"],
    );
    // image-tag is an info finding: below the default fail-on.
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let lines: Vec<(String, i64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["start"]["line"].as_i64().unwrap(),
            )
        })
        .collect();
    let a = |line| ("a/compose.yaml".to_string(), line);
    assert_eq!(
        lines,
        [
            a(3),
            a(5),
            a(7),
            a(9),
            a(11),
            ("b/compose.yaml".to_string(), 3)
        ]
    );
    assert_eq!(
        stderr(&out).trim(),
        "shipshape: note: a/compose.yaml: 15 more findings not shown; at most 5 per file are \
         reported (max-diagnostics-per-file in shipshape.toml)"
    );
}

/// `extends` is followed to a fixed depth (Compose: 16 levels; GitLab: 10 ancestors, which
/// `extends-cycle` reports), so long chains and loops end, with no false finding.
#[test]
fn long_and_looping_extends_chains_end() {
    let dir = TempDir::new("extends-depth");
    let mut compose = String::from("services:\n");
    for i in 0..40 {
        let parent = if i < 39 {
            format!("extends: s{}", i + 1)
        } else {
            "image: alpine:3.20".into()
        };
        compose.push_str(&format!(
            "  s{i}:\n    {parent}\n    environment:\n      LEVEL_{i}: \"{i}\"\n"
        ));
    }
    compose.push_str("  a:\n    extends: b\n  b:\n    extends: a\n    image: alpine:3.20\n");
    dir.write("compose.yaml", compose);
    let mut ci = String::new();
    for i in 0..40 {
        ci.push_str(&format!(".t{i}:\n  extends: .t{}\n", i + 1));
    }
    ci.push_str(".t40:\n  script: make\njob:\n  extends: .t0\n");
    dir.write(".gitlab-ci.yml", ci);
    let started = Instant::now();
    let out = shipshape(dir.path(), &["check", ".", "--format", "concise"]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(
        stdout(&out),
        ".gitlab-ci.yml:22:12: error[extends-cycle] .t0: nesting too deep in `extends`\n\
         .gitlab-ci.yml:44:12: error[extends-cycle] .t11: nesting too deep in `extends`\n\
         .gitlab-ci.yml:66:12: error[extends-cycle] .t22: nesting too deep in `extends`\n"
    );
}

/// A frame that claims 18 exabytes: refused with a parse error, never allocated, and the
/// server answers the next well-formed request.
#[test]
fn the_language_server_survives_an_oversized_content_length() {
    let mut client = support::lsp_client::Client::start();
    client.send_bytes(b"Content-Length: 18446744073709551615\r\n\r\n");
    let error = loop {
        let m = client.recv();
        if m.get("error").is_some() {
            break m;
        }
    };
    assert_eq!(error["error"]["code"], -32700);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("limit"),
        "{error}"
    );
    let init = client.request(
        1,
        "initialize",
        serde_json::json!({"capabilities": {}, "rootUri": null}),
    );
    assert!(init["result"]["capabilities"].is_object(), "{init}");
    client.notify("exit", serde_json::json!(null));
    let _ = client.child.wait();
}

/// Devices and FIFOs are not regular files: named, linked as a Dockerfile, or given as the
/// configuration, they are refused at once instead of read forever (`/dev/zero`) or
/// waited on (a FIFO).
#[cfg(unix)]
#[test]
fn devices_and_fifos_are_never_read() {
    let dir = TempDir::new("devices");
    dir.write(
        "compose.yaml",
        "services:\n  app:\n    build: .\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    build: ./db\n",
    );
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("Dockerfile")).unwrap();
    std::fs::create_dir_all(dir.path().join("db")).unwrap();
    let fifo = dir.path().join("db/Dockerfile");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yml")).unwrap();
    let start = Instant::now();
    let out = shipshape(dir.path(), &["check", "zero.yml", "compose.yaml"]);
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("zero.yml"), "{}", stderr(&out));
    let out = shipshape(
        dir.path(),
        &["check", "--config", "/dev/zero", "compose.yaml"],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    // A hang guard, not a speed test: an endless read would never return.
    assert!(start.elapsed() < Duration::from_secs(60));
}

/// Nothing outside the project is read, whatever points there: a `.env` or an included
/// file linked to `/proc/self/environ` (the CI job's environment), a Compose `include:`,
/// `extends: file:` or `env_file:` leading out, a job's `docker compose -f /abs/path`, a
/// committed link to a file of the machine. A marker in the outside file and in the
/// environment must appear in no format.
#[cfg(unix)]
#[test]
fn nothing_outside_the_project_is_read() {
    const MARKER: &str = "MARKER_7d1e_OUTSIDE_SECRET";
    let outside = TempDir::new("outside");
    let victim = outside.write(
        "config.json",
        format!("auths: {{registry: {{auth: {MARKER}}}}}\nservices:\n  x:\n    image: {MARKER}\n"),
    );
    let victim_env = outside.write("outside.env", format!("TOKEN={MARKER}\n"));
    let dir = TempDir::new("project");
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let link = |name: &str, target: &std::path::Path| {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
    };
    link(".env", std::path::Path::new("/proc/self/environ"));
    link("env.yml", std::path::Path::new("/proc/self/environ"));
    link("ci/docker.yml", &victim);
    link("app/.env", &victim_env);
    dir.write(
        "compose.yaml",
        format!(
            "include:\n  - {}\nservices:\n  web:\n    image: nginx:1.27\n    environment:\n      URL: ${{UNDEFINED_THING}}\n  other:\n    extends:\n      file: {}\n      service: x\n    env_file: {}\n",
            victim.display(),
            victim.display(),
            victim_env.display()
        ),
    );
    dir.write(
        "app/compose.yaml",
        "services:\n  api:\n    image: nginx:1.27\n    environment:\n      URL: ${NOT_SET_ANYWHERE}\n",
    );
    dir.write(
        ".gitlab-ci.yml",
        format!(
            "include:\n  - local: env.yml\n  - local: ci/docker.yml\ntest:\n  script:\n    - docker compose -f {} up --exit-code-from x\n",
            victim.display()
        ),
    );
    for format in ["human", "concise", "json", "sarif", "gitlab", "github"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_shipshape"))
            .args(["check", ".", "--format", format])
            .current_dir(dir.path())
            .env("SHIPSHAPE_TEST_ENV_MARKER", MARKER)
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(MARKER), "{format}: the marker leaked:\n{all}");
        assert!(
            !all.contains("SHIPSHAPE_TEST_ENV_MARKER"),
            "{format}: the environment leaked:\n{all}"
        );
        if format == "concise" {
            // The committed link is named for what it is, not as a missing file.
            assert!(
                all.contains("local include `ci/docker.yml` points outside the repository"),
                "{all}"
            );
        }
    }
}

/// The project boundary, one entry point at a time (issue 16, "a test per entry point").
/// Outside the project: a directory whose every file holds `BOUNDARY_MARKER` where a
/// report would show it if the file were read (an image, a service name, a variable, a
/// Dockerfile's base image, a configuration key).
#[cfg(unix)]
const BOUNDARY_MARKER: &str = "marker9boundary";

/// (the outside directory, a project with `.git` beside nothing of it)
#[cfg(unix)]
fn outside_and_project() -> (TempDir, TempDir) {
    let m = BOUNDARY_MARKER;
    let outside = TempDir::new("boundary-outside");
    let compose = format!(
        "services:\n  {m}:\n    image: {m}\n    depends_on: [{m}x]\n    environment:\n      URL: ${{{m}}}\n"
    );
    outside.write("compose.yaml", &compose);
    outside.write("dir/compose.yaml", &compose);
    outside.write(
        "ci.yml",
        format!("{m}:\n  script: [\"echo {m}\"]\n  needs: [{m}x]\n"),
    );
    outside.write("x.env", format!("{m}=1\nTOKEN=glpat-{m}abcdefghij\n"));
    // Read, it would show: "db" runs an image built FROM postgres:<marker>.
    outside.write("Dockerfile", format!("FROM postgres:{m}\n"));
    outside.write("shipshape.toml", format!("[rules]\n{m} = \"off\"\n"));
    let project = TempDir::new("boundary-project");
    std::fs::create_dir_all(project.path().join(".git")).unwrap();
    (outside, project)
}

#[cfg(unix)]
fn link(dir: &TempDir, name: &str, target: &std::path::Path) {
    let path = dir.path().join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, path).unwrap();
}

/// Runs `shipshape ARGS --format F` in `dir` for every format; the marker must be in no
/// output, stdout or stderr. Returns the concise run's (exit code, stdout + stderr).
#[cfg(unix)]
fn never_shows_the_marker(dir: &TempDir, args: &[&str]) -> (i32, String) {
    let mut concise = (0, String::new());
    for format in ["human", "concise", "json", "sarif", "gitlab", "github"] {
        let mut all_args = args.to_vec();
        all_args.extend(["--format", format]);
        let out = shipshape(dir.path(), &all_args);
        let mut text = format!("{}{}", stdout(&out), stderr(&out));
        if format == "sarif" && code(&out) != 2 {
            // The rules' documentation is the same for every run.
            let mut log: Value = serde_json::from_str(&stdout(&out)).unwrap();
            log["runs"][0]["tool"] = Value::Null;
            text = format!("{log}{}", stderr(&out));
        }
        assert!(
            !text.contains(BOUNDARY_MARKER),
            "{args:?} --format {format}: read outside the project:\n{text}"
        );
        if format == "concise" {
            concise = (code(&out), text);
        }
    }
    concise
}

#[cfg(unix)]
#[test]
fn boundary_walked_links_are_not_followed() {
    let (_outside, project) = planted(
        &[
            ("docker-compose.yml", "compose.yaml"),
            (".gitlab-ci.yml", "ci.yml"),
            ("linked", "dir"),
        ],
        &[("app/compose.yaml", "services:\n  web:\n    image: nginx\n")],
    );
    let (_, text) = never_shows_the_marker(&project, &["check", "."]);
    assert!(
        text.contains("app/compose.yaml:3:12: info[image-tag]"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn boundary_named_links_are_refused() {
    let (_outside, project) = planted(&[("named.yml", "compose.yaml"), ("linked", "dir")], &[]);
    for named in ["named.yml", "linked/compose.yaml"] {
        let (code, text) = never_shows_the_marker(&project, &["check", named]);
        assert_eq!(code, 2, "{named}: {text}");
        assert!(
            text.contains(&format!("{named}: outside the project: not read")),
            "{text}"
        );
    }
}

#[cfg(unix)]
#[test]
fn boundary_includes_lead_nowhere_outside() {
    let (outside, project) = outside_and_project();
    link(&project, "ci/linked.yml", &outside.path().join("ci.yml"));
    project.write(
        ".gitlab-ci.yml",
        "include:\n  - local: ci/linked.yml\n  - local: ../boundary-outside/ci.yml\ntest:\n  script: [make]\n",
    );
    project.write(
        "compose.yaml",
        format!(
            "include:\n  - {}\n  - ../x/../../{}/compose.yaml\nservices:\n  web:\n    image: nginx:1.27\n",
            outside.path().join("compose.yaml").display(),
            outside.path().file_name().unwrap().to_str().unwrap()
        ),
    );
    let (_, text) = never_shows_the_marker(&project, &["check", "."]);
    assert!(text.contains("points outside the repository"), "{text}");
}

#[cfg(unix)]
#[test]
fn boundary_compose_files_of_a_job_stay_inside() {
    let (outside, project) = outside_and_project();
    link(
        &project,
        "deploy/compose.yaml",
        &outside.path().join("compose.yaml"),
    );
    project.write(
        ".gitlab-ci.yml",
        format!(
            "test:\n  script:\n    - docker compose -f {} up --exit-code-from x\n    - docker compose -f deploy/compose.yaml run --rm x\n",
            outside.path().join("compose.yaml").display()
        ),
    );
    never_shows_the_marker(&project, &["check", "."]);
}

#[cfg(unix)]
#[test]
fn boundary_extends_and_env_files_stay_inside() {
    let (outside, project) = outside_and_project();
    let m = BOUNDARY_MARKER;
    link(&project, "base.yaml", &outside.path().join("compose.yaml"));
    link(&project, "linked.env", &outside.path().join("x.env"));
    project.write(
        "compose.yaml",
        format!(
            "services:\n  a:\n    extends:\n      file: {}\n      service: {m}\n  b:\n    extends:\n      file: base.yaml\n      service: {m}\n  c:\n    image: nginx:1.27\n    env_file: [{}, linked.env]\n",
            outside.path().join("compose.yaml").display(),
            outside.path().join("x.env").display()
        ),
    );
    never_shows_the_marker(&project, &["check", "."]);
}

/// A project with `links` (its name -> a file of the outside directory) and `files`.
#[cfg(unix)]
fn planted(links: &[(&str, &str)], files: &[(&str, &str)]) -> (TempDir, TempDir) {
    let (outside, project) = outside_and_project();
    for (name, target) in links {
        link(&project, name, &outside.path().join(target));
    }
    for (name, text) in files {
        project.write(name, text);
    }
    (outside, project)
}

#[cfg(unix)]
#[test]
fn boundary_dotenv_link_is_not_read() {
    let (_outside, project) = planted(
        &[(".env", "x.env")],
        &[(
            "compose.yaml",
            "services:\n  web:\n    image: nginx:1.27\n    environment:\n      URL: ${UNDEFINED_THING}\n",
        )],
    );
    never_shows_the_marker(&project, &["check", "."]);
}

#[cfg(unix)]
#[test]
fn boundary_dockerfile_link_is_not_read() {
    let (_outside, project) = planted(
        &[("db/Dockerfile", "Dockerfile")],
        &[(
            "compose.yaml",
            "services:\n  app:\n    image: example/app:1\n    depends_on: [db]\n  db:\n    build: ./db\n",
        )],
    );
    never_shows_the_marker(&project, &["check", "."]);
}

/// Links that stay inside the project are read like the files they lead to: a `.env`
/// linked to a shared file defines its variables (an input is opened without following a
/// link in its last name, and a link then takes the boundary's whole check).
#[cfg(unix)]
#[test]
fn boundary_links_inside_the_project_are_read() {
    let (_outside, project) = outside_and_project();
    project.write("config/app.env", "FROM_ENV=1\n");
    project.write(
        "compose.yaml",
        "services:\n  web:\n    image: nginx:1.27\n    environment:\n      URL: ${FROM_ENV}\n      OTHER: ${NOT_IN_ENV}\n",
    );
    link(&project, ".env", &project.path().join("config/app.env"));
    let out = shipshape(project.path(), &["check", ".", "--format", "concise"]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("NOT_IN_ENV"), "{text}");
    assert!(!text.contains("FROM_ENV"), "{text}");
}

/// A `shipshape.toml` found upward that links out of its repository is refused (its keys
/// would be echoed in the error); one named with `--config` is the user's choice.
#[cfg(unix)]
#[test]
fn boundary_found_configuration_link_is_refused() {
    let (_outside, project) = planted(
        &[("shipshape.toml", "shipshape.toml")],
        &[("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n")],
    );
    let (code, text) = never_shows_the_marker(&project, &["check", "."]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("leads outside the repository it is in"),
        "{text}"
    );
}

/// A Compose file with one safe fix (a tab in the indentation), and the fixed file.
#[cfg(unix)]
const FIXABLE: &str = "services:\n  web:\n    image: nginx\n  \tports: [\"80:80\"]\n";
#[cfg(unix)]
const FIXED: &str = "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n";

/// The names in a directory, sorted.
#[cfg(unix)]
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Issue 16, item 4: links planted at the names the old `--fix` wrote its temporary file
/// to (`.<name>.shipshape-<pid>.tmp`, for the next PIDs) lead nowhere: the victim outside
/// the project is untouched, the fixed file stays a regular file, nothing is left.
#[cfg(unix)]
#[test]
fn fix_ignores_links_planted_at_temporary_names() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = TempDir::new("planted-tmp");
    let victim = dir.write("victim", "precious\n");
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o600)).unwrap();
    dir.write("project/compose.yaml", FIXABLE);
    let project = dir.path().join("project");
    let last = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .unwrap_or_else(std::process::id);
    for pid in last + 1..last + 400 {
        std::os::unix::fs::symlink(
            "../victim",
            project.join(format!(".compose.yaml.shipshape-{pid}.tmp")),
        )
        .unwrap();
    }
    let planted = names_in(&project);
    let out = shipshape(&project, &["check", "--fix", "--select", YAML_RULES]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let mode = std::fs::metadata(&victim).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the victim's mode is kept");
    let meta = std::fs::symlink_metadata(project.join("compose.yaml")).unwrap();
    assert!(
        meta.file_type().is_file(),
        "compose.yaml stays a regular file"
    );
    assert_eq!(dir.read("project/compose.yaml"), FIXED);
    assert_eq!(names_in(&project), planted, "no temporary file left");
}

/// A link named for fixing is written through to its target inside the project: the
/// link stays a link, the target is fixed.
#[cfg(unix)]
#[test]
fn fix_writes_through_a_link_inside_the_project() {
    let dir = TempDir::new("link-inside");
    dir.write("shared/base.yml", FIXABLE);
    std::os::unix::fs::symlink("shared/base.yml", dir.path().join("compose.yaml")).unwrap();
    let out = shipshape(
        dir.path(),
        &["check", "compose.yaml", "--fix", "--select", YAML_RULES],
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stderr(&out), "shipshape: fixed 1 problem in 1 file\n");
    let meta = std::fs::symlink_metadata(dir.path().join("compose.yaml")).unwrap();
    assert!(meta.file_type().is_symlink(), "the link stays a link");
    assert_eq!(dir.read("shared/base.yml"), FIXED);
    assert_eq!(names_in(dir.path()), ["compose.yaml", "shared"]);
    assert_eq!(names_in(&dir.path().join("shared")), ["base.yml"]);
}

/// A link to a file outside the project is not written through: the project boundary
/// does not even read it (one line, exit code 2; `fix.rs` refuses such a write again on
/// its own), and the target is untouched.
#[cfg(unix)]
#[test]
fn fix_refuses_a_link_outside_the_project() {
    let dir = TempDir::new("link-outside");
    dir.write("outside/compose.yaml", FIXABLE);
    dir.write("project/README", "");
    let project = dir.path().join("project");
    std::os::unix::fs::symlink("../outside/compose.yaml", project.join("compose.yaml")).unwrap();
    let out = shipshape(
        &project,
        &["check", "compose.yaml", "--fix", "--select", YAML_RULES],
    );
    assert_eq!(code(&out), 2, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        stderr(&out),
        "shipshape: error: compose.yaml: outside the project: not read\n"
    );
    assert_eq!(dir.read("outside/compose.yaml"), FIXABLE);
    assert_eq!(names_in(&project), ["README", "compose.yaml"]);
    assert_eq!(names_in(&dir.path().join("outside")), ["compose.yaml"]);
}

/// A hard-linked file is refused: a rewrite would split it from its other names.
#[cfg(unix)]
#[test]
fn fix_refuses_a_hard_linked_file() {
    let dir = TempDir::new("hard-link");
    let path = dir.write("compose.yaml", FIXABLE);
    std::fs::hard_link(&path, dir.path().join("copy.txt")).unwrap();
    let out = shipshape(dir.path(), &["check", "--fix", "--select", YAML_RULES]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        stderr(&out),
        "shipshape: compose.yaml: has 2 hard links, which a rewrite would split; not fixed\n"
    );
    assert_eq!(dir.read("compose.yaml"), FIXABLE);
    assert_eq!(dir.read("copy.txt"), FIXABLE);
    assert_eq!(names_in(dir.path()), ["compose.yaml", "copy.txt"]);
}

/// A read-only file (0444) is refused, even for root, and left as it is.
#[cfg(unix)]
#[test]
fn fix_refuses_a_read_only_file() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = TempDir::new("read-only");
    let path = dir.write("compose.yaml", FIXABLE);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = shipshape(dir.path(), &["check", "--fix", "--select", YAML_RULES]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    assert_eq!(
        stderr(&out),
        "shipshape: compose.yaml: is read-only; not fixed\n"
    );
    assert_eq!(dir.read("compose.yaml"), FIXABLE);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o444);
    assert_eq!(names_in(dir.path()), ["compose.yaml"]);
}

/// Issue 16, item 14: an OSC 52 sequence (a clipboard write) in a value and in a file
/// name never reaches the terminal raw, in any text format; the caret still sits under
/// the right column of the line that holds it.
#[cfg(unix)]
#[test]
fn terminal_escapes_from_files_and_names_are_shown_escaped() {
    let dir = TempDir::new("escapes");
    let osc = "\x1b]52;c;aGk=\x07";
    dir.write(
        &format!("ev{osc}il/compose.yaml"),
        format!("x: {{a: \"{osc}\u{202e}\", a: 2}}\n"),
    );
    for format in ["human", "concise", "github"] {
        let out = shipshape(
            dir.path(),
            &["check", "--format", format, "--select", YAML_RULES],
        );
        assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
        let text = stdout(&out);
        for raw in ['\x1b', '\x07', '\u{202e}'] {
            assert!(!text.contains(raw), "{format}: raw {raw:?} in {text:?}");
        }
        assert!(
            text.contains("ev\\u{1b}]52;c;aGk=\\u{7}il/compose.yaml"),
            "{format}: {text}"
        );
        let at = if format == "github" {
            "line=1,col=25"
        } else {
            ":1:25"
        };
        assert!(text.contains(at), "{format}: {text}");
    }
    let out = shipshape(dir.path(), &["check", "--select", YAML_RULES]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let source = lines
        .iter()
        .position(|l| l.starts_with("1 ") && l.contains("x: {a:"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        lines[source].contains("\"\\u{1b}]52;c;aGk=\\u{7}\\u{202e}\", a: 2}"),
        "{text}"
    );
    let column = |line: &str, at: usize| line[..at].chars().count();
    let second_key = lines[source].rfind(" a: 2").unwrap() + 1;
    let caret = lines[source + 1].find('^').expect("a caret under the line");
    assert_eq!(
        column(lines[source + 1], caret),
        column(lines[source], second_key),
        "the caret under the second `a`:\n{text}"
    );
    // Errors on stderr name files the same way.
    let missing = format!("gone{osc}.yaml");
    let out = shipshape(dir.path(), &["check", &missing]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("gone\\u{1b}]52"), "{}", stderr(&out));
    assert!(!stderr(&out).contains('\x1b'), "{:?}", stderr(&out));
}

/// The characters a terminal acts on, or that reorder a line (Trojan Source).
const HIDDEN: [char; 5] = ['\x1b', '\x07', '\u{202e}', '\u{9b}', '\u{2066}'];

/// Issue 16, item 14 in the formats machines read and web pages show. JSON keeps every
/// string exactly, with each control and bidirectional character written as a `\uXXXX`
/// escape; SARIF messages and GitLab code quality descriptions and paths show them as
/// `\u{..}`; in a Mermaid or DOT graph a name can neither end its label nor start a
/// line of its own, and two names never share a node.
#[cfg(unix)]
#[test]
fn control_characters_are_escaped_in_machine_formats_and_graphs() {
    let dir = TempDir::new("escapes-machine");
    let osc = "\x1b]52;c;aGk=\x07";
    dir.write(
        &format!("ev{osc}\u{202e}il/compose.yaml"),
        "services:\n  \"web\\u2066\\\"]\\nclick web href \\\"javascript:alert(1)\\\"\\n#<b>\":\n    image: nginx:1.27\n    depends_on: [\"d\\e]52;c;aGk=\\ab\\u202e\\u009b\"]\n",
    );
    dir.write(
        ".gitlab-ci.yml",
        "\"a-b\":\n  script: [x]\n\"a_b\":\n  script: [y]\n  needs: [\"a-b\"]\n\"q\\\"\\n}\\ndigraph evil {\":\n  script: [z]\n",
    );
    let run = |args: &[&str]| {
        let out = shipshape(dir.path(), args);
        let text = stdout(&out);
        for c in HIDDEN {
            assert!(!text.contains(c), "{args:?}: raw {c:?} in {text}");
        }
        text
    };
    let dependency = "d\x1b]52;c;aGk=\x07b\u{202e}\u{9b}";
    // JSON: the same strings to a JSON reader.
    let json: Value = serde_json::from_str(&run(&["check", "--format", "json"])).unwrap();
    let found = &json["diagnostics"][0];
    assert_eq!(found["rule"], "unknown-service-reference", "{json}");
    assert!(
        found["message"].as_str().unwrap().contains(dependency),
        "{json}"
    );
    assert_eq!(found["path"], format!("ev{osc}\u{202e}il/compose.yaml"));
    // SARIF and GitLab: made visible.
    let shown = "d\\u{1b}]52;c;aGk=\\u{7}b\\u{202e}\\u{9b}";
    let sarif: Value = serde_json::from_str(&run(&["check", "--format", "sarif"])).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert!(
        result["message"]["text"].as_str().unwrap().contains(shown),
        "{result}"
    );
    let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "ev%1B%5D52%3Bc%3BaGk%3D%07%E2%80%AEil/compose.yaml");
    let gitlab: Value = serde_json::from_str(&run(&["check", "--format", "gitlab"])).unwrap();
    let issue = &gitlab[0];
    assert!(
        issue["description"].as_str().unwrap().contains(shown),
        "{issue}"
    );
    assert_eq!(
        issue["location"]["path"],
        "ev\\u{1b}]52;c;aGk=\\u{7}\\u{202e}il/compose.yaml"
    );
    // Mermaid: every line is one statement of the graph, none from a name.
    let mermaid = run(&["graph"]);
    for line in mermaid.lines() {
        let line = line.trim_start();
        assert!(
            [
                "flowchart",
                "subgraph",
                "end",
                "classDef",
                "class ",
                "c0_",
                "p0_"
            ]
            .iter()
            .any(|start| line.starts_with(start)),
            "a line a name made: {line:?} in\n{mermaid}"
        );
    }
    assert!(
        mermaid.contains("[\"web\\u{2066}#quot;]\\u{a}click web href #quot;javascript:alert(1)#quot;\\u{a}#35;#lt;b#gt;<br/>nginx:1.27\"]"),
        "{mermaid}"
    );
    assert!(mermaid.contains("p0_a_2db --> p0_a_5fb"), "{mermaid}");
    // DOT: the same, and the quotes of a name escaped.
    let dot = run(&["graph", "--format", "dot"]);
    assert_eq!(
        dot.lines()
            .filter(|l| l.contains("digraph") && !l.contains("label="))
            .count(),
        1,
        "one graph: {dot}"
    );
    assert!(
        dot.contains("[label=\"q\\\"\\\\u{a}}\\\\u{a}digraph evil {\"];"),
        "{dot}"
    );
    assert!(dot.lines().all(|l| !l.starts_with("digraph evil")), "{dot}");
}

/// Issue 16, item 15: a file name with bytes that are not UTF-8 is checked, and shown
/// with those bytes as `\xff` in every format (not U+FFFD, which would make two names
/// one); SARIF's URI has the byte itself, percent-encoded.
#[cfg(unix)]
#[test]
fn file_names_that_are_not_utf8_are_checked_and_shown_escaped() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = TempDir::new("not-utf8-names");
    let named = |bytes: &[u8]| dir.path().join(std::ffi::OsStr::from_bytes(bytes));
    std::fs::create_dir(named(b"d\xff")).unwrap();
    std::fs::write(
        named(b"d\xff/compose.yaml"),
        "services:\n  web:\n    image: nginx:1\n    depends_on: [db]\n",
    )
    .unwrap();
    std::fs::write(
        named(b"docker-compose.\xfe.yml"),
        "services:\n  web:\n    image: nginx:1\n    depends_on: [nope]\n",
    )
    .unwrap();
    let formats = ["human", "concise", "json", "github", "gitlab", "sarif"];
    for format in formats {
        let out = shipshape(dir.path(), &["check", "--format", format]);
        assert_eq!(code(&out), 1, "{format}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.contains('\u{fffd}'), "{format}: {text}");
        let (first, second) = match format {
            "json" | "gitlab" => ("d\\\\xff/compose.yaml", "docker-compose.\\\\xfe.yml"),
            "sarif" => ("d%FF/compose.yaml", "docker-compose.%FE.yml"),
            _ => ("d\\xff/compose.yaml", "docker-compose.\\xfe.yml"),
        };
        assert!(text.contains(first), "{format}: {text}");
        assert!(text.contains(second), "{format}: {text}");
    }
    let graph = stdout(&shipshape(dir.path(), &["graph"]));
    assert!(graph.contains("Compose: d\\xff/compose.yaml"), "{graph}");
}

/// Runs `shipshape check .` in `dir` with `rules` and returns (exit code, concise lines).
fn check_dir(dir: &TempDir, rules: &str) -> (i32, Vec<String>) {
    let out = shipshape(
        dir.path(),
        &["check", ".", "--format", "concise", "--select", rules],
    );
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let lines = stdout(&out).lines().map(str::to_string).collect();
    (code(&out), lines)
}

/// Issue 16, item 5: a 1.6 KB pipeline of twelve templates, each with four `!reference`s
/// to the previous one, is 4^11 script lines once expanded (it took 4.4 GB and aborted).
/// Depth is GitLab's to bound; breadth is the expansion budget's: one finding, and no
/// rule concludes anything from what was not expanded.
#[test]
fn reference_breadth_bomb() {
    let dir = TempDir::new("reference-breadth");
    let mut ci = String::from(".t0:\n  script: [echo a, echo b]\n");
    for i in 1..12 {
        ci.push_str(&format!(".t{i}:\n  script:\n"));
        for _ in 0..4 {
            ci.push_str(&format!("    - !reference [.t{}, script]\n", i - 1));
        }
    }
    ci.push_str("job:\n  script: [!reference [.t11, script]]\n");
    assert!(ci.len() < 1_700);
    dir.write(".gitlab-ci.yml", ci);
    let (code, lines) = check_dir(&dir, "unknown-reference,missing-script,unknown-needs");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            ".gitlab-ci.yml:54:7: error[unknown-reference] expanding !reference would create over 1000000 nodes"
        ]
    );
}

/// The same breadth through `extends`: a template of 10,000 script lines extended by 150
/// jobs is 1.5 million copied values.
#[test]
fn extends_breadth_bomb() {
    let dir = TempDir::new("extends-breadth");
    let mut ci = String::from(".base:\n  script:\n");
    for i in 0..10_000 {
        ci.push_str(&format!("    - echo {i}\n"));
    }
    for i in 0..150 {
        ci.push_str(&format!("j{i}:\n  extends: .base\n"));
    }
    dir.write(".gitlab-ci.yml", ci);
    let (code, lines) = check_dir(&dir, "extends-cycle,missing-script");
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].ends_with(
            "error[extends-cycle] expanding `extends` and `default:` would create over 1000000 nodes"
        ),
        "{lines:?}"
    );
}

/// Compose `extends` copies the base into every service that extends it: a base of 20,000
/// variables extended by 60 services stops at the inherited-items budget (4.7 GB and 38 s
/// before), and the project counts as incomplete.
#[test]
fn compose_extends_breadth() {
    let dir = TempDir::new("compose-extends-breadth");
    let mut compose = String::from("services:\n  base:\n    image: nginx:1\n    environment:\n");
    for i in 0..20_000 {
        compose.push_str(&format!("      V{i}: x\n"));
    }
    for i in 0..60 {
        compose.push_str(&format!("  s{i}:\n    extends: base\n"));
    }
    dir.write("compose.yaml", compose);
    let (code, lines) = check_dir(&dir, "compose-schema,unknown-service-reference");
    assert_eq!((code, lines), (0, Vec::<String>::new()));
}

/// Issue 16, item 6: merging a project looked each service and resource up by a scan
/// (80,000 services took 105 s). The last service's reference still resolves, and a
/// missing one is still found.
#[test]
fn many_services_and_volumes() {
    let dir = TempDir::new("many-services");
    let mut compose = String::from("services:\n");
    for i in 0..20_000 {
        compose.push_str(&format!(
            "  s{i}:\n    image: nginx:1\n    volumes: [v{i}:/data]\n"
        ));
    }
    compose.push_str("  last:\n    image: nginx:1\n    depends_on: [s19999, nope]\nvolumes:\n");
    for i in 0..20_000 {
        compose.push_str(&format!("  v{i}:\n"));
    }
    dir.write("compose.yaml", compose);
    dir.write(
        "compose.override.yaml",
        "services:\n  s0:\n    image: nginx:2\n",
    );
    let (code, lines) = check_dir(&dir, "unknown-service-reference,undefined-resource");
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("nope"), "{lines:?}");
}

/// Ports were compared pairwise: 80,000 services publishing 8080 on addresses of their
/// own took 5.7 s (`ports-80000` in scripts/bench-hostile.sh). Indexed by protocol,
/// interface and port, every clash is still found, and only those: the same address
/// twice, an address against all interfaces, overlapping ranges.
#[test]
fn many_published_ports() {
    let dir = TempDir::new("many-ports");
    let mut compose = String::from("services:\n");
    for i in 0..5_000 {
        compose.push_str(&format!(
            "  s{i}:\n    image: nginx:1\n    ports: [\"127.0.{}.{}:8080:80\"]\n",
            i / 250,
            i % 250
        ));
    }
    compose.push_str(concat!(
        "  again:\n    image: nginx:1\n    ports: [\"127.0.3.7:8080:80\"]\n",
        "  everywhere:\n    image: nginx:1\n    ports: [\"9000-9010:80\"]\n",
        "  inside:\n    image: nginx:1\n    ports: [\"127.0.0.1:9005:80\"]\n",
        "  udp:\n    image: nginx:1\n    ports: [\"127.0.0.1:9005:80/udp\"]\n",
    ));
    dir.write("compose.yaml", compose);
    let (code, lines) = check_dir(&dir, "duplicate-host-port");
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("host port 8080 is already published by service \"s757\""),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("host port 9005 is already published by service \"everywhere\""),
        "{lines:?}"
    );
}

/// Issue 16, item 12: each ignore comment scanned every node of the file (42,000
/// comments took 9.7 s). Every comment still suppresses its line's finding, and one
/// inside a block scalar is still text.
#[test]
fn many_ignore_comments() {
    let dir = TempDir::new("many-ignores");
    let mut compose = String::from("services:\n");
    for i in 0..20_000 {
        compose.push_str(&format!(
            "  s{i}:\n    image: nginx # shipshape: ignore[image-tag]\n"
        ));
    }
    compose.push_str(
        "  last:\n    image: nginx\n    command: |\n      echo # shipshape: ignore[image-tag]\n",
    );
    dir.write("compose.yaml", compose);
    let (code, lines) = check_dir(&dir, "image-tag,unused-ignore");
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("info[image-tag]"), "{lines:?}");
    assert!(lines[0].starts_with("compose.yaml:40003:"), "{lines:?}");
}

/// Issue 16, item 12: `graph` looked every need up by a scan of the jobs (10,000 jobs
/// each needing 50 took 30 s).
#[test]
fn graph_of_many_needs() {
    let dir = TempDir::new("graph-needs");
    let mut ci = String::from("stages: [a, b]\n");
    for i in 0..2_000 {
        ci.push_str(&format!("j{i}:\n  stage: b\n  script: [x]\n"));
        if i >= 50 {
            let needs: Vec<String> = (i - 50..i).map(|k| format!("j{k}")).collect();
            ci.push_str(&format!("  needs: [{}]\n", needs.join(", ")));
        }
    }
    dir.write(".gitlab-ci.yml", ci);
    let out = shipshape(dir.path(), &["graph", "."]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let graph = stdout(&out);
    assert!(graph.contains("j1999"), "{graph}");
    assert!(graph.matches("-->").count() >= 1950 * 50, "{}", graph.len());
}

/// The project boundary the analysis reads within is where `--fix` may write: the checked
/// file's directory and the repository it lies in.
#[test]
fn the_project_roots_are_the_checked_directory_and_its_repository() {
    let dir = TempDir::new("roots");
    let root = std::fs::canonicalize(dir.path()).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    let path = dir.write("a/b/compose.yaml", "services: {}\n");
    let input = shipshape_linter::Input {
        path: std::fs::canonicalize(path).unwrap(),
        name: "b/compose.yaml".into(),
        content: None,
        kind: None,
    };
    let analysis = shipshape_linter::analyze(vec![input], &shipshape_linter::Settings::default());
    let roots = &analysis.workspace.project_roots;
    assert!(roots.contains(&root), "{roots:?}");
    assert!(roots.iter().all(|r| r.starts_with(&root)), "{roots:?}");
}
