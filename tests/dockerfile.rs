//! The Dockerfile, read without Docker (no daemon where the tests run, so the image is not
//! built here): what it copies exists and is in the build context, it copies everything
//! the release build reads, and the image runs the binary the workspace builds, as a user
//! other than root.

mod support;

use support::repo_root;

use std::collections::BTreeSet;
use std::path::Path;

/// One instruction: its keyword (upper case) and the rest, continuation lines joined.
#[derive(Debug)]
struct Instruction {
    keyword: String,
    args: String,
}

/// The instructions of a Dockerfile, by stage (each `FROM` starts one), without comments.
fn stages(text: &str) -> Vec<Vec<Instruction>> {
    let mut stages: Vec<Vec<Instruction>> = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && pending.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => {
                pending.push_str(part);
                pending.push(' ');
            }
            None => {
                pending.push_str(trimmed);
                let (keyword, args) = pending.split_once(' ').unwrap_or((&pending, ""));
                let instruction = Instruction {
                    keyword: keyword.to_ascii_uppercase(),
                    args: args.trim().to_string(),
                };
                if instruction.keyword == "FROM" {
                    stages.push(Vec::new());
                }
                stages
                    .last_mut()
                    .expect("the Dockerfile starts with FROM")
                    .push(instruction);
                pending.clear();
            }
        }
    }
    stages
}

fn dockerfile() -> Vec<Vec<Instruction>> {
    stages(&std::fs::read_to_string(repo_root().join("Dockerfile")).expect("a Dockerfile"))
}

/// A `COPY`: its `--from` stage, its sources and its destination (shell or JSON form).
struct Copy {
    from: Option<String>,
    sources: Vec<String>,
    destination: String,
}

fn copies(stage: &[Instruction]) -> Vec<Copy> {
    stage
        .iter()
        .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
        .map(|i| {
            let mut from = None;
            let mut words: Vec<String> = Vec::new();
            let args = i.args.trim();
            let list: Vec<String> = if args.starts_with('[') {
                serde_json::from_str(args).expect("a JSON array")
            } else {
                args.split_whitespace().map(str::to_string).collect()
            };
            for word in list {
                match word.strip_prefix("--from=") {
                    Some(stage) => from = Some(stage.to_string()),
                    None if word.starts_with("--") => {}
                    None => words.push(word),
                }
            }
            let destination = words.pop().expect("a COPY destination");
            Copy {
                from,
                sources: words,
                destination,
            }
        })
        .collect()
}

/// The repository paths the build context receives (`COPY` without `--from`), as
/// written, without `./` or a trailing `/`.
fn copied_sources(stages: &[Vec<Instruction>]) -> Vec<String> {
    stages
        .iter()
        .flat_map(|s| copies(s))
        .filter(|c| c.from.is_none())
        .flat_map(|c| c.sources)
        .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_string())
        .collect()
}

/// Whether a `.dockerignore` pattern leaves `path` (relative, `/`-separated) out of the
/// context. Only the forms the file uses are understood: a path from the root, and
/// `**/name` (a name at any depth); any other form fails the test, to be taught here.
fn ignores(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    let components: Vec<&str> = path.split('/').collect();
    if let Some(name) = pattern.strip_prefix("**/") {
        assert!(
            !name.contains(['*', '?', '[', '/']),
            "a .dockerignore pattern this test does not read: {pattern}"
        );
        return components.contains(&name);
    }
    assert!(
        !pattern.contains(['*', '?', '[', '!']),
        "a .dockerignore pattern this test does not read: {pattern}"
    );
    let pattern: Vec<&str> = pattern.split('/').collect();
    components.starts_with(&pattern)
}

fn dockerignore() -> Vec<String> {
    std::fs::read_to_string(repo_root().join(".dockerignore"))
        .expect("a .dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn what_the_dockerfile_copies_is_in_the_repository_and_the_context() {
    let sources = copied_sources(&dockerfile());
    assert!(!sources.is_empty());
    let ignore = dockerignore();
    for source in &sources {
        assert!(
            repo_root().join(source).exists(),
            "COPY {source}: not in the repository"
        );
        for pattern in &ignore {
            assert!(
                !ignores(pattern, source),
                "COPY {source}: .dockerignore leaves it out ({pattern})"
            );
        }
    }
    // Build output, installed packages and history stay out of the context.
    for heavy in [
        "target",
        ".git",
        "node_modules",
        "editors/vscode/node_modules",
    ] {
        assert!(
            ignore.iter().any(|p| ignores(p, heavy)),
            ".dockerignore sends {heavy} to the build"
        );
    }
}

/// The top-level paths a file reads with `include_str!`/`include_bytes!`, links followed:
/// the linter reads the rules' READMEs through `crates/shipshape_linter/rule-docs`, a
/// link to `rules/`, which Docker copies as a link, so `rules/` must be copied too.
fn included_top_levels(crates: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let root = std::fs::canonicalize(repo_root()).unwrap();
    for path in support::files_under(crates) {
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for macro_name in ["include_str!(\"", "include_bytes!(\""] {
            for (at, _) in text.match_indices(macro_name) {
                let rest = &text[at + macro_name.len()..];
                let written = &rest[..rest.find('"').unwrap()];
                let target = std::fs::canonicalize(path.parent().unwrap().join(written))
                    .unwrap_or_else(|e| panic!("{}: {written}: {e}", path.display()));
                let relative = target
                    .strip_prefix(&root)
                    .unwrap_or_else(|_| panic!("{}: {written} is outside", path.display()));
                let top = relative.components().next().unwrap();
                out.insert(top.as_os_str().to_string_lossy().into_owned());
            }
        }
    }
    out
}

fn manifest() -> toml::Table {
    toml::from_str(&std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap()).unwrap()
}

#[test]
fn the_build_stage_copies_everything_the_build_reads() {
    let manifest = manifest();
    let mut needed: BTreeSet<String> = ["Cargo.toml", "Cargo.lock"].map(String::from).into();
    let top = |p: &str| p.split('/').next().unwrap().to_string();
    for member in manifest["workspace"]["members"].as_array().unwrap() {
        needed.insert(top(member.as_str().unwrap()));
    }
    for bin in manifest["bin"].as_array().unwrap() {
        needed.insert(top(bin["path"].as_str().unwrap()));
    }
    // Cargo wants the file of every target the manifest names, built or not.
    if let Some(benches) = manifest.get("bench").and_then(|b| b.as_array()) {
        for bench in benches {
            let path = bench.get("path").and_then(|p| p.as_str());
            needed.insert(top(path.unwrap_or("benches")));
        }
    }
    needed.extend(included_top_levels(&repo_root().join("crates")));
    assert!(needed.contains("rules"), "{needed:?}");
    let sources = copied_sources(&dockerfile());
    for path in &needed {
        assert!(
            sources.iter().any(|s| s == path),
            "the build reads {path}, which the Dockerfile does not copy ({sources:?})"
        );
    }
}

#[test]
fn the_image_runs_the_workspace_binary_as_a_user() {
    let manifest = manifest();
    let bins = manifest["bin"].as_array().unwrap();
    let name = bins
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .find(|&n| n == manifest["package"]["name"].as_str().unwrap())
        .expect("the package's binary");
    let stages = dockerfile();
    let [build, image] = stages.as_slice() else {
        panic!("a build stage and the image: {stages:?}")
    };
    let build_name = build[0].args.split_whitespace().last().unwrap();
    let run = build
        .iter()
        .filter(|i| i.keyword == "RUN")
        .map(|i| i.args.as_str())
        .find(|a| a.contains("cargo build"))
        .expect("the build stage runs cargo build");
    assert!(
        run.contains(&format!("--bin {name}")) && run.contains("--locked"),
        "{run}"
    );
    assert!(run.contains("--release"), "{run}");

    let entrypoint: Vec<String> = image
        .iter()
        .filter(|i| i.keyword == "ENTRYPOINT")
        .map(|i| serde_json::from_str(&i.args).expect("ENTRYPOINT in JSON form"))
        .next_back()
        .expect("an ENTRYPOINT");
    let program = Path::new(&entrypoint[0]);
    assert_eq!(program.file_name().unwrap(), name, "{entrypoint:?}");
    // The program is the one copied from the build stage, where the build put it.
    let copied = copies(image)
        .into_iter()
        .find(|c| c.destination == entrypoint[0])
        .expect("the ENTRYPOINT's program is copied in");
    assert_eq!(copied.from.as_deref(), Some(build_name));
    assert!(
        run.contains(&format!("target/release/{name} {}", copied.sources[0])),
        "the build stage leaves target/release/{name} at {}: {run}",
        copied.sources[0]
    );

    let user = image
        .iter()
        .filter(|i| i.keyword == "USER")
        .map(|i| i.args.as_str())
        .next_back()
        .expect("a USER");
    let uid = user.split(':').next().unwrap();
    assert!(uid != "root" && uid != "0", "USER {user}");
    assert!(
        image
            .iter()
            .any(|i| i.keyword == "WORKDIR" && i.args == "/project"),
        "the image works in /project, where the README mounts the files"
    );
}

/// The binary links against the build stage's glibc: the image must have the same Debian
/// release (`rust:1-slim-bookworm` and `debian:bookworm-slim`).
#[test]
fn both_stages_are_the_same_debian_release() {
    let stages = dockerfile();
    let images: Vec<&str> = stages
        .iter()
        .map(|s| s[0].args.split_whitespace().next().unwrap())
        .collect();
    let [build, image] = images.as_slice() else {
        panic!("{images:?}")
    };
    let release = |tag: &str| -> Option<String> {
        tag.split([':', '-'])
            .find(|w| ["bullseye", "bookworm", "trixie"].contains(w))
            .map(str::to_string)
    };
    let built_on = release(build).unwrap_or_else(|| panic!("{build}: no Debian release named"));
    assert_eq!(release(image), Some(built_on), "{build} -> {image}");
}
