//! Rules about YAML itself, for every file.

pub mod duplicate_key;
pub mod tab_indentation;
pub mod yaml_syntax;
