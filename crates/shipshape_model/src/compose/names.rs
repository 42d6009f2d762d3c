//! Which names containers of a project answer to (SPEC-domain A5): service names, container
//! names and network aliases for everyone; links and `extra_hosts` for the container that
//! declares them. A service's `hostname:` is not among them: Compose does not register it
//! with the network's DNS.
//!
//! Resolution is by name only (DNS names compare case-insensitively); which networks two
//! services share is not considered, so a name found here may still be unreachable, but a
//! name not found here resolves nowhere in the project.

use super::model::Service;
use super::project::Project;
use crate::loc::Loc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameSource {
    ServiceName,
    ContainerName,
    NetworkAlias,
    Link,
    ExtraHost,
}

#[derive(Clone, Copy, Debug)]
pub enum Resolution<'p> {
    /// A container of the project answers to the name (None for `extra_hosts`, which
    /// point outside the project).
    Found {
        service: Option<&'p Service>,
        source: NameSource,
        loc: Loc,
    },
    /// Only a `hostname:` matches, and no other container can resolve that.
    HostnameOnly {
        service: &'p Service,
        loc: Loc,
    },
    NotFound,
}

/// Resolves `host` as seen from inside `from`'s container.
pub fn resolve<'p>(project: &'p Project, from: &'p Service, host: &str) -> Resolution<'p> {
    let eq = |a: &str| a.eq_ignore_ascii_case(host);
    for link in from.links.iter().chain(&from.external_links) {
        if eq(link.name()) {
            let service = project.service(&link.target);
            return Resolution::Found {
                service,
                source: NameSource::Link,
                loc: link.text.loc,
            };
        }
    }
    if let Some(h) = from.extra_hosts.iter().find(|h| eq(&h.value)) {
        return Resolution::Found {
            service: None,
            source: NameSource::ExtraHost,
            loc: h.loc,
        };
    }
    for service in &project.services {
        if eq(&service.name) {
            return Resolution::Found {
                service: Some(service),
                source: NameSource::ServiceName,
                loc: service.key(),
            };
        }
        if let Some(c) = service.container_name.as_ref().filter(|c| eq(&c.value)) {
            return Resolution::Found {
                service: Some(service),
                source: NameSource::ContainerName,
                loc: c.loc,
            };
        }
        for net in &service.networks {
            if let Some(a) = net.aliases.iter().find(|a| eq(&a.value)) {
                return Resolution::Found {
                    service: Some(service),
                    source: NameSource::NetworkAlias,
                    loc: a.loc,
                };
            }
        }
    }
    if let Some(service) = project
        .services
        .iter()
        .find(|s| s.hostname.as_ref().is_some_and(|h| eq(&h.value)))
    {
        return Resolution::HostnameOnly {
            service,
            loc: service.hostname.as_ref().expect("matched").loc,
        };
    }
    Resolution::NotFound
}

/// Every name that resolves from `from` (for did-you-mean).
pub fn known_names<'p>(project: &'p Project, from: &'p Service) -> Vec<&'p str> {
    let mut names: Vec<&str> = Vec::new();
    names.extend(
        from.links
            .iter()
            .chain(&from.external_links)
            .map(|l| l.name()),
    );
    names.extend(from.extra_hosts.iter().map(|h| h.value.as_str()));
    for s in &project.services {
        names.push(&s.name);
        names.extend(s.container_name.as_ref().map(|c| c.value.as_str()));
        names.extend(
            s.networks
                .iter()
                .flat_map(|n| n.aliases.iter().map(|a| a.value.as_str())),
        );
    }
    names
}
