//! The spanned YAML tree: a flat arena of nodes, built by `crate::parse`.
//!
//! Nodes are stored in document order (a collection comes before its children), children
//! are contiguous ranges of two side vectors, and nothing here recurses over user-controlled
//! depth. Aliases stay alias nodes (never copied), so a billion-laughs file costs what it
//! weighs. Merge keys (`<<`) are resolved once, when their mapping closes: a mapping's
//! [`Tree::entries`] are its effective entries, each merged one remembering where it came
//! from, while [`Tree::raw_entries`] are the entries as written.

use std::fmt::Write as _;

use crate::Span;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

impl ScalarStyle {
    pub fn is_quoted(self) -> bool {
        matches!(self, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
    }

    pub fn is_block(self) -> bool {
        matches!(self, ScalarStyle::Literal | ScalarStyle::Folded)
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    /// For scalars: the scalar as written (quotes included, properties like `&a` or `!tag`
    /// excluded; block scalars from their first content line to their last). For
    /// collections: from the first property or indicator to the closing bracket (flow) or
    /// the end of the last child (block). For aliases: `*name`.
    pub span: Span,
    pub parent: Option<NodeId>,
    /// Index of the node's tag and anchor in the tree's `props` ([`NO_PROPS`] for the
    /// nearly all nodes that have neither): read them with [`Tree::tag`] and
    /// [`Tree::anchor`].
    pub(crate) props: u32,
    pub kind: NodeKind,
}

/// What [`Tree::key_text`] calls a key that is not a scalar.
pub const COMPLEX_KEY: &str = "<complex key>";

/// `Node::props` of a node without a tag or an anchor.
pub(crate) const NO_PROPS: u32 = u32::MAX;

/// A node's properties, kept aside: a workspace holds millions of nodes and few have any.
#[derive(Clone, Debug)]
pub(crate) struct Props {
    /// The tag as written, `!reference`, `!reset`, `!!str`.
    pub(crate) tag: Option<Box<str>>,
    /// Span of `&name` when the node is anchored.
    pub(crate) anchor: Option<Span>,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    /// The value (quotes, escapes and folding resolved) is `value` of the tree's scalar
    /// text: read it with [`Tree::scalar`].
    Scalar {
        value: Range32,
        style: ScalarStyle,
    },
    Sequence {
        items: Range32,
    },
    Mapping {
        raw: Range32,
        resolved: Range32,
    },
    /// `*name`; `target` is the anchored node (None only if the parser let an unknown
    /// anchor through, which it does not).
    Alias {
        target: Option<NodeId>,
    },
}

/// A half-open range into one of the tree's side vectors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Range32 {
    pub start: u32,
    pub end: u32,
}

impl Range32 {
    pub(crate) fn of(start: usize, end: usize) -> Range32 {
        Range32 {
            start: start as u32,
            end: end as u32,
        }
    }

    fn get<T>(self, v: &[T]) -> &[T] {
        v.get(self.start as usize..self.end as usize).unwrap_or(&[])
    }

    pub(crate) fn str(self, text: &str) -> &str {
        text.get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }
}

/// A mapping entry. In [`Tree::entries`], `merged_from` is set for entries that a `<<`
/// merge key brought in: it is the alias (or inline mapping) in this mapping's `<<` value,
/// while `key` and `value` keep their spans where the anchor defined them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
    pub merged_from: Option<NodeId>,
}

#[derive(Clone, Debug)]
pub struct Document {
    /// None for a stream position that held no node (an empty document).
    pub root: Option<NodeId>,
    pub span: Span,
    /// Whether the document began with an explicit `---`.
    pub explicit_start: bool,
}

/// The same key twice in one mapping, both occurrences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub mapping: NodeId,
    pub first: NodeId,
    pub repeated: NodeId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

#[derive(Clone, Debug, Default)]
pub struct Tree {
    pub(crate) nodes: Vec<Node>,
    pub(crate) items: Vec<NodeId>,
    pub(crate) entries: Vec<Entry>,
    pub(crate) props: Vec<Props>,
    /// Every scalar's value, one after the other (one buffer instead of a heap string per
    /// scalar).
    pub(crate) scalar_text: String,
    pub documents: Vec<Document>,
    pub duplicates: Vec<DuplicateKey>,
}

/// Alias chains cannot form in valid YAML (an alias has no properties), but the tree never
/// trusts its input to be valid.
const MAX_ALIAS_HOPS: usize = 16;

impl Tree {
    /// Gives back the vectors' unused capacity once the tree is built.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.nodes.shrink_to_fit();
        self.items.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.props.shrink_to_fit();
        self.scalar_text.shrink_to_fit();
        self.documents.shrink_to_fit();
        self.duplicates.shrink_to_fit();
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// All node ids in document order.
    pub fn ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// The first document's root, where most files keep everything.
    pub fn root(&self) -> Option<NodeId> {
        self.documents.first().and_then(|d| d.root)
    }

    /// Follows aliases to the node they name.
    pub fn resolve(&self, mut id: NodeId) -> NodeId {
        for _ in 0..MAX_ALIAS_HOPS {
            match self.node(id).kind {
                NodeKind::Alias { target: Some(t) } => id = t,
                _ => return id,
            }
        }
        id
    }

    /// The scalar's value, through aliases.
    pub fn scalar(&self, id: NodeId) -> Option<&str> {
        match &self.node(self.resolve(id)).kind {
            NodeKind::Scalar { value, .. } => Some(value.str(&self.scalar_text)),
            _ => None,
        }
    }

    /// The value of scalar node `id` itself, aliases not followed (a walk over every
    /// node that visits each written scalar once).
    pub fn scalar_at(&self, id: NodeId) -> Option<&str> {
        match &self.node(id).kind {
            NodeKind::Scalar { value, .. } => Some(value.str(&self.scalar_text)),
            _ => None,
        }
    }

    pub fn scalar_style(&self, id: NodeId) -> Option<ScalarStyle> {
        match &self.node(self.resolve(id)).kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// A plain (unquoted) scalar that YAML reads as null: empty, `~`, `null`.
    pub fn is_null(&self, id: NodeId) -> bool {
        let resolved = self.resolve(id);
        match &self.node(resolved).kind {
            NodeKind::Scalar { value, style } => {
                *style == ScalarStyle::Plain
                    && self.tag(resolved).is_none()
                    && crate::scalar::is_null(value.str(&self.scalar_text))
            }
            _ => false,
        }
    }

    pub fn is_mapping(&self, id: NodeId) -> bool {
        matches!(self.node(self.resolve(id)).kind, NodeKind::Mapping { .. })
    }

    pub fn is_sequence(&self, id: NodeId) -> bool {
        matches!(self.node(self.resolve(id)).kind, NodeKind::Sequence { .. })
    }

    pub fn is_alias(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, NodeKind::Alias { .. })
    }

    /// The tag as written (`!reference`, `!reset`, `!!str`), of this node (not through
    /// aliases).
    pub fn tag(&self, id: NodeId) -> Option<&str> {
        self.props_of(id)?.tag.as_deref()
    }

    /// The span of the node's `&name`.
    pub fn anchor(&self, id: NodeId) -> Option<Span> {
        self.props_of(id)?.anchor
    }

    fn props_of(&self, id: NodeId) -> Option<&Props> {
        self.props.get(self.node(id).props as usize)
    }

    /// A sequence's items, through aliases; empty for anything else.
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.node(self.resolve(id)).kind {
            NodeKind::Sequence { items } => items.get(&self.items),
            _ => &[],
        }
    }

    /// A mapping's effective entries, through aliases: merge keys applied, a repeated key
    /// counted once (its last value, as YAML loaders keep). Empty for anything else.
    pub fn entries(&self, id: NodeId) -> &[Entry] {
        match self.node(self.resolve(id)).kind {
            NodeKind::Mapping { resolved, .. } => resolved.get(&self.entries),
            _ => &[],
        }
    }

    /// A mapping's entries as written: `<<` keys and repeated keys included.
    pub fn raw_entries(&self, id: NodeId) -> &[Entry] {
        match self.node(self.resolve(id)).kind {
            NodeKind::Mapping { raw, .. } => raw.get(&self.entries),
            _ => &[],
        }
    }

    /// The effective entry for a key (scalar keys only).
    pub fn get(&self, map: NodeId, key: &str) -> Option<&Entry> {
        self.entries(map)
            .iter()
            .find(|e| self.scalar_is(e.key, key))
    }

    /// `self.scalar(id) == Some(text)`, comparing lengths first: every keyword lookup
    /// of every rule goes through here.
    fn scalar_is(&self, id: NodeId, text: &str) -> bool {
        match self.node(self.resolve(id)).kind {
            NodeKind::Scalar { value, .. } => {
                value.end - value.start == text.len() as u32
                    && self
                        .scalar_text
                        .as_bytes()
                        .get(value.start as usize..value.end as usize)
                        == Some(text.as_bytes())
            }
            _ => false,
        }
    }

    /// The effective value for a key.
    pub fn value(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.get(map, key).map(|e| e.value)
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.node(id).parent
    }

    /// Where a node sits under its parent, as written.
    pub fn segment(&self, id: NodeId) -> Option<PathSegment> {
        let parent = self.parent(id)?;
        match self.node(parent).kind {
            NodeKind::Sequence { items } => {
                let items = items.get(&self.items);
                // Ids are in document order (see `entry_holding`).
                match items.binary_search(&id) {
                    Ok(at) => Some(at),
                    Err(_) => items.iter().position(|&i| i == id),
                }
                .map(PathSegment::Index)
            }
            NodeKind::Mapping { .. } => {
                let entry = self.entry_holding(id)?;
                Some(PathSegment::Key(self.key_text(entry.key)))
            }
            _ => None,
        }
    }

    /// Whether `id` is a mapping key (as written).
    pub fn is_key(&self, id: NodeId) -> bool {
        self.entry_holding(id).is_some_and(|e| e.key == id)
    }

    /// The entry of its parent mapping whose key or value `id` is (as written: not one a
    /// merge key brought in). Ids are given in document order, a key before its value
    /// and both before the next key, so the entry is found by binary search (a path
    /// through `services:` of 200 services scanned them one by one); the scan stays for
    /// a tree built otherwise.
    pub fn entry_holding(&self, id: NodeId) -> Option<&Entry> {
        let NodeKind::Mapping { raw, .. } = self.node(self.parent(id)?).kind else {
            return None;
        };
        let entries = raw.get(&self.entries);
        let is_it = |e: &&Entry| e.value == id || e.key == id;
        let at = entries.partition_point(|e| e.key <= id);
        at.checked_sub(1)
            .map(|i| &entries[i])
            .filter(is_it)
            .or_else(|| entries.iter().find(is_it))
    }

    /// The path from the document root to a node, as written (not through aliases).
    pub fn path(&self, id: NodeId) -> Vec<PathSegment> {
        let mut out = Vec::new();
        let mut cur = id;
        while let Some(parent) = self.parent(cur) {
            if let Some(seg) = self.segment(cur) {
                out.push(seg);
            }
            cur = parent;
        }
        out.reverse();
        out
    }

    /// `services.web.ports[0]`; empty for a root.
    pub fn path_string(&self, id: NodeId) -> String {
        let mut s = String::new();
        for seg in self.path(id) {
            match seg {
                PathSegment::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(&k);
                }
                PathSegment::Index(i) => {
                    let _ = write!(s, "[{i}]");
                }
            }
        }
        s
    }

    /// A key shown in messages: its scalar value, or `<complex key>`.
    pub fn key_text(&self, key: NodeId) -> String {
        self.scalar(key)
            .map_or_else(|| COMPLEX_KEY.to_string(), str::to_string)
    }
}
