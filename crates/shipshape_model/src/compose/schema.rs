//! The Compose file format as a table: every key the Compose specification knows, where,
//! and the type of its value; and a validator that walks a file against it.
//!
//! Written from the Compose specification (compose-spec `05-services.md` and its
//! siblings, the keyword list of `schema/compose-spec.json`); the official JSON schema is
//! only used by the conformance test, never at run time. Where compose-go is more lenient
//! than the schema, so are we: a string holding `${...}` may stand for any scalar, since
//! Compose interpolates before it validates, and the `!reset` / `!override` tags may hold
//! anything.

use shipshape_yaml::{NodeId, Tree};

use crate::schema::*;
pub use crate::schema::{SchemaError, SchemaErrorKind, describe, quoted_list};

// ----------------------------------------------------------------------------------------
// The file

pub static TOP_LEVEL: Obj = Obj {
    fields: &[
        f("version", S),
        f("name", S),
        f("include", Ty::List(&Ty::OneOf(&[S, Ty::Obj(&INCLUDE)]))),
        f("services", Ty::Dict(&Ty::Obj(&SERVICE))),
        f("models", Ty::Dict(&Ty::Obj(&MODEL))),
        f(
            "networks",
            Ty::Dict(&Ty::OneOf(&[Ty::Scalar(NULL), Ty::Obj(&NETWORK)])),
        ),
        f(
            "volumes",
            Ty::Dict(&Ty::OneOf(&[Ty::Scalar(NULL), Ty::Obj(&VOLUME)])),
        ),
        f("secrets", Ty::Dict(&Ty::Obj(&SECRET))),
        f("configs", Ty::Dict(&Ty::Obj(&CONFIG))),
        f("jobs", Ty::Dict(&Ty::Any)),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static INCLUDE: Obj = Obj {
    fields: &[
        f("path", STR_OR_LIST),
        f("env_file", STR_OR_LIST),
        f("project_directory", S),
    ],
    extensions: false,
    required: &["path"],
    also: None,
};

static MODEL: Obj = Obj {
    fields: &[
        f("name", S),
        f("model", S),
        f("context_size", Ty::Scalar(INT)),
        f("runtime_flags", STRINGS),
    ],
    extensions: true,
    required: &["model"],
    also: None,
};

static NETWORK: Obj = Obj {
    fields: &[
        f("name", S),
        f("driver", S),
        f("driver_opts", DRIVER_OPTS),
        f("ipam", Ty::Obj(&IPAM)),
        f("external", Ty::OneOf(&[B, Ty::Obj(&EXTERNAL)])),
        f("internal", B),
        f("enable_ipv4", B),
        f("enable_ipv6", B),
        f("attachable", B),
        f("labels", LIST_OR_DICT),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static EXTERNAL: Obj = Obj {
    fields: &[f("name", S)],
    extensions: true,
    required: &[],
    also: None,
};

static IPAM: Obj = Obj {
    fields: &[
        f("driver", S),
        f("config", Ty::List(&Ty::Obj(&IPAM_CONFIG))),
        f("options", Ty::Dict(&S)),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static IPAM_CONFIG: Obj = Obj {
    fields: &[
        f("subnet", S),
        f("ip_range", S),
        f("gateway", S),
        f("aux_addresses", Ty::Dict(&S)),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static VOLUME: Obj = Obj {
    fields: &[
        f("name", S),
        f("driver", S),
        f("driver_opts", DRIVER_OPTS),
        f("external", Ty::OneOf(&[B, Ty::Obj(&EXTERNAL)])),
        f("labels", LIST_OR_DICT),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static SECRET: Obj = Obj {
    fields: &[
        f("name", S),
        f("environment", S),
        f("file", S),
        f("external", Ty::OneOf(&[B, Ty::Obj(&EXTERNAL)])),
        f("labels", LIST_OR_DICT),
        f("driver", S),
        f("driver_opts", DRIVER_OPTS),
        f("template_driver", S),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static CONFIG: Obj = Obj {
    fields: &[
        f("name", S),
        f("content", S),
        f("environment", S),
        f("file", S),
        f("external", Ty::OneOf(&[B, Ty::Obj(&EXTERNAL)])),
        f("labels", LIST_OR_DICT),
        f("template_driver", S),
    ],
    extensions: true,
    required: &[],
    also: None,
};

// ----------------------------------------------------------------------------------------
// Services

pub static SERVICE: Obj = Obj {
    fields: &[
        // container
        f("annotations", LIST_OR_DICT),
        f("attach", B),
        f("blkio_config", Ty::Obj(&BLKIO_CONFIG)),
        f("build", Ty::OneOf(&[S, Ty::Obj(&BUILD)])),
        f("cap_add", STRINGS),
        f("cap_drop", STRINGS),
        f("cgroup", Ty::Enum(&["host", "private"])),
        f("cgroup_parent", S),
        f("command", COMMAND),
        f("configs", Ty::List(&Ty::OneOf(&[S, Ty::Obj(&FILE_REF)]))),
        f("container_name", S),
        f("cpu_count", I),
        f("cpu_percent", I),
        f("cpu_shares", N),
        f("cpu_quota", N),
        f("cpu_period", N),
        f("cpu_rt_period", N),
        f("cpu_rt_runtime", N),
        f("cpus", N),
        f("cpuset", S),
        f("credential_spec", Ty::Obj(&CREDENTIAL_SPEC)),
        f(
            "depends_on",
            Ty::OneOf(&[STRINGS, Ty::Dict(&Ty::Obj(&DEPENDENCY))]),
        ),
        f("deploy", Ty::Obj(&DEPLOY)),
        f("develop", Ty::Obj(&DEVELOP)),
        f("device_cgroup_rules", STRINGS),
        f("devices", Ty::List(&Ty::OneOf(&[S, Ty::Obj(&DEVICE)]))),
        f("dns", STR_OR_LIST),
        f("dns_opt", STRINGS),
        f("dns_search", STR_OR_LIST),
        f("domainname", S),
        f("entrypoint", COMMAND),
        f(
            "env_file",
            Ty::OneOf(&[S, Ty::List(&Ty::OneOf(&[S, Ty::Obj(&ENV_FILE)]))]),
        ),
        f("environment", LIST_OR_DICT),
        f("expose", Ty::List(&Ty::Scalar(STR | NUM))),
        f("extends", Ty::OneOf(&[S, Ty::Obj(&EXTENDS)])),
        f("external_links", STRINGS),
        f("extra_hosts", Ty::OneOf(&[Ty::Dict(&STR_OR_LIST), STRINGS])),
        f(
            "gpus",
            Ty::OneOf(&[Ty::Enum(&["all"]), Ty::List(&Ty::Obj(&DEVICE_REQUEST))]),
        ),
        f("group_add", Ty::List(&Ty::Scalar(STR | NUM))),
        f("healthcheck", Ty::Obj(&HEALTHCHECK)),
        f("hostname", S),
        f("image", S),
        f("init", B),
        f("ipc", S),
        f("isolation", S),
        f("label_file", STR_OR_LIST),
        f("labels", LIST_OR_DICT),
        f("links", STRINGS),
        f("logging", Ty::Obj(&LOGGING)),
        f("mac_address", S),
        f("mem_limit", I),
        f("mem_reservation", I),
        f("mem_swappiness", I),
        f("memswap_limit", I),
        f(
            "models",
            Ty::OneOf(&[
                STRINGS,
                Ty::Dict(&Ty::OneOf(&[Ty::Scalar(NULL), Ty::Obj(&SERVICE_MODEL)])),
            ]),
        ),
        f("network_mode", S),
        f(
            "networks",
            Ty::OneOf(&[
                STRINGS,
                Ty::Dict(&Ty::OneOf(&[Ty::Scalar(NULL), Ty::Obj(&SERVICE_NETWORK)])),
            ]),
        ),
        f("oom_kill_disable", B),
        f("oom_score_adj", I),
        f("pid", Ty::Scalar(STR | NULL)),
        f("pids_limit", N),
        f("platform", S),
        f(
            "ports",
            Ty::List(&Ty::OneOf(&[Ty::Scalar(STR | NUM), Ty::Obj(&PORT)])),
        ),
        f("post_start", Ty::List(&Ty::Obj(&HOOK))),
        f("pre_start", Ty::List(&Ty::Obj(&PRE_START_HOOK))),
        f("pre_stop", Ty::List(&Ty::Obj(&HOOK))),
        f("privileged", B),
        f("profiles", STRINGS),
        f("provider", Ty::Obj(&PROVIDER)),
        f("pull_policy", S),
        f("pull_refresh_after", S),
        f("read_only", B),
        f("restart", S),
        f("runtime", S),
        f("scale", I),
        f("secrets", Ty::List(&Ty::OneOf(&[S, Ty::Obj(&FILE_REF)]))),
        f("security_opt", STRINGS),
        f("shm_size", I),
        f("stdin_open", B),
        f("stop_grace_period", S),
        f("stop_signal", S),
        f("storage_opt", Ty::Dict(&Ty::Any)),
        f("sysctls", LIST_OR_DICT),
        f("tmpfs", STR_OR_LIST),
        f("tty", B),
        f("ulimits", Ty::Dict(&Ty::OneOf(&[I, Ty::Obj(&ULIMIT)]))),
        f("umask", Ty::Scalar(INT | STR | NULL)),
        f("use_api_socket", Ty::Scalar(BOOL)),
        f("user", S),
        f("userns_mode", S),
        f("uts", S),
        f(
            "volumes",
            Ty::List(&Ty::OneOf(&[S, Ty::Obj(&SERVICE_VOLUME)])),
        ),
        f("volumes_from", STRINGS),
        f("working_dir", S),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static BLKIO_CONFIG: Obj = Obj {
    fields: &[
        f("device_read_bps", Ty::List(&Ty::Obj(&BLKIO_LIMIT))),
        f("device_read_iops", Ty::List(&Ty::Obj(&BLKIO_LIMIT))),
        f("device_write_bps", Ty::List(&Ty::Obj(&BLKIO_LIMIT))),
        f("device_write_iops", Ty::List(&Ty::Obj(&BLKIO_LIMIT))),
        f("weight", I),
        f("weight_device", Ty::List(&Ty::Obj(&BLKIO_WEIGHT))),
    ],
    extensions: false,
    required: &[],
    also: None,
};

static BLKIO_LIMIT: Obj = Obj {
    fields: &[f("path", S), f("rate", I)],
    extensions: false,
    required: &[],
    also: None,
};

static BLKIO_WEIGHT: Obj = Obj {
    fields: &[f("path", S), f("weight", I)],
    extensions: false,
    required: &[],
    also: None,
};

static BUILD: Obj = Obj {
    fields: &[
        f("context", S),
        f("dockerfile", S),
        f("dockerfile_inline", S),
        f("entitlements", STRINGS),
        f("args", LIST_OR_DICT),
        f("ssh", LIST_OR_DICT),
        f("labels", LIST_OR_DICT),
        f("cache_from", STRINGS),
        f("cache_to", STRINGS),
        f("no_cache", B),
        f("no_cache_filter", STR_OR_LIST),
        f("additional_contexts", LIST_OR_DICT),
        f("network", S),
        f("provenance", B),
        f("sbom", B),
        f("pull", B),
        f("target", S),
        f("shm_size", I),
        f("extra_hosts", Ty::OneOf(&[Ty::Dict(&STR_OR_LIST), STRINGS])),
        f("isolation", S),
        f("privileged", B),
        f("secrets", Ty::List(&Ty::OneOf(&[S, Ty::Obj(&FILE_REF)]))),
        f("tags", STRINGS),
        f("ulimits", Ty::Dict(&Ty::OneOf(&[I, Ty::Obj(&ULIMIT)]))),
        f("platforms", STRINGS),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static FILE_REF: Obj = Obj {
    fields: &[
        f("source", S),
        f("target", S),
        f("uid", S),
        f("gid", S),
        f("mode", N),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static CREDENTIAL_SPEC: Obj = Obj {
    fields: &[f("config", S), f("file", S), f("registry", S)],
    extensions: true,
    required: &[],
    also: None,
};

pub const CONDITIONS: &[&str] = &[
    "service_started",
    "service_healthy",
    "service_completed_successfully",
];

static DEPENDENCY: Obj = Obj {
    fields: &[
        f("condition", Ty::Enum(CONDITIONS)),
        f("required", Ty::Scalar(BOOL)),
        f("restart", B),
    ],
    extensions: true,
    required: &["condition"],
    also: None,
};

static DEPLOY: Obj = Obj {
    fields: &[
        f("mode", S),
        f("endpoint_mode", S),
        f("replicas", I),
        f("labels", LIST_OR_DICT),
        f("rollback_config", Ty::Obj(&UPDATE_CONFIG)),
        f("update_config", Ty::Obj(&UPDATE_CONFIG)),
        f("resources", Ty::Obj(&RESOURCES)),
        f("restart_policy", Ty::Obj(&RESTART_POLICY)),
        f("placement", Ty::Obj(&PLACEMENT)),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static UPDATE_CONFIG: Obj = Obj {
    fields: &[
        f("parallelism", I),
        f("delay", S),
        f("failure_action", S),
        f("monitor", S),
        f("max_failure_ratio", N),
        f("order", Ty::Enum(&["start-first", "stop-first"])),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static RESOURCES: Obj = Obj {
    fields: &[
        f("limits", Ty::Obj(&LIMITS)),
        f("reservations", Ty::Obj(&RESERVATIONS)),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static LIMITS: Obj = Obj {
    fields: &[f("cpus", N), f("memory", S), f("pids", I)],
    extensions: true,
    required: &[],
    also: None,
};

static RESERVATIONS: Obj = Obj {
    fields: &[
        f("cpus", N),
        f("memory", S),
        f("generic_resources", Ty::List(&Ty::Obj(&GENERIC_RESOURCE))),
        f("devices", Ty::List(&Ty::Obj(&DEVICE_REQUEST))),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static GENERIC_RESOURCE: Obj = Obj {
    fields: &[f("discrete_resource_spec", Ty::Obj(&DISCRETE_RESOURCE))],
    extensions: true,
    required: &[],
    also: None,
};

static DISCRETE_RESOURCE: Obj = Obj {
    fields: &[f("kind", S), f("value", N)],
    extensions: true,
    required: &[],
    also: None,
};

static DEVICE_REQUEST: Obj = Obj {
    fields: &[
        f("capabilities", STRINGS),
        f("count", I),
        f("device_ids", STRINGS),
        f("driver", S),
        f("options", LIST_OR_DICT),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static RESTART_POLICY: Obj = Obj {
    fields: &[
        f("condition", S),
        f("delay", S),
        f("max_attempts", I),
        f("window", S),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static PLACEMENT: Obj = Obj {
    fields: &[
        f("constraints", STRINGS),
        f("preferences", Ty::List(&Ty::Obj(&PLACEMENT_PREFERENCE))),
        f("max_replicas_per_node", I),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static PLACEMENT_PREFERENCE: Obj = Obj {
    fields: &[f("spread", S)],
    extensions: true,
    required: &[],
    also: None,
};

static DEVELOP: Obj = Obj {
    fields: &[f("watch", Ty::List(&Ty::Obj(&WATCH)))],
    extensions: true,
    required: &[],
    also: None,
};

static WATCH: Obj = Obj {
    fields: &[
        f("ignore", STR_OR_LIST),
        f("include", STR_OR_LIST),
        f("path", S),
        f(
            "action",
            Ty::Enum(&["rebuild", "sync", "restart", "sync+restart", "sync+exec"]),
        ),
        f("target", S),
        f("exec", Ty::Obj(&HOOK)),
        f("initial_sync", Ty::Scalar(BOOL)),
    ],
    extensions: true,
    required: &["path", "action"],
    also: None,
};

static DEVICE: Obj = Obj {
    fields: &[f("source", S), f("target", S), f("permissions", S)],
    extensions: true,
    required: &[],
    also: None,
};

static ENV_FILE: Obj = Obj {
    fields: &[f("path", S), f("format", S), f("required", B)],
    extensions: false,
    required: &["path"],
    also: None,
};

static EXTENDS: Obj = Obj {
    fields: &[f("service", S), f("file", S)],
    extensions: false,
    required: &["service"],
    also: None,
};

pub static HEALTHCHECK: Obj = Obj {
    fields: &[
        f("disable", B),
        f("interval", S),
        f("retries", N),
        f("test", STR_OR_LIST),
        f("timeout", S),
        f("start_period", S),
        f("start_interval", S),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static LOGGING: Obj = Obj {
    fields: &[
        f("driver", S),
        f("options", Ty::Dict(&Ty::Scalar(STR | NUM | NULL))),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static SERVICE_MODEL: Obj = Obj {
    fields: &[f("endpoint_var", S), f("model_var", S)],
    extensions: true,
    required: &[],
    also: None,
};

static SERVICE_NETWORK: Obj = Obj {
    fields: &[
        f("aliases", STRINGS),
        f("interface_name", S),
        f("ipv4_address", S),
        f("ipv6_address", S),
        f("link_local_ips", STRINGS),
        f("mac_address", S),
        f("driver_opts", DRIVER_OPTS),
        f("priority", Ty::Scalar(NUM)),
        f("gw_priority", Ty::Scalar(NUM)),
        f("use_service_name_alias", Ty::Scalar(BOOL)),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static PORT: Obj = Obj {
    fields: &[
        f("name", S),
        f("mode", S),
        f("host_ip", S),
        f("target", I),
        f("published", I),
        f("protocol", S),
        f("app_protocol", S),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static HOOK: Obj = Obj {
    fields: &[
        f("command", COMMAND),
        f("user", S),
        f("privileged", B),
        f("working_dir", S),
        f("environment", LIST_OR_DICT),
    ],
    extensions: true,
    required: &["command"],
    also: None,
};

static PRE_START_HOOK: Obj = Obj {
    // A container of its own, run to completion: any service key, plus per_replica.
    fields: &[f("per_replica", B)],
    extensions: true,
    required: &[],
    also: Some(&SERVICE),
};

static PROVIDER: Obj = Obj {
    fields: &[f("type", S), f("options", Ty::Dict(&Ty::Any))],
    extensions: true,
    required: &["type"],
    also: None,
};

static ULIMIT: Obj = Obj {
    fields: &[f("hard", I), f("soft", I)],
    extensions: true,
    required: &[],
    also: None,
};

static SERVICE_VOLUME: Obj = Obj {
    fields: &[
        f(
            "type",
            Ty::Enum(&["bind", "volume", "tmpfs", "cluster", "npipe", "image"]),
        ),
        f("source", S),
        f("target", S),
        f("read_only", B),
        f("consistency", S),
        f("bind", Ty::Obj(&BIND_OPTIONS)),
        f("volume", Ty::Obj(&VOLUME_OPTIONS)),
        f("tmpfs", Ty::Obj(&TMPFS_OPTIONS)),
        f("image", Ty::Obj(&IMAGE_OPTIONS)),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static BIND_OPTIONS: Obj = Obj {
    fields: &[
        f("propagation", S),
        f("create_host_path", B),
        f(
            "recursive",
            Ty::Enum(&["enabled", "disabled", "writable", "readonly"]),
        ),
        f("selinux", Ty::Enum(&["z", "Z"])),
    ],
    extensions: true,
    required: &[],
    also: None,
};

static VOLUME_OPTIONS: Obj = Obj {
    fields: &[f("labels", LIST_OR_DICT), f("nocopy", B), f("subpath", S)],
    extensions: true,
    required: &[],
    also: None,
};

static TMPFS_OPTIONS: Obj = Obj {
    fields: &[f("size", I), f("mode", N)],
    extensions: true,
    required: &[],
    also: None,
};

static IMAGE_OPTIONS: Obj = Obj {
    fields: &[f("subpath", S)],
    extensions: true,
    required: &[],
    also: None,
};

/// Validates a Compose file's root (None for an empty file).
pub fn validate(tree: &Tree, root: Option<NodeId>) -> Vec<SchemaError> {
    let mut errors = Vec::new();
    match root {
        None => errors.push(SchemaError {
            node: NodeId(0),
            path: SchemaPath::default(),
            kind: SchemaErrorKind::EmptyFile,
            merged_from: None,
        }),
        Some(root) if tree.is_null(root) => errors.push(SchemaError {
            node: root,
            path: SchemaPath::default(),
            kind: SchemaErrorKind::EmptyFile,
            merged_from: None,
        }),
        Some(root) => {
            if let Some(legacy) = legacy_services(tree, root) {
                errors.push(SchemaError {
                    node: legacy.0,
                    path: SchemaPath::default(),
                    kind: SchemaErrorKind::LegacyFormat { services: legacy.1 },
                    merged_from: None,
                });
            } else {
                errors = check(tree, root, &Ty::Obj(&TOP_LEVEL), &SchemaPath::default());
            }
        }
    }
    errors
}

/// `Some((first key, names))` when the file keeps its services at the top level.
fn legacy_services(tree: &Tree, root: NodeId) -> Option<(NodeId, Vec<String>)> {
    if !tree.is_mapping(root) || tree.get(root, "services").is_some() {
        return None;
    }
    let known = |k: &str| TOP_LEVEL.fields.iter().any(|f| f.key == k) || k.starts_with("x-");
    let unknown: Vec<_> = tree
        .entries(root)
        .iter()
        .filter(|e| tree.scalar(e.key).is_some_and(|k| !known(k)))
        .collect();
    let all_services = !unknown.is_empty()
        && unknown.iter().all(|e| {
            ["image", "build"]
                .iter()
                .any(|k| tree.get(e.value, k).is_some())
        });
    all_services.then(|| {
        (
            unknown[0].key,
            unknown
                .iter()
                .filter_map(|e| tree.scalar(e.key).map(str::to_string))
                .collect(),
        )
    })
}
