//! shipshape_model: what the YAML means. Typed, spanned views of Compose files and GitLab
//! CI pipelines, built from `shipshape_yaml` trees.
//!
//! Architecture Invariant: models keep the spans of the nodes they were built from; no
//! later layer searches text to find a location again.

pub mod compose;
pub mod compose_cli;
pub mod dockerfile;
pub mod dotenv;
pub mod gitlab;
pub mod hostnames;
pub mod images;
pub mod interpolation;
pub mod kind;
pub mod loc;
pub mod schema;
pub mod secrets;
pub mod shell;
pub mod text;

pub use kind::FileKind;
