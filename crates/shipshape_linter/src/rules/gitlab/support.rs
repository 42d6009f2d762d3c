//! What several GitLab rules share: reporting at a merged value's origin (once, even when
//! many jobs inherit it), job name lookups, feature flags, and the hosts in variables.

use std::collections::HashSet;
use std::ops::Range;

use shipshape_model::gitlab::keywords::TOP_LEVEL_KEYWORDS;
use shipshape_model::gitlab::services::Variable;
use shipshape_model::gitlab::{Job, Origin, Pipeline, Value};
use shipshape_model::hostnames::{self, HostRef};
use shipshape_yaml::{PathSegment, Span};

use crate::diagnostic::Diagnostic;
use crate::rule::{PipelineContext, Sink};
use crate::workspace::ResolvedInclude;

/// Reports each origin once: a bad value in a template that ten jobs extend is one
/// finding, at the template's line, naming the first job.
#[derive(Default)]
pub struct Once(HashSet<(Origin, usize, String)>);

impl Once {
    pub fn first(&mut self, origin: Origin) -> bool {
        self.first_at(origin, 0)
    }

    /// For findings inside a value (the second argument tells them apart).
    pub fn first_at(&mut self, origin: Origin, at: usize) -> bool {
        self.first_of(origin, at, "")
    }

    /// For several findings about one place (a variable name tells them apart).
    pub fn first_of(&mut self, origin: Origin, at: usize, what: &str) -> bool {
        self.0.insert((origin, at, what.to_string()))
    }
}

pub fn report_at<'s>(
    cx: &PipelineContext<'_>,
    sink: &'s mut Sink<'_>,
    origin: Origin,
    message: impl Into<String>,
) -> &'s mut Diagnostic {
    sink.report(origin.file, cx.span(origin), message)
}

/// Whether `origin` is written in the job's own definition (not brought by `extends`,
/// `default:` or a top-level keyword).
pub fn is_own(job: &Job, origin: Origin) -> bool {
    fn walk(v: &Value, origin: Origin) -> bool {
        v.origin() == origin
            || v.items().iter().any(|i| walk(i, origin))
            || v.entries()
                .iter()
                .any(|e| e.key_origin == origin || walk(&e.value, origin))
    }
    walk(&job.own, origin)
}

/// When a finding sits in a template (or another job), a second label at the job it is
/// about. Values from top-level keywords (`variables:`, `default:`) apply to every job and
/// get none.
pub fn label_job_if_inherited(
    cx: &PipelineContext<'_>,
    d: &mut Diagnostic,
    job: &Job,
    origin: Origin,
) {
    let in_job = cx
        .ws
        .file(origin.file)
        .tree()
        .and_then(|t| match t.path(origin.node).first() {
            Some(PathSegment::Key(k)) => Some(!TOP_LEVEL_KEYWORDS.contains(&k.as_str())),
            _ => None,
        })
        .unwrap_or(false);
    if in_job && !is_own(job, origin) {
        d.secondary(
            job.key.file,
            cx.span(job.key),
            format!("job \"{}\" inherits it", job.name),
        );
    }
}

/// Every `include:` entry of the pipeline's files (child pipeline ones too), resolved.
pub fn includes<'c>(cx: &'c PipelineContext<'_>) -> impl Iterator<Item = &'c ResolvedInclude> {
    cx.model()
        .files
        .iter()
        .flat_map(|f| cx.ws.ci_includes.get(f).into_iter().flatten())
}

/// A name GitLab fills in when it reads the file (`$[[ inputs.x ]]`) or that holds a
/// variable: nothing to look up.
pub fn is_dynamic(name: &str) -> bool {
    shipshape_model::interpolation::is_dynamic(name)
}

/// The job a `needs`/`dependencies` entry names: `build 1/3` and `build: [linux, amd64]`
/// are instances of the parallel job `build`.
pub fn base_job_name(name: &str) -> &str {
    if let Some((base, rest)) = name.split_once(": [")
        && rest.ends_with(']')
    {
        return base;
    }
    if let Some((base, count)) = name.rsplit_once(' ')
        && let Some((i, n)) = count.split_once('/')
        && i.parse::<u32>().is_ok()
        && n.parse::<u32>().is_ok()
    {
        return base;
    }
    name
}

/// Values the runner reads as true for a feature flag (Go's `strconv.ParseBool`).
pub fn is_true(value: &str) -> bool {
    matches!(value, "1" | "t" | "T" | "true" | "TRUE" | "True")
}

/// Whether the job's variables (pipeline ones included) turn `FF_NETWORK_PER_BUILD` on.
pub fn network_per_build(pipeline: &Pipeline, job: &Job) -> bool {
    pipeline
        .job_variables(job)
        .iter()
        .any(|v| v.name == "FF_NETWORK_PER_BUILD" && v.value.as_deref().is_some_and(is_true))
}

/// Whether the pipeline shows the Kubernetes executor: a `KUBERNETES_*` variable (the
/// executor's overwrite variables, `KUBERNETES_CPU_REQUEST`...) in its global or any job's
/// variables. All services of a job then share the pod's network and `localhost`, and
/// their aliases resolve to 127.0.0.1 (SPEC-domain B5): what the Docker executor's
/// networking says does not hold.
pub fn kubernetes_executor(pipeline: &Pipeline) -> bool {
    let kubernetes = |v: &Variable| v.name.starts_with("KUBERNETES_");
    pipeline.variables.iter().any(kubernetes)
        || pipeline.jobs.iter().any(|j| {
            shipshape_model::gitlab::services::variables(j.value.get("variables"))
                .iter()
                .any(kubernetes)
        })
}

/// A host named in a string, with its span in the source.
pub struct HostAt {
    pub host: HostRef,
    pub origin: Origin,
    pub span: Span,
}

/// The peer hosts a variable's value names (URLs, `host:port`, bare values of `*_HOST`
/// keys), not its own or public address.
pub fn variable_hosts(cx: &PipelineContext<'_>, var: &Variable) -> Vec<HostAt> {
    let Some(value) = &var.value else {
        return Vec::new();
    };
    if !hostnames::is_peer_key(&var.name) {
        return Vec::new();
    }
    hosts_at(cx, var.value_origin, hostnames::extract(&var.name, value))
}

/// The hosts of the URLs in a command line or script string.
pub fn url_hosts(cx: &PipelineContext<'_>, value: &Value) -> Vec<HostAt> {
    let Some(text) = value.as_str() else {
        return Vec::new();
    };
    if !text.contains("://") {
        return Vec::new();
    }
    hosts_at(cx, value.origin(), hostnames::extract("", text))
}

fn hosts_at(cx: &PipelineContext<'_>, origin: Origin, hosts: Vec<HostRef>) -> Vec<HostAt> {
    hosts
        .into_iter()
        .map(|host| HostAt {
            span: value_span(cx, origin, host.range.clone()),
            origin,
            host,
        })
        .collect()
}

/// The source span of a byte range of a scalar's value.
pub fn value_span(cx: &PipelineContext<'_>, origin: Origin, range: Range<usize>) -> Span {
    match cx.ws.file(origin.file).tree() {
        Some(tree) => tree.value_subspan(cx.text(origin.file), origin.node, range),
        None => Span::empty(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_instances_name_their_job() {
        assert_eq!(base_job_name("build 1/3"), "build");
        assert_eq!(base_job_name("build: [linux, amd64]"), "build");
        assert_eq!(base_job_name("build"), "build");
        assert_eq!(base_job_name("deploy prod"), "deploy prod");
    }
}
