//! GitLab CI domain knowledge as tables (SPEC-domain B1, B4, B7).

/// Top-level keys that are not jobs: global keywords, the deprecated top-level defaults,
/// and the other reserved names.
pub const TOP_LEVEL_KEYWORDS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "types",
    "spec",
];

/// Keys of a job.
pub const JOB_KEYWORDS: &[&str] = &[
    "after_script",
    "allow_failure",
    "artifacts",
    "before_script",
    "cache",
    "coverage",
    "dast_configuration",
    "dependencies",
    "environment",
    "extends",
    "hooks",
    "identity",
    "id_tokens",
    "image",
    "inherit",
    "inputs",
    "interruptible",
    "manual_confirmation",
    "needs",
    "only",
    "except",
    "pages",
    "parallel",
    "publish",
    "release",
    "resource_group",
    "retry",
    "rules",
    "run",
    "script",
    "secrets",
    "services",
    "stage",
    "start_in",
    "tags",
    "timeout",
    "trigger",
    "variables",
    "when",
];

/// Job keywords GitLab no longer accepts, with what replaced them.
pub const REMOVED_JOB_KEYWORDS: &[(&str, &str)] = &[("type", "stage")];

/// Stages every pipeline has when `stages:` is absent; `.pre` and `.post` always exist.
pub const DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];

/// Special `only`/`except` ref keywords.
pub const REF_KEYWORDS: &[&str] = &[
    "api",
    "branches",
    "chat",
    "external",
    "external_pull_requests",
    "merge_requests",
    "pipelines",
    "pushes",
    "schedules",
    "tags",
    "triggers",
    "web",
];

/// Values of `CI_PIPELINE_SOURCE`. In `only`/`except`, the source with `_event` removed
/// matches, singular or plural (SPEC-domain B7).
pub const PIPELINE_SOURCES: &[&str] = &[
    "api",
    "chat",
    "external",
    "external_pull_request_event",
    "merge_request_event",
    "ondemand_dast_scan",
    "ondemand_dast_validation",
    "parent_pipeline",
    "pipeline",
    "push",
    "schedule",
    "security_orchestration_policy",
    "trigger",
    "web",
    "webide",
];

/// Whether a ref pattern is one GitLab gives a special meaning: a keyword, or a pipeline
/// source (minus `_event`, singular or plural).
pub fn is_special_ref(word: &str) -> bool {
    if REF_KEYWORDS.contains(&word) {
        return true;
    }
    PIPELINE_SOURCES.iter().any(|source| {
        let base = source.strip_suffix("_event").unwrap_or(source);
        word == base || word.strip_suffix('s') == Some(base)
    })
}

/// Variables GitLab and the runner define (SPEC-domain B4): any `CI_*`, `GITLAB_*` and
/// `FF_*` name, and these.
const PREDEFINED: &[&str] = &[
    "CHAT_CHANNEL",
    "CHAT_INPUT",
    "CHAT_USER_ID",
    "KUBECONFIG",
    "TRIGGER_PAYLOAD",
    "AUTO_DEVOPS_EXPLICITLY_ENABLED",
    "STAGING_ENABLED",
    "INCREMENTAL_ROLLOUT_MODE",
    "INCREMENTAL_ROLLOUT_ENABLED",
    "DOCKER_AUTH_CONFIG",
];

pub fn is_predefined_variable(name: &str) -> bool {
    name == "CI"
        || ["CI_", "GITLAB_", "FF_"]
            .iter()
            .any(|p| name.starts_with(p))
        || PREDEFINED.contains(&name)
}

/// `extends` chains may have at most this many ancestors (`MAX_NESTING_LEVELS`).
pub const MAX_EXTENDS_ANCESTORS: usize = 10;

/// `!reference` may nest this deep.
pub const MAX_REFERENCE_DEPTH: usize = 10;

/// Includes per pipeline, nested ones counted.
pub const MAX_INCLUDES: usize = 150;

/// `needs:` entries one job may list: `ci_needs_size_limit`, 50 on GitLab.com and by
/// default on self-managed (an administrator can raise it).
pub const MAX_NEEDS: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_refs() {
        for w in [
            "merge_requests",
            "merge_request",
            "push",
            "pushes",
            "schedule",
            "tags",
            "web",
            "external_pull_requests",
            "pipeline",
            "pipelines",
        ] {
            assert!(is_special_ref(w), "{w}");
        }
        for w in [
            "main",
            "merge-requests",
            "tag",
            "branch",
            "merge_request_events",
        ] {
            assert!(!is_special_ref(w), "{w}");
        }
    }
}
