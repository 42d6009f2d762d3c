//! The editor clients of `editors/` against the real server: headless Neovim (Debian's
//! package) with `editors/neovim` opens a bad Compose file and reports the diagnostics it
//! received; `vscode-languageclient`'s way of starting a server (its node module, the
//! extension's dependency) gets the diagnostics of a Compose file; the VS Code extension
//! compiles and packages as a `.vsix` with `scripts/package-vscode.sh`; Helix's
//! `languages.toml` gives shipshape to Helix's Compose, GitLab CI and YAML languages
//! without dropping their default servers, and runs the server the way the binary expects.
//!
//! `.ci/run` installs Neovim and npm, runs `npm ci` in `editors/vscode` and sets
//! `SHIPSHAPE_REQUIRE_TOOLS=1`, which makes their absence a failure; elsewhere those tests
//! are skipped, saying so. The VS Code tests never reach the registry (they use the
//! `node_modules` `npm ci` installed): `cargo test --test editors -- --ignored` runs them,
//! and `.ci/run` does.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{TempDir, repo_root, tool_available, tools_required};

/// Runs `command` to completion, killing it after `limit`.
fn run_with_limit(command: &mut Command, limit: Duration) -> std::process::Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{command:?} did not finish in {limit:?}\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// A Lua string literal of a path.
fn lua_string(path: &Path) -> String {
    format!("{:?}", path.display().to_string())
}

#[test]
fn neovim_receives_the_diagnostics_of_a_bad_compose_file() {
    if !tool_available("nvim", "apt-get install neovim") {
        return;
    }
    let dir = TempDir::new("nvim");
    dir.write(".git/HEAD", "ref: refs/heads/main\n");
    // `image: nginx` runs whatever `latest` is today: the finding reaches Neovim with its
    // position (0-based line and byte column), rule code and source.
    let compose = dir.write(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080:80\"\n",
    );
    let report = dir.path().join("diagnostics.json");
    let init = dir.write(
        "init.lua",
        format!(
            r#"
vim.opt.runtimepath:prepend({editors})
vim.cmd("filetype on")
require("shipshape").setup({{ cmd = {{ {bin}, "lsp" }} }})
vim.api.nvim_create_autocmd("VimEnter", {{
  callback = function()
    local buf = vim.api.nvim_get_current_buf()
    local received = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
    local items = {{}}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      local lsp = d.user_data and d.user_data.lsp or {{}}
      table.insert(items, {{
        lnum = d.lnum, col = d.col, message = d.message, source = d.source,
        severity = d.severity, code = d.code or lsp.code,
      }})
    end
    local clients = {{}}
    for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
      table.insert(clients, {{ name = c.name, root = c.config.root_dir }})
    end
    local file = io.open({report}, "w")
    file:write(vim.fn.json_encode({{
      received = received, filetype = vim.bo[buf].filetype,
      clients = clients, diagnostics = items,
    }}))
    file:close()
    vim.cmd("qa!")
  end,
}})
"#,
            editors = lua_string(&repo_root().join("editors/neovim")),
            bin = lua_string(Path::new(env!("CARGO_BIN_EXE_shipshape"))),
            report = lua_string(&report),
        ),
    );
    let home = dir.path().join("home");
    let out = run_with_limit(
        Command::new("nvim")
            .args(["--headless", "-n", "-i", "NONE", "-u"])
            .arg(&init)
            .arg(&compose)
            .current_dir(dir.path())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdin(Stdio::null()),
        Duration::from_secs(60),
    );
    let text = std::fs::read_to_string(&report).unwrap_or_else(|_| {
        panic!(
            "Neovim wrote no report\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["received"], true, "{report:#}");
    assert_eq!(report["clients"][0]["name"], "shipshape", "{report:#}");
    assert_eq!(
        report["clients"][0]["root"],
        dir.path().display().to_string(),
        "the project root is the directory with .git"
    );
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let image = diagnostics
        .iter()
        .find(|d| d["code"] == "image-tag")
        .unwrap_or_else(|| panic!("no image-tag diagnostic: {report:#}"));
    assert_eq!(image["lnum"], 2);
    assert_eq!(image["col"], 11);
    assert_eq!(image["source"], "shipshape");
    assert!(
        image["message"].as_str().unwrap().contains("nginx"),
        "{image}"
    );
}

/// The languages Helix opens Compose files and pipelines as, with the servers Helix's own
/// `languages.toml` lists for each (helix-editor/helix master, commit
/// 0003a117b46146bc72dd2858503b41f4bf6501ad; `editors/helix/README.md` cites the pull
/// requests): a language's `language-servers` in a user's file replaces that list, so
/// `editors/helix/languages.toml` must repeat it before `shipshape`.
const HELIX_LANGUAGES: &[(&str, &[&str])] = &[
    ("yaml", &["yaml-language-server", "ansible-language-server"]),
    (
        "docker-compose",
        &[
            "docker-compose-langserver",
            "yaml-language-server",
            "docker-language-server",
        ],
    ),
    ("gitlab-ci", &["yaml-language-server", "gitlab-ci-ls"]),
];

fn helix_config() -> toml::Table {
    let text = std::fs::read_to_string(repo_root().join("editors/helix/languages.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

#[test]
fn helix_gives_shipshape_to_its_compose_gitlab_and_yaml_languages() {
    let config = helix_config();
    let languages = config["language"].as_array().unwrap();
    let names: Vec<&str> = languages
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        HELIX_LANGUAGES.iter().map(|(n, _)| *n).collect::<Vec<_>>()
    );
    let readme = std::fs::read_to_string(repo_root().join("editors/helix/README.md")).unwrap();
    for (name, defaults) in HELIX_LANGUAGES {
        let language = languages
            .iter()
            .find(|l| l["name"].as_str() == Some(name))
            .unwrap();
        let servers: Vec<&str> = language["language-servers"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no language-servers"))
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        let mut expected = defaults.to_vec();
        expected.push("shipshape");
        assert_eq!(servers, expected, "{name}: Helix's servers, then shipshape");
        // Only the servers: Helix keeps its own file types, scope and grammar.
        let mut keys: Vec<&str> = language
            .as_table()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["language-servers", "name"], "{name}");
        // The README's table says the same.
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("README has no row for {name}"));
        let listed = row.rsplit('|').nth(1).unwrap();
        let quoted: Vec<String> = expected.iter().map(|s| format!("`{s}`")).collect();
        assert_eq!(listed.trim(), quoted.join(", "), "README row of {name}");
    }
}

#[test]
fn helix_runs_the_server_the_binary_serves() {
    let config = helix_config();
    let server = &config["language-server"]["shipshape"];
    assert_eq!(server["command"].as_str(), Some("shipshape"));
    let args: Vec<&str> = server["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args, ["lsp"]);
    // The same command speaks LSP: it answers `initialize` with its name.
    let mut child = Command::new(env!("CARGO_BIN_EXE_shipshape"))
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    let exit = r#"{"jsonrpc":"2.0","method":"exit"}"#;
    {
        use std::io::Write;
        let stdin = child.stdin.as_mut().unwrap();
        for m in [body, exit] {
            write!(stdin, "Content-Length: {}\r\n\r\n{m}", m.len()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(r#""name":"shipshape""#), "{text}");
}

/// `editors/vscode/node_modules` as `.ci/run`'s `npm ci` installed it, with node and npm;
/// `None` (the test skipped, saying so) when one is missing, a failure under
/// `SHIPSHAPE_REQUIRE_TOOLS`/`CI`.
fn vscode_modules() -> Option<std::path::PathBuf> {
    if !tool_available("node", "apt-get install nodejs")
        || !tool_available("npm", "apt-get install npm")
    {
        return None;
    }
    let modules = repo_root().join("editors/vscode/node_modules");
    if !modules.is_dir() {
        assert!(
            !tools_required(),
            "editors/vscode/node_modules is missing (.ci/run runs npm ci there)"
        );
        eprintln!(
            "skipped: editors/vscode/node_modules is missing (npm ci --prefix editors/vscode)"
        );
        return None;
    }
    Some(modules)
}

/// Runs `node SCRIPT ARGS` and parses the one JSON object it prints.
fn node_json(script: &Path, args: &[&std::ffi::OsStr]) -> Value {
    let out = run_with_limit(
        Command::new("node").arg(script).args(args),
        Duration::from_secs(120),
    );
    assert!(
        out.status.success(),
        "node {}\nstdout: {}\nstderr: {}",
        script.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The extension's client starts the server as `vscode-languageclient` starts an
/// executable with `TransportKind.stdio`: `editors/vscode/test/client-smoke.js` uses the
/// library's own protocol connection and copies its spawn (`shipshape lsp --stdio`, in
/// the workspace folder), checking first that the installed
/// `vscode-languageclient/lib/node/main.js` still builds the command line so. A Compose
/// file with an untagged image gets its diagnostic; shutdown and exit end the server
/// cleanly.
#[test]
#[ignore = "needs editors/vscode/node_modules (npm ci); .ci/run runs it"]
fn vscode_languageclient_starts_the_server_and_gets_diagnostics() {
    let Some(_) = vscode_modules() else {
        return;
    };
    let source =
        std::fs::read_to_string(repo_root().join("editors/vscode/src/extension.ts")).unwrap();
    assert!(
        source.contains(r#"{ command, args: ["lsp"], transport: TransportKind.stdio }"#),
        "client-smoke.js copies the extension's ServerOptions; update it with them"
    );
    let dir = TempDir::new("vscode-client");
    dir.write(".git/HEAD", "ref: refs/heads/main\n");
    let compose = dir.write(
        "compose.yaml",
        "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080:80\"\n",
    );
    let bin = Path::new(env!("CARGO_BIN_EXE_shipshape"));
    let report = node_json(
        &repo_root().join("editors/vscode/test/client-smoke.js"),
        &[bin.as_os_str(), dir.path().as_os_str(), compose.as_os_str()],
    );
    assert_eq!(
        report["command"],
        serde_json::json!([bin.display().to_string(), "lsp", "--stdio"]),
        "{report:#}"
    );
    assert_eq!(report["cwd"], dir.path().display().to_string());
    assert_eq!(report["serverName"], "shipshape");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let image = diagnostics
        .iter()
        .find(|d| d["code"] == "image-tag")
        .unwrap_or_else(|| panic!("no image-tag diagnostic: {report:#}"));
    assert_eq!(image["range"]["start"]["line"], 2);
    assert_eq!(image["range"]["start"]["character"], 11);
    assert_eq!(image["source"], "shipshape");
    assert_eq!(report["exitCode"], 0, "{report:#}");
    assert_eq!(report["stderr"], "", "{report:#}");
}

/// `scripts/package-vscode.sh --offline` in a copy of `editors/vscode` with the
/// `node_modules` `.ci/run` installed there (`npm ci`: the test itself never reaches the
/// registry), then the `.vsix` itself, read by `editors/vscode/test/vsix-contents.js`:
/// the bundled client, the icon, the README and license, nothing from `node_modules`,
/// and the Marketplace / Open VSX metadata of its manifest.
#[test]
#[ignore = "compiles and packages the extension (a minute); .ci/run runs it"]
fn the_vscode_extension_compiles_and_packages() {
    let Some(modules) = vscode_modules() else {
        return;
    };
    let dir = TempDir::new("vscode");
    let source = repo_root().join("editors/vscode");
    for name in [
        "package.json",
        "package-lock.json",
        "tsconfig.json",
        ".vscodeignore",
        "README.md",
        "LICENSE",
        "images/icon.png",
        "src/extension.ts",
        "test/client-smoke.js",
    ] {
        dir.write(name, std::fs::read(source.join(name)).unwrap());
    }
    std::os::unix::fs::symlink(&modules, dir.path().join("node_modules")).unwrap();
    let vsix = dir.path().join("shipshape.vsix");
    let out = run_with_limit(
        Command::new(repo_root().join("scripts/package-vscode.sh"))
            .arg("--dir")
            .arg(dir.path())
            .arg("--offline")
            .arg(&vsix),
        Duration::from_secs(600),
    );
    assert!(
        out.status.success(),
        "scripts/package-vscode.sh\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let contents = node_json(&source.join("test/vsix-contents.js"), &[vsix.as_os_str()]);
    let files: Vec<&str> = contents["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for file in [
        "extension.vsixmanifest",
        "extension/package.json",
        "extension/readme.md",
        "extension/LICENSE.txt",
        "extension/images/icon.png",
        "extension/out/extension.js",
    ] {
        assert!(files.contains(&file), "{file} is not packaged: {files:?}");
    }
    assert!(
        !files
            .iter()
            .any(|f| f.contains("node_modules") || f.contains("/src/") || f.contains("/test/")),
        "only the bundle is packaged: {files:?}"
    );
    let manifest = &contents["packageJson"];
    assert_eq!(manifest["main"], "./out/extension.js");
    assert_eq!(manifest["publisher"], "shipshape");
    assert_eq!(manifest["license"], "MIT OR Apache-2.0");
    assert_eq!(manifest["icon"], "images/icon.png");
    assert!(
        manifest["repository"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(manifest["engines"]["vscode"].is_string());
    assert!(!manifest["categories"].as_array().unwrap().is_empty());
    assert!(manifest["keywords"].as_array().unwrap().len() >= 3);
    // The binary comes from PATH unless the setting names it.
    assert_eq!(
        manifest["contributes"]["configuration"]["properties"]["shipshape.path"]["default"],
        "shipshape"
    );
    let vsixmanifest = contents["manifest"].as_str().unwrap();
    for expected in [
        r#"Publisher="shipshape""#,
        "<Categories>Linters</Categories>",
        r#"Path="extension/images/icon.png""#,
        r#"Path="extension/readme.md""#,
        r#"Path="extension/LICENSE.txt""#,
    ] {
        assert!(
            vsixmanifest.contains(expected),
            "{expected} missing:\n{vsixmanifest}"
        );
    }
    // A 128x128 PNG at least, as the Marketplace asks, and small.
    let icon = std::fs::read(source.join("images/icon.png")).unwrap();
    assert_eq!(&icon[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(icon[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(icon[20..24].try_into().unwrap());
    assert!(width >= 128 && height >= 128, "{width}x{height}");
    assert!(icon.len() < 16 * 1024, "{} bytes", icon.len());
    let bundle = std::fs::read_to_string(dir.path().join("out/extension.js")).unwrap();
    assert!(
        bundle.contains("\"lsp\""),
        "the client starts `shipshape lsp`"
    );
}
