//! Small things several rules need.

use shipshape_yaml::{NodeId, NodeKind, Span, Tree};

/// The span of the key a node is the value of (its own span when it is not a value).
pub fn key_span(tree: &Tree, node: NodeId) -> Span {
    let Some(parent) = tree.parent(node) else {
        return tree.node(node).span;
    };
    if let NodeKind::Mapping { .. } = tree.node(parent).kind
        && let Some(e) = tree.raw_entries(parent).iter().find(|e| e.value == node)
    {
        return tree.node(e.key).span;
    }
    tree.node(node).span
}

/// `"a", "b" and "c"`
pub fn quoted_and(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "did you mean \"x\"?" for the nearest candidate, if one is near enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    crate::text::nearest(name, candidates).map(|n| format!("did you mean \"{n}\"?"))
}
