//! The Compose model: one file as written, every value with its location. Values are raw
//! (not interpolated): rules that care interpolate them.

use shipshape_yaml::{FileId, NodeId};

use crate::loc::{Loc, Text, ValueRef};

#[derive(Clone, Debug, Default)]
pub struct ComposeFile {
    pub file: FileId,
    /// The root mapping, when the file has one.
    pub root: Option<NodeId>,
    /// Top-level `version:` (the key's location and the value).
    pub version: Option<(Loc, Option<Text>)>,
    pub name: Option<Text>,
    /// Shared with the projects that merge the file (a service 880 bytes and more: a
    /// project copies only the services a merge or `extends` changes).
    pub services: Vec<std::sync::Arc<Service>>,
    pub networks: Vec<Resource>,
    pub volumes: Vec<Resource>,
    pub secrets: Vec<Resource>,
    pub configs: Vec<Resource>,
    pub include: Vec<Text>,
    /// The `env_file:` entries of the long `include:` form (relative to this file).
    pub include_env_files: Vec<Text>,
    /// Compose v1's format: services at the top level, without `services:`.
    pub legacy_v1: bool,
    /// Index of `services` by name, built on first use (once the file is built).
    pub(crate) service_index: std::sync::OnceLock<std::collections::HashMap<String, usize>>,
}

impl ComposeFile {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.shared_service(name).map(|s| &**s)
    }

    pub(crate) fn shared_service(&self, name: &str) -> Option<&std::sync::Arc<Service>> {
        let index = self
            .service_index
            .get_or_init(|| super::project::index_by(&self.services, |s| &s.name));
        index.get(name).map(|&i| &self.services[i])
    }
}

/// A top-level network, volume, secret or config.
#[derive(Clone, Debug)]
pub struct Resource {
    pub name: String,
    pub key: Loc,
    pub external: bool,
    /// `file:` of a secret or config.
    pub file: Option<Text>,
}

#[derive(Clone, Debug, Default)]
pub struct Service {
    pub name: String,
    /// The service's key, in every file that defines it (merge order).
    pub definitions: Vec<Loc>,
    pub image: Option<Text>,
    pub build: Option<Build>,
    pub build_args: Vec<EnvVar>,
    pub container_name: Option<Text>,
    pub hostname: Option<Text>,
    pub environment: Vec<EnvVar>,
    pub env_files: Vec<EnvFileRef>,
    pub labels: Vec<EnvVar>,
    pub ports: Vec<Port>,
    pub volumes: Vec<Mount>,
    pub networks: Vec<ServiceNetwork>,
    pub network_mode: Option<Text>,
    pub links: Vec<Link>,
    pub external_links: Vec<Link>,
    pub extra_hosts: Vec<Text>,
    pub depends_on: Vec<Dependency>,
    pub healthcheck: Option<Healthcheck>,
    pub profiles: Vec<Text>,
    pub secrets: Vec<Text>,
    pub configs: Vec<Text>,
    pub extends: Option<Extends>,
    pub volumes_from: Vec<Text>,
    pub command: Option<Command>,
    pub entrypoint: Option<Command>,
    pub restart: Option<Text>,
    /// `platform:` (`linux/amd64`).
    pub platform: Option<Text>,
    /// How many containers the service runs: `deploy.replicas`, else `scale`.
    pub replicas: Option<Text>,
    /// `provider:`: a service another program provides, with no image of its own.
    pub provider: bool,
}

impl Service {
    /// Gives back the unused capacity of its lists: collected from filtered iterators, a
    /// list of one item holds room for four, and a workspace keeps every service (3,000
    /// files of 200 services: a quarter of the peak).
    pub fn shrink_to_fit(&mut self) {
        self.definitions.shrink_to_fit();
        self.build_args.shrink_to_fit();
        self.environment.shrink_to_fit();
        self.env_files.shrink_to_fit();
        self.labels.shrink_to_fit();
        self.ports.shrink_to_fit();
        self.volumes.shrink_to_fit();
        self.networks.shrink_to_fit();
        self.links.shrink_to_fit();
        self.external_links.shrink_to_fit();
        self.extra_hosts.shrink_to_fit();
        self.depends_on.shrink_to_fit();
        self.profiles.shrink_to_fit();
        self.secrets.shrink_to_fit();
        self.configs.shrink_to_fit();
        self.volumes_from.shrink_to_fit();
    }

    /// The key where this service is (first) defined.
    pub fn key(&self) -> Loc {
        self.definitions.first().copied().unwrap_or_default()
    }

    pub fn env(&self, name: &str) -> Option<&EnvVar> {
        self.environment.iter().rev().find(|e| e.name == name)
    }

    /// Whether the service says where its container comes from (`image`, `build` or
    /// `extends`), rather than only completing a service defined elsewhere.
    pub fn has_image_source(&self) -> bool {
        self.image.is_some() || self.build.is_some() || self.extends.is_some()
    }

    /// Whether a healthcheck is defined and not disabled.
    pub fn has_healthcheck(&self) -> bool {
        self.healthcheck.as_ref().is_some_and(|h| !h.disabled)
    }
}

/// `build:`: where the image is built from.
#[derive(Clone, Debug)]
pub struct Build {
    /// The `build:` key.
    pub key: Loc,
    /// The context directory, as written (`.` when `build: .`).
    pub context: Option<String>,
    pub dockerfile: Option<String>,
    /// `dockerfile_inline:`.
    pub inline: Option<String>,
    /// `platforms:`, the platforms the image is built for.
    pub platforms: Vec<Text>,
}

/// One variable of `environment:` (or `labels:`, `build.args:`), in map or list form.
#[derive(Clone, Debug)]
pub struct EnvVar {
    pub name: String,
    pub name_loc: Loc,
    /// None for `KEY:` (null) or a bare `- KEY`: taken from the environment at run time.
    pub value: Option<String>,
    /// Where the value is (a map value, or the part after `=` of a list item).
    pub value_ref: Option<ValueRef>,
    pub value_loc: Option<Loc>,
    /// Written as `- KEY=value`.
    pub list_form: bool,
}

#[derive(Clone, Debug)]
pub struct EnvFileRef {
    pub path: Text,
    pub required: bool,
}

#[derive(Clone, Debug)]
pub struct Port {
    pub loc: Loc,
    pub node: NodeId,
    /// The short syntax as written (`"127.0.0.1:8080:80/tcp"`), None for the long syntax.
    pub short: Option<String>,
    pub host_ip: Option<String>,
    /// Published (host) port or range, raw.
    pub published: Option<String>,
    /// Container port or range, raw.
    pub target: Option<String>,
    pub protocol: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MountType {
    Volume,
    Bind,
    Tmpfs,
    Other,
}

#[derive(Clone, Debug)]
pub struct Mount {
    pub loc: Loc,
    pub node: NodeId,
    /// The short syntax as written, None for the long syntax.
    pub short: Option<String>,
    pub kind: MountType,
    pub source: Option<String>,
    pub target: Option<String>,
    /// Short syntax options (`ro`, `rw,z`).
    pub mode: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ServiceNetwork {
    pub name: Text,
    pub aliases: Vec<Text>,
}

#[derive(Clone, Debug)]
pub struct Link {
    /// The service (or for external links, the container) linked to.
    pub target: String,
    pub alias: Option<String>,
    pub text: Text,
}

impl Link {
    /// The name the linking container resolves: the alias, else the target.
    pub fn name(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.target)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Started,
    Healthy,
    CompletedSuccessfully,
    /// Anything else (the schema rule reports it).
    Unknown,
}

#[derive(Clone, Debug)]
pub struct Dependency {
    pub service: Text,
    pub condition: Condition,
    /// Where the condition is written (None in the short form).
    pub condition_loc: Option<Loc>,
    pub required: bool,
    pub short_form: bool,
}

#[derive(Clone, Debug)]
pub struct Healthcheck {
    pub key: Loc,
    pub node: NodeId,
    /// `test: ["NONE"]` or `disable: true`.
    pub disabled: bool,
}

#[derive(Clone, Debug)]
pub struct Extends {
    pub service: Text,
    pub file: Option<Text>,
}

/// `command:` or `entrypoint:`: a string (run by a shell only if the image says so) or a
/// list of arguments.
#[derive(Clone, Debug)]
pub struct Command {
    pub loc: Loc,
    pub node: NodeId,
    /// The words, joined with spaces for a list.
    pub text: String,
}
