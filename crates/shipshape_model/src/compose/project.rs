//! A Compose project: the files Compose reads together, merged the way Compose merges them
//! (compose-spec `13-merge.md`), with `extends` resolved. Every merged item keeps the
//! location it came from, so a finding on the merged project points into the right file.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use shipshape_yaml::FileId;

use super::model::*;

/// A `.env`-style file the project reads variables from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvSource {
    pub file: FileId,
    /// `.env.example` and the like: documents the variables, is not read by Compose.
    pub example: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Project {
    /// The project directory (the first file's directory).
    pub dir: PathBuf,
    /// The files, in merge order.
    pub files: Vec<FileId>,
    /// The files whose findings this project reports. A file merged onto a base that has
    /// its own default project leaves the base's findings to that project.
    pub owned: Vec<FileId>,
    pub name: Option<crate::loc::Text>,
    /// Shared with the files' models until a merge or `extends` changes one.
    pub services: Vec<Arc<Service>>,
    pub networks: Vec<Resource>,
    pub volumes: Vec<Resource>,
    pub secrets: Vec<Resource>,
    pub configs: Vec<Resource>,
    pub env_sources: Vec<EnvSource>,
    /// Files merged in through `include:` (they are part of this project, not projects of
    /// their own).
    pub included: Vec<FileId>,
    /// Some file has parts shipshape could not follow (an `include`, or an `extends` into
    /// a file it could not read): names may be defined there, so rules stay silent about
    /// names they cannot find.
    pub incomplete: bool,
    /// Index of `services` by name, built on first use (after the merge).
    service_index: OnceLock<HashMap<String, usize>>,
}

impl Project {
    pub fn service(&self, name: &str) -> Option<&Service> {
        let index = self
            .service_index
            .get_or_init(|| index_by(&self.services, |s| &s.name));
        index.get(name).map(|&i| &*self.services[i])
    }

    pub fn owns(&self, file: FileId) -> bool {
        self.owned.contains(&file)
    }

    /// Merges `files` (in order). `lookup` finds another compose file of the workspace
    /// by path, relative to a file, for `extends: {file: ...}` and `include:`.
    pub fn merge<'a>(
        dir: PathBuf,
        files: &[&'a ComposeFile],
        owned: Vec<FileId>,
        lookup: &dyn Fn(FileId, &str) -> Option<&'a ComposeFile>,
    ) -> Project {
        let mut project = Project {
            dir,
            files: files.iter().map(|f| f.file).collect(),
            owned,
            ..Project::default()
        };
        // Where each service and resource is in `project`, by name: a project of tens of
        // thousands of services must not look each one up by a scan.
        let mut services: HashMap<String, usize> = HashMap::new();
        let mut resources: [HashMap<String, usize>; 4] = Default::default();
        let mut budget = MAX_INHERITED_ITEMS;
        for file in files {
            if let Some(name) = &file.name {
                project.name = Some(name.clone());
            }
            for service in &file.services {
                let resolved = resolve_extends(
                    file,
                    service,
                    lookup,
                    &mut project.incomplete,
                    &mut budget,
                    0,
                );
                match services.get(&resolved.name) {
                    Some(&i) => merge_service(Arc::make_mut(&mut project.services[i]), &resolved),
                    None => {
                        services.insert(resolved.name.clone(), project.services.len());
                        project.services.push(resolved);
                    }
                }
            }
            let [networks, volumes, secrets, configs] = &mut resources;
            merge_resources(&mut project.networks, networks, &file.networks);
            merge_resources(&mut project.volumes, volumes, &file.volumes);
            merge_resources(&mut project.secrets, secrets, &file.secrets);
            merge_resources(&mut project.configs, configs, &file.configs);
            for include in &file.include {
                match lookup(file.file, &include.value) {
                    Some(included) => {
                        project.included.push(included.file);
                        // Included services and resources join the project; local
                        // definitions win (compose-go `importResources`).
                        for service in &included.services {
                            if !services.contains_key(&service.name) {
                                let resolved = resolve_extends(
                                    included,
                                    service,
                                    lookup,
                                    &mut project.incomplete,
                                    &mut budget,
                                    0,
                                );
                                services.insert(resolved.name.clone(), project.services.len());
                                project.services.push(resolved);
                            }
                        }
                        let [networks, volumes, secrets, configs] = &mut resources;
                        for (mine, index, theirs) in [
                            (&mut project.networks, networks, &included.networks),
                            (&mut project.volumes, volumes, &included.volumes),
                            (&mut project.secrets, secrets, &included.secrets),
                            (&mut project.configs, configs, &included.configs),
                        ] {
                            for r in theirs {
                                if !index.contains_key(&r.name) {
                                    index.insert(r.name.clone(), mine.len());
                                    mine.push(r.clone());
                                }
                            }
                        }
                    }
                    None => project.incomplete = true,
                }
            }
        }
        project.services.shrink_to_fit();
        project
    }
}

/// `extends` is followed this far: farther than any real file goes, and the end of a loop
/// (`a` extends `b` extends `a`, which Compose rejects as a circular reference). A chain
/// cut here leaves the project incomplete, so rules do not judge what was not merged.
pub const MAX_EXTENDS: usize = 16;

/// Items (environment entries, labels, volumes, ports...) copied from base services by
/// `extends` per project at most: a large base extended by thousands of services would
/// otherwise be copied into each. Past it, services keep only their own items and the
/// project is incomplete, so absence rules stay silent.
pub const MAX_INHERITED_ITEMS: usize = 1_000_000;

/// The items of a service that `extends` copies, roughly.
fn weight(s: &Service) -> usize {
    1 + s.definitions.len()
        + s.environment.len()
        + s.labels.len()
        + s.build_args.len()
        + s.volumes.len()
        + s.depends_on.len()
        + s.networks.len()
        + s.secrets.len()
        + s.configs.len()
        + s.extra_hosts.len()
        + s.links.len()
        + s.external_links.len()
        + s.volumes_from.len()
        + s.env_files.len()
        + s.ports.len()
        + s.profiles.len()
}

fn resolve_extends<'a>(
    file: &'a ComposeFile,
    service: &Arc<Service>,
    lookup: &dyn Fn(FileId, &str) -> Option<&'a ComposeFile>,
    incomplete: &mut bool,
    budget: &mut usize,
    depth: usize,
) -> Arc<Service> {
    let Some(ext) = &service.extends else {
        return service.clone();
    };
    if depth >= MAX_EXTENDS {
        *incomplete = true;
        return service.clone();
    }
    let base_file = match &ext.file {
        None => Some(file),
        Some(path) => lookup(file.file, &path.value),
    };
    let Some(base_file) = base_file else {
        *incomplete = true;
        return service.clone();
    };
    let Some(base) = base_file.shared_service(&ext.service.value) else {
        return service.clone();
    };
    if Arc::ptr_eq(base, service) {
        return service.clone();
    }
    let cost = weight(base);
    if cost > *budget {
        *budget = 0;
        *incomplete = true;
        return service.clone();
    }
    *budget -= cost;
    let mut merged = resolve_extends(base_file, base, lookup, incomplete, budget, depth + 1);
    let merged_mut = Arc::make_mut(&mut merged);
    // What a service depends on is not inherited (compose-spec `05-services.md`).
    merged_mut.depends_on.clear();
    merged_mut.volumes_from.clear();
    merged_mut.links.clear();
    if merged_mut
        .network_mode
        .as_ref()
        .is_some_and(|m| m.value.starts_with("service:"))
    {
        merged_mut.network_mode = None;
    }
    merged_mut.name = service.name.clone();
    merged_mut.definitions = Vec::new();
    merged_mut.extends = None;
    merge_service(merged_mut, service);
    merged
}

/// `index` says where each name of `into` is.
fn merge_resources(
    into: &mut Vec<Resource>,
    index: &mut HashMap<String, usize>,
    from: &[Resource],
) {
    for r in from {
        match index.get(&r.name) {
            Some(&i) => into[i] = r.clone(),
            None => {
                index.insert(r.name.clone(), into.len());
                into.push(r.clone());
            }
        }
    }
}

/// Position of the first item of each key.
pub(crate) fn index_by<T>(items: &[T], key: impl Fn(&T) -> &str) -> HashMap<String, usize> {
    let mut index = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        index.entry(key(item).to_string()).or_insert(i);
    }
    index
}

/// `over` merged onto `base`, as a later file (or the extending service) does.
pub fn merge_service(base: &mut Service, over: &Service) {
    // Every field is named here: a field added to `Service` without a merge rule does not
    // compile (compose-spec 13-merge.md says how each kind of field merges).
    let Service {
        name: _,
        definitions,
        image,
        build,
        build_args,
        container_name,
        hostname,
        environment,
        env_files,
        labels,
        ports,
        volumes,
        networks,
        network_mode,
        links,
        external_links,
        extra_hosts,
        depends_on,
        healthcheck,
        profiles,
        secrets,
        configs,
        extends,
        volumes_from,
        command,
        entrypoint,
        restart,
        platform,
        replicas,
        provider,
    } = over;
    base.definitions.extend(definitions.iter().copied());
    // Single values: the override's replaces the base's.
    replace(&mut base.image, image);
    replace(&mut base.build, build);
    replace(&mut base.container_name, container_name);
    replace(&mut base.hostname, hostname);
    replace(&mut base.network_mode, network_mode);
    replace(&mut base.restart, restart);
    replace(&mut base.platform, platform);
    replace(&mut base.replicas, replicas);
    base.provider |= *provider;
    replace(&mut base.command, command);
    replace(&mut base.entrypoint, entrypoint);
    replace(&mut base.healthcheck, healthcheck);
    replace(&mut base.extends, extends);
    // Mappings and unique lists: merged by key.
    merge_by(&mut base.environment, environment, |e| e.name.clone());
    merge_by(&mut base.labels, labels, |e| e.name.clone());
    merge_by(&mut base.build_args, build_args, |e| e.name.clone());
    merge_by(&mut base.volumes, volumes, |m| {
        m.target.clone().unwrap_or_default()
    });
    merge_by(&mut base.depends_on, depends_on, |d| {
        d.service.value.clone()
    });
    merge_by(&mut base.networks, networks, |n| n.name.value.clone());
    merge_by(&mut base.secrets, secrets, |t| t.value.clone());
    merge_by(&mut base.configs, configs, |t| t.value.clone());
    merge_by(&mut base.extra_hosts, extra_hosts, |t| t.value.clone());
    merge_by(&mut base.links, links, |l| l.text.value.clone());
    merge_by(&mut base.external_links, external_links, |l| {
        l.text.value.clone()
    });
    merge_by(&mut base.volumes_from, volumes_from, |t| t.value.clone());
    // Sequences: appended.
    base.env_files.extend(env_files.iter().cloned());
    base.ports.extend(ports.iter().cloned());
    // Replaced as a whole.
    if !profiles.is_empty() {
        base.profiles.clone_from(profiles);
    }
}

fn replace<T: Clone>(base: &mut Option<T>, over: &Option<T>) {
    if over.is_some() {
        base.clone_from(over);
    }
}

/// Items of `over` replace the items of `base` with the same key, or join them.
fn merge_by<T: Clone, K: Eq + std::hash::Hash>(
    base: &mut Vec<T>,
    over: &[T],
    key: impl Fn(&T) -> K,
) {
    /// Below this many items a scan is cheaper than building an index.
    const INDEX_FROM: usize = 32;
    if over.is_empty() {
        return;
    }
    if base.len() < INDEX_FROM && over.len() < INDEX_FROM {
        for item in over {
            let k = key(item);
            match base.iter_mut().find(|b| key(b) == k) {
                Some(existing) => *existing = item.clone(),
                None => base.push(item.clone()),
            }
        }
        return;
    }
    let mut index: HashMap<K, usize> = HashMap::with_capacity(base.len() + over.len());
    for (i, b) in base.iter().enumerate() {
        index.entry(key(b)).or_insert(i);
    }
    for item in over {
        match index.get(&key(item)) {
            Some(&i) => base[i] = item.clone(),
            None => {
                index.insert(key(item), base.len());
                base.push(item.clone());
            }
        }
    }
}
