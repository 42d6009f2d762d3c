//! Rules about GitLab CI pipelines: File checks read one file; Pipeline checks read a root
//! file merged with its includes, `extends` and `!reference` resolved.

pub mod dind_tls_mismatch;
pub mod duplicate_pipelines;
pub mod extends_cycle;
pub mod fixed_sleep_readiness;
pub mod gitlab_schema;
pub mod invalid_rules_expression;
pub mod job_never_runs;
pub mod missing_script;
pub mod needs_cycle;
pub mod needs_later_stage;
pub mod needs_not_in_pipeline;
pub mod only_keyword_typo;
pub mod rules_with_only_except;
pub mod service_network_per_build;
pub mod support;
pub mod too_many_includes;
pub mod too_many_needs;
pub mod undeclared_stage;
pub mod unknown_extends;
pub mod unknown_include;
pub mod unknown_needs;
pub mod unknown_reference;
pub mod unresolved_include;
