//! The language server through the real binary over stdio: initialize, diagnostics on
//! open and change (incremental), code actions, hover, definition, symbols, completion,
//! the files a change links (a Compose file and the pipeline that runs it), malformed
//! input, and shutdown and exit. Each test starts its own server on a small project.

mod support;

use serde_json::{Value, json};
use support::lsp_client::Client;

const COMPOSE: &str = "compose.yaml";
const CI: &str = ".gitlab-ci.yml";
const TEMPLATES: &str = "ci/templates.yml";

/// A job that runs the Compose project with a typo in a service name (`ap`, line 10,
/// column 30) and extends a template; the Compose file uses `${DB_NAME}`, which the
/// pipeline sets.
const TYPO: &[(&str, &str)] = &[
    (
        COMPOSE,
        "services:\n  app:\n    image: example/app:1.0\n    depends_on: [db]\n    environment:\n      DB_URL: postgres://db:5432/${DB_NAME}\n  db:\n    image: postgres:16\n",
    ),
    (
        CI,
        "variables:\n  DB_NAME: shop\n\n.base:\n  image: python:3.12\n\ntest:\n  extends: .base\n  script:\n    - docker compose run --rm ap pytest\n",
    ),
];

/// A clean project whose files point at each other: a pipeline with an include, a
/// `!reference`, `needs`, stages, a CI service with an alias and a Compose command; a
/// Compose file with a network alias, a variable from `.env` and a network.
const LINKED: &[(&str, &str)] = &[
    (
        COMPOSE,
        "services:\n  app:\n    image: example/app:1.0\n    depends_on:\n      db:\n        condition: service_healthy\n    environment:\n      DATABASE_URL: postgres://database:5432/shop\n      API_KEY: ${API_KEY}\n    networks: [backend]\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n    networks:\n      backend:\n        aliases: [database]\nnetworks:\n  backend: {}\n",
    ),
    (".env", "API_KEY=4f9c2a7e1b3d5f60a8c9e2b4d6f8a1c3\n"),
    (
        CI,
        "include:\n  - local: ci/templates.yml\n\nstages: [build, test]\n\ntest:\n  stage: test\n  extends: .python\n  needs: [build]\n  services:\n    - name: postgres:16\n      alias: pg\n  variables:\n    DATABASE_URL: postgres://pg:5432/shop\n  script:\n    - !reference [.setup, script]\n    - docker compose up --exit-code-from app\n",
    ),
    (
        TEMPLATES,
        ".python:\n  image: python:3.12\n\n.setup:\n  script:\n    - echo setup\n\nbuild:\n  stage: build\n  script: [make]\n",
    ),
];

fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

/// A server started on a temporary project of its own; killed on drop if the test did
/// not end it.
struct Session {
    client: Client,
    dir: support::TempDir,
    next_id: i64,
}

impl Session {
    /// Writes the project and starts the server, not yet initialized.
    fn new(files: &[(&str, &str)]) -> Session {
        let dir = support::TempDir::new("lsp");
        for (name, text) in files {
            dir.write(name, text);
        }
        Session {
            client: Client::start(),
            dir,
            next_id: 100,
        }
    }

    /// Writes the project, starts the server and initializes it with the project as root.
    fn start(files: &[(&str, &str)]) -> Session {
        let mut session = Session::new(files);
        let root = session.root();
        session.client.initialize(&root);
        session
    }

    fn root(&self) -> String {
        format!("file://{}", self.dir.path().display())
    }

    fn uri(&self, name: &str) -> String {
        format!("{}/{name}", self.root())
    }

    /// Opens a file of the project as it is on disk; returns the diagnostics published
    /// for it.
    fn open(&mut self, name: &str) -> Value {
        let text = self.dir.read(name);
        let uri = self.uri(name);
        self.client.open(&uri, &text)
    }

    /// A request with a fresh id; the whole response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        self.client.request(self.next_id, method, params)
    }

    /// The result of a request at a position of a file.
    fn at(&mut self, method: &str, name: &str, line: u32, character: u32) -> Value {
        let params =
            json!({"textDocument": {"uri": self.uri(name)}, "position": position(line, character)});
        self.request(method, params)["result"].clone()
    }

    /// The hover text at a position ("" when there is none).
    fn hover(&mut self, name: &str, line: u32, character: u32) -> String {
        let result = self.at("textDocument/hover", name, line, character);
        result["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Where definition from a position leads: the target's URI and start.
    fn definition(&mut self, name: &str, line: u32, character: u32) -> (String, Value) {
        let result = self.at("textDocument/definition", name, line, character);
        (
            result["uri"].as_str().unwrap_or_default().to_string(),
            result["range"]["start"].clone(),
        )
    }

    /// The labels of the completion items at a position.
    fn completion(&mut self, name: &str, line: u32, character: u32) -> Vec<String> {
        let result = self.at("textDocument/completion", name, line, character);
        strings(&result, "label")
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// The document symbols of a file.
    fn symbols(&mut self, name: &str) -> Value {
        let params = json!({"textDocument": {"uri": self.uri(name)}});
        self.request("textDocument/documentSymbol", params)["result"].clone()
    }

    /// An incremental change of an open file: `text` replaces the range on one line.
    fn edit(&mut self, name: &str, version: i32, line: u32, columns: (u32, u32), text: &str) {
        let range = json!({"start": position(line, columns.0), "end": position(line, columns.1)});
        let params = json!({
            "textDocument": {"uri": self.uri(name), "version": version},
            "contentChanges": [{"range": range, "text": text}]
        });
        self.client.notify("textDocument/didChange", params);
    }

    /// `shutdown` is answered, and `exit` then ends the server with success.
    fn shutdown(mut self) {
        let shutdown = self.request("shutdown", Value::Null);
        assert_eq!(shutdown["result"], Value::Null, "{shutdown}");
        self.client.notify("exit", Value::Null);
        let status = self.client.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.client.child.kill();
        let _ = self.client.child.wait();
    }
}

/// The `key` string of each item of a list (a symbol's name, an action's title).
fn strings<'v>(list: &'v Value, key: &str) -> Vec<&'v str> {
    let items = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"));
    items.iter().map(|i| i[key].as_str().unwrap()).collect()
}

/// The rule codes of published diagnostics.
fn codes(published: &Value) -> Vec<&str> {
    strings(&published["diagnostics"], "code")
}

/// A request before `initialize` is refused (-32002), and the server still initializes.
#[test]
fn a_request_before_initialize_is_refused_and_not_fatal() {
    let mut s = Session::new(&[]);
    let early = s.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    let root = s.root();
    let init = s.client.initialize(&root);
    assert!(init["result"]["capabilities"].is_object(), "{init}");
}

/// `initialize` names the server and announces incremental sync and every provider.
#[test]
fn initialize_announces_the_server_and_its_capabilities() {
    let mut s = Session::new(&[]);
    let root = s.root();
    let init = s.request(
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
}

/// Opening a pipeline publishes its findings, checked against the Compose file on disk,
/// with the rule's documentation link and the related Compose file.
#[test]
fn opening_a_pipeline_publishes_findings_with_rule_docs_and_related_files() {
    let mut s = Session::start(TYPO);
    let published = s.open(CI);
    assert_eq!(published["version"], 1);
    let d = &published["diagnostics"][0];
    assert_eq!(d["code"], "unknown-compose-service");
    assert_eq!(d["range"]["start"], position(9, 30));
    let href = d["codeDescription"]["href"].as_str().unwrap();
    assert!(
        href.ends_with("rules/unknown-compose-service/README.md"),
        "{href}"
    );
    assert_eq!(
        d["relatedInformation"][0]["location"]["uri"],
        s.uri(COMPOSE)
    );
}

/// Hover on a finding shows the rule's documentation.
#[test]
fn hover_on_a_finding_shows_the_rule_documentation() {
    let mut s = Session::start(TYPO);
    s.open(CI);
    let text = s.hover(CI, 9, 31);
    assert!(text.contains("# unknown-compose-service"), "{text}");
}

/// Hover on `${VAR}` in a Compose file shows the value the CI job that runs it sets.
#[test]
fn hover_on_a_compose_variable_shows_the_value_set_by_the_ci_job() {
    let mut s = Session::start(TYPO);
    s.open(COMPOSE);
    let text = s.hover(COMPOSE, 5, 36);
    assert!(
        text.contains("`DB_NAME` = `shop` in CI job `test`"),
        "{text}"
    );
}

/// Definition of `extends: .base` leads to the template.
#[test]
fn definition_of_extends_leads_to_the_template() {
    let mut s = Session::start(TYPO);
    s.open(CI);
    assert_eq!(s.definition(CI, 7, 12), (s.uri(CI), position(3, 0)));
}

/// Definition of a service in `depends_on` leads to the service.
#[test]
fn definition_of_depends_on_leads_to_the_service() {
    let mut s = Session::start(TYPO);
    s.open(COMPOSE);
    assert_eq!(
        s.definition(COMPOSE, 3, 17),
        (s.uri(COMPOSE), position(6, 2))
    );
}

/// The symbols of a Compose file are its services.
#[test]
fn document_symbols_of_a_compose_file_are_its_services() {
    let mut s = Session::start(TYPO);
    s.open(COMPOSE);
    let symbols = s.symbols(COMPOSE);
    assert_eq!(strings(&symbols[0]["children"], "name"), ["app", "db"]);
}

/// Completion in `depends_on` offers the other services, not the service itself.
#[test]
fn completion_in_depends_on_offers_the_other_services() {
    let mut s = Session::start(TYPO);
    s.open(COMPOSE);
    assert_eq!(s.completion(COMPOSE, 3, 17), ["db"]);
}

/// The code actions at a finding ignore its rule on the line (a comment above it) or in
/// the file.
#[test]
fn code_actions_on_a_finding_ignore_it_on_the_line_or_in_the_file() {
    let mut s = Session::start(TYPO);
    s.open(CI);
    let ci_uri = s.uri(CI);
    let actions = s.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": ci_uri},
            "range": {"start": position(9, 30), "end": position(9, 32)},
            "context": {"diagnostics": []}
        }),
    );
    assert_eq!(
        strings(&actions["result"], "title"),
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
}

/// An incremental change that fixes the finding publishes the new version with no
/// diagnostics.
#[test]
fn an_incremental_change_that_fixes_the_finding_clears_the_diagnostics() {
    let mut s = Session::start(TYPO);
    assert_eq!(codes(&s.open(CI)), ["unknown-compose-service"]);
    s.edit(CI, 2, 9, (30, 32), "app");
    let published = s.client.diagnostics_for(&s.uri(CI));
    assert_eq!(published["version"], 2);
    assert_eq!(published["diagnostics"], json!([]));
}

/// A burst of 1000 changes: the versions published never go back, the last one is
/// published (clean), and the server stays up.
#[test]
fn a_burst_of_changes_ends_with_the_last_version_published() {
    let mut s = Session::start(TYPO);
    s.open(CI);
    s.edit(CI, 2, 9, (30, 32), "app");
    for v in 3..1003 {
        let text = if v % 2 == 0 { "app" } else { "apx" };
        s.edit(CI, v, 9, (30, 33), text);
    }
    let ci_uri = s.uri(CI);
    let mut last = 0;
    let published = loop {
        let p = s.client.diagnostics_for(&ci_uri);
        let version = p["version"].as_i64().unwrap();
        assert!(version >= last, "version {version} published after {last}");
        last = version;
        if version == 1002 {
            break p;
        }
    };
    assert_eq!(published["diagnostics"], json!([]));
    s.shutdown();
}

/// Malformed JSON is answered with a parse error (-32700, no id), and the server goes on.
#[test]
fn malformed_json_is_answered_with_a_parse_error_and_not_fatal() {
    let mut s = Session::start(&[]);
    s.client.send_raw("{ this is not json");
    let error = loop {
        let m = s.client.recv();
        if m.get("error").is_some() {
            break m;
        }
    };
    assert_eq!(error["error"]["code"], -32700);
    assert_eq!(error["id"], Value::Null);
    s.shutdown();
}

/// An unknown method is answered with -32601, and the server goes on.
#[test]
fn an_unknown_method_is_answered_with_method_not_found_and_not_fatal() {
    let mut s = Session::start(&[]);
    let unknown = s.request("shipshape/unknown", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    s.shutdown();
}

/// A request on a file that is not open is answered with no result, and the server
/// goes on.
#[test]
fn a_request_on_a_file_that_is_not_open_has_no_result_and_is_not_fatal() {
    let mut s = Session::start(TYPO);
    s.open(COMPOSE);
    let not_open = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": s.uri("other.yml")}, "position": position(0, 0)}),
    );
    assert_eq!(not_open["result"], Value::Null, "{not_open}");
    assert!(not_open.get("error").is_none(), "{not_open}");
    s.shutdown();
}

/// Parameters of the wrong shape are answered with -32602, and the server goes on.
#[test]
fn bad_params_are_answered_with_invalid_params_and_not_fatal() {
    let mut s = Session::start(&[]);
    let bad_params = s.request("textDocument/definition", json!({"nonsense": true}));
    assert_eq!(bad_params["error"]["code"], -32602, "{bad_params}");
    s.shutdown();
}

/// Closing a file publishes no diagnostics for it: the Compose file, and the pipeline
/// that had a finding.
#[test]
fn closing_a_file_clears_its_diagnostics() {
    let mut s = Session::start(TYPO);
    assert_eq!(codes(&s.open(CI)), ["unknown-compose-service"]);
    s.open(COMPOSE);
    for name in [COMPOSE, CI] {
        let uri = s.uri(name);
        s.client.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        let cleared = s.client.diagnostics_for(&uri);
        assert_eq!(cleared["diagnostics"], json!([]), "{name}");
    }
}

/// `shutdown` is answered with a null result and `exit` then ends the server with success.
#[test]
fn shutdown_then_exit_ends_the_server_with_success() {
    let mut s = Session::start(TYPO);
    s.open(CI);
    s.shutdown();
}

/// A ten-megabyte buffer is analysed and its findings published.
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

/// Definition of `include: local:` leads to the included file.
#[test]
fn definition_of_an_include_leads_to_the_included_file() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    assert_eq!(s.definition(CI, 1, 14), (s.uri(TEMPLATES), position(0, 0)));
}

/// Definition of `!reference [.setup, script]` leads to the key in the included file.
#[test]
fn definition_of_a_reference_leads_to_the_referenced_key() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    assert_eq!(s.definition(CI, 15, 19), (s.uri(TEMPLATES), position(4, 2)));
}

/// Definition of `needs: [build]` leads to the job in the included file.
#[test]
fn definition_of_needs_leads_to_the_job() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    assert_eq!(s.definition(CI, 8, 10), (s.uri(TEMPLATES), position(7, 0)));
}

/// Definition of `stage: test` leads to the stage in `stages`.
#[test]
fn definition_of_a_stage_leads_to_the_stages_list() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    assert_eq!(s.definition(CI, 6, 10), (s.uri(CI), position(3, 16)));
}

/// Hover on `stage: test` shows the pipeline's order of stages.
#[test]
fn hover_on_a_stage_shows_the_order_of_stages() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    assert_eq!(
        s.hover(CI, 6, 10),
        "stage `test` of the pipeline's .pre → build → test → .post"
    );
}

/// Definition of the service in `docker compose up --exit-code-from app` leads to the
/// service in the Compose file.
#[test]
fn definition_of_a_compose_service_in_a_ci_command_leads_to_the_service() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    assert_eq!(s.definition(CI, 16, 42), (s.uri(COMPOSE), position(1, 2)));
}

/// Hover on the service in a CI command shows the Compose service and its image.
#[test]
fn hover_on_a_compose_service_in_a_ci_command_shows_the_service() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    let text = s.hover(CI, 16, 42);
    assert!(
        text.starts_with("Compose service `app`, image `example/app:1.0`"),
        "{text}"
    );
}

/// Definition of the host `pg` in a CI variable's URL leads to the CI service's alias.
#[test]
fn definition_of_a_host_in_a_ci_url_leads_to_the_ci_service_alias() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    assert_eq!(s.definition(CI, 13, 29), (s.uri(CI), position(11, 13)));
}

/// Hover on the host `pg` in a CI variable's URL shows the CI service and its names.
#[test]
fn hover_on_a_host_in_a_ci_url_shows_the_ci_service() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    let text = s.hover(CI, 13, 29);
    assert!(
        text.starts_with("CI service `postgres:16` (answers to postgres, pg)"),
        "{text}"
    );
}

/// Definition of a host in a Compose URL that is a network alias (`database`) leads to
/// the service (`db`).
#[test]
fn definition_of_a_network_alias_in_a_compose_url_leads_to_the_service() {
    let mut s = Session::start(LINKED);
    s.open(COMPOSE);
    assert_eq!(
        s.definition(COMPOSE, 7, 30),
        (s.uri(COMPOSE), position(10, 2))
    );
}

/// Hover on a network alias in a Compose URL shows the service's names and healthcheck.
#[test]
fn hover_on_a_network_alias_in_a_compose_url_shows_the_service() {
    let mut s = Session::start(LINKED);
    s.open(COMPOSE);
    let text = s.hover(COMPOSE, 7, 30);
    assert!(
        text.contains("reach it as db, database; it has a healthcheck"),
        "{text}"
    );
}

/// Hover on `${API_KEY}` shows its `.env` value, redacted.
#[test]
fn hover_on_a_variable_from_the_env_file_shows_it_redacted() {
    let mut s = Session::start(LINKED);
    s.open(COMPOSE);
    assert_eq!(s.hover(COMPOSE, 8, 20), "`API_KEY` = `4f…c3` in .env");
}

/// Definition of `${API_KEY}` leads to its line in `.env`.
#[test]
fn definition_of_a_variable_from_the_env_file_leads_to_its_line() {
    let mut s = Session::start(LINKED);
    s.open(COMPOSE);
    assert_eq!(
        s.definition(COMPOSE, 8, 20),
        (s.uri(".env"), position(0, 0))
    );
}

/// Definition of `networks: [backend]` leads to the top-level network.
#[test]
fn definition_of_a_network_leads_to_its_declaration() {
    let mut s = Session::start(LINKED);
    s.open(COMPOSE);
    assert_eq!(
        s.definition(COMPOSE, 9, 19),
        (s.uri(COMPOSE), position(18, 2))
    );
}

/// The symbols of a pipeline are its top-level keys and jobs, with the stages under
/// `stages`.
#[test]
fn document_symbols_of_a_pipeline_are_its_keys_stages_and_jobs() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    let symbols = s.symbols(CI);
    assert_eq!(strings(&symbols, "name"), ["include", "stages", "test"]);
    assert_eq!(symbols[1]["children"][1]["name"], "test");
}

/// Completion in `needs` offers the jobs of earlier stages, not the job itself.
#[test]
fn completion_in_needs_offers_the_jobs_of_earlier_stages() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    assert_eq!(s.completion(CI, 8, 10), ["build"]);
}

/// Completion in `stage` offers the pipeline's stages.
#[test]
fn completion_in_stage_offers_the_stages() {
    let mut s = Session::start(LINKED);
    s.open(CI);
    assert_eq!(s.completion(CI, 6, 9), [".post", ".pre", "build", "test"]);
}

/// A full-text change to an open Compose file re-publishes the open pipeline that runs
/// it: renaming `app` leaves `--exit-code-from app` naming no service, at the pipeline's
/// unchanged version.
#[test]
fn changing_a_compose_file_republishes_the_pipeline_that_runs_it() {
    let mut s = Session::start(LINKED);
    assert!(!codes(&s.open(CI)).contains(&"unknown-compose-service"));
    assert_eq!(s.open(COMPOSE)["diagnostics"], json!([]));
    let renamed = s.dir.read(COMPOSE).replace("  app:", "  web:");
    let compose_uri = s.uri(COMPOSE);
    s.client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": compose_uri, "version": 2},
            "contentChanges": [{"text": renamed}]
        }),
    );
    let ci_uri = s.uri(CI);
    let (published, i) = loop {
        let p = s.client.diagnostics_for(&ci_uri);
        if let Some(i) = codes(&p)
            .iter()
            .position(|c| *c == "unknown-compose-service")
        {
            break (p, i);
        }
    };
    assert_eq!(
        published["diagnostics"][i]["range"]["start"],
        position(16, 41)
    );
    // The pipeline file itself did not change: same version.
    assert_eq!(published["version"], 1);
}

/// Hover on a variable shows its `.env` value, masked when the secret scan found a secret
/// in it, whatever the variable's name.
#[test]
fn hover_masks_a_secret_in_the_env_file() {
    const TOKEN: &str = "glpat-Zq8rT3kLm0Vb7Xw2PqAa";
    let env = format!("GL={TOKEN}\n");
    let mut s = Session::start(&[
        (
            COMPOSE,
            "services:\n  app:\n    image: example/app:1.0\n    environment:\n      CLONE: https://x:${GL}@gitlab.example.com/g/p.git\n",
        ),
        (".env", &env),
    ]);
    s.open(COMPOSE);
    let text = s.hover(COMPOSE, 4, 25);
    assert!(text.contains("`GL` = `gl"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
}

/// Hover on a job's name says in which kinds of pipeline it runs, and which rule line
/// leaves it out of the others (issue 18).
#[test]
fn hover_on_a_job_name_shows_where_it_runs() {
    let files: &[(&str, &str)] = &[(
        CI,
        "build:\n  script: make\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n    - if: $CI_COMMIT_TAG\n      when: never\n",
    )];
    let mut s = Session::start(files);
    s.open(CI);
    let hover = s.hover(CI, 0, 2);
    assert!(hover.starts_with("job `build` (stage `test`)"), "{hover}");
    assert!(
        hover.contains("runs in: pushes to the default branch, merge request pipelines"),
        "{hover}"
    );
    assert!(hover.contains("tag pipelines (line 6)"), "{hover}");
    assert!(hover.contains("pushes to other branches"), "{hover}");
}
