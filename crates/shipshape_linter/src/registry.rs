//! Every rule, one line each. The order here is the order of `shipshape rule` and of
//! SARIF's rule list; never rename a published name.

use crate::rule::Rule;
use crate::rules;

pub static RULES: &[&Rule] = &[
    &rules::yaml::yaml_syntax::RULE,
    &rules::yaml::tab_indentation::RULE,
    &rules::yaml::duplicate_key::RULE,
    &rules::compose::compose_schema::RULE,
    &rules::compose::obsolete_version::RULE,
    &rules::compose::unknown_service_reference::RULE,
    &rules::compose::depends_on_cycle::RULE,
    &rules::compose::healthy_without_healthcheck::RULE,
    &rules::compose::missing_readiness::RULE,
    &rules::compose::missing_depends_on::RULE,
    &rules::compose::unknown_host::RULE,
    &rules::compose::localhost_reference::RULE,
    &rules::compose::undefined_variable::RULE,
    &rules::compose::invalid_interpolation::RULE,
    &rules::compose::malformed_volume::RULE,
    &rules::compose::unquoted_port::RULE,
    &rules::compose::undefined_resource::RULE,
    &rules::compose::duplicate_container_name::RULE,
    &rules::compose::duplicate_host_port::RULE,
    &rules::compose::image_tag::RULE,
    &rules::compose::missing_env_file::RULE,
    &rules::compose::missing_image_or_build::RULE,
    &rules::compose::broken_include::RULE,
    &rules::compose::platform_not_in_build_platforms::RULE,
    &rules::compose::network_mode_with_networks::RULE,
    &rules::compose::malformed_port::RULE,
    &rules::gitlab::gitlab_schema::RULE,
    &rules::gitlab::unknown_extends::RULE,
    &rules::gitlab::extends_cycle::RULE,
    &rules::gitlab::unknown_needs::RULE,
    &rules::gitlab::needs_cycle::RULE,
    &rules::gitlab::undeclared_stage::RULE,
    &rules::gitlab::missing_script::RULE,
    &rules::gitlab::only_keyword_typo::RULE,
    &rules::gitlab::rules_with_only_except::RULE,
    &rules::gitlab::invalid_rules_expression::RULE,
    &rules::gitlab::unknown_include::RULE,
    &rules::gitlab::unresolved_include::RULE,
    &rules::gitlab::too_many_includes::RULE,
    &rules::gitlab::unknown_reference::RULE,
    &rules::gitlab::dind_tls_mismatch::RULE,
    &rules::gitlab::service_network_per_build::RULE,
    &rules::gitlab::fixed_sleep_readiness::RULE,
    &rules::gitlab::needs_not_in_pipeline::RULE,
    &rules::gitlab::job_never_runs::RULE,
    &rules::gitlab::duplicate_pipelines::RULE,
    &rules::gitlab::needs_later_stage::RULE,
    &rules::gitlab::too_many_needs::RULE,
    &rules::ci_compose::missing_exit_code_from::RULE,
    &rules::ci_compose::unknown_compose_service::RULE,
    &rules::ci_compose::compose_file_not_found::RULE,
    &rules::ci_compose::ci_variable_not_passed::RULE,
    &rules::ci_compose::env_drift::RULE,
    &rules::secrets::hardcoded_secret::RULE,
    &rules::meta::unused_ignore::RULE,
];

pub fn rule_index(name: &str) -> Option<usize> {
    RULES.iter().position(|r| r.name == name)
}

pub fn rule(name: &str) -> Option<&'static Rule> {
    rule_index(name).map(|i| RULES[i])
}

/// The registered name closest to a misspelt one, when it is close enough to be meant.
pub fn nearest_rule(name: &str) -> Option<&'static str> {
    crate::text::nearest(name, RULES.iter().map(|r| r.name))
}
