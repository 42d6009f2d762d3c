//! The kinds of pipeline GitLab creates, and what each one's predefined variables are
//! (docs/pipeline-contexts.md has the facts with their sources). A rule that checks
//! "every context" evaluates a pipeline once per entry of [`CONTEXTS`]; `shipshape
//! pipeline --source ...` builds one [`Context`] with the values given on its command line.

use std::collections::HashMap;

use super::evaluate::{Facts, Known};

/// The ref a pipeline runs for, as `only:`/`except:` refs see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    Branch,
    Tag,
    MergeRequest,
    /// A branch or a tag (a child pipeline runs for its parent's ref).
    Any,
}

/// A kind of pipeline, as a data row.
pub struct ContextSpec {
    /// Its name on the command line and in JSON (`merge-request`).
    pub id: &'static str,
    /// How a message names these pipelines ("merge request pipelines").
    pub title: &'static str,
    /// `CI_PIPELINE_SOURCE`.
    pub source: &'static str,
    pub ref_kind: RefKind,
    /// Source-dependent variables this kind sets ([`SOURCE_DEPENDENT`]); the others of
    /// that list are unset. `Opaque` values name the text they share with other variables.
    pub set: &'static [(&'static str, Fact)],
    /// Only a child pipeline (`trigger: include:`) runs in it, and a child runs in no other.
    pub child: bool,
    /// A source few projects use: checked by the rules, left out of `shipshape
    /// pipeline`'s matrix.
    pub rare: bool,
}

#[derive(Clone, Copy, Debug)]
pub enum Fact {
    Text(&'static str),
    Opaque(&'static str),
    Unknown,
}

/// Variables whose presence depends on the kind of pipeline: unset unless the kind sets
/// them. Names ending in `_` are prefixes.
pub const SOURCE_DEPENDENT: &[&str] = &[
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_TAG",
    "CI_COMMIT_TAG_MESSAGE",
    "CI_RELEASE_DESCRIPTION",
    "CI_OPEN_MERGE_REQUESTS",
    "CI_PIPELINE_TRIGGERED",
    "CI_PIPELINE_SCHEDULE_DESCRIPTION",
    "CI_MERGE_REQUEST_",
    "CI_EXTERNAL_PULL_REQUEST_",
    "CHAT_CHANNEL",
    "CHAT_INPUT",
    "CHAT_USER_ID",
    "TRIGGER_PAYLOAD",
];

/// Predefined variables every pipeline sets to a non-empty text (each its own opaque
/// value unless a context says otherwise); any other name is unknown.
pub const ALWAYS_SET: &[&str] = &[
    "CI_API_V4_URL",
    "CI_COMMIT_REF_NAME",
    "CI_COMMIT_REF_SLUG",
    "CI_COMMIT_SHA",
    "CI_COMMIT_SHORT_SHA",
    "CI_CONFIG_PATH",
    "CI_DEFAULT_BRANCH",
    "CI_JOB_NAME",
    "CI_JOB_STAGE",
    "CI_PIPELINE_IID",
    "CI_PROJECT_ID",
    "CI_PROJECT_NAME",
    "CI_PROJECT_NAMESPACE",
    "CI_PROJECT_PATH",
    "CI_PROJECT_PATH_SLUG",
    "CI_PROJECT_URL",
    "CI_SERVER_HOST",
    "CI_SERVER_URL",
    "GITLAB_USER_ID",
    "GITLAB_USER_LOGIN",
];

/// Opaque texts that certainly differ: a branch other than the default one.
const DISTINCT: &[(&str, &str)] = &[("other-branch", "default-branch")];

macro_rules! with_any_ref {
    ($($extra:expr),* $(,)?) => {
        &[
            ("CI_COMMIT_BRANCH", Fact::Unknown),
            ("CI_COMMIT_TAG", Fact::Unknown),
            ("CI_COMMIT_TAG_MESSAGE", Fact::Unknown),
            ("CI_OPEN_MERGE_REQUESTS", Fact::Unknown),
            $($extra),*
        ]
    };
}

/// A pipeline for some branch (maybe the default one) that is not a push.
macro_rules! on_branch {
    ($($extra:expr),* $(,)?) => {
        &[
            ("CI_COMMIT_BRANCH", Fact::Opaque("some-branch")),
            ("CI_COMMIT_REF_NAME", Fact::Opaque("some-branch")),
            ("CI_OPEN_MERGE_REQUESTS", Fact::Unknown),
            $($extra),*
        ]
    };
}

/// A pipeline for a tag that is not a push.
macro_rules! on_tag {
    ($($extra:expr),* $(,)?) => {
        &[
            ("CI_COMMIT_TAG", Fact::Opaque("some-tag")),
            ("CI_COMMIT_REF_NAME", Fact::Opaque("some-tag")),
            ("CI_COMMIT_TAG_MESSAGE", Fact::Unknown),
            $($extra),*
        ]
    };
}

macro_rules! merge_request {
    ($event:literal) => {
        &[
            ("CI_MERGE_REQUEST_EVENT_TYPE", Fact::Text($event)),
            ("CI_COMMIT_REF_NAME", Fact::Opaque("mr-source-branch")),
            (
                "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
                Fact::Opaque("mr-source-branch"),
            ),
            (
                "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
                Fact::Opaque("mr-target-branch"),
            ),
            ("CI_MERGE_REQUEST_IID", Fact::Opaque("CI_MERGE_REQUEST_IID")),
            ("CI_MERGE_REQUEST_ID", Fact::Opaque("CI_MERGE_REQUEST_ID")),
            (
                "CI_MERGE_REQUEST_PROJECT_ID",
                Fact::Opaque("CI_MERGE_REQUEST_PROJECT_ID"),
            ),
            (
                "CI_MERGE_REQUEST_PROJECT_PATH",
                Fact::Opaque("CI_PROJECT_PATH"),
            ),
            (
                "CI_MERGE_REQUEST_TITLE",
                Fact::Opaque("CI_MERGE_REQUEST_TITLE"),
            ),
            (
                "CI_OPEN_MERGE_REQUESTS",
                Fact::Opaque("CI_OPEN_MERGE_REQUESTS"),
            ),
            ("CI_MERGE_REQUEST_", Fact::Unknown),
        ]
    };
}

/// Every kind of pipeline the rules check, in the order messages list them.
pub const CONTEXTS: &[ContextSpec] = &[
    ContextSpec {
        id: "push-default-branch",
        title: "pushes to the default branch",
        source: "push",
        ref_kind: RefKind::Branch,
        set: &[
            ("CI_COMMIT_BRANCH", Fact::Opaque("default-branch")),
            ("CI_COMMIT_REF_NAME", Fact::Opaque("default-branch")),
            ("CI_DEFAULT_BRANCH", Fact::Opaque("default-branch")),
            ("CI_OPEN_MERGE_REQUESTS", Fact::Unknown),
        ],
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "push-branch",
        title: "pushes to other branches",
        source: "push",
        ref_kind: RefKind::Branch,
        set: &[
            ("CI_COMMIT_BRANCH", Fact::Opaque("other-branch")),
            ("CI_COMMIT_REF_NAME", Fact::Opaque("other-branch")),
            ("CI_DEFAULT_BRANCH", Fact::Opaque("default-branch")),
        ],
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "push-branch-with-mr",
        title: "pushes to a branch with an open merge request",
        source: "push",
        ref_kind: RefKind::Branch,
        set: &[
            ("CI_COMMIT_BRANCH", Fact::Opaque("other-branch")),
            ("CI_COMMIT_REF_NAME", Fact::Opaque("other-branch")),
            ("CI_DEFAULT_BRANCH", Fact::Opaque("default-branch")),
            (
                "CI_OPEN_MERGE_REQUESTS",
                Fact::Opaque("CI_OPEN_MERGE_REQUESTS"),
            ),
        ],
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "tag",
        title: "tag pipelines",
        source: "push",
        ref_kind: RefKind::Tag,
        set: &[
            ("CI_COMMIT_TAG", Fact::Opaque("tag")),
            ("CI_COMMIT_REF_NAME", Fact::Opaque("tag")),
            ("CI_COMMIT_TAG_MESSAGE", Fact::Unknown),
            ("CI_RELEASE_DESCRIPTION", Fact::Unknown),
        ],
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "merge-request",
        title: "merge request pipelines",
        source: "merge_request_event",
        ref_kind: RefKind::MergeRequest,
        set: merge_request!("detached"),
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "merged-results",
        title: "merged results pipelines",
        source: "merge_request_event",
        ref_kind: RefKind::MergeRequest,
        set: merge_request!("merged_result"),
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "merge-train",
        title: "merge train pipelines",
        source: "merge_request_event",
        ref_kind: RefKind::MergeRequest,
        set: merge_request!("merge_train"),
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "schedule",
        title: "scheduled pipelines",
        source: "schedule",
        ref_kind: RefKind::Branch,
        set: on_branch!(("CI_PIPELINE_SCHEDULE_DESCRIPTION", Fact::Unknown)),
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "schedule-tag",
        title: "scheduled pipelines for a tag",
        source: "schedule",
        ref_kind: RefKind::Tag,
        set: on_tag!(("CI_PIPELINE_SCHEDULE_DESCRIPTION", Fact::Unknown)),
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "web",
        title: "pipelines run from the web UI",
        source: "web",
        ref_kind: RefKind::Branch,
        set: on_branch!(),
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "web-tag",
        title: "pipelines run from the web UI for a tag",
        source: "web",
        ref_kind: RefKind::Tag,
        set: on_tag!(),
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "api",
        title: "pipelines created through the API",
        source: "api",
        ref_kind: RefKind::Branch,
        set: on_branch!(),
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "api-tag",
        title: "pipelines created through the API for a tag",
        source: "api",
        ref_kind: RefKind::Tag,
        set: on_tag!(),
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "trigger",
        title: "pipelines started with a trigger token",
        source: "trigger",
        ref_kind: RefKind::Branch,
        set: on_branch!(
            ("CI_PIPELINE_TRIGGERED", Fact::Text("true")),
            ("TRIGGER_PAYLOAD", Fact::Unknown)
        ),
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "trigger-tag",
        title: "pipelines started with a trigger token for a tag",
        source: "trigger",
        ref_kind: RefKind::Tag,
        set: on_tag!(
            ("CI_PIPELINE_TRIGGERED", Fact::Text("true")),
            ("TRIGGER_PAYLOAD", Fact::Unknown)
        ),
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "pipeline",
        title: "multi-project downstream pipelines",
        source: "pipeline",
        ref_kind: RefKind::Branch,
        set: on_branch!(),
        child: false,
        rare: false,
    },
    ContextSpec {
        id: "pipeline-tag",
        title: "multi-project downstream pipelines for a tag",
        source: "pipeline",
        ref_kind: RefKind::Tag,
        set: on_tag!(),
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "parent-pipeline",
        title: "child pipelines",
        source: "parent_pipeline",
        ref_kind: RefKind::Any,
        // A child pipeline of a merge request pipeline has the merge request's variables.
        set: with_any_ref!(("CI_MERGE_REQUEST_", Fact::Unknown)),
        child: true,
        rare: false,
    },
    ContextSpec {
        id: "external-pull-request",
        title: "external pull request pipelines",
        source: "external_pull_request_event",
        ref_kind: RefKind::Branch,
        set: &[
            ("CI_COMMIT_BRANCH", Fact::Unknown),
            ("CI_COMMIT_REF_NAME", Fact::Unknown),
            ("CI_EXTERNAL_PULL_REQUEST_", Fact::Unknown),
        ],
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "chat",
        title: "ChatOps pipelines",
        source: "chat",
        ref_kind: RefKind::Branch,
        set: on_branch!(
            ("CHAT_CHANNEL", Fact::Unknown),
            ("CHAT_INPUT", Fact::Unknown),
            ("CHAT_USER_ID", Fact::Unknown)
        ),
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "webide",
        title: "Web IDE pipelines",
        source: "webide",
        ref_kind: RefKind::Branch,
        set: on_branch!(),
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "external",
        title: "pipelines from external CI",
        source: "external",
        ref_kind: RefKind::Branch,
        set: on_branch!(),
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "ondemand-dast-scan",
        title: "on-demand DAST scans",
        source: "ondemand_dast_scan",
        ref_kind: RefKind::Branch,
        set: on_branch!(),
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "ondemand-dast-validation",
        title: "on-demand DAST validations",
        source: "ondemand_dast_validation",
        ref_kind: RefKind::Branch,
        set: on_branch!(),
        child: false,
        rare: true,
    },
    ContextSpec {
        id: "security-orchestration-policy",
        title: "security policy pipelines",
        source: "security_orchestration_policy",
        ref_kind: RefKind::Branch,
        set: on_branch!(),
        child: false,
        rare: true,
    },
];

/// What `shipshape pipeline` is told about the pipeline to simulate.
#[derive(Clone, Debug, Default)]
pub struct Given {
    /// `CI_PIPELINE_SOURCE` (or `tag`, a push of a tag).
    pub source: String,
    pub branch: Option<String>,
    pub tag: Option<String>,
    pub default_branch: String,
    /// `--var KEY=VALUE`: project, group or form variables; they beat everything else.
    pub variables: Vec<(String, String)>,
    /// `--changed PATH`: the paths the push or merge request changes.
    pub changed: Vec<String>,
}

impl Context {
    /// A context with the values given on the command line, the way GitLab would set
    /// them; the pipeline's own `variables:` count as their values (as gitlab-ci-local
    /// does). None for a source GitLab does not have.
    pub fn given(given: &Given) -> Option<Context> {
        let tag_push = given.source == "tag" || (given.source == "push" && given.tag.is_some());
        let spec = if tag_push {
            CONTEXTS.iter().find(|c| c.id == "tag")?
        } else {
            spec_for_source(&given.source)?
        };
        let mut cx = Context::from_spec(spec);
        cx.id = given.source.clone();
        cx.yaml_values_known = true;
        cx.unknown_prefixes.clear();
        cx.changed = (!given.changed.is_empty()).then(|| given.changed.clone());
        let text = |v: &str| Known::Text(v.to_string());
        cx.values
            .insert("CI_DEFAULT_BRANCH".into(), text(&given.default_branch));
        // Every source-dependent variable starts unset; the ref sets its own.
        for name in SOURCE_DEPENDENT.iter().filter(|n| !n.ends_with('_')) {
            cx.values.insert((*name).to_string(), Known::Unset);
        }
        let merge_request = spec.ref_kind == RefKind::MergeRequest;
        if let Some(tag) = given.tag.as_deref().filter(|_| !merge_request) {
            cx.ref_kind = RefKind::Tag;
            cx.values.insert("CI_COMMIT_TAG".into(), text(tag));
            cx.values.insert("CI_COMMIT_REF_NAME".into(), text(tag));
            cx.title = format!("{} pipeline for tag {tag}", spec.source);
        } else {
            let branch = given.branch.as_deref().unwrap_or(&given.default_branch);
            cx.values.insert("CI_COMMIT_REF_NAME".into(), text(branch));
            if merge_request {
                for (name, value) in [
                    ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", branch),
                    ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", &given.default_branch),
                    ("CI_MERGE_REQUEST_EVENT_TYPE", "detached"),
                    ("CI_MERGE_REQUEST_IID", "1"),
                    ("CI_OPEN_MERGE_REQUESTS", "1"),
                ] {
                    cx.values.insert(name.into(), text(value));
                }
                cx.title = format!("merge request pipeline for branch {branch}");
            } else {
                cx.ref_kind = RefKind::Branch;
                cx.values.insert("CI_COMMIT_BRANCH".into(), text(branch));
                cx.title = format!("{} pipeline for branch {branch}", spec.source);
            }
        }
        if spec.source == "trigger" {
            cx.values
                .insert("CI_PIPELINE_TRIGGERED".into(), text("true"));
        }
        for (name, value) in &given.variables {
            cx.values.insert(name.clone(), text(value));
        }
        Some(cx)
    }
}

/// The sources `--source` accepts, each with the context it starts from.
pub fn spec_for_source(source: &str) -> Option<&'static ContextSpec> {
    let id = match source {
        "push" => "push-default-branch",
        "merge_request_event" => "merge-request",
        "parent_pipeline" => "parent-pipeline",
        "tag" => "tag",
        other => other,
    };
    CONTEXTS.iter().find(|c| c.id == id || c.source == id)
}

/// One pipeline's variables as far as they are known: a [`ContextSpec`], or the values
/// given on the command line.
#[derive(Clone, Debug)]
pub struct Context {
    pub id: String,
    pub title: String,
    pub source: String,
    pub ref_kind: RefKind,
    /// Variables set by the context (source-dependent ones and any given values).
    pub values: HashMap<String, Known>,
    /// Prefixes of [`SOURCE_DEPENDENT`] the context sets to unknown values.
    pub unknown_prefixes: Vec<String>,
    pub distinct: Vec<(String, String)>,
    pub child: bool,
    pub rare: bool,
    /// Paths changed by the push, when given (`--changed`): `changes:` is then evaluated.
    pub changed: Option<Vec<String>>,
    /// Whether the pipeline's own `variables:` count as their values and other variables
    /// as unset (`shipshape pipeline`, told the project's variables with `--var`, as
    /// gitlab-ci-local does), or every one not predefined as unknown (the rules: project
    /// and pipeline variables override them).
    pub yaml_values_known: bool,
}

impl Context {
    pub fn from_spec(spec: &ContextSpec) -> Context {
        let mut values = HashMap::new();
        let mut unknown_prefixes = Vec::new();
        values.insert(
            "CI_PIPELINE_SOURCE".to_string(),
            Known::Text(spec.source.into()),
        );
        for (name, fact) in spec.set {
            let known = match fact {
                Fact::Text(t) => Known::Text((*t).into()),
                Fact::Opaque(o) => Known::Opaque((*o).into()),
                Fact::Unknown => Known::Unknown,
            };
            if name.ends_with('_') {
                unknown_prefixes.push((*name).to_string());
            } else {
                values.insert((*name).to_string(), known);
            }
        }
        Context {
            id: spec.id.into(),
            title: spec.title.into(),
            source: spec.source.into(),
            ref_kind: spec.ref_kind,
            values,
            unknown_prefixes,
            distinct: DISTINCT
                .iter()
                .map(|(a, b)| ((*a).into(), (*b).into()))
                .collect(),
            child: spec.child,
            rare: spec.rare,
            changed: None,
            yaml_values_known: false,
        }
    }

    /// Every kind of pipeline, for the rules.
    pub fn all() -> Vec<Context> {
        CONTEXTS.iter().map(Context::from_spec).collect()
    }

    /// The value of a variable GitLab predefines (or the context was given); `None` for
    /// a name that is not predefined (a project or pipeline variable).
    pub fn predefined(&self, name: &str) -> Option<Known> {
        if let Some(k) = self.values.get(name) {
            return Some(k.clone());
        }
        let dependent = SOURCE_DEPENDENT.iter().any(|d| match d.strip_suffix('_') {
            Some(_) => name.starts_with(d),
            None => name == *d,
        });
        if dependent {
            return Some(
                if self.unknown_prefixes.iter().any(|p| name.starts_with(p)) {
                    Known::Unknown
                } else {
                    Known::Unset
                },
            );
        }
        match name {
            "CI" | "GITLAB_CI" => Some(Known::Text("true".into())),
            _ if ALWAYS_SET.contains(&name) => Some(Known::Opaque(name.into())),
            _ => None,
        }
    }

    /// The ref name, when known as text.
    pub fn ref_name(&self) -> Known {
        self.predefined("CI_COMMIT_REF_NAME")
            .unwrap_or(Known::Unknown)
    }
}

impl Facts for Context {
    fn value(&self, name: &str) -> Known {
        self.predefined(name).unwrap_or(Known::Unknown)
    }

    fn distinct(&self, a: &str, b: &str) -> bool {
        self.distinct
            .iter()
            .any(|(x, y)| (x == a && y == b) || (x == b && y == a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::evaluate::{Tri, truth};
    use crate::gitlab::expression::parse;

    fn eval(context: &str, expr: &str) -> Tri {
        let spec = CONTEXTS.iter().find(|c| c.id == context).unwrap();
        truth(&parse(expr).unwrap().node, &Context::from_spec(spec))
    }

    #[test]
    fn every_pipeline_source_has_a_context() {
        for source in crate::gitlab::keywords::PIPELINE_SOURCES {
            assert!(spec_for_source(source).is_some(), "{source}");
        }
    }

    #[test]
    fn given_contexts_have_the_values_gitlab_sets() {
        let given = |source: &str, branch: Option<&str>, tag: Option<&str>| {
            Context::given(&Given {
                source: source.into(),
                branch: branch.map(str::to_string),
                tag: tag.map(str::to_string),
                default_branch: "main".into(),
                variables: vec![("DEPLOY".into(), "yes".into())],
                changed: Vec::new(),
            })
            .unwrap()
        };
        let e = |cx: &Context, expr: &str| truth(&parse(expr).unwrap().node, cx);
        let mr = given("merge_request_event", Some("feature"), None);
        assert_eq!(e(&mr, "$CI_COMMIT_BRANCH"), Tri::No);
        assert_eq!(
            e(&mr, "$CI_MERGE_REQUEST_SOURCE_BRANCH_NAME == \"feature\""),
            Tri::Yes
        );
        assert_eq!(e(&mr, "$DEPLOY == \"yes\""), Tri::Yes);
        let push = given("push", None, None);
        assert_eq!(
            e(&push, "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"),
            Tri::Yes
        );
        assert_eq!(e(&push, "$CI_COMMIT_TAG"), Tri::No);
        let tag = given("push", None, Some("v1.2.0"));
        assert_eq!(tag.ref_kind, RefKind::Tag);
        assert_eq!(e(&tag, "$CI_COMMIT_TAG =~ /^v\\d+/"), Tri::Yes);
        assert!(
            Context::given(&Given {
                source: "pushh".into(),
                ..Given::default()
            })
            .is_none()
        );
    }

    #[test]
    fn predefined_variables_by_context() {
        assert_eq!(eval("tag", "$CI_COMMIT_BRANCH"), Tri::No);
        assert_eq!(eval("merge-request", "$CI_COMMIT_BRANCH"), Tri::No);
        assert_eq!(eval("merge-request", "$CI_MERGE_REQUEST_IID"), Tri::Yes);
        assert_eq!(
            eval("merge-request", "$CI_MERGE_REQUEST_LABELS =~ /bug/"),
            Tri::Maybe
        );
        assert_eq!(eval("push-branch", "$CI_MERGE_REQUEST_IID"), Tri::No);
        assert_eq!(
            eval(
                "push-default-branch",
                "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
            ),
            Tri::Yes
        );
        assert_eq!(
            eval("push-branch", "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"),
            Tri::No
        );
        assert_eq!(
            eval("push-branch", "$CI_COMMIT_BRANCH == \"main\""),
            Tri::Maybe
        );
        assert_eq!(eval("schedule", "$CI_COMMIT_BRANCH"), Tri::Yes);
        assert_eq!(eval("schedule-tag", "$CI_COMMIT_BRANCH"), Tri::No);
        assert_eq!(
            eval("schedule", "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"),
            Tri::Maybe
        );
        assert_eq!(
            eval(
                "merged-results",
                "$CI_MERGE_REQUEST_EVENT_TYPE == \"merged_result\""
            ),
            Tri::Yes
        );
        assert_eq!(eval("parent-pipeline", "$CI_MERGE_REQUEST_IID"), Tri::Maybe);
        assert_eq!(eval("web", "$MY_PROJECT_VARIABLE"), Tri::Maybe);
        assert_eq!(eval("web", "$CI == \"true\""), Tri::Yes);
    }
}
