//! One module per group, one file per rule; `support` holds what several rules share.

pub mod ci_compose;
pub mod compose;
pub mod gitlab;
pub mod meta;
pub mod secrets;
pub mod support;
pub mod yaml;
