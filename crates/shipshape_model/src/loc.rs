//! Where a model value came from: a file and a span, since merged models mix files.

use shipshape_yaml::{FileId, NodeId, Span, Tree};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

impl Loc {
    pub fn new(file: FileId, span: Span) -> Loc {
        Loc { file, span }
    }

    pub fn of(file: FileId, tree: &Tree, node: NodeId) -> Loc {
        Loc::new(file, tree.node(node).span)
    }
}

/// A scalar value of the model and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub loc: Loc,
    /// The scalar node (for sub-spans, styles and fixes).
    pub node: NodeId,
}

impl Text {
    /// The scalar `node` of `tree` (through aliases), or None if it is not a scalar.
    pub fn from_node(file: FileId, tree: &Tree, node: NodeId) -> Option<Text> {
        let value = tree.scalar(node)?;
        Some(Text {
            value: value.to_string(),
            loc: Loc::of(file, tree, node),
            node,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A part of a scalar: a value that starts `offset` bytes into scalar `node` (the value of
/// `KEY=value` in a list item, for instance). Sub-ranges of it map to the source through
/// `Tree::value_subspan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueRef {
    pub file: FileId,
    pub node: NodeId,
    pub offset: usize,
}

impl ValueRef {
    /// The source span of `range` (relative to this value) in `text`.
    pub fn subspan(&self, tree: &Tree, text: &str, range: std::ops::Range<usize>) -> Span {
        tree.value_subspan(
            text,
            self.node,
            self.offset + range.start..self.offset + range.end,
        )
    }
}
