//! The hosts a service's environment connects to, as the host rules read them.

use shipshape_model::compose::{EnvVar, Service};
use shipshape_model::hostnames::{self, HostRef, is_peer_key};
use shipshape_model::interpolation;
use shipshape_yaml::{PathSegment, Span};

use crate::rule::ComposeContext;

/// One host a service's environment names.
pub struct EnvHost<'s> {
    pub var: &'s EnvVar,
    pub host: HostRef,
    /// Where the host is written.
    pub span: Span,
}

/// Every host the environment of `service` connects to: values of keys that name a peer
/// (not the container's own or public address), outside `${VAR:-default}` fallbacks.
pub fn env_hosts<'s>(cx: &ComposeContext<'_>, service: &'s Service) -> Vec<EnvHost<'s>> {
    let mut out = Vec::new();
    for var in &service.environment {
        let (Some(value), Some(vref)) = (&var.value, &var.value_ref) else {
            continue;
        };
        if !is_peer_key(&var.name) {
            continue;
        }
        let hosts = hostnames::extract(&var.name, value);
        if hosts.is_empty() {
            continue;
        }
        // A host inside `${VAR:-default}` is only a fallback: the real value comes from
        // the variable.
        let interpolated: Vec<_> = interpolation::parse(value)
            .references
            .into_iter()
            .map(|r| r.range)
            .collect();
        for host in hosts {
            if interpolated
                .iter()
                .any(|r| r.start <= host.range.start && host.range.end <= r.end)
            {
                continue;
            }
            let Some(tree) = cx.tree(vref.file) else {
                continue;
            };
            let span = vref.subspan(tree, cx.text(vref.file), host.range.clone());
            out.push(EnvHost { var, host, span });
        }
    }
    out
}

/// When a variable's value comes from a block several services share (an `x-` extension
/// or another service's anchor merged in), rather than from the service's own
/// `environment:`: the path it is written at, for the message.
pub fn shared_block(cx: &ComposeContext<'_>, service: &Service, var: &EnvVar) -> Option<String> {
    let vref = var.value_ref.as_ref()?;
    let tree = cx.tree(vref.file)?;
    let own = matches!(
        tree.path(vref.node).as_slice(),
        [PathSegment::Key(top), PathSegment::Key(name), ..] if top == "services" && *name == service.name
    );
    (!own).then(|| tree.path_string(vref.node))
}
