//! shipshape_report: one pure function per output format, from the same diagnostics.
//!
//! Architecture Invariant: only this crate knows output formats. Renderers take the
//! workspace (for file names and text) and the sorted diagnostics, and return a string;
//! they never read files or decide exit codes.

mod concise;
mod human;
mod json;
mod position;

pub use concise::concise;
pub use human::{HumanOptions, human};
pub use json::json;
pub use position::Position;

/// The formats `--format` accepts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Human,
    Concise,
    Json,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["human", "concise", "json"];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "human" => Some(Format::Human),
            "concise" => Some(Format::Concise),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}
