//! Document symbols: a pipeline's jobs (templates apart) and stages; a Compose file's
//! services, networks, volumes, secrets and configs.

use lsp_types::{DocumentSymbol, DocumentSymbolParams, SymbolKind};
use serde_json::Value as Json;
use shipshape_linter::FileKind;
use shipshape_model::gitlab::include::documents;
use shipshape_model::gitlab::keywords::TOP_LEVEL_KEYWORDS;
use shipshape_yaml::{NodeId, SourceFile, Tree};

use crate::convert;
use crate::server::Snapshot;

#[allow(deprecated)]
fn symbol(
    source: &SourceFile,
    tree: &Tree,
    key: NodeId,
    value: NodeId,
    kind: SymbolKind,
    detail: Option<String>,
    children: Vec<DocumentSymbol>,
) -> DocumentSymbol {
    let whole = tree.node(key).span.cover(tree.node(value).span);
    DocumentSymbol {
        name: tree.key_text(key),
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: convert::range(source, whole),
        selection_range: convert::range(source, tree.node(key).span),
        children: (!children.is_empty()).then_some(children),
    }
}

/// The entries of a mapping, each as a symbol of `kind`.
fn entries(source: &SourceFile, tree: &Tree, map: NodeId, kind: SymbolKind) -> Vec<DocumentSymbol> {
    tree.raw_entries(map)
        .iter()
        .map(|e| symbol(source, tree, e.key, e.value, kind, None, Vec::new()))
        .collect()
}

// Long because: one outline per file kind (GitLab: stages, jobs, templates; Compose:
// services and the five resource kinds), built from the same tree walk.
pub fn document_symbols(snapshot: &Snapshot, params: Json) -> Result<Json, String> {
    let p: DocumentSymbolParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let Some(file) = snapshot.file_of(&p.text_document.uri) else {
        return Ok(Json::Null);
    };
    let f = snapshot.analysis.workspace.file(file);
    let Some(tree) = f.tree() else {
        return Ok(Json::Array(Vec::new()));
    };
    let source = &f.source;
    let mut out = Vec::new();
    match f.kind {
        FileKind::GitlabCi => {
            let Some(root) = documents(tree).0.filter(|&r| tree.is_mapping(r)) else {
                return Ok(Json::Array(Vec::new()));
            };
            for e in tree.raw_entries(root) {
                let key = tree.key_text(e.key);
                if key == "stages" {
                    let stages = tree
                        .items(e.value)
                        .iter()
                        .filter_map(|&i| {
                            #[allow(deprecated)]
                            Some(DocumentSymbol {
                                name: tree.scalar(i)?.to_string(),
                                detail: None,
                                kind: SymbolKind::ENUM_MEMBER,
                                tags: None,
                                deprecated: None,
                                range: convert::range(source, tree.node(i).span),
                                selection_range: convert::range(source, tree.node(i).span),
                                children: None,
                            })
                        })
                        .collect();
                    out.push(symbol(
                        source,
                        tree,
                        e.key,
                        e.value,
                        SymbolKind::ENUM,
                        None,
                        stages,
                    ));
                } else if TOP_LEVEL_KEYWORDS.contains(&key.as_str()) {
                    let children = if tree.is_mapping(e.value) {
                        entries(source, tree, e.value, SymbolKind::PROPERTY)
                    } else {
                        Vec::new()
                    };
                    out.push(symbol(
                        source,
                        tree,
                        e.key,
                        e.value,
                        SymbolKind::NAMESPACE,
                        None,
                        children,
                    ));
                } else if tree.is_mapping(tree.resolve(e.value)) {
                    let (kind, detail) = if key.starts_with('.') {
                        (SymbolKind::INTERFACE, Some("template".to_string()))
                    } else {
                        let stage = tree
                            .value(e.value, "stage")
                            .and_then(|s| tree.scalar(s))
                            .unwrap_or("test");
                        (SymbolKind::FUNCTION, Some(format!("stage {stage}")))
                    };
                    out.push(symbol(
                        source,
                        tree,
                        e.key,
                        e.value,
                        kind,
                        detail,
                        Vec::new(),
                    ));
                }
            }
        }
        FileKind::Compose => {
            let Some(root) = tree.root().filter(|&r| tree.is_mapping(r)) else {
                return Ok(Json::Array(Vec::new()));
            };
            for e in tree.raw_entries(root) {
                let key = tree.key_text(e.key);
                let child_kind = match key.as_str() {
                    "services" => SymbolKind::CLASS,
                    "networks" | "volumes" | "secrets" | "configs" | "models" => {
                        SymbolKind::VARIABLE
                    }
                    _ => continue,
                };
                let children = if tree.is_mapping(e.value) {
                    tree.raw_entries(e.value)
                        .iter()
                        .map(|s| {
                            let detail = (child_kind == SymbolKind::CLASS)
                                .then(|| {
                                    tree.value(s.value, "image")
                                        .and_then(|i| tree.scalar(i))
                                        .map(str::to_string)
                                })
                                .flatten();
                            symbol(source, tree, s.key, s.value, child_kind, detail, Vec::new())
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                out.push(symbol(
                    source,
                    tree,
                    e.key,
                    e.value,
                    SymbolKind::NAMESPACE,
                    None,
                    children,
                ));
            }
        }
        _ => {}
    }
    Ok(serde_json::to_value(out).expect("serializes"))
}
