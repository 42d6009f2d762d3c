//! shipshape_linter: the rules and everything that runs them.
//!
//! Architecture Invariant: no rule prints, reads files or searches text for a location.
//! Rules read the workspace's parsed files and models, and push `Diagnostic`s whose spans
//! the parse produced. Only `analyze` and `discover` touch the file system.

mod analyze;
pub mod compose_runs;
pub mod config;
pub mod configs;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod fs;
pub mod ids;
pub mod paths;
pub mod pipeline_runs;
mod pipelines;
pub mod registry;
pub mod rule;
pub mod rules;
pub mod runs;
pub mod secrets;
pub mod settings;
pub mod simulation;
pub mod suppress;
pub mod text;
pub mod workspace;

pub use analyze::{
    Analysis, INTERNAL_ERROR, Merged, Part, PartLimits, PartOwners, analyze, analyze_cancellable,
    analyze_in_context, analyze_with, merge, split_into_parts,
};
pub use diagnostic::{Diagnostic, Edit, Fix, Label, Severity};
pub use discover::{Discovery, FileRules, Input, discover, discover_by, discover_with};
pub use registry::RULES;
pub use rule::{Check, ComposeContext, FixAvailability, Group, PipelineContext, Rule, Sink};
pub use settings::{RuleSelection, Settings};
pub use shipshape_model::FileKind;
pub use workspace::{AnalyzedFile, Unreadable, Workspace};
