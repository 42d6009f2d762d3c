//! Docker Compose: the per-file model, merged projects, the schema table.

mod build;
pub mod files;
mod model;
pub mod names;
pub mod project;
pub mod schema;

pub use project::{EnvSource, Project};

pub use build::{
    TOP_LEVEL_KEYS, build, is_local_file_ref, is_path_like, parse_short_port, split_outside_braces,
    split_volume,
};
pub use model::*;
