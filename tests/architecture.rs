//! ARCHITECTURE.md's promises about the source tree, checked against the tree:
//! the code map names every module and no module that is gone, and the linter's
//! modules depend on each other one way (no cycles).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The modules of a crate's `src/` as the code map names them: `name.rs` for a file
/// module, `name/` for a directory module (`lib.rs` and `main.rs` are the crate).
fn modules(src: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(src).expect("src/ is readable") {
        let entry = entry.expect("a directory entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() {
            out.insert(format!("{name}/"));
        } else if name.ends_with(".rs") && name != "lib.rs" && name != "main.rs" {
            out.insert(name);
        }
    }
    out
}

/// The section of ARCHITECTURE.md under `### `heading``, up to the next heading.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(&format!("### `{heading}`"))
        .unwrap_or_else(|| panic!("ARCHITECTURE.md has no section for {heading}"));
    let body = &doc[start + 4..];
    let end = body.find("\n#").map_or(body.len(), |i| i + 1);
    &body[..end]
}

/// Module names a section mentions in backticks: `` `name.rs` `` and `` `name/` ``
/// at the start of a path (`rules/<group>/...` names the `rules/` directory).
fn named_modules(section: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for quoted in section.split('`').skip(1).step_by(2) {
        for word in quoted.split([',', ' ', '{', '}', '+']) {
            let first = word.split('/').next().unwrap_or("");
            if word.ends_with(".rs") && word.len() > 3 && !word.contains('/') && !word.contains('<')
            {
                out.insert(word.to_string());
            } else if word.contains('/') && !first.is_empty() && !first.contains('.') {
                out.insert(format!("{first}/"));
            }
        }
    }
    out
}

#[test]
fn code_map_names_every_module_and_no_missing_one() {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let crates = [
        ("crates/shipshape_yaml", "crates/shipshape_yaml/src"),
        ("crates/shipshape_model", "crates/shipshape_model/src"),
        ("crates/shipshape_linter", "crates/shipshape_linter/src"),
        ("crates/shipshape_report", "crates/shipshape_report/src"),
        ("crates/shipshape_lsp", "crates/shipshape_lsp/src"),
        ("crates/shipshape/src", "crates/shipshape/src"),
    ];
    let mut problems = Vec::new();
    for (heading, src) in crates {
        let on_disk = modules(&root().join(src));
        let text = section(&doc, heading);
        let named = named_modules(text);
        for m in &on_disk {
            if !named.contains(m) {
                problems.push(format!("{heading}: `{m}` is not in the code map"));
            }
        }
        for m in named.iter().filter(|m| m.ends_with(".rs")) {
            // A file named inside a directory module (`compose/model.rs`) is checked there.
            let exists = on_disk.contains(m)
                || on_disk
                    .iter()
                    .filter(|d| d.ends_with('/'))
                    .any(|d| root().join(src).join(d).join(m).exists());
            if !exists {
                problems.push(format!(
                    "{heading}: the code map names `{m}`, which does not exist"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// For each top-level module of the linter crate, the top-level modules it uses
/// (`crate::name`, `crate::{a, b}`), from every file of the module.
fn linter_module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("crates/shipshape_linter/src");
    let names: BTreeSet<String> = modules(&src)
        .into_iter()
        .map(|m| m.trim_end_matches(".rs").trim_end_matches('/').to_string())
        .collect();
    let mut graph = BTreeMap::new();
    for name in &names {
        let mut text = String::new();
        let file = src.join(format!("{name}.rs"));
        if file.exists() {
            text = std::fs::read_to_string(&file).expect("module source");
        } else {
            for path in walk_rs(&src.join(name)) {
                text.push_str(&std::fs::read_to_string(path).expect("module source"));
            }
        }
        let mut uses = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let listed: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                group[..group.find('}').unwrap_or(group.len())]
                    .split(',')
                    .map(|s| s.trim().split("::").next().unwrap_or(""))
                    .collect()
            } else {
                vec![
                    rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                        .next()
                        .unwrap_or(""),
                ]
            };
            uses.extend(
                listed
                    .into_iter()
                    .filter(|m| names.contains(*m) && *m != name)
                    .map(str::to_string),
            );
        }
        graph.insert(name.clone(), uses);
    }
    graph
}

fn walk_rs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a module directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(walk_rs(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// A cycle through `from`, as the list of modules on it, if there is one.
fn cycle_through(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![(from.to_string(), vec![from.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == from {
                let mut cycle = path.clone();
                cycle.push(from.to_string());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn linter_modules_depend_one_way() {
    let graph = linter_module_graph();
    assert!(
        graph
            .get("analyze")
            .is_some_and(|uses| uses.contains("registry")),
        "the module graph is read: analyze uses registry"
    );
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_through(&graph, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(
        cycles.is_empty(),
        "module cycles in shipshape_linter (move the shared type to the lower module):\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(
        cycle_through(&graph, "a").map(|c| c.join(" -> ")),
        Some("a -> b -> c -> a".to_string())
    );
    assert_eq!(cycle_through(&graph, "d"), None);
}

/// Functions longer than this say why, in a `// Long because:` comment above them.
const LONG_FUNCTION_LINES: usize = 120;

/// Every function of `crates/` over [`LONG_FUNCTION_LINES`] lines (from its signature to
/// its closing brace at the same indentation) has a `// Long because:` comment above it.
#[test]
fn long_functions_say_why() {
    let mut unexplained = Vec::new();
    let mut measured = 0;
    for path in walk_rs(&root().join("crates")) {
        let text = std::fs::read_to_string(&path).expect("source");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let body = line.trim_start();
            let indent = &line[..line.len() - body.len()];
            let is_fn = [
                "fn ",
                "pub fn ",
                "pub(crate) fn ",
                "pub(super) fn ",
                "const fn ",
            ]
            .iter()
            .any(|p| body.starts_with(p));
            if !is_fn || body.ends_with(';') {
                continue;
            }
            let close = format!("{indent}}}");
            let Some(end) = lines[i..].iter().position(|l| *l == close) else {
                continue;
            };
            measured += 1;
            if end < LONG_FUNCTION_LINES {
                continue;
            }
            let above = lines[..i]
                .iter()
                .rev()
                .take_while(|l| {
                    let t = l.trim_start();
                    t.starts_with("//") || t.starts_with("#[")
                })
                .any(|l| l.trim_start().starts_with("// Long because:"));
            if !above {
                unexplained.push(format!(
                    "{}:{}: {} lines",
                    path.strip_prefix(root()).unwrap_or(&path).display(),
                    i + 1,
                    end + 1
                ));
            }
        }
    }
    assert!(measured > 500, "the functions are found ({measured})");
    assert!(
        unexplained.is_empty(),
        "functions over {LONG_FUNCTION_LINES} lines without a `// Long because:` comment:\n{}",
        unexplained.join("\n")
    );
}
