//! shipshape_yaml: source files, the lexical pre-scan and the spanned YAML tree.
//!
//! Architecture Invariant: this crate knows nothing about Compose or GitLab CI. It turns
//! bytes into text, text into a tree of spanned nodes, and reports what YAML itself gets
//! wrong. Parsing never fails as a whole: every input yields a (possibly partial) tree and
//! its errors, and nothing recurses over user-controlled depth.

mod line_index;
mod parse;
pub mod prescan;
pub mod scalar;
mod source;
mod span;
mod subspan;
mod tree;

pub use line_index::{LineCol, LineIndex};
pub use parse::{Leniency, Limits, ParsedYaml, SyntaxError, SyntaxErrorKind, parse, parse_with};
pub use prescan::{LineEndings, Prescan, TabIndent};
pub use source::{EncodingProblem, SourceFile};
pub use span::{FileId, Span};
pub use tree::{
    COMPLEX_KEY, Document, DuplicateKey, Entry, Node, NodeId, NodeKind, PathSegment, Range32,
    ScalarStyle, Tree,
};
