//! The Compose file format as a table: every key the Compose specification knows, where,
//! and the type of its value; and a validator that walks a file against it.
//!
//! Written from the Compose specification (compose-spec `05-services.md` and its
//! siblings, the keyword list of `schema/compose-spec.json`); the official JSON schema is
//! only used by the conformance test, never at run time. Where compose-go is more lenient
//! than the schema, so are we: a string holding `${...}` may stand for any scalar, since
//! Compose interpolates before it validates, and the `!reset` / `!override` tags may hold
//! anything.

use shipshape_yaml::{NodeId, NodeKind, ScalarStyle, Tree, scalar};

// ----------------------------------------------------------------------------------------
// The type language

/// Scalar kinds, as a bit set.
pub const STR: u8 = 1;
pub const INT: u8 = 2;
pub const NUM: u8 = 4; // includes integers
pub const BOOL: u8 = 8;
pub const NULL: u8 = 16;

pub enum Ty {
    /// Anything at all.
    Any,
    /// A scalar of one of the kinds in the mask.
    Scalar(u8),
    /// A string from a fixed list.
    Enum(&'static [&'static str]),
    List(&'static Ty),
    /// A mapping with free keys, each value of the type.
    Dict(&'static Ty),
    Obj(&'static Obj),
    /// The first alternative whose shape fits (a scalar, a list or a mapping).
    OneOf(&'static [Ty]),
}

pub struct Field {
    pub key: &'static str,
    pub ty: Ty,
}

pub struct Obj {
    pub fields: &'static [Field],
    /// Keys starting with `x-` are allowed (and ignored by Compose).
    pub extensions: bool,
    pub required: &'static [&'static str],
    /// Another object whose keys are allowed here too.
    pub also: Option<&'static Obj>,
}

impl Obj {
    pub fn field(&self, key: &str) -> Option<&'static Field> {
        let own: &'static [Field] = self.fields;
        own.iter()
            .find(|f| f.key == key)
            .or_else(|| self.also.and_then(|o| o.field(key)))
    }

    /// Every key allowed here, for suggestions.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        let own: &'static [Field] = self.fields;
        own.iter().map(|f| f.key).chain(
            self.also
                .into_iter()
                .flat_map(|o| o.fields.iter().map(|f| f.key)),
        )
    }
}

const fn f(key: &'static str, ty: Ty) -> Field {
    Field { key, ty }
}

const S: Ty = Ty::Scalar(STR);
const B: Ty = Ty::Scalar(BOOL | STR);
const I: Ty = Ty::Scalar(INT | STR);
const N: Ty = Ty::Scalar(NUM | STR);
const STRINGS: Ty = Ty::List(&S);
const STR_OR_LIST: Ty = Ty::OneOf(&[S, STRINGS]);
const LIST_OR_DICT: Ty = Ty::OneOf(&[Ty::Dict(&Ty::Scalar(STR | NUM | BOOL | NULL)), STRINGS]);
const COMMAND: Ty = Ty::OneOf(&[Ty::Scalar(STR | NULL), STRINGS]);
const DRIVER_OPTS: Ty = Ty::Dict(&Ty::Scalar(STR | NUM));

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

// ----------------------------------------------------------------------------------------
// The validator

/// One place where the file does not follow the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// The node to point at (a key for unknown keys, else the value).
    pub node: NodeId,
    /// Where the offending value sits, `services.web.ports[0]`.
    pub path: String,
    pub kind: SchemaErrorKind,
    /// For entries brought in by a merge key: the alias that merged them here.
    pub merged_from: Option<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaErrorKind {
    UnknownKey {
        key: String,
        suggestion: Option<&'static str>,
    },
    WrongType {
        expected: String,
        found: &'static str,
    },
    NotInEnum {
        value: String,
        allowed: &'static [&'static str],
        suggestion: Option<&'static str>,
    },
    MissingKey {
        key: &'static str,
    },
    /// No document, or only comments.
    EmptyFile,
    /// Services at the top level (Compose v1's format).
    LegacyFormat {
        services: Vec<String>,
    },
}

/// Validates a Compose file's root (None for an empty file).
pub fn validate(tree: &Tree, root: Option<NodeId>) -> Vec<SchemaError> {
    let mut v = Validator {
        tree,
        errors: Vec::new(),
    };
    match root {
        None => v.errors.push(SchemaError {
            node: NodeId(0),
            path: String::new(),
            kind: SchemaErrorKind::EmptyFile,
            merged_from: None,
        }),
        Some(root) if tree.is_null(root) => v.errors.push(SchemaError {
            node: root,
            path: String::new(),
            kind: SchemaErrorKind::EmptyFile,
            merged_from: None,
        }),
        Some(root) => {
            if let Some(legacy) = legacy_services(tree, root) {
                v.errors.push(SchemaError {
                    node: legacy.0,
                    path: String::new(),
                    kind: SchemaErrorKind::LegacyFormat { services: legacy.1 },
                    merged_from: None,
                });
            } else {
                v.check(root, &Ty::Obj(&TOP_LEVEL), "", None);
            }
        }
    }
    v.errors
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

struct Validator<'a> {
    tree: &'a Tree,
    errors: Vec<SchemaError>,
}

/// What a node is, for matching against types and for messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Scalar(u8),
    /// A string with `${...}`: any scalar kind once interpolated.
    Interpolated,
    List,
    Map,
    /// `!reset` / `!override`: Compose's merge tags hold what they like.
    Tagged,
}

impl Validator<'_> {
    fn shape(&self, node: NodeId) -> Shape {
        let tree = self.tree;
        let n = tree.node(tree.resolve(node));
        if matches!(tree.tag(node), Some("!reset" | "!override")) {
            return Shape::Tagged;
        }
        match &n.kind {
            NodeKind::Sequence { .. } => Shape::List,
            NodeKind::Mapping { .. } => Shape::Map,
            NodeKind::Alias { .. } => Shape::Scalar(NULL),
            NodeKind::Scalar { value, style } => {
                if value.contains('$') {
                    return Shape::Interpolated;
                }
                if *style != ScalarStyle::Plain || n.tag.as_deref() == Some("!!str") {
                    return Shape::Scalar(STR);
                }
                if scalar::is_null(value) {
                    Shape::Scalar(NULL)
                } else if scalar::as_bool(value).is_some() {
                    Shape::Scalar(BOOL)
                } else if scalar::as_int(value).is_some() {
                    Shape::Scalar(INT | NUM)
                } else if scalar::is_float(value) {
                    Shape::Scalar(NUM)
                } else {
                    Shape::Scalar(STR)
                }
            }
        }
    }

    fn fits(&self, shape: Shape, ty: &Ty) -> bool {
        match (ty, shape) {
            (Ty::Any, _) | (_, Shape::Tagged) => true,
            (Ty::Scalar(_) | Ty::Enum(_), Shape::Interpolated) => true,
            (Ty::Scalar(mask), Shape::Scalar(kind)) => mask & kind != 0,
            (Ty::Enum(_), Shape::Scalar(kind)) => kind & STR != 0,
            (Ty::List(_), Shape::List) => true,
            (Ty::Dict(_) | Ty::Obj(_), Shape::Map) => true,
            (Ty::OneOf(alts), s) => alts.iter().any(|a| self.fits(s, a)),
            _ => false,
        }
    }

    fn check(&mut self, node: NodeId, ty: &Ty, path: &str, merged_from: Option<NodeId>) {
        let shape = self.shape(node);
        if shape == Shape::Tagged {
            return;
        }
        if !self.fits(shape, ty) {
            self.errors.push(SchemaError {
                node,
                path: path.to_string(),
                kind: SchemaErrorKind::WrongType {
                    expected: describe(ty),
                    found: shape_name(shape),
                },
                merged_from,
            });
            return;
        }
        let tree = self.tree;
        match ty {
            Ty::Any | Ty::Scalar(_) => {}
            Ty::Enum(allowed) => {
                if shape == Shape::Interpolated {
                    return;
                }
                let value = tree.scalar(node).unwrap_or_default();
                if !allowed.contains(&value) {
                    self.errors.push(SchemaError {
                        node,
                        path: path.to_string(),
                        kind: SchemaErrorKind::NotInEnum {
                            value: value.to_string(),
                            allowed,
                            suggestion: crate::text::nearest(value, allowed.iter().copied()),
                        },
                        merged_from,
                    });
                }
            }
            Ty::List(item) => {
                for (i, &n) in tree.items(node).iter().enumerate() {
                    self.check(n, item, &format!("{path}[{i}]"), merged_from);
                }
            }
            Ty::Dict(value) => {
                for e in tree.entries(node) {
                    let key = tree.key_text(e.key);
                    let from = e.merged_from.or(merged_from);
                    self.check(e.value, value, &join(path, &key), from);
                }
            }
            Ty::Obj(obj) => self.check_object(node, obj, path, merged_from),
            Ty::OneOf(alts) => {
                if let Some(alt) = alts.iter().find(|a| self.fits(shape, a)) {
                    self.check(node, alt, path, merged_from);
                }
            }
        }
    }

    fn check_object(&mut self, node: NodeId, obj: &Obj, path: &str, merged_from: Option<NodeId>) {
        let tree = self.tree;
        for e in tree.entries(node) {
            let key = tree.key_text(e.key);
            let from = e.merged_from.or(merged_from);
            if obj.extensions && key.starts_with("x-") {
                continue;
            }
            match obj.field(&key) {
                Some(field) => self.check(e.value, &field.ty, &join(path, &key), from),
                None => self.errors.push(SchemaError {
                    node: e.key,
                    path: path.to_string(),
                    kind: SchemaErrorKind::UnknownKey {
                        suggestion: crate::text::nearest(&key, obj.keys()),
                        key,
                    },
                    merged_from: from,
                }),
            }
        }
        for &required in obj.required {
            if tree.get(node, required).is_none() {
                self.errors.push(SchemaError {
                    node,
                    path: path.to_string(),
                    kind: SchemaErrorKind::MissingKey { key: required },
                    merged_from,
                });
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn shape_name(shape: Shape) -> &'static str {
    match shape {
        Shape::Scalar(k) if k & BOOL != 0 => "a boolean",
        Shape::Scalar(k) if k & NULL != 0 => "null",
        Shape::Scalar(k) if k & NUM != 0 => "a number",
        Shape::Scalar(_) | Shape::Interpolated => "a string",
        Shape::List => "a list",
        Shape::Map => "a mapping",
        Shape::Tagged => "a tagged value",
    }
}

/// "a string or a list of strings"
pub fn describe(ty: &Ty) -> String {
    or_list(&kinds(ty, false))
}

/// The kinds a type accepts, singular ("a string") or plural ("strings").
fn kinds(ty: &Ty, plural: bool) -> Vec<String> {
    let word = |one: &str, many: &str| {
        if plural {
            many.to_string()
        } else {
            one.to_string()
        }
    };
    let mut out: Vec<String> = Vec::new();
    match ty {
        Ty::Any => out.push("anything".into()),
        Ty::Scalar(mask) => {
            if mask & STR != 0 {
                out.push(word("a string", "strings"));
            }
            if mask & NUM != 0 {
                out.push(word("a number", "numbers"));
            } else if mask & INT != 0 {
                out.push(word("an integer", "integers"));
            }
            if mask & BOOL != 0 {
                out.push(word("a boolean", "booleans"));
            }
            if mask & NULL != 0 {
                out.push("null".into());
            }
        }
        Ty::Enum(values) => out.push(format!("one of {}", quoted_list(values))),
        Ty::List(item) => out.push(format!("a list of {}", or_list(&kinds(item, true)))),
        Ty::Dict(_) | Ty::Obj(_) => out.push(word("a mapping", "mappings")),
        Ty::OneOf(alts) => {
            for a in alts.iter() {
                for k in kinds(a, plural) {
                    if !out.contains(&k) {
                        out.push(k);
                    }
                }
            }
        }
    }
    out
}

/// "a, b or c"
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

pub fn quoted_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
