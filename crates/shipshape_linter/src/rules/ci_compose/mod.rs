//! Cross-file rules: CI jobs against the Compose files their `docker compose` commands
//! run (`crate::runs`, found by `compose_runs`).

pub mod ci_variable_not_passed;
pub mod compose_file_not_found;
pub mod env_drift;
pub mod missing_exit_code_from;
pub mod support;
pub mod unknown_compose_service;
