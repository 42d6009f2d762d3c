//! The GitLab CI keyword reference as a table, and the validator of a pipeline file.
//!
//! Written from GitLab's "CI/CD YAML syntax reference" and the entry classes in
//! `lib/gitlab/ci/config/entry/*.rb` (SPEC-domain B1-B8); the editor's JSON schema is only
//! read by the conformance test. Where GitLab accepts more than that schema, so do we:
//! `!reference` anywhere, `parallel: null` (resets an inherited value), wildcards and
//! variables in `include`, scripts nested up to ten lists deep, `(?i)` in `coverage`.

use shipshape_yaml::{NodeId, Tree};

use super::expression::{as_pattern, check_regex};
use crate::schema::*;

const INT: Ty = Ty::Scalar(crate::schema::INT);
const BOOL: Ty = Ty::Scalar(crate::schema::BOOL);
const ANY: Ty = Ty::Any;
const STRING_FILE_LIST: Ty = Ty::OneOf(&[S, STRINGS]);
/// A script line, or a list of them nested up to ten levels (what `!reference` and
/// anchors produce); GitLab flattens them.
const SCRIPT_ITEM: Ty = Ty::Nested(&S, 9);
const OPTIONAL_SCRIPT: Ty = Ty::Nested(&S, 10);
const WHEN: Ty = Ty::Enum(&[
    "on_success",
    "on_failure",
    "always",
    "never",
    "manual",
    "delayed",
]);

/// Keys of the top level that are keywords (everything else is a job).
pub static TOP_LEVEL: Obj = Obj {
    fields: &[
        f("$schema", S),
        f("default", Ty::Obj(&DEFAULT)),
        f(
            "include",
            Ty::OneOf(&[
                INCLUDE_STRING,
                Ty::Obj(&INCLUDE),
                Ty::List(&Ty::OneOf(&[INCLUDE_STRING, Ty::Obj(&INCLUDE)])),
            ]),
        ),
        f("stages", Ty::NonEmpty(&Ty::OneOf(&[S, STRINGS]))),
        f(
            "variables",
            Ty::Dict(&Ty::OneOf(&[
                Ty::Scalar(STR | NUM | crate::schema::BOOL),
                Ty::Obj(&GLOBAL_VARIABLE),
            ])),
        ),
        f("workflow", Ty::Obj(&WORKFLOW)),
        f("image", IMAGE),
        f("services", SERVICES),
        f("cache", CACHE),
        f("before_script", OPTIONAL_SCRIPT),
        f("after_script", OPTIONAL_SCRIPT),
        // Only in a header document (checked in `validate`).
        f("spec", ANY),
    ],
    extensions: false,
    required: &[],
    also: None,
};

const INCLUDE_STRING: Ty = Ty::Check(&S, local_include_path);

fn local_include_path(path: &str) -> Option<String> {
    let remote = path.starts_with("http://") || path.starts_with("https://");
    (!remote && !path.ends_with(".yml") && !path.ends_with(".yaml"))
        .then(|| "must name a .yml or .yaml file".to_string())
}

static INCLUDE: Obj = Obj {
    fields: &[
        f("local", INCLUDE_STRING),
        f("project", S),
        f("ref", S),
        f(
            "file",
            Ty::OneOf(&[INCLUDE_STRING, Ty::List(&INCLUDE_STRING)]),
        ),
        f("template", S),
        f("remote", S),
        f("component", S),
        f("integrity", S),
        f("cache", Ty::OneOf(&[BOOL, S])),
        f(
            "rules",
            Ty::OneOf(&[
                Ty::Scalar(NULL),
                Ty::List(&Ty::OneOf(&[Ty::Obj(&INCLUDE_RULE), S, STRINGS])),
            ]),
        ),
        f("inputs", Ty::Dict(&ANY)),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static INCLUDE_RULE: Obj = Obj {
    fields: &[
        f("if", S),
        f("changes", CHANGES),
        f("exists", EXISTS),
        f(
            "when",
            Ty::OneOf(&[Ty::Enum(&["never", "always"]), Ty::Scalar(NULL)]),
        ),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static GLOBAL_VARIABLE: Obj = Obj {
    fields: &[
        f("value", S),
        f("description", S),
        f("options", STRINGS),
        f("expand", BOOL),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static JOB_VARIABLE: Obj = Obj {
    fields: &[f("value", S), f("expand", BOOL)],
    extensions: false,
    required: &[],
    also: None,
};

static DEFAULT: Obj = Obj {
    fields: &[
        f("after_script", OPTIONAL_SCRIPT),
        f("artifacts", Ty::Obj(&ARTIFACTS)),
        f("before_script", OPTIONAL_SCRIPT),
        f("hooks", Ty::Obj(&HOOKS)),
        f("cache", CACHE),
        f("image", IMAGE),
        f("interruptible", BOOL),
        f("id_tokens", Ty::Dict(&Ty::Obj(&ID_TOKEN))),
        f("identity", S),
        f("retry", RETRY),
        f("services", SERVICES),
        f("tags", TAGS),
        f("timeout", S),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static WORKFLOW: Obj = Obj {
    fields: &[
        f("name", S),
        f("auto_cancel", Ty::Obj(&AUTO_CANCEL)),
        f(
            "rules",
            Ty::OneOf(&[Ty::Scalar(NULL), Ty::Nested(&Ty::Obj(&WORKFLOW_RULE), 10)]),
        ),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static AUTO_CANCEL: Obj = Obj {
    fields: &[
        f(
            "on_new_commit",
            Ty::Enum(&["conservative", "interruptible", "none"]),
        ),
        f("on_job_failure", Ty::Enum(&["none", "all"])),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static WORKFLOW_RULE: Obj = Obj {
    fields: &[
        f("if", S),
        f("changes", CHANGES),
        f("exists", EXISTS),
        f("when", Ty::Enum(&["always", "never"])),
        f("variables", RULE_VARIABLES),
        f("auto_cancel", Ty::Obj(&AUTO_CANCEL)),
    ],
    extensions: false,
    required: &[],
    also: None,
};

const IMAGE: Ty = Ty::OneOf(&[S, Ty::Obj(&IMAGE_OBJ)]);

static IMAGE_OBJ: Obj = Obj {
    fields: &[
        f("name", S),
        f("entrypoint", Ty::List(&ANY)),
        f("docker", Ty::Obj(&DOCKER_OPTIONS)),
        f("kubernetes", Ty::Dict(&ANY)),
        f("pull_policy", PULL_POLICY),
    ],
    extensions: false,
    required: &["name"],
    also: None,
};

const PULL_POLICY: Ty = Ty::OneOf(&[
    Ty::Enum(&["always", "never", "if-not-present"]),
    Ty::List(&Ty::Enum(&["always", "never", "if-not-present"])),
]);

static DOCKER_OPTIONS: Obj = Obj {
    fields: &[
        f("platform", Ty::Check(&S, not_empty)),
        f("user", Ty::Check(&S, not_empty)),
    ],
    extensions: false,
    required: &[],
    also: None,
};

const SERVICES: Ty = Ty::List(&Ty::OneOf(&[S, Ty::Obj(&SERVICE)]));

static SERVICE: Obj = Obj {
    fields: &[
        f("name", S),
        f("alias", S),
        f("entrypoint", STRINGS),
        f("command", STRINGS),
        f(
            "variables",
            Ty::Dict(&Ty::OneOf(&[
                Ty::Scalar(STR | NUM | crate::schema::BOOL),
                Ty::Obj(&JOB_VARIABLE),
            ])),
        ),
        f("pull_policy", PULL_POLICY),
        f("docker", Ty::Obj(&DOCKER_OPTIONS)),
        f("kubernetes", Ty::Dict(&ANY)),
        f("ports", Ty::List(&ANY)),
    ],
    extensions: false,
    required: &["name"],
    also: None,
};

const CACHE: Ty = Ty::OneOf(&[Ty::Obj(&CACHE_ITEM), Ty::List(&Ty::Obj(&CACHE_ITEM))]);

static CACHE_ITEM: Obj = Obj {
    fields: &[
        f(
            "key",
            Ty::OneOf(&[
                Ty::Check(&Ty::Scalar(STR | NUM), cache_key),
                Ty::Obj(&CACHE_KEY),
            ]),
        ),
        f("paths", STRINGS),
        f("policy", Ty::Check(&S, cache_policy)),
        f("unprotect", BOOL),
        f("untracked", BOOL),
        f("when", Ty::Enum(&["on_success", "on_failure", "always"])),
        f("fallback_keys", STRINGS),
    ],
    extensions: false,
    required: &[],
    also: None,
};

fn cache_key(key: &str) -> Option<String> {
    if key.contains('/') {
        return Some("cannot contain \"/\"".into());
    }
    matches!(key, "." | "..").then(|| "cannot be \".\" or \"..\"".into())
}

fn not_empty(value: &str) -> Option<String> {
    value.is_empty().then(|| "can't be blank".into())
}

fn cache_policy(policy: &str) -> Option<String> {
    (!matches!(policy, "pull-push" | "pull" | "push"))
        .then(|| "must be pull-push, pull or push".into())
}

static CACHE_KEY: Obj = Obj {
    fields: &[
        f("files", Ty::NonEmpty(&S)),
        f("files_commits", STRINGS),
        f("prefix", S),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static ARTIFACTS: Obj = Obj {
    fields: &[
        // GitLab accepts empty lists here (`paths: []` collects nothing).
        f("paths", STRINGS),
        f("exclude", STRINGS),
        f("expose_as", S),
        f("name", S),
        f("untracked", BOOL),
        f("when", Ty::Enum(&["on_success", "on_failure", "always"])),
        f(
            "access",
            Ty::Enum(&["none", "developer", "maintainer", "all"]),
        ),
        f("public", BOOL),
        f("expire_in", S),
        f("reports", Ty::Obj(&REPORTS)),
    ],
    extensions: false,
    required: &[],
    also: None,
};

/// A report's file or files: a path, or a list of paths (GitLab accepts `junit: []`),
/// or nothing (`Entry::Reports` validates each report `with_options allow_nil: true`).
const REPORT_FILES: Ty = Ty::OneOf(&[S, STRINGS, Ty::Scalar(NULL)]);

static REPORTS: Obj = Obj {
    fields: &[
        f("accessibility", REPORT_FILES),
        f("annotations", REPORT_FILES),
        f("api_fuzzing", REPORT_FILES),
        f("junit", REPORT_FILES),
        f("browser_performance", REPORT_FILES),
        f("coverage_report", Ty::Obj(&COVERAGE_REPORT)),
        f("coverage_fuzzing", REPORT_FILES),
        f("codequality", REPORT_FILES),
        f("dotenv", REPORT_FILES),
        f("lsif", REPORT_FILES),
        f("sast", REPORT_FILES),
        f("dependency_scanning", REPORT_FILES),
        f("container_scanning", REPORT_FILES),
        f("dast", REPORT_FILES),
        f("license_management", REPORT_FILES),
        f("license_scanning", REPORT_FILES),
        f("requirements", REPORT_FILES),
        f("secret_detection", REPORT_FILES),
        f("metrics", REPORT_FILES),
        f("terraform", REPORT_FILES),
        f("cyclonedx", REPORT_FILES),
        f("sarif", REPORT_FILES),
        f("load_performance", REPORT_FILES),
        f("repository_xray", REPORT_FILES),
        f("performance", REPORT_FILES),
        f("cobertura", REPORT_FILES),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static COVERAGE_REPORT: Obj = Obj {
    fields: &[
        f("coverage_format", Ty::Enum(&["cobertura", "jacoco"])),
        f("path", S),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static HOOKS: Obj = Obj {
    fields: &[f("pre_get_sources_script", OPTIONAL_SCRIPT)],
    extensions: false,
    required: &[],
    also: None,
};

static ID_TOKEN: Obj = Obj {
    fields: &[f("aud", STRING_FILE_LIST)],
    extensions: false,
    required: &[],
    also: None,
};

const RETRY: Ty = Ty::OneOf(&[Ty::Check(&INT, retry_max), Ty::Obj(&RETRY_OBJ)]);

fn retry_max(n: &str) -> Option<String> {
    (!matches!(n, "0" | "1" | "2")).then(|| "must be 0, 1 or 2".into())
}

static RETRY_OBJ: Obj = Obj {
    fields: &[
        f("max", Ty::Check(&INT, retry_max)),
        f("when", Ty::OneOf(&[S, STRINGS])),
        f("exit_codes", Ty::OneOf(&[INT, Ty::List(&INT)])),
    ],
    extensions: false,
    required: &[],
    also: None,
};

const TAGS: Ty = Ty::List(&Ty::OneOf(&[S, STRINGS]));
const RULE_VARIABLES: Ty = Ty::Dict(&Ty::Scalar(STR | NUM | crate::schema::BOOL));
const CHANGES: Ty = Ty::OneOf(&[STRINGS, Ty::Obj(&CHANGES_OBJ)]);
const EXISTS: Ty = Ty::OneOf(&[STRINGS, Ty::Obj(&EXISTS_OBJ)]);

static CHANGES_OBJ: Obj = Obj {
    fields: &[f("paths", STRINGS), f("compare_to", S)],
    extensions: false,
    required: &["paths"],
    also: None,
};

static EXISTS_OBJ: Obj = Obj {
    fields: &[f("paths", STRINGS), f("project", S), f("ref", S)],
    extensions: false,
    required: &["paths"],
    also: None,
};

static RULE: Obj = Obj {
    fields: &[
        f("if", S),
        f("changes", CHANGES),
        f("exists", EXISTS),
        f("variables", RULE_VARIABLES),
        f("when", WHEN),
        f("start_in", S),
        f("allow_failure", Ty::OneOf(&[BOOL, Ty::Obj(&EXIT_CODES)])),
        f("needs", Ty::List(&Ty::OneOf(&[S, Ty::Obj(&NEED)]))),
        f("interruptible", BOOL),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static EXIT_CODES: Obj = Obj {
    fields: &[f("exit_codes", Ty::OneOf(&[INT, Ty::List(&INT)]))],
    extensions: false,
    required: &[],
    also: None,
};

static NEED: Obj = Obj {
    fields: &[
        f("job", S),
        f("artifacts", BOOL),
        f("optional", BOOL),
        f("parallel", Ty::Dict(&ANY)),
        f("pipeline", S),
        f("project", S),
        f("ref", S),
    ],
    extensions: false,
    required: &[],
    also: None,
};

const FILTER: Ty = Ty::OneOf(&[Ty::Scalar(NULL), STRINGS, Ty::Obj(&FILTER_OBJ)]);

static FILTER_OBJ: Obj = Obj {
    fields: &[
        f("refs", STRINGS),
        f("kubernetes", Ty::Enum(&["active"])),
        f("variables", STRINGS),
        f("changes", CHANGES),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static ENVIRONMENT: Obj = Obj {
    fields: &[
        f("name", S),
        f("url", S),
        f("on_stop", S),
        f(
            "action",
            Ty::Enum(&["start", "prepare", "stop", "verify", "access"]),
        ),
        f("auto_stop_in", S),
        f("kubernetes", Ty::Dict(&ANY)),
        f(
            "deployment_tier",
            Ty::Enum(&["production", "staging", "testing", "development", "other"]),
        ),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static RELEASE: Obj = Obj {
    fields: &[
        f("tag_name", S),
        f("tag_message", S),
        f("description", S),
        f("name", S),
        f("ref", S),
        f("milestones", STRINGS),
        f("released_at", S),
        f("assets", Ty::Obj(&RELEASE_ASSETS)),
    ],
    extensions: false,
    required: &["tag_name", "description"],
    also: None,
};

static RELEASE_ASSETS: Obj = Obj {
    fields: &[f("links", Ty::List(&Ty::Dict(&ANY)))],
    extensions: false,
    required: &[],
    also: None,
};

static TRIGGER: Obj = Obj {
    fields: &[
        f("project", Ty::Check(&S, project_path)),
        f("branch", S),
        f("strategy", Ty::Enum(&["depend", "mirror"])),
        f("inputs", Ty::Dict(&ANY)),
        f("forward", Ty::Obj(&FORWARD)),
        f("include", ANY),
    ],
    extensions: false,
    required: &[],
    also: None,
};

fn project_path(p: &str) -> Option<String> {
    let ok = p.split('/').filter(|s| !s.is_empty()).count() >= 2
        && !p.contains(char::is_whitespace)
        && !p.contains(['#', '?']);
    (!ok).then(|| "must be a project path such as \"group/project\"".into())
}

static FORWARD: Obj = Obj {
    fields: &[f("yaml_variables", BOOL), f("pipeline_variables", BOOL)],
    extensions: false,
    required: &[],
    also: None,
};

static INHERIT: Obj = Obj {
    fields: &[
        f("default", Ty::OneOf(&[BOOL, STRINGS])),
        f("variables", Ty::OneOf(&[BOOL, STRINGS])),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static PAGES: Obj = Obj {
    fields: &[f("path_prefix", S), f("expire_in", S), f("publish", S)],
    extensions: false,
    required: &[],
    also: None,
};

static PARALLEL: Obj = Obj {
    fields: &[f(
        "matrix",
        Ty::List(&Ty::Dict(&Ty::OneOf(&[
            Ty::Scalar(STR | NUM),
            Ty::List(&Ty::Scalar(STR | NUM)),
        ]))),
    )],
    extensions: false,
    required: &[],
    also: None,
};

fn coverage_regex(text: &str) -> Option<String> {
    match as_pattern(text) {
        None => Some(
            "must be a regular expression between slashes, such as /Coverage: (\\d+\\.\\d+)%/"
                .into(),
        ),
        Some((body, flags)) => check_regex(body, flags).err(),
    }
}

fn parallel_count(n: &str) -> Option<String> {
    match n.parse::<u32>() {
        Ok(1..=200) => None,
        _ => Some("must be between 1 and 200".into()),
    }
}

pub static JOB: Obj = Obj {
    fields: &[
        f("after_script", OPTIONAL_SCRIPT),
        f("allow_failure", Ty::OneOf(&[BOOL, Ty::Obj(&EXIT_CODES)])),
        f("artifacts", Ty::Obj(&ARTIFACTS)),
        f("before_script", OPTIONAL_SCRIPT),
        f("cache", CACHE),
        f("coverage", Ty::Check(&S, coverage_regex)),
        f("dast_configuration", Ty::Dict(&ANY)),
        f("dependencies", STRINGS),
        f("environment", Ty::OneOf(&[S, Ty::Obj(&ENVIRONMENT)])),
        f("except", FILTER),
        f("extends", Ty::OneOf(&[S, Ty::NonEmpty(&S)])),
        f("hooks", Ty::Obj(&HOOKS)),
        f("id_tokens", Ty::Dict(&Ty::Obj(&ID_TOKEN))),
        f("identity", S),
        f("image", IMAGE),
        f("inherit", Ty::Obj(&INHERIT)),
        f("inputs", Ty::Dict(&ANY)),
        f("interruptible", BOOL),
        f("manual_confirmation", S),
        f("needs", Ty::List(&Ty::OneOf(&[S, Ty::Obj(&NEED)]))),
        f("only", FILTER),
        f("pages", Ty::OneOf(&[BOOL, Ty::Obj(&PAGES)])),
        f(
            "parallel",
            Ty::OneOf(&[
                Ty::Scalar(NULL),
                Ty::Check(&INT, parallel_count),
                Ty::Obj(&PARALLEL),
            ]),
        ),
        f("publish", S),
        f("release", Ty::Obj(&RELEASE)),
        f("resource_group", S),
        f("retry", RETRY),
        f(
            "rules",
            Ty::OneOf(&[
                Ty::Scalar(NULL),
                Ty::Nested(&Ty::OneOf(&[Ty::Obj(&RULE), S]), 10),
            ]),
        ),
        f("run", Ty::List(&ANY)),
        f("script", Ty::OneOf(&[S, Ty::NonEmpty(&SCRIPT_ITEM)])),
        f("secrets", Ty::Dict(&Ty::Dict(&ANY))),
        f("services", SERVICES),
        f("stage", Ty::OneOf(&[S, STRINGS])),
        f("start_in", S),
        f("tags", TAGS),
        f("timeout", S),
        f(
            "trigger",
            Ty::OneOf(&[Ty::Check(&S, project_path), Ty::Obj(&TRIGGER)]),
        ),
        f(
            "variables",
            Ty::Dict(&Ty::OneOf(&[
                Ty::Scalar(STR | NUM | crate::schema::BOOL),
                Ty::Obj(&JOB_VARIABLE),
            ])),
        ),
        f("when", WHEN),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static HEADER: Obj = Obj {
    fields: &[f("spec", Ty::Obj(&SPEC))],
    extensions: false,
    required: &[],
    also: None,
};

static SPEC: Obj = Obj {
    fields: &[
        f(
            "inputs",
            Ty::Dict(&Ty::OneOf(&[Ty::Scalar(NULL), Ty::Obj(&INPUT)])),
        ),
        f("include", ANY),
        f("component", STRINGS),
        f("description", S),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static INPUT: Obj = Obj {
    fields: &[
        f("default", ANY),
        f("description", S),
        f("options", Ty::List(&ANY)),
        f("regex", S),
        f("type", Ty::Enum(&["string", "number", "boolean", "array"])),
        f("rules", Ty::List(&ANY)),
    ],
    extensions: false,
    required: &[],
    also: None,
};

/// Validates a pipeline file: the header document (`spec:`) if any, then every keyword
/// of the pipeline document and every job. Unknown top-level keys are job names, not
/// errors (a job without `script:` is `missing-script`'s business). Any job key may be
/// `null`, which resets what `extends` brought in. Hidden keys (`.x`) may hold anything:
/// when they hold job keywords they are templates, checked for unknown keys only (their
/// values are checked where jobs use them).
pub fn validate(tree: &Tree, root: Option<NodeId>, header: Option<NodeId>) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    if let Some(header) = header {
        errors.extend(check(
            tree,
            header,
            &Ty::Obj(&HEADER),
            &SchemaPath::default(),
        ));
        errors.extend(input_errors(tree, header, root));
    }
    let Some(root) = root.filter(|&r| tree.is_mapping(r)) else {
        return errors;
    };
    for e in tree.entries(root) {
        let key = tree.key_text(e.key);
        let merged = e.merged_from;
        let mut found = if let Some(field) = TOP_LEVEL.field(&key) {
            let only_header = tree.entries(root).iter().all(|x| {
                tree.scalar(x.key)
                    .is_some_and(|k| k == "spec" || k == "include")
            });
            if key == "spec" && !only_header {
                let a_job = tree.is_mapping(e.value) && tree.get(e.value, "script").is_some();
                vec![SchemaError {
                    node: e.key,
                    path: SchemaPath::key("spec"),
                    kind: SchemaErrorKind::Invalid {
                        message: if a_job {
                            "is reserved for the header document and can no longer name a job: rename the job".into()
                        } else {
                            "belongs in a header document: put it first, and separate it from the pipeline with a line \"---\"".into()
                        },
                    },
                    merged_from: None,
                }]
            } else {
                check(tree, e.value, &field.ty, &SchemaPath::key(&key))
            }
        } else if key.starts_with('.') {
            // GitLab never validates a hidden key as a job: it may hold a job template, a
            // rule (`if`, `variables`, `when`) used through `!reference`, or any data.
            // What a job takes from it is that job's own value once merged. It must hold
            // something (`Entry::Hidden` validates `config, presence: true`).
            if is_blank(tree, e.value) {
                vec![invalid(
                    e.key,
                    SchemaPath::key(&key),
                    "config can't be blank",
                )]
            } else {
                Vec::new()
            }
        } else if tree.is_mapping(e.value) {
            job_errors(tree, e.value, &key)
        } else if tree.is_null(e.value) || tree.tag(e.value) == Some("!reference") {
            Vec::new()
        } else {
            vec![SchemaError {
                node: e.value,
                path: SchemaPath::key(&key),
                kind: SchemaErrorKind::Invalid {
                    message: match crate::text::nearest(
                        &key,
                        TOP_LEVEL.fields.iter().map(|f| f.key),
                    ) {
                        Some(keyword) => format!(
                            "is neither a keyword nor a job: did you mean the keyword \"{keyword}\"?"
                        ),
                        None => {
                            "is neither a keyword nor a job: a job is a mapping with \"script:\""
                                .into()
                        }
                    },
                },
                merged_from: None,
            }]
        };
        for err in &mut found {
            err.merged_from = err.merged_from.or(merged);
        }
        errors.extend(found);
    }
    errors
}

/// A job's findings, without the `null`s that reset inherited keys.
fn job_errors(tree: &Tree, job: NodeId, name: &str) -> Vec<SchemaError> {
    let mut errors = check(tree, job, &Ty::Obj(&JOB), &SchemaPath::key(name));
    errors.retain(|err| {
        let direct_key = matches!(err.path.0.as_slice(), [_, Segment::Key(_)]);
        !(direct_key && matches!(err.kind, SchemaErrorKind::WrongType { found: "null", .. }))
    });
    errors.extend(job_value_errors(tree, job, name));
    errors
}

fn invalid(node: NodeId, path: SchemaPath, message: &str) -> SchemaError {
    SchemaError {
        node,
        path,
        kind: SchemaErrorKind::Invalid {
            message: message.into(),
        },
        merged_from: None,
    }
}

/// A value GitLab takes alone or in a list: each item, with its index when in a list.
fn one_or_many(tree: &Tree, node: NodeId) -> Vec<(Option<usize>, NodeId)> {
    if tree.is_sequence(node) {
        tree.items(node)
            .iter()
            .enumerate()
            .map(|(i, &n)| (Some(i), tree.resolve(n)))
            .collect()
    } else {
        vec![(None, node)]
    }
}

fn path_of(base: &SchemaPath, segments: &[Segment]) -> SchemaPath {
    let mut path = base.clone();
    path.0.extend(segments.iter().cloned());
    path
}

/// Null, `""`, `[]` or `{}`: what Rails' `presence` calls blank.
fn is_blank(tree: &Tree, node: NodeId) -> bool {
    if tree.tag(node).is_some() {
        return false;
    }
    let node = tree.resolve(node);
    tree.is_null(node)
        || (tree.is_sequence(node) && tree.items(node).is_empty())
        || (tree.is_mapping(node) && tree.entries(node).is_empty())
        || tree.scalar(node) == Some("")
}

/// What GitLab's entry classes reject in a job beyond the keyword table.
fn job_value_errors(tree: &Tree, job: NodeId, name: &str) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    let base = SchemaPath::key(name);
    let key = |k: &str| Segment::Key(k.into());
    // `Entry::Job::ALLOWED_WHEN` has no `never`: it belongs to `rules`.
    if let Some(when) = tree.value(job, "when")
        && tree.tag(when).is_none()
        && tree.scalar(tree.resolve(when)) == Some("never")
    {
        errors.push(invalid(
            when,
            base.clone(),
            "when:never can only be used in a rules section or workflow:rules",
        ));
    }
    // `Entry::Rules` validates `config, presence: true`.
    if let Some(rules) = tree.value(job, "rules")
        && !tree.is_null(tree.resolve(rules))
        && is_blank(tree, rules)
    {
        errors.push(invalid(
            rules,
            path_of(&base, &[key("rules")]),
            "config can't be blank",
        ));
    }
    // `rules:exists:ref` reads another project's branch: it needs `project`.
    if let Some(rules) = tree
        .value(job, "rules")
        .map(|r| tree.resolve(r))
        .filter(|&r| tree.is_sequence(r))
    {
        for (i, &rule) in tree.items(rules).iter().enumerate() {
            let rule = tree.resolve(rule);
            if !tree.is_mapping(rule) {
                continue;
            }
            if let Some(exists) = tree
                .value(rule, "exists")
                .map(|e| tree.resolve(e))
                .filter(|&e| tree.is_mapping(e))
                && let Some(r) = tree.value(exists, "ref")
                && tree.value(exists, "project").is_none()
            {
                errors.push(invalid(
                    r,
                    path_of(&base, &[key("rules"), Segment::Index(i), key("exists")]),
                    "config ref can only be used with project",
                ));
            }
        }
    }
    // `Entry::Cache::Key::Files`: one or two files.
    if let Some(cache) = tree.value(job, "cache").map(|c| tree.resolve(c)) {
        for (i, item) in one_or_many(tree, cache) {
            let Some(files) = tree
                .value(item, "key")
                .map(|k| tree.resolve(k))
                .filter(|&k| tree.is_mapping(k))
                .and_then(|k| tree.value(k, "files"))
            else {
                continue;
            };
            if tree.is_sequence(tree.resolve(files)) && tree.items(tree.resolve(files)).len() > 2 {
                let mut segments = vec![key("cache")];
                segments.extend(i.map(Segment::Index));
                segments.extend([key("key"), key("files")]);
                errors.push(invalid(
                    files,
                    path_of(&base, &segments),
                    "config has too many entries (maximum 2)",
                ));
            }
        }
    }
    errors.extend(trigger_include_errors(tree, job, &base));
    errors
}

/// `trigger: include:` of another project: `project` and `file` together, `project` a
/// project path.
fn trigger_include_errors(tree: &Tree, job: NodeId, base: &SchemaPath) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    let key = |k: &str| Segment::Key(k.into());
    if let Some(include) = tree
        .value(job, "trigger")
        .map(|t| tree.resolve(t))
        .filter(|&t| tree.is_mapping(t))
        .and_then(|t| tree.value(t, "include"))
        .map(|i| tree.resolve(i))
    {
        for (i, item) in one_or_many(tree, include) {
            if !tree.is_mapping(item) {
                continue;
            }
            let mut segments = vec![key("trigger"), key("include")];
            segments.extend(i.map(Segment::Index));
            let at = path_of(base, &segments);
            let project = tree.value(item, "project");
            let file = tree.value(item, "file");
            let other = ["local", "template", "artifact", "remote", "component"]
                .iter()
                .any(|k| tree.value(item, k).is_some());
            match (project, file) {
                (Some(p), _) => {
                    if file.is_none() {
                        errors.push(SchemaError {
                            node: item,
                            path: at.clone(),
                            kind: SchemaErrorKind::MissingKey { key: "file" },
                            merged_from: None,
                        });
                    }
                    if let Some(text) = tree.scalar(tree.resolve(p))
                        && !text.contains('$')
                        && let Some(problem) = project_path(text)
                    {
                        errors.push(invalid(p, path_of(&at, &[key("project")]), &problem));
                    }
                }
                (None, Some(_)) if !other => errors.push(SchemaError {
                    node: item,
                    path: at,
                    kind: SchemaErrorKind::MissingKey { key: "project" },
                    merged_from: None,
                }),
                _ => {}
            }
        }
    }
    errors
}

/// `spec: inputs:` of a header document: each input's `default` and `options` of its
/// `type`, the `default` among the `options` and matching the `regex`, the `regex` valid
/// (`Ci::Input::Inputs`); and, in the pipeline document, `$[[ inputs.NAME ]]` naming a
/// declared input with known functions, at most three of them (`Interpolation::Block`).
fn input_errors(tree: &Tree, header: NodeId, body: Option<NodeId>) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    let Some(inputs) = tree
        .value(header, "spec")
        .map(|s| tree.resolve(s))
        .filter(|&s| tree.is_mapping(s))
        .and_then(|s| tree.value(s, "inputs"))
        .map(|i| tree.resolve(i))
        .filter(|&i| tree.is_mapping(i))
    else {
        return errors;
    };
    let mut declared: Vec<String> = Vec::new();
    for e in tree.entries(inputs) {
        let name = tree.key_text(e.key);
        declared.push(name.clone());
        let input = tree.resolve(e.value);
        if !tree.is_mapping(input) {
            continue;
        }
        let base = SchemaPath(vec![
            Segment::Key("spec".into()),
            Segment::Key("inputs".into()),
            Segment::Key(name.clone()),
        ]);
        let type_name = tree
            .value(input, "type")
            .and_then(|t| tree.scalar(tree.resolve(t)))
            .unwrap_or("string");
        let (ty, kind) = match type_name {
            "string" => (Ty::Scalar(STR), "a string"),
            "number" => (Ty::Scalar(NUM), "a number"),
            "boolean" => (Ty::Scalar(crate::schema::BOOL), "a boolean"),
            "array" => (Ty::List(&ANY), "an array"),
            // An unknown type is the table's finding.
            _ => continue,
        };
        // GitLab's words (`Ci::Input::Inputs::*Input`), at the input.
        let mut report = |node: NodeId, message: String| {
            errors.push(invalid(node, base.clone(), &message));
        };
        let default = tree
            .value(input, "default")
            .filter(|&d| !tree.is_null(tree.resolve(d)));
        if let Some(d) = default
            && !check(tree, d, &ty, &base).is_empty()
        {
            report(d, format!("default value is not {kind}"));
        }
        let options = tree
            .value(input, "options")
            .map(|o| tree.resolve(o))
            .filter(|&o| tree.is_sequence(o));
        if let Some(options) = options {
            if !matches!(type_name, "string" | "number") {
                report(
                    options,
                    "Options can only be used with string and number inputs".into(),
                );
            } else if let Some(d) = default
                && let Some(text) = tree.scalar(tree.resolve(d))
                && !tree
                    .items(options)
                    .iter()
                    .any(|&o| tree.scalar(tree.resolve(o)) == Some(text))
            {
                report(
                    d,
                    format!(
                        "`{text}` cannot be used because it is not in the list of allowed options"
                    ),
                );
            }
        }
        if let Some(regex) = tree.value(input, "regex")
            && let Some(pattern) = tree.scalar(tree.resolve(regex))
        {
            if type_name != "string" {
                report(
                    regex,
                    "RegEx validation can only be used with string inputs".into(),
                );
            } else {
                match regex::Regex::new(pattern) {
                    Err(_) => report(regex, "invalid regular expression".into()),
                    Ok(re) => {
                        if let Some(d) = default
                            && let Some(text) = tree.scalar(tree.resolve(d))
                            && !re.is_match(text)
                        {
                            report(
                                d,
                                "default value does not match required RegEx pattern".into(),
                            );
                        }
                    }
                }
            }
        }
    }
    if let Some(body) = body {
        errors.extend(interpolation_errors(tree, body, &declared));
    }
    errors
}

/// The `$[[ ... ]]` blocks of the pipeline document below a `spec: inputs:` header.
fn interpolation_errors(tree: &Tree, body: NodeId, declared: &[String]) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    let mut stack = vec![body];
    let mut seen = 0usize;
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > tree.len() {
            break;
        }
        if tree.is_sequence(node) {
            stack.extend(tree.items(node).iter().rev());
        } else if tree.is_mapping(node) {
            for e in tree.entries(node).iter().rev() {
                stack.push(e.value);
                stack.push(e.key);
            }
        } else if let Some(text) = tree.scalar(node) {
            for problem in interpolation_problems(text, declared) {
                errors.push(invalid(node, SchemaPath::default(), &problem));
            }
        }
    }
    errors
}

/// Interpolation functions GitLab knows (`Interpolation::Functions`).
const INPUT_FUNCTIONS: &[&str] = &["expand_vars", "truncate", "posix_escape"];
const MAX_INPUT_FUNCTIONS: usize = 3;

/// What is wrong with the `$[[ ... ]]` blocks of one string.
fn interpolation_problems(text: &str, declared: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("$[[") {
        let after = &rest[start + 3..];
        let Some(end) = after.find("]]") else { break };
        let block = after[..end].trim();
        rest = &after[end + 2..];
        let mut parts = block.split('|').map(str::trim);
        let access = parts.next().unwrap_or_default();
        let functions: Vec<&str> = parts.collect();
        if let Some(name) = access.strip_prefix("inputs.") {
            if !declared.iter().any(|d| d == name) {
                out.push(format!(
                    "has an unknown interpolation key: `{name}` (spec:inputs declares no such input)"
                ));
            }
        } else if !access.starts_with("matrix.") && !access.starts_with("component.") {
            out.push(format!(
                "has an invalid interpolation access pattern: `{access}`"
            ));
        }
        if functions.len() > MAX_INPUT_FUNCTIONS {
            out.push(format!(
                "has too many functions in an interpolation block (maximum {MAX_INPUT_FUNCTIONS})"
            ));
        }
        for f in functions {
            let fname = f.split('(').next().unwrap_or_default().trim();
            if !INPUT_FUNCTIONS.contains(&fname) {
                out.push(format!(
                    "has no interpolation function matching `{f}` (GitLab knows expand_vars, truncate and posix_escape)"
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternatives_are_named_once() {
        let script = Ty::OneOf(&[S, Ty::NonEmpty(&SCRIPT_ITEM)]);
        assert_eq!(describe(&script), "a string or a list of strings");
        assert_eq!(describe(&OPTIONAL_SCRIPT), "a string or a list of strings");
    }

    #[test]
    fn hidden_keys_and_empty_lists() {
        let text = ".rule_x:\n  if: $CI_COMMIT_TAG\n  variables: {A: b}\n  when: never\n\
                    .t:\n  scirpt: x\n  stage: test\n  image: y\n\
                    build:\n  script: make\n  artifacts:\n    paths: []\n    reports:\n      junit: []\n";
        let yaml = shipshape_yaml::parse(text);
        let tree = &yaml.tree;
        assert!(validate(tree, tree.root(), None).is_empty());
    }
}
