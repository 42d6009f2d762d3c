//! shipshape_report: one pure function per output format, from the same diagnostics.
//!
//! Architecture Invariant: only this crate knows output formats. Renderers take the
//! workspace (for file names and text) and the sorted diagnostics, and return a string;
//! they never read files or decide exit codes.

mod concise;
mod escape;
mod fingerprint;
mod github;
mod gitlab;
mod graph;
mod human;
mod json;
mod position;
mod sarif;

pub use concise::concise;
pub use escape::{escape_controls, is_hidden_control};
pub use fingerprint::fingerprints;
pub use github::github;
pub use gitlab::gitlab;
pub use graph::{GraphFormat, JobSelection, graph, graph_with};
pub use human::{HumanOptions, human};
pub use json::json;
pub use position::Position;
pub use sarif::sarif;
