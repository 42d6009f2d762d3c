//! One module per group, one file per rule.

pub mod yaml;
