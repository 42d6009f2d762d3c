//! Fingerprints that follow a finding, not its line: they stay the same when unrelated
//! lines are added or removed above it (GitLab code quality compares them between
//! pipelines to say what is new; SARIF consumers match results with them).

use shipshape_linter::{AnalyzedFile, Diagnostic, FileKind, Workspace};
use shipshape_yaml::{FileId, NodeId, ParsedYaml, Span, Tree};

/// FNV-1a, 64 bits: stable across Rust versions and platforms (unlike `DefaultHasher`).
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The smallest node whose span holds `span`, and its YAML path (`services.web.image`).
fn yaml_path(tree: &Tree, span: Span) -> String {
    let mut best: Option<(NodeId, u32)> = None;
    for id in tree.ids() {
        let s = tree.node(id).span;
        if s.start <= span.start && span.end <= s.end {
            let len = s.end - s.start;
            if best.is_none_or(|(_, l)| len <= l) {
                best = Some((id, len));
            }
        }
    }
    best.map(|(id, _)| tree.path_string(id)).unwrap_or_default()
}

/// The file's YAML parsed again, when the analysis read it as YAML and dropped its tree
/// (a walk analysed in parts keeps only the text of each part's files: `Workspace::slim`).
fn parse_again(file: &AnalyzedFile) -> Option<ParsedYaml> {
    let yaml = file.unreadable.is_none() && file.kind != FileKind::DotEnv;
    yaml.then(|| shipshape_yaml::parse(&file.source.text))
}

/// One fingerprint per diagnostic, in order: a hash of the rule, the file's name, the YAML
/// path of the node it is on, and the text it covers (hashed: a secret's fingerprint must
/// not hold the secret), numbered when several findings share all of these.
pub fn fingerprints(ws: &Workspace, diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut seen: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    // The tree of the last file met again, for a file whose tree the analysis dropped.
    let mut reparsed: Option<(FileId, Option<ParsedYaml>)> = None;
    diagnostics
        .iter()
        .map(|d| {
            let file = ws.file(d.file());
            let span = d.primary.span;
            let text = file.source.text.get(span.range()).unwrap_or("");
            let text_hash = fnv1a(&[text.as_bytes()]).to_le_bytes();
            let tree = match file.tree() {
                Some(tree) => Some(tree),
                None => {
                    if reparsed.as_ref().is_none_or(|(id, _)| *id != file.id()) {
                        reparsed = Some((file.id(), parse_again(file)));
                    }
                    reparsed
                        .as_ref()
                        .and_then(|(_, p)| p.as_ref())
                        .map(|p| &p.tree)
                }
            };
            let path = tree.map(|t| yaml_path(t, span)).unwrap_or_default();
            let base = fnv1a(&[
                d.rule.as_str().as_bytes(),
                file.source.name.as_bytes(),
                path.as_bytes(),
                &text_hash,
                d.message.as_bytes(),
            ]);
            let n = seen.entry(base).or_insert(0);
            *n += 1;
            format!("{:016x}", fnv1a(&[&base.to_le_bytes(), &n.to_le_bytes()]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
    }
}
