//! Which kind of file a YAML file is: by name first, by content when a user names a file
//! that does not follow any convention.

use crate::gitlab::keywords::TOP_LEVEL_KEYWORDS;
use shipshape_yaml::{NodeId, Tree};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum FileKind {
    Compose,
    GitlabCi,
    /// YAML we do not know more about: only the `yaml` rules apply.
    Yaml,
    /// A `.env` file a Compose project reads (not YAML; loaded for the cross-checks).
    DotEnv,
}

impl FileKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Compose => "compose",
            FileKind::GitlabCi => "gitlab-ci",
            FileKind::Yaml => "yaml",
            FileKind::DotEnv => "dotenv",
        }
    }
}

/// File name patterns (matched against the file name only, globset syntax). Write
/// `{yml,yaml}`: globset's `y{,a}ml` compiles but never matches `yml`.
pub const NAME_PATTERNS: &[(&str, FileKind)] = &[
    ("compose.{yml,yaml}", FileKind::Compose),
    ("compose.*.{yml,yaml}", FileKind::Compose),
    ("docker-compose*.{yml,yaml}", FileKind::Compose),
    ("*.compose.{yml,yaml}", FileKind::Compose),
    (".gitlab-ci.{yml,yaml}", FileKind::GitlabCi),
    // Pipeline fragments named after the root file (`.gitlab/ci/*.gitlab-ci.yml`, templates).
    ("*.gitlab-ci.{yml,yaml}", FileKind::GitlabCi),
    // Variables for Compose (`.env`, `.env.example`, `app.env` named by `env_file:`):
    // walked so that a committed one is scanned for secrets (a git-ignored one is not
    // walked).
    (".env", FileKind::DotEnv),
    (".env.*", FileKind::DotEnv),
    ("*.env", FileKind::DotEnv),
];

/// Job keywords that only a GitLab CI job has; a template holding only `artifacts:`,
/// `before_script:` or `allow_failure:` is still one (a file of such templates is GitLab
/// CI, included by a pipeline).
const GITLAB_JOB_MARKERS: &[&str] = &[
    "script",
    "trigger",
    "extends",
    "stage",
    "needs",
    "rules",
    "run",
    "artifacts",
    "before_script",
    "after_script",
    "allow_failure",
    "dependencies",
    "interruptible",
    "resource_group",
];

/// Classifies a parsed file that its name did not classify. Any document may decide:
/// GitLab files often start with a `spec:` header document.
pub fn classify_by_content(tree: &Tree) -> FileKind {
    let mut kind = FileKind::Yaml;
    for doc in &tree.documents {
        let Some(root) = doc.root.filter(|&r| tree.is_mapping(r)) else {
            continue;
        };
        if looks_like_gitlab(tree, root) {
            return FileKind::GitlabCi;
        }
        if looks_like_compose(tree, root) {
            kind = FileKind::Compose;
        }
    }
    kind
}

/// Whether a file its name calls Compose is written as GitLab CI jobs instead: some
/// document has CI jobs or pipeline keywords (`stages:`, `script:` in a top-level
/// mapping) and none has a Compose-shaped `services:` mapping.
pub fn is_pipeline_content(tree: &Tree) -> bool {
    let roots = || {
        tree.documents
            .iter()
            .filter_map(|doc| doc.root.filter(|&r| tree.is_mapping(r)))
    };
    // `extends` and `run` are left out: a Compose v1 service may have them.
    let ci_job = |v: NodeId| {
        tree.entries(v).iter().any(|je| {
            tree.scalar(je.key)
                .is_some_and(|k| matches!(k, "script" | "trigger" | "stage" | "needs" | "rules"))
        })
    };
    roots().any(|r| {
        tree.entries(r).iter().any(|e| match tree.scalar(e.key) {
            Some("stages" | "workflow" | "before_script" | "after_script") => true,
            Some(key) => !TOP_LEVEL_KEYWORDS.contains(&key) && ci_job(e.value),
            None => false,
        })
    }) && !roots().any(|r| {
        tree.value(r, "services")
            .is_some_and(|s| tree.is_mapping(s))
    })
}

fn looks_like_compose(tree: &Tree, root: NodeId) -> bool {
    let services = tree
        .value(root, "services")
        .is_some_and(|s| tree.is_mapping(s));
    services
        && tree.entries(root).iter().all(|e| {
            tree.scalar(e.key)
                .is_some_and(|k| crate::compose::TOP_LEVEL_KEYS.contains(&k) || k.starts_with("x-"))
        })
}

fn looks_like_gitlab(tree: &Tree, root: NodeId) -> bool {
    tree.entries(root).iter().any(|e| {
        let Some(key) = tree.scalar(e.key) else {
            return false;
        };
        if matches!(
            key,
            "stages" | "workflow" | "before_script" | "after_script"
        ) {
            return true;
        }
        // A CI/CD component or template: `spec: inputs:` (usually a header document).
        if key == "spec" && tree.value(e.value, "inputs").is_some() {
            return true;
        }
        // GitLab's hash form of a variable: `variables: {NAME: {value:, description:}}`.
        if key == "variables"
            && tree.entries(e.value).iter().any(|v| {
                tree.is_mapping(v.value)
                    && tree.value(v.value, "value").is_some()
                    && tree.entries(v.value).iter().all(|x| {
                        tree.scalar(x.key).is_some_and(|k| {
                            matches!(k, "value" | "description" | "desc" | "options" | "expand")
                        })
                    })
            })
        {
            return true;
        }
        !TOP_LEVEL_KEYWORDS.contains(&key)
            && tree.entries(e.value).iter().any(|je| {
                tree.scalar(je.key)
                    .is_some_and(|k| GITLAB_JOB_MARKERS.contains(&k))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_yaml::parse;

    fn classify(text: &str) -> FileKind {
        classify_by_content(&parse(text).tree)
    }

    #[test]
    fn by_content() {
        assert_eq!(
            classify("services:\n  web:\n    image: nginx\n"),
            FileKind::Compose
        );
        assert_eq!(
            classify("x-common: &c {}\nservices: {}\nvolumes: {}\n"),
            FileKind::Compose
        );
        assert_eq!(classify("test:\n  script: [make]\n"), FileKind::GitlabCi);
        assert_eq!(
            classify("spec:\n  inputs: {}\n---\nbuild:\n  stage: build\n"),
            FileKind::GitlabCi
        );
        assert_eq!(classify("apiVersion: v1\nkind: Pod\n"), FileKind::Yaml);
        // GitLab CI without any `script:` job: a component header, artifact templates.
        assert_eq!(
            classify("spec:\n  inputs:\n    stage: {default: test}\n---\nvariables:\n  A: b\n"),
            FileKind::GitlabCi
        );
        assert_eq!(
            classify(
                "variables:\n  A: b\n.reports:\n  artifacts:\n    reports:\n      junit: report.xml\n"
            ),
            FileKind::GitlabCi
        );
        assert_eq!(
            classify("variables:\n  FOO:\n    value: bar\n    description: what it is\n"),
            FileKind::GitlabCi
        );
        assert_eq!(
            classify("apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 2\n"),
            FileKind::Yaml
        );
        // A services key alone in a bigger document is not enough.
        assert_eq!(classify("services:\n  a: {}\nspec: {}\n"), FileKind::Yaml);
    }

    #[test]
    fn pipeline_named_like_compose() {
        let pipeline = |text: &str| is_pipeline_content(&parse(text).tree);
        assert!(pipeline(
            "stages: [upload]\nupload:\n  script: [docker compose push]\n"
        ));
        assert!(pipeline(".upload:\n  script: [make]\n"));
        assert!(!pipeline("services:\n  web:\n    image: nginx\n"));
        assert!(!pipeline(
            "services:\n  web:\n    image: nginx\nx-ci:\n  script: [make]\n"
        ));
        assert!(!pipeline("version: '3'\n"));
        // Compose v1: services at the top level, `extends` included.
        assert!(!pipeline(
            "web:\n  extends:\n    file: common.yml\n    service: web\n"
        ));
    }
}
