//! `include:` entries of a pipeline file (SPEC-domain B3), and the document that holds the
//! pipeline (a file may start with a `spec:` header document).

use shipshape_yaml::{FileId, NodeId, Tree};

use super::value::Origin;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncludeKind {
    Local,
    Project,
    Remote,
    Template,
    Component,
}

impl IncludeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IncludeKind::Local => "local",
            IncludeKind::Project => "project",
            IncludeKind::Remote => "remote",
            IncludeKind::Template => "template",
            IncludeKind::Component => "component",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncludeRef {
    pub kind: IncludeKind,
    /// The path, URL, template or component as written.
    pub target: String,
    /// The node that names it.
    pub origin: Origin,
    /// The entry's `rules:` (a conditional include).
    pub rules: Option<Origin>,
}

/// The pipeline's document: the last one when a file starts with a `spec:` header document,
/// else the first. Returns (pipeline root, header root).
pub fn documents(tree: &Tree) -> (Option<NodeId>, Option<NodeId>) {
    let roots: Vec<Option<NodeId>> = tree.documents.iter().map(|d| d.root).collect();
    match roots.as_slice() {
        [Some(header), rest @ ..]
            if !rest.is_empty()
                && tree.is_mapping(*header)
                && tree.get(*header, "spec").is_some() =>
        {
            (rest.iter().flatten().next().copied(), Some(*header))
        }
        [first, ..] => (*first, None),
        [] => (None, None),
    }
}

/// The `include:` entries of a pipeline document, in order.
pub fn include_refs(file: FileId, tree: &Tree, root: NodeId) -> Vec<IncludeRef> {
    let mut out = Vec::new();
    let Some(include) = tree.value(root, "include") else {
        return out;
    };
    let items: Vec<NodeId> = if tree.is_sequence(include) {
        tree.items(include).to_vec()
    } else {
        vec![include]
    };
    for item in items {
        entry(file, tree, item, &mut out);
    }
    out
}

/// `trigger: include:` of a job: the child pipeline files (local ones).
pub fn trigger_include_refs(file: FileId, tree: &Tree, root: NodeId) -> Vec<IncludeRef> {
    let mut out = Vec::new();
    for job in tree.entries(root) {
        let Some(include) = tree
            .value(job.value, "trigger")
            .and_then(|t| tree.value(t, "include"))
        else {
            continue;
        };
        let items: Vec<NodeId> = if tree.is_sequence(include) {
            tree.items(include).to_vec()
        } else {
            vec![include]
        };
        for item in items {
            entry(file, tree, item, &mut out);
        }
    }
    out
}

fn entry(file: FileId, tree: &Tree, item: NodeId, out: &mut Vec<IncludeRef>) {
    let origin = |node| Origin { file, node };
    let rules = tree.value(item, "rules").map(origin);
    if let Some(text) = tree.scalar(item) {
        let kind = if text.starts_with("http://") || text.starts_with("https://") {
            IncludeKind::Remote
        } else {
            IncludeKind::Local
        };
        out.push(IncludeRef {
            kind,
            target: text.to_string(),
            origin: origin(item),
            rules,
        });
        return;
    }
    for (key, kind) in [
        ("local", IncludeKind::Local),
        ("remote", IncludeKind::Remote),
        ("template", IncludeKind::Template),
        ("component", IncludeKind::Component),
    ] {
        if let Some(v) = tree.value(item, key)
            && let Some(text) = tree.scalar(v)
        {
            out.push(IncludeRef {
                kind,
                target: text.to_string(),
                origin: origin(v),
                rules,
            });
        }
    }
    if let Some(project) = tree.value(item, "project").and_then(|p| tree.scalar(p)) {
        let files: Vec<NodeId> = match tree.value(item, "file") {
            Some(f) if tree.is_sequence(f) => tree.items(f).to_vec(),
            Some(f) => vec![f],
            None => Vec::new(),
        };
        for f in files {
            if let Some(path) = tree.scalar(f) {
                out.push(IncludeRef {
                    kind: IncludeKind::Project,
                    target: format!("{project}:{path}"),
                    origin: origin(f),
                    rules,
                });
            }
        }
    }
}

/// GitLab's include wildcards, on `/`-separated paths relative to the repository root:
/// `*` matches within one directory, `**` across directories. `configs/*.yml` is the
/// folder itself, `configs/**.yml` the folder and its subfolders, `configs/**/*.yml` the
/// subfolders only.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let p = pattern.as_bytes();
    let s = path.as_bytes();
    // Iterative matching with a backtracking point for the last `*` and one for the last
    // `**`: when a `*` cannot stretch over a `/`, an earlier `**` still can
    // (`configs/**/*.yml` on `configs/a/b/x.yml`).
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None; // (pattern after `*`, text position)
    let mut double: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && p[pi] == b'*' {
            if p.get(pi + 1) == Some(&b'*') {
                pi += 2;
                double = Some((pi, si));
                star = None;
            } else {
                pi += 1;
                star = Some((pi, si));
            }
            continue;
        }
        if pi < p.len() && (p[pi] == s[si] || p[pi] == b'?' && s[si] != b'/') {
            pi += 1;
            si += 1;
            continue;
        }
        match (star, double) {
            (Some((next, at)), _) if s[at] != b'/' => {
                star = Some((next, at + 1));
                pi = next;
                si = at + 1;
            }
            (_, Some((next, at))) => {
                double = Some((next, at + 1));
                star = None;
                pi = next;
                si = at + 1;
            }
            _ => return false,
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

pub fn has_wildcard(path: &str) -> bool {
    path.contains('*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitlab_wildcards() {
        assert!(glob_match("configs/*.yml", "configs/a.yml"));
        assert!(!glob_match("configs/*.yml", "configs/x/a.yml"));
        assert!(glob_match("configs/**.yml", "configs/a.yml"));
        assert!(glob_match("configs/**.yml", "configs/x/y/a.yml"));
        assert!(glob_match("configs/**/*.yml", "configs/x/a.yml"));
        assert!(glob_match("configs/**/*.yml", "configs/x/y/.gitlab-ci.yml"));
        assert!(!glob_match("configs/*/*.yml", "configs/x/y/a.yml"));
        assert!(!glob_match("configs/**/*.yml", "configs/a.yml"));
        assert!(!glob_match("configs/*.yml", "other/a.yml"));
        assert!(glob_match(
            ".gitlab/ci/*.gitlab-ci.yml",
            ".gitlab/ci/test.gitlab-ci.yml"
        ));
    }

    #[test]
    fn include_forms() {
        let text = "include:\n  - local: a.yml\n  - b.yml\n  - https://x.io/c.yml\n  - project: g/p\n    file: [d.yml, e.yml]\n  - template: Auto-DevOps.gitlab-ci.yml\n  - component: $CI_SERVER_FQDN/g/c@1\njob:\n  script: [x]\n";
        let p = shipshape_yaml::parse(text);
        let (root, header) = documents(&p.tree);
        assert!(header.is_none());
        let refs = include_refs(FileId(0), &p.tree, root.unwrap());
        let got: Vec<(IncludeKind, &str)> =
            refs.iter().map(|r| (r.kind, r.target.as_str())).collect();
        assert_eq!(
            got,
            [
                (IncludeKind::Local, "a.yml"),
                (IncludeKind::Local, "b.yml"),
                (IncludeKind::Remote, "https://x.io/c.yml"),
                (IncludeKind::Project, "g/p:d.yml"),
                (IncludeKind::Project, "g/p:e.yml"),
                (IncludeKind::Template, "Auto-DevOps.gitlab-ci.yml"),
                (IncludeKind::Component, "$CI_SERVER_FQDN/g/c@1"),
            ]
        );
        let p = shipshape_yaml::parse("spec:\n  inputs: {}\n---\ninclude: x.yml\n");
        let (root, header) = documents(&p.tree);
        assert!(header.is_some());
        assert_eq!(include_refs(FileId(0), &p.tree, root.unwrap()).len(), 1);
    }
}
