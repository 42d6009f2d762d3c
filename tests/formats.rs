//! The machine formats against their consumers: SARIF through Microsoft's SARIF
//! Multitool validator and the SARIF 2.1.0 JSON schema, over the example projects and every
//! rule case; GitLab code quality's fields and fingerprints; GitHub workflow commands.
//!
//! The validators are external tools. `.ci/run` installs them (the multitool under
//! `target/tools`, with npm) and sets `SHIPSHAPE_REQUIRE_TOOLS=1`, which makes their
//! absence a failure (as `CI` does); elsewhere the test says it skipped. It never
//! installs anything: `cargo test` does not use the network.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{TempDir, repo_root, shipshape, stdout, tools_required};

/// Microsoft's validator: `$SARIF_MULTITOOL`, or the one `.ci/run` installs under
/// `target/tools`.
fn multitool() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SARIF_MULTITOOL") {
        return Some(PathBuf::from(p));
    }
    let tool = repo_root()
        .join("target/tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    tool.is_file().then_some(tool)
}

/// Every SARIF log to validate: the examples and each rule case, checked in place.
fn sarif_logs(out: &Path) -> Vec<PathBuf> {
    let root = repo_root();
    let mut dirs = vec![
        root.join("examples/banter-bus"),
        root.join("examples/python-pipeline"),
    ];
    for rule in std::fs::read_dir(root.join("rules")).unwrap() {
        let cases = rule.unwrap().path().join("cases");
        for case in std::fs::read_dir(cases).into_iter().flatten() {
            dirs.push(case.unwrap().path());
        }
    }
    dirs.sort();
    dirs.iter()
        .enumerate()
        .map(|(i, dir)| {
            let log = shipshape(dir, &["check", ".", "--format", "sarif"]);
            let path = out.join(format!("{i:03}.sarif"));
            std::fs::write(&path, stdout(&log)).unwrap();
            path
        })
        .collect()
}

#[test]
fn sarif_passes_the_microsoft_validator_and_the_schema() {
    let dir = TempDir::new("sarif");
    let logs = sarif_logs(dir.path());
    assert!(logs.len() > 100);

    // The JSON schema (python's jsonschema, draft 7 as the schema declares).
    let schema = repo_root().join("../shared/schemas/sarif-2.1.0.json");
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\nbad=0\nfor p in sys.argv[2:]:\n    for e in jsonschema.Draft7Validator(schema).iter_errors(json.load(open(p))):\n        bad+=1; print(p, e.message)\nsys.exit(1 if bad else 0)\n";
    match Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&schema)
        .args(&logs)
        .output()
    {
        Ok(out)
            if schema.is_file()
                && String::from_utf8_lossy(&out.stderr).contains("No module named") =>
        {
            assert!(!tools_required(), "python3 has no jsonschema module");
            eprintln!("skipped the schema check: python3 has no jsonschema module");
        }
        Ok(out) if schema.is_file() => assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        _ => {
            assert!(!tools_required(), "python3 or the SARIF schema is missing");
            eprintln!("skipped the schema check: python3 or ../shared/schemas is missing");
        }
    }

    let Some(tool) = multitool() else {
        assert!(!tools_required(), "the SARIF Multitool is not installed");
        eprintln!(
            "skipped: the SARIF Multitool is not installed (`npm install --prefix target/tools \\
             @microsoft/sarif-multitool-linux`, as .ci/run does)"
        );
        return;
    };
    let out = Command::new(&tool)
        .arg("validate")
        .arg(dir.path().join("*.sarif"))
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let errors: Vec<&str> = text.lines().filter(|l| l.contains(": error ")).collect();
    assert!(out.status.success() && errors.is_empty(), "{text}");
    assert!(
        text.contains(&format!("{} files scanned", logs.len())),
        "{text}"
    );
}

#[test]
fn sarif_holds_rules_results_and_fixes() {
    let case = repo_root().join("rules/tab-indentation/cases/fires-tab-after-spaces");
    let log: Value = serde_json::from_str(&stdout(&shipshape(
        &case,
        &["check", ".", "--format", "sarif"],
    )))
    .unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), shipshape_linter::RULES.len());
    assert!(
        rules
            .iter()
            .all(|r| r["help"]["markdown"].as_str().unwrap().starts_with("# "))
    );
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "tab-indentation");
    assert_eq!(
        rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "tab-indentation"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        "%SRCROOT%"
    );
    assert!(result["partialFingerprints"]["shipshape/v1"].is_string());
    assert!(
        result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
            .is_string()
    );
}

#[test]
fn gitlab_code_quality_fingerprints_survive_moved_lines() {
    let dir = TempDir::new("codequality");
    let body = "services:\n  web:\n    image: nginx\n";
    dir.write("compose.yaml", body);
    let report = |dir: &TempDir| -> Vec<Value> {
        serde_json::from_str(&stdout(&shipshape(
            dir.path(),
            &["check", ".", "--format", "gitlab"],
        )))
        .unwrap()
    };
    let before = report(&dir);
    assert_eq!(before.len(), 1);
    let issue = &before[0];
    for key in ["description", "check_name", "fingerprint", "severity"] {
        assert!(issue[key].is_string(), "{key}: {issue}");
    }
    assert_eq!(issue["severity"], "info");
    // The widget shows only the description: it carries the evidence and the advice.
    let description = issue["description"].as_str().unwrap();
    assert!(description.contains(" — help: "), "{description}");
    assert_eq!(issue["location"]["path"], "compose.yaml");
    assert_eq!(issue["location"]["lines"]["begin"], 3);
    // Lines added above move the finding, not its fingerprint.
    dir.write("compose.yaml", format!("# the web tier\n\n{body}"));
    let after = report(&dir);
    assert_eq!(after[0]["location"]["lines"]["begin"], 5);
    assert_eq!(after[0]["fingerprint"], issue["fingerprint"]);
}

#[test]
fn github_workflow_commands_are_escaped() {
    let dir = TempDir::new("github");
    dir.write("compose.yaml", "services:\n  web:\n    image: nginx\n");
    let out = stdout(&shipshape(
        dir.path(),
        &["check", ".", "--format", "github"],
    ));
    // The message keeps `:`; properties would escape it; each note and the help are on a
    // line of their own.
    assert_eq!(
        out,
        "::notice file=compose.yaml,line=3,col=12,endLine=3,endColumn=17,title=shipshape image-tag::image \"nginx\" has no tag, so it means \"nginx:latest\"%0Anote: each pull can bring a different version: builds stop being reproducible and CI can break overnight%0Ahelp: pin a version (\"nginx:1.2.3\") or a digest (\"nginx@sha256:...\")\n"
    );
    let dir = TempDir::new("github-escape");
    dir.write(
        "a,b:c.compose.yaml",
        "services:\n  web:\n    image: nginx\n",
    );
    let out = stdout(&shipshape(
        dir.path(),
        &["check", ".", "--format", "github"],
    ));
    assert!(
        out.starts_with("::notice file=a%2Cb%3Ac.compose.yaml,"),
        "{out}"
    );
}
