//! Reading a [`ComposeFile`] from a parsed YAML file. Lenient: whatever has the wrong
//! shape is skipped here (the schema rule reports it), so every rule sees a clean model.

use shipshape_yaml::{FileId, NodeId, ParsedYaml, Tree};

use super::model::*;
use crate::loc::{Loc, Text, ValueRef};

/// Top-level keys of the Compose specification (SPEC-domain A8).
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models",
];

/// `text` is the file's text (for spans inside scalars).
pub fn build(file: FileId, text: &str, yaml: &ParsedYaml) -> ComposeFile {
    let tree = &yaml.tree;
    let mut out = ComposeFile {
        file,
        ..ComposeFile::default()
    };
    // Compose files have one document; take the first that holds a mapping.
    let Some(root) = tree
        .documents
        .iter()
        .filter_map(|d| d.root)
        .find(|&r| tree.is_mapping(r))
    else {
        return out;
    };
    out.root = Some(root);
    let b = Builder { file, tree, text };
    for e in tree.entries(root) {
        let Some(key) = tree.scalar(e.key) else {
            continue;
        };
        match key {
            "version" => out.version = Some((b.loc(e.key), b.text(e.value))),
            "name" => out.name = b.text(e.value),
            "services" => {
                for s in tree.entries(e.value) {
                    if let Some(service) = b.service(s.key, s.value) {
                        out.services.push(std::sync::Arc::new(service));
                    }
                }
            }
            "networks" => out.networks = b.resources(e.value),
            "volumes" => out.volumes = b.resources(e.value),
            "secrets" => out.secrets = b.resources(e.value),
            "configs" => out.configs = b.resources(e.value),
            "include" => {
                for item in tree.items(e.value) {
                    if let Some(t) = b.text(*item) {
                        out.include.push(t);
                    } else if let Some(path) = tree.value(*item, "path") {
                        out.include.extend(b.text(path));
                        out.include
                            .extend(tree.items(path).iter().filter_map(|p| b.text(*p)));
                        if let Some(env) = tree.value(*item, "env_file") {
                            out.include_env_files.extend(b.text(env));
                            out.include_env_files
                                .extend(tree.items(env).iter().filter_map(|p| b.text(*p)));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // Compose v1 files put services at the top level.
    if tree.get(root, "services").is_none() {
        let looks_like_service =
            |v: NodeId| ["image", "build"].iter().any(|k| tree.get(v, k).is_some());
        let legacy: Vec<_> = tree
            .entries(root)
            .iter()
            .filter(|e| {
                tree.scalar(e.key)
                    .is_some_and(|k| !TOP_LEVEL_KEYS.contains(&k) && !k.starts_with("x-"))
                    && looks_like_service(e.value)
            })
            .collect();
        if !legacy.is_empty() {
            out.legacy_v1 = true;
            out.services = legacy
                .iter()
                .filter_map(|e| b.service(e.key, e.value))
                .map(std::sync::Arc::new)
                .collect();
        }
    }
    // A service is 880 bytes: no doubling slack for every file of a large workspace.
    out.services.shrink_to_fit();
    out
}

struct Builder<'a> {
    file: FileId,
    tree: &'a Tree,
    text: &'a str,
}

impl Builder<'_> {
    fn loc(&self, node: NodeId) -> Loc {
        Loc::of(self.file, self.tree, node)
    }

    fn text(&self, node: NodeId) -> Option<Text> {
        Text::from_node(self.file, self.tree, node)
    }

    /// A mapping's scalar field, as a string.
    fn field(&self, map: NodeId, key: &str) -> Option<String> {
        self.tree
            .value(map, key)
            .and_then(|v| self.tree.scalar(v))
            .map(str::to_string)
    }

    /// A scalar that is not null.
    fn value_text(&self, node: NodeId) -> Option<Text> {
        if self.tree.is_null(node) {
            None
        } else {
            self.text(node)
        }
    }

    fn texts(&self, node: NodeId) -> Vec<Text> {
        self.tree
            .items(node)
            .iter()
            .filter_map(|&i| self.text(i))
            .collect()
    }

    fn resources(&self, node: NodeId) -> Vec<Resource> {
        let tree = self.tree;
        tree.entries(node)
            .iter()
            .filter_map(|e| {
                let name = tree.scalar(e.key)?;
                let external = tree.value(e.value, "external").is_some_and(|x| {
                    tree.scalar(x).is_some_and(|v| v == "true") || tree.is_mapping(x)
                });
                Some(Resource {
                    name: name.to_string(),
                    key: self.loc(e.key),
                    external,
                    file: tree.value(e.value, "file").and_then(|f| self.text(f)),
                })
            })
            .collect()
    }

    fn service(&self, key: NodeId, node: NodeId) -> Option<Service> {
        let tree = self.tree;
        let name = tree.scalar(key)?.to_string();
        let mut s = Service {
            name,
            definitions: vec![self.loc(key)],
            ..Service::default()
        };
        for e in tree.entries(node) {
            let Some(k) = tree.scalar(e.key) else {
                continue;
            };
            let v = e.value;
            match k {
                "image" => s.image = self.value_text(v),
                "build" => {
                    let field = |k: &str| self.field(v, k);
                    s.build = Some(Build {
                        key: self.loc(e.key),
                        context: tree
                            .scalar(v)
                            .map(str::to_string)
                            .or_else(|| field("context")),
                        dockerfile: field("dockerfile"),
                        inline: field("dockerfile_inline"),
                        platforms: tree
                            .value(v, "platforms")
                            .map(|p| self.texts(p))
                            .unwrap_or_default(),
                    });
                    if let Some(args) = tree.value(v, "args") {
                        s.build_args = self.env_vars(args);
                    }
                }
                "container_name" => s.container_name = self.value_text(v),
                "hostname" => s.hostname = self.value_text(v),
                "environment" => s.environment = self.env_vars(v),
                "labels" => s.labels = self.env_vars(v),
                "env_file" => s.env_files = self.env_files(v),
                "ports" => s.ports = tree.items(v).iter().filter_map(|&p| self.port(p)).collect(),
                "volumes" => {
                    s.volumes = tree
                        .items(v)
                        .iter()
                        .filter_map(|&m| self.mount(m))
                        .collect()
                }
                "networks" => s.networks = self.service_networks(v),
                "network_mode" => s.network_mode = self.value_text(v),
                "links" => s.links = self.links(v),
                "external_links" => s.external_links = self.links(v),
                "extra_hosts" => s.extra_hosts = self.extra_hosts(v),
                "depends_on" => s.depends_on = self.depends_on(v),
                "healthcheck" => s.healthcheck = Some(self.healthcheck(e.key, v)),
                "profiles" => s.profiles = self.texts(v),
                "secrets" => s.secrets = self.sources(v),
                "configs" => s.configs = self.sources(v),
                "extends" => s.extends = self.extends(v),
                "volumes_from" => s.volumes_from = self.texts(v),
                "command" => s.command = self.command(v),
                "entrypoint" => s.entrypoint = self.command(v),
                "restart" => s.restart = self.value_text(v),
                "platform" => s.platform = self.value_text(v),
                "provider" => s.provider = true,
                // `deploy.replicas` wins over `scale` (compose-go).
                "scale" if s.replicas.is_none() => s.replicas = self.value_text(v),
                "deploy" => {
                    if let Some(r) = tree.value(v, "replicas").and_then(|r| self.value_text(r)) {
                        s.replicas = Some(r);
                    }
                }
                _ => {}
            }
        }
        s.shrink_to_fit();
        Some(s)
    }

    /// `environment` (and `labels`, `build.args`): a map, or a list of `KEY=value`.
    fn env_vars(&self, node: NodeId) -> Vec<EnvVar> {
        let tree = self.tree;
        let mut out = Vec::new();
        if tree.is_mapping(node) {
            for e in tree.entries(node) {
                let Some(name) = tree.scalar(e.key) else {
                    continue;
                };
                let null = tree.is_null(e.value);
                let value = if null {
                    None
                } else {
                    tree.scalar(e.value).map(str::to_string)
                };
                out.push(EnvVar {
                    name: name.to_string(),
                    name_loc: self.loc(e.key),
                    value_ref: value.as_ref().map(|_| ValueRef {
                        file: self.file,
                        node: e.value,
                        offset: 0,
                    }),
                    value_loc: (!null).then(|| self.loc(e.value)),
                    value,
                    list_form: false,
                });
            }
        } else {
            for &item in tree.items(node) {
                let Some(text) = tree.scalar(item) else {
                    continue;
                };
                let (name, value) = match text.split_once('=') {
                    Some((n, v)) => (n, Some(v)),
                    None => (text, None),
                };
                let name_span = tree.value_subspan(self.text, item, 0..name.len());
                out.push(EnvVar {
                    name: name.to_string(),
                    name_loc: Loc::new(self.file, name_span),
                    value: value.map(str::to_string),
                    value_ref: value.map(|_| ValueRef {
                        file: self.file,
                        node: item,
                        offset: name.len() + 1,
                    }),
                    value_loc: value.map(|_| self.loc(item)),
                    list_form: true,
                });
            }
        }
        out
    }

    fn env_files(&self, node: NodeId) -> Vec<EnvFileRef> {
        let tree = self.tree;
        let one = |n: NodeId| -> Option<EnvFileRef> {
            if let Some(path) = self.value_text(n) {
                return Some(EnvFileRef {
                    path,
                    required: true,
                });
            }
            let path = self.value_text(tree.value(n, "path")?)?;
            let required = tree
                .value(n, "required")
                .and_then(|r| tree.scalar(r))
                .is_none_or(|r| r != "false");
            Some(EnvFileRef { path, required })
        };
        if tree.is_sequence(node) {
            tree.items(node).iter().filter_map(|&n| one(n)).collect()
        } else {
            one(node).into_iter().collect()
        }
    }

    fn port(&self, node: NodeId) -> Option<Port> {
        let tree = self.tree;
        let loc = self.loc(node);
        if let Some(short) = tree.scalar(node) {
            let (host_ip, published, target, protocol) = parse_short_port(short);
            return Some(Port {
                loc,
                node,
                short: Some(short.to_string()),
                host_ip,
                published,
                target,
                protocol,
            });
        }
        if !tree.is_mapping(node) {
            return None;
        }
        let field = |k: &str| self.field(node, k);
        Some(Port {
            loc,
            node,
            short: None,
            host_ip: field("host_ip"),
            published: field("published"),
            target: field("target"),
            protocol: field("protocol").unwrap_or_else(|| "tcp".into()),
        })
    }

    fn mount(&self, node: NodeId) -> Option<Mount> {
        let tree = self.tree;
        let loc = self.loc(node);
        if let Some(short) = tree.scalar(node) {
            let parts = split_volume(short);
            let (source, target, mode) = match parts.as_slice() {
                [target] => (None, Some(target.clone()), None),
                [source, target] => (Some(source.clone()), Some(target.clone()), None),
                [source, target, mode, ..] => (
                    Some(source.clone()),
                    Some(target.clone()),
                    Some(mode.clone()),
                ),
                [] => (None, None, None),
            };
            let kind = match &source {
                None => MountType::Volume,
                Some(s) if is_path_like(s) => MountType::Bind,
                Some(_) => MountType::Volume,
            };
            return Some(Mount {
                loc,
                node,
                short: Some(short.to_string()),
                kind,
                source,
                target,
                mode,
            });
        }
        if !tree.is_mapping(node) {
            return None;
        }
        let field = |k: &str| self.field(node, k);
        let kind = match field("type").as_deref() {
            Some("volume") => MountType::Volume,
            Some("bind") => MountType::Bind,
            Some("tmpfs") => MountType::Tmpfs,
            _ => MountType::Other,
        };
        Some(Mount {
            loc,
            node,
            short: None,
            kind,
            source: field("source"),
            target: field("target"),
            mode: None,
        })
    }

    fn service_networks(&self, node: NodeId) -> Vec<ServiceNetwork> {
        let tree = self.tree;
        if tree.is_sequence(node) {
            return self
                .texts(node)
                .into_iter()
                .map(|name| ServiceNetwork {
                    name,
                    aliases: Vec::new(),
                })
                .collect();
        }
        tree.entries(node)
            .iter()
            .filter_map(|e| {
                let name = self.text(e.key)?;
                let aliases = tree
                    .value(e.value, "aliases")
                    .map(|a| self.texts(a))
                    .unwrap_or_default();
                Some(ServiceNetwork { name, aliases })
            })
            .collect()
    }

    fn links(&self, node: NodeId) -> Vec<Link> {
        self.texts(node)
            .into_iter()
            .map(|text| {
                let (target, alias) = match text.value.split_once(':') {
                    Some((t, a)) => (t.to_string(), Some(a.to_string())),
                    None => (text.value.clone(), None),
                };
                Link {
                    target,
                    alias,
                    text,
                }
            })
            .collect()
    }

    fn extra_hosts(&self, node: NodeId) -> Vec<Text> {
        let tree = self.tree;
        if tree.is_mapping(node) {
            return tree
                .entries(node)
                .iter()
                .filter_map(|e| self.text(e.key))
                .collect();
        }
        self.texts(node)
            .into_iter()
            .map(|mut t| {
                let host_len = t.value.find(['=', ':']).unwrap_or(t.value.len());
                t.value.truncate(host_len);
                t
            })
            .collect()
    }

    fn depends_on(&self, node: NodeId) -> Vec<Dependency> {
        let tree = self.tree;
        if tree.is_sequence(node) {
            return self
                .texts(node)
                .into_iter()
                .map(|service| Dependency {
                    service,
                    condition: Condition::Started,
                    condition_loc: None,
                    required: true,
                    short_form: true,
                })
                .collect();
        }
        tree.entries(node)
            .iter()
            .filter_map(|e| {
                let service = self.text(e.key)?;
                let cond = tree.value(e.value, "condition");
                let condition = match cond.and_then(|c| tree.scalar(c)) {
                    None | Some("service_started") => Condition::Started,
                    Some("service_healthy") => Condition::Healthy,
                    Some("service_completed_successfully") => Condition::CompletedSuccessfully,
                    Some(_) => Condition::Unknown,
                };
                let required = tree
                    .value(e.value, "required")
                    .and_then(|r| tree.scalar(r))
                    .is_none_or(|r| r != "false");
                Some(Dependency {
                    service,
                    condition,
                    condition_loc: cond.map(|c| self.loc(c)),
                    required,
                    short_form: false,
                })
            })
            .collect()
    }

    fn healthcheck(&self, key: NodeId, node: NodeId) -> Healthcheck {
        let tree = self.tree;
        let disable = tree.value(node, "disable").and_then(|d| tree.scalar(d)) == Some("true");
        let test = tree.value(node, "test");
        let none_test = test.is_some_and(|t| {
            tree.items(t).first().and_then(|&i| tree.scalar(i)) == Some("NONE")
                || tree.scalar(t) == Some("NONE")
        });
        Healthcheck {
            key: self.loc(key),
            node,
            disabled: disable || none_test,
        }
    }

    /// Service `secrets:`/`configs:`: names, or `{source: name, ...}`.
    fn sources(&self, node: NodeId) -> Vec<Text> {
        let tree = self.tree;
        tree.items(node)
            .iter()
            .filter_map(|&i| self.text(i).or_else(|| self.text(tree.value(i, "source")?)))
            .collect()
    }

    fn extends(&self, node: NodeId) -> Option<Extends> {
        let tree = self.tree;
        if let Some(service) = self.value_text(node) {
            return Some(Extends {
                service,
                file: None,
            });
        }
        Some(Extends {
            service: self.text(tree.value(node, "service")?)?,
            file: tree.value(node, "file").and_then(|f| self.text(f)),
        })
    }

    fn command(&self, node: NodeId) -> Option<Command> {
        let tree = self.tree;
        let text = match tree.scalar(node) {
            Some(s) if !tree.is_null(node) => s.to_string(),
            Some(_) => return None,
            None => tree
                .items(node)
                .iter()
                .filter_map(|&i| tree.scalar(i))
                .collect::<Vec<_>>()
                .join(" "),
        };
        Some(Command {
            loc: self.loc(node),
            node,
            text,
        })
    }
}

/// `[[IP:](port|range):](port|range)[/protocol]` -> (host_ip, published, target, protocol).
pub fn parse_short_port(s: &str) -> (Option<String>, Option<String>, Option<String>, String) {
    let (body, protocol) = match s.rsplit_once('/') {
        Some((b, p)) if !p.is_empty() && p.bytes().all(|c| c.is_ascii_alphabetic()) => {
            (b, p.to_string())
        }
        _ => (s, "tcp".to_string()),
    };
    if let Some(rest) = body.strip_prefix('[') {
        // [IPv6]:published:target
        if let Some((ip, tail)) = rest.split_once(']') {
            let parts = split_outside_braces(tail.trim_start_matches(':'), ':');
            return match parts.as_slice() {
                [p, t] => (
                    Some(ip.to_string()),
                    Some(p.clone()),
                    Some(t.clone()),
                    protocol,
                ),
                [t] => (Some(ip.to_string()), None, Some(t.clone()), protocol),
                _ => (Some(ip.to_string()), None, None, protocol),
            };
        }
    }
    let parts = split_outside_braces(body, ':');
    match parts.as_slice() {
        [t] => (None, None, Some(t.clone()), protocol),
        [p, t] => (None, Some(p.clone()), Some(t.clone()), protocol),
        [ip @ .., p, t] => (
            Some(ip.join(":")),
            Some(p.clone()),
            Some(t.clone()),
            protocol,
        ),
        [] => (None, None, None, protocol),
    }
}

/// Splits a short volume spec on `:` as compose-go does: a Windows drive (`C:`) at the
/// start is not a separator, nor is a `:` inside `${...}`.
pub fn split_volume(s: &str) -> Vec<String> {
    // A Windows drive letter (`C:\data`, `c:/x`) may start the source or the target: its
    // ":" does not separate (compose-go `isWindowsDrive`).
    let mut parts: Vec<String> = Vec::new();
    for part in split_outside_braces(s, ':') {
        if let Some(last) = parts.last_mut()
            && last.len() == 1
            && last.as_bytes()[0].is_ascii_alphabetic()
            && part.starts_with(['\\', '/'])
        {
            last.push(':');
            last.push_str(&part);
            continue;
        }
        parts.push(part);
    }
    parts
}

/// Splits on `sep`, but not inside `${...}`.
pub fn split_outside_braces(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    let mut prev = '\0';
    for c in s.chars() {
        match c {
            '{' if prev == '$' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if c == sep && depth == 0 => {
                out.push(std::mem::take(&mut current));
                prev = c;
                continue;
            }
            _ => {}
        }
        current.push(c);
        prev = c;
    }
    out.push(current);
    out
}

/// Whether an `include:` or `extends: file:` value names a local file: not a remote one
/// (`oci://...`, `git@...`, a URL), and not made of variables.
pub fn is_local_file_ref(path: &str) -> bool {
    !path.is_empty()
        && !crate::interpolation::is_dynamic(path)
        && !path.contains("://")
        && !path.starts_with("git@")
}

/// A volume source that Compose treats as a host path (bind mount), not a volume name.
pub fn is_path_like(source: &str) -> bool {
    source.starts_with(['.', '/', '~', '\\', '$'])
        || source.len() >= 2
            && source.as_bytes()[0].is_ascii_alphabetic()
            && source.as_bytes()[1] == b':'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ports() {
        let p = |s: &str| parse_short_port(s);
        assert_eq!(p("80"), (None, None, Some("80".into()), "tcp".into()));
        assert_eq!(
            p("8080:80"),
            (None, Some("8080".into()), Some("80".into()), "tcp".into())
        );
        assert_eq!(
            p("127.0.0.1:8080:80/udp"),
            (
                Some("127.0.0.1".into()),
                Some("8080".into()),
                Some("80".into()),
                "udp".into()
            )
        );
        assert_eq!(
            p("[::1]:6001:6001"),
            (
                Some("::1".into()),
                Some("6001".into()),
                Some("6001".into()),
                "tcp".into()
            )
        );
        assert_eq!(
            p("${PORT:-8080}:80"),
            (
                None,
                Some("${PORT:-8080}".into()),
                Some("80".into()),
                "tcp".into()
            )
        );
        assert_eq!(
            p("8000-8010:80"),
            (
                None,
                Some("8000-8010".into()),
                Some("80".into()),
                "tcp".into()
            )
        );
    }

    #[test]
    fn short_volumes() {
        assert_eq!(split_volume("./data:/data:ro"), ["./data", "/data", "ro"]);
        assert_eq!(split_volume("C:\\data:/data"), ["C:\\data", "/data"]);
        assert_eq!(
            split_volume("C:\\data:C:\\data:ro"),
            ["C:\\data", "C:\\data", "ro"]
        );
        assert_eq!(split_volume("c:/x:/y"), ["c:/x", "/y"]);
        assert_eq!(split_volume("./x:d:/y"), ["./x", "d:/y"]);
        assert_eq!(split_volume("${DIR:-./x}:/x"), ["${DIR:-./x}", "/x"]);
        assert_eq!(
            split_volume("/data/db mongoclient/mongoclient"),
            ["/data/db mongoclient/mongoclient"]
        );
        assert!(
            is_path_like("./x")
                && is_path_like("~/x")
                && is_path_like("/x")
                && !is_path_like("data")
        );
    }
}
