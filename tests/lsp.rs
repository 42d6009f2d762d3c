//! The language server through the real binary over stdio: initialize, diagnostics on
//! open and change (incremental), code actions, hover, definition, symbols, completion,
//! the files a change links (a Compose file and the pipeline that runs it), malformed
//! input, and shutdown and exit.

mod support;

use serde_json::{Value, json};
use support::lsp_client::Client;

fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

#[test]
fn a_session_from_initialize_to_exit() {
    let dir = support::TempDir::new("lsp");
    let compose = "services:\n  app:\n    image: example/app:1.0\n    depends_on: [db]\n    environment:\n      DB_URL: postgres://db:5432/${DB_NAME}\n  db:\n    image: postgres:16\n";
    let ci = "variables:\n  DB_NAME: shop\n\n.base:\n  image: python:3.12\n\ntest:\n  extends: .base\n  script:\n    - docker compose run --rm ap pytest\n";
    dir.write("compose.yaml", compose);
    dir.write(".gitlab-ci.yml", ci);
    let root = format!("file://{}", dir.path().display());
    let ci_uri = format!("{root}/.gitlab-ci.yml");
    let compose_uri = format!("{root}/compose.yaml");

    let mut client = Client::start();
    // Requests before initialize are refused, not fatal.
    let early = client.request(0, "textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002);
    let init = client.request(
        1,
        "initialize",
        json!({"processId": null, "rootUri": root, "capabilities": {}}),
    );
    assert_eq!(init["result"]["serverInfo"]["name"], "shipshape");
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    for c in [
        "hoverProvider",
        "definitionProvider",
        "codeActionProvider",
        "documentSymbolProvider",
        "completionProvider",
    ] {
        assert!(!caps[c].is_null(), "{c}");
    }
    client.notify("initialized", json!({}));

    // Open the pipeline: the unknown service is found against compose.yaml on disk.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": ci_uri, "languageId": "yaml", "version": 1, "text": ci}}),
    );
    let published = client.diagnostics_for(&ci_uri);
    assert_eq!(published["version"], 1);
    let d = &published["diagnostics"][0];
    assert_eq!(d["code"], "unknown-compose-service");
    assert_eq!(d["range"]["start"], position(9, 30));
    assert!(
        d["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("rules/unknown-compose-service/README.md")
    );
    assert_eq!(d["relatedInformation"][0]["location"]["uri"], compose_uri);

    // Hover on the finding: the rule's documentation.
    let hover = client.request(
        2,
        "textDocument/hover",
        json!({"textDocument": {"uri": ci_uri}, "position": position(9, 31)}),
    );
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("# unknown-compose-service"), "{text}");
    // Go to definition: `extends: .base` -> the template.
    let def = client.request(
        3,
        "textDocument/definition",
        json!({"textDocument": {"uri": ci_uri}, "position": position(7, 12)}),
    );
    assert_eq!(def["result"]["uri"], ci_uri);
    assert_eq!(def["result"]["range"]["start"], position(3, 0));

    // Open the Compose file: `${DB_NAME}` is set by the job that runs it.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": compose_uri, "languageId": "yaml", "version": 1, "text": compose}}),
    );
    let _ = client.diagnostics_for(&compose_uri);
    let hover = client.request(
        4,
        "textDocument/hover",
        json!({"textDocument": {"uri": compose_uri}, "position": position(5, 36)}),
    );
    let text = hover["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("`DB_NAME` = `shop` in CI job `test`"),
        "{text}"
    );
    // depends_on -> the service.
    let def = client.request(
        5,
        "textDocument/definition",
        json!({"textDocument": {"uri": compose_uri}, "position": position(3, 17)}),
    );
    assert_eq!(def["result"]["range"]["start"], position(6, 2));
    // Symbols of the Compose file: its services.
    let symbols = client.request(
        6,
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": compose_uri}}),
    );
    let services: Vec<&str> = symbols["result"][0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(services, ["app", "db"]);

    // Code actions at the finding: ignore on the line, ignore in the file.
    let actions = client.request(
        7,
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": ci_uri},
            "range": {"start": position(9, 30), "end": position(9, 32)},
            "context": {"diagnostics": []}
        }),
    );
    let titles: Vec<&str> = actions["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Ignore unknown-compose-service on this line",
            "Ignore unknown-compose-service in this file"
        ]
    );
    let edit = &actions["result"][0]["edit"]["changes"][&ci_uri][0];
    assert_eq!(
        edit["newText"],
        "    # shipshape: ignore[unknown-compose-service]\n"
    );

    // Completion of a service name in depends_on.
    let completion = client.request(
        8,
        "textDocument/completion",
        json!({"textDocument": {"uri": compose_uri}, "position": position(3, 17)}),
    );
    let labels: Vec<&str> = completion["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    // `app` itself is not offered.
    assert_eq!(labels, ["db"]);

    // Fix the pipeline with an incremental change: its diagnostics are cleared.
    client.notify("textDocument/didChange", json!({
        "textDocument": {"uri": ci_uri, "version": 2},
        "contentChanges": [{"range": {"start": position(9, 30), "end": position(9, 32)}, "text": "app"}]
    }));
    let published = client.diagnostics_for(&ci_uri);
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"], json!([]));

    // A burst of changes: one analysis of the last version, and the server stays up.
    for v in 3..1003 {
        let text = if v % 2 == 0 { "app" } else { "apx" };
        client.notify("textDocument/didChange", json!({
            "textDocument": {"uri": ci_uri, "version": v},
            "contentChanges": [{"range": {"start": position(9, 30), "end": position(9, 33)}, "text": text}]
        }));
    }
    let published = loop {
        let p = client.diagnostics_for(&ci_uri);
        if p["version"] == 1002 {
            break p;
        }
    };
    assert_eq!(published["diagnostics"], json!([]));

    // Malformed input, unknown methods, a file that is not open: answered, not fatal.
    client.send_raw("{ this is not json");
    let error = loop {
        let m = client.recv();
        if m.get("error").is_some() {
            break m;
        }
    };
    assert_eq!(error["error"]["code"], -32700);
    assert_eq!(error["id"], Value::Null);
    let unknown = client.request(9, "shipshape/unknown", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let not_open = client.request(
        10,
        "textDocument/hover",
        json!({"textDocument": {"uri": format!("{root}/other.yml")}, "position": position(0, 0)}),
    );
    assert_eq!(not_open["result"], Value::Null);
    let bad_params = client.request(11, "textDocument/definition", json!({"nonsense": true}));
    assert_eq!(bad_params["error"]["code"], -32602);

    // Closing clears the file's diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": compose_uri}}),
    );
    let cleared = client.diagnostics_for(&compose_uri);
    assert_eq!(cleared["diagnostics"], json!([]));

    let shutdown = client.request(12, "shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert!(status.success());
}

#[test]
fn a_ten_megabyte_buffer_gets_an_answer() {
    let mut client = Client::start();
    client.request(
        1,
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    let uri = "file:///nowhere/compose.yaml";
    let text = format!(
        "services:\n  web:\n    image: nginx\n    command: \"{}\"\n",
        "x".repeat(10 * 1024 * 1024 - 64)
    );
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    );
    let published = client.diagnostics_for(uri);
    assert_eq!(published["diagnostics"][0]["code"], "image-tag");
    let shutdown = client.request(2, "shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());
}

#[test]
fn navigation_across_the_project_and_linked_files() {
    let dir = support::TempDir::new("lsp-nav");
    let compose = "services:\n  app:\n    image: example/app:1.0\n    depends_on:\n      db:\n        condition: service_healthy\n    environment:\n      DATABASE_URL: postgres://database:5432/shop\n      API_KEY: ${API_KEY}\n    networks: [backend]\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n    networks:\n      backend:\n        aliases: [database]\nnetworks:\n  backend: {}\n";
    let ci = "include:\n  - local: ci/templates.yml\n\nstages: [build, test]\n\ntest:\n  stage: test\n  extends: .python\n  needs: [build]\n  services:\n    - name: postgres:16\n      alias: pg\n  variables:\n    DATABASE_URL: postgres://pg:5432/shop\n  script:\n    - !reference [.setup, script]\n    - docker compose up --exit-code-from app\n";
    let templates = ".python:\n  image: python:3.12\n\n.setup:\n  script:\n    - echo setup\n\nbuild:\n  stage: build\n  script: [make]\n";
    dir.write("compose.yaml", compose);
    dir.write(".env", "API_KEY=4f9c2a7e1b3d5f60a8c9e2b4d6f8a1c3\n");
    dir.write(".gitlab-ci.yml", ci);
    dir.write("ci/templates.yml", templates);
    let root = format!("file://{}", dir.path().display());
    let ci_uri = format!("{root}/.gitlab-ci.yml");
    let compose_uri = format!("{root}/compose.yaml");
    let templates_uri = format!("{root}/ci/templates.yml");

    let mut client = Client::start();
    client.initialize(&root);
    client.open(&ci_uri, ci);
    client.notify("textDocument/didOpen", json!({"textDocument": {"uri": compose_uri, "languageId": "yaml", "version": 1, "text": compose}}));
    assert_eq!(
        client.diagnostics_for(&compose_uri)["diagnostics"],
        json!([])
    );

    let mut id = 10;
    let mut ask = |client: &mut Client, method: &str, uri: &str, line: u32, character: u32| {
        id += 1;
        let params = json!({"textDocument": {"uri": uri}, "position": position(line, character)});
        client.request(id, method, params)["result"].clone()
    };
    let hover_text = |r: Value| {
        r["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let target = |r: Value| {
        (
            r["uri"].as_str().unwrap_or_default().to_string(),
            r["range"]["start"].clone(),
        )
    };

    // The pipeline: include, !reference, needs, stage, a compose service in a command,
    // a host in a URL.
    let def = ask(&mut client, "textDocument/definition", &ci_uri, 1, 14);
    assert_eq!(target(def), (templates_uri.clone(), position(0, 0)));
    let def = ask(&mut client, "textDocument/definition", &ci_uri, 15, 19);
    assert_eq!(
        target(def),
        (templates_uri.clone(), position(4, 2)),
        "!reference [.setup, script]"
    );
    let def = ask(&mut client, "textDocument/definition", &ci_uri, 8, 10);
    assert_eq!(
        target(def),
        (templates_uri.clone(), position(7, 0)),
        "needs: [build]"
    );
    let def = ask(&mut client, "textDocument/definition", &ci_uri, 6, 10);
    assert_eq!(
        target(def),
        (ci_uri.clone(), position(3, 16)),
        "stage: test"
    );
    let text = hover_text(ask(&mut client, "textDocument/hover", &ci_uri, 6, 10));
    assert_eq!(
        text,
        "stage `test` of the pipeline's .pre → build → test → .post"
    );
    let def = ask(&mut client, "textDocument/definition", &ci_uri, 16, 42);
    assert_eq!(
        target(def),
        (compose_uri.clone(), position(1, 2)),
        "--exit-code-from app"
    );
    let text = hover_text(ask(&mut client, "textDocument/hover", &ci_uri, 16, 42));
    assert!(
        text.starts_with("Compose service `app`, image `example/app:1.0`"),
        "{text}"
    );
    let def = ask(&mut client, "textDocument/definition", &ci_uri, 13, 29);
    assert_eq!(
        target(def),
        (ci_uri.clone(), position(11, 13)),
        "the host pg -> its alias"
    );
    let text = hover_text(ask(&mut client, "textDocument/hover", &ci_uri, 13, 29));
    assert!(
        text.starts_with("CI service `postgres:16` (answers to postgres, pg)"),
        "{text}"
    );

    // The Compose file: a host through a network alias, a variable from .env (redacted),
    // a network.
    let def = ask(&mut client, "textDocument/definition", &compose_uri, 7, 30);
    assert_eq!(
        target(def),
        (compose_uri.clone(), position(10, 2)),
        "database -> db"
    );
    let text = hover_text(ask(&mut client, "textDocument/hover", &compose_uri, 7, 30));
    assert!(
        text.contains("reach it as db, database; it has a healthcheck"),
        "{text}"
    );
    let text = hover_text(ask(&mut client, "textDocument/hover", &compose_uri, 8, 20));
    assert_eq!(text, "`API_KEY` = `4f…c3` in .env");
    let def = ask(&mut client, "textDocument/definition", &compose_uri, 8, 20);
    assert_eq!(target(def), (format!("{root}/.env"), position(0, 0)));
    let def = ask(&mut client, "textDocument/definition", &compose_uri, 9, 19);
    assert_eq!(
        target(def),
        (compose_uri.clone(), position(18, 2)),
        "networks: [backend]"
    );

    // Symbols of the pipeline: its stages and jobs.
    let symbols = ask(&mut client, "textDocument/documentSymbol", &ci_uri, 0, 0);
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["include", "stages", "test"]);
    assert_eq!(symbols[1]["children"][1]["name"], "test");

    // Completion: `needs` offers the jobs of earlier stages, not the job itself; `stage`
    // the stages.
    let labels = |r: Value| -> Vec<String> {
        r.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        labels(ask(&mut client, "textDocument/completion", &ci_uri, 8, 10)),
        ["build"]
    );
    assert_eq!(
        labels(ask(&mut client, "textDocument/completion", &ci_uri, 6, 9)),
        [".post", ".pre", "build", "test"]
    );

    // A full-text change to the Compose file re-publishes the pipeline's diagnostics:
    // `--exit-code-from app` now names no service.
    let renamed = compose.replace("  app:", "  web:");
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": compose_uri, "version": 2},
            "contentChanges": [{"text": renamed}]
        }),
    );
    let published = loop {
        let p = client.diagnostics_for(&ci_uri);
        if p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "unknown-compose-service")
        {
            break p;
        }
    };
    let d = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-compose-service")
        .unwrap()
        .clone();
    assert_eq!(d["range"]["start"], position(16, 41));
    // The pipeline file itself did not change: same version.
    assert_eq!(published["version"], 1);

    let shutdown = client.request(99, "shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());
}

/// Hover on a variable shows its `.env` value, masked when the secret scan found a secret
/// in it, whatever the variable's name.
#[test]
fn hover_masks_a_secret_in_the_env_file() {
    const TOKEN: &str = "glpat-Zq8rT3kLm0Vb7Xw2PqAa";
    let dir = support::TempDir::new("lsp-env");
    let compose = "services:\n  app:\n    image: example/app:1.0\n    environment:\n      CLONE: https://x:${GL}@gitlab.example.com/g/p.git\n";
    dir.write("compose.yaml", compose);
    dir.write(".env", format!("GL={TOKEN}\n"));
    let root = format!("file://{}", dir.path().display());
    let compose_uri = format!("{root}/compose.yaml");
    let mut client = Client::start();
    client.initialize(&root);
    client.open(&compose_uri, compose);
    let hover = client.request(
        2,
        "textDocument/hover",
        json!({"textDocument": {"uri": compose_uri}, "position": position(4, 25)}),
    );
    let text = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("`GL` = `gl"), "{hover}");
    assert!(!text.contains(TOKEN), "{text}");
    client.request(3, "shutdown", json!(null));
    client.notify("exit", json!(null));
}
