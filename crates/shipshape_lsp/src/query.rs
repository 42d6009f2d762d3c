//! Hover and go to definition: what is written at a position (a job or service name, a
//! `!reference`, an include, a `${VAR}`, a host in a URL, a service in a `docker compose`
//! command), and where it is defined, from the analysis.

use lsp_types::{
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location,
    MarkupContent, MarkupKind, Position, Range,
};
use serde_json::Value as Json;
use shipshape_linter::workspace::{CiPipeline, IncludeOutcome};
use shipshape_linter::{AnalyzedFile, FileKind, RULES, Workspace};
use shipshape_model::compose::Project;
use shipshape_model::gitlab::Origin;
use shipshape_model::gitlab::services::CiService;
use shipshape_model::hostnames;
use shipshape_model::secrets::display_value;
use shipshape_yaml::{FileId, NodeId, NodeKind, Span, Tree};

use crate::convert;
use crate::server::Snapshot;

/// Where a position is, in the analysis.
pub struct At<'s> {
    pub snapshot: &'s Snapshot,
    pub file: &'s AnalyzedFile,
    pub offset: usize,
}

impl<'s> At<'s> {
    pub fn new(snapshot: &'s Snapshot, uri: &lsp_types::Uri, position: Position) -> Option<At<'s>> {
        let id = snapshot.file_of(uri)?;
        let file = snapshot.analysis.workspace.file(id);
        Some(At {
            snapshot,
            file,
            offset: convert::offset(&file.source.text, position),
        })
    }

    fn ws(&self) -> &'s Workspace {
        &self.snapshot.analysis.workspace
    }

    fn location(&self, file: FileId, span: Span) -> Option<Location> {
        Some(Location::new(
            self.snapshot.uri_of(file)?,
            convert::range(self.ws().source(file), span),
        ))
    }

    fn origin_location(&self, origin: Origin) -> Option<Location> {
        self.location(origin.file, self.ws().span_of(origin))
    }

    fn range(&self, span: Span) -> Range {
        convert::range(&self.file.source, span)
    }
}

/// The smallest node whose span holds `offset` (the end of a word counts, for a cursor
/// just after it).
pub fn node_at(tree: &Tree, offset: usize) -> Option<NodeId> {
    let offset = offset as u32;
    tree.ids()
        .filter(|&id| {
            let s = tree.node(id).span;
            s.start <= offset && offset <= s.end
        })
        .min_by_key(|&id| tree.node(id).span.len())
}

/// Where a node sits: the mapping keys from the document root to it (its own key last,
/// when it is a value or a key), whether it is a mapping key, whether it is a list item.
pub struct Context {
    pub keys: Vec<String>,
    pub is_key: bool,
    pub in_list: bool,
}

pub fn context(tree: &Tree, node: NodeId) -> Context {
    let mut keys = Vec::new();
    let mut is_key = false;
    let mut in_list = false;
    let mut cur = node;
    let mut first = true;
    while let Some(parent) = tree.parent(cur) {
        match tree.node(parent).kind {
            NodeKind::Mapping { .. } => {
                if let Some(e) = tree
                    .raw_entries(parent)
                    .iter()
                    .find(|e| e.key == cur || e.value == cur)
                {
                    if first && e.key == cur {
                        is_key = true;
                    }
                    keys.push(tree.key_text(e.key));
                }
            }
            NodeKind::Sequence { .. } if first => in_list = true,
            _ => {}
        }
        first = false;
        cur = parent;
    }
    keys.reverse();
    Context {
        keys,
        is_key,
        in_list,
    }
}

/// The `$NAME` / `${NAME...}` written around `offset` in `text`, with its span.
pub fn variable_at(text: &str, offset: usize) -> Option<(String, Span)> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = text[offset.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let mut search = 0;
    while let Some(i) = line[search..].find('$') {
        let start = search + i;
        let rest = &line[start + 1..];
        let (name, len) = if let Some(inner) = rest.strip_prefix('{') {
            let name: String = inner
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let close = inner.find('}').map_or(inner.len(), |j| j + 1);
            (name, 2 + close)
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let n = name.len();
            (name, 1 + n)
        };
        let span = Span::new(line_start + start, line_start + start + len);
        if !name.is_empty() && span.start as usize <= offset && offset <= span.end as usize {
            return Some((name, span));
        }
        search = start + 1;
    }
    None
}

/// What a position names.
enum Target {
    /// A definition: where it is, and what to say about it.
    Found {
        locations: Vec<Location>,
        about: String,
        span: Span,
    },
    Nothing,
}

fn pipelines_of(ws: &Workspace, file: FileId) -> impl Iterator<Item = &CiPipeline> {
    ws.pipelines
        .iter()
        .filter(move |p| p.model.files.contains(&file))
}

fn projects_of(ws: &Workspace, file: FileId) -> impl Iterator<Item = &Project> {
    ws.compose_projects
        .iter()
        .filter(move |p| p.files.contains(&file))
}

/// `build 1/2`, `build: [linux]` -> `build`.
fn base_job(name: &str) -> &str {
    let name = name.split_once(": [").map_or(name, |(b, _)| b);
    match name.rsplit_once(' ') {
        Some((b, n)) if n.contains('/') && n.split('/').all(|p| p.parse::<u32>().is_ok()) => b,
        _ => name,
    }
}

/// Where a job runs, by kind of pipeline, for its hover: "runs in merge request
/// pipelines, pushes to the default branch; not in tag pipelines (rule at line 12)".
fn where_it_runs(ws: &Workspace, p: &CiPipeline, index: usize) -> String {
    use shipshape_model::gitlab::evaluate::Tri;
    let job = &p.model.jobs[index];
    let (stage, _) = job.stage();
    let line = |o: Origin| {
        ws.source(o.file)
            .line_col(ws.span_of(o).start as usize)
            .line
            + 1
    };
    let mut runs = Vec::new();
    let mut may = Vec::new();
    // Left out, grouped by the line that decides.
    let mut not: Vec<(String, Vec<&str>)> = Vec::new();
    let simulations = shipshape_linter::simulation::simulations(ws, p);
    for run in simulations.iter().filter(|r| !r.context.rare) {
        let title = run.context.title.as_str();
        let Some(j) = run.job_run(index) else {
            continue;
        };
        let (state, why) = if run.created.runs == Tri::No {
            let at = run
                .created
                .decided_by
                .map(|o| format!(", workflow:rules line {}", line(o)));
            (Tri::No, format!("no pipeline{}", at.unwrap_or_default()))
        } else {
            let decided = j
                .include_rules
                .filter(|_| j.decision.runs != Tri::No)
                .or(j.decision.decided_by);
            let why = match decided {
                Some(o) => format!("line {}", line(o)),
                None => "no rules: branches and tags only".to_string(),
            };
            (j.runs.and(run.created.runs), why)
        };
        match state {
            Tri::Yes => runs.push(title),
            Tri::Maybe => may.push(title),
            Tri::No => match not.iter_mut().find(|(w, _)| *w == why) {
                Some((_, titles)) => titles.push(title),
                None => not.push((why, vec![title])),
            },
        }
    }
    let mut out = format!("job `{}` (stage `{stage}`)", job.name);
    if !runs.is_empty() {
        out.push_str(&format!("\n\nruns in: {}", runs.join(", ")));
    }
    if !may.is_empty() {
        out.push_str(&format!(
            "\n\nmay run in (depends on values not in the files): {}",
            may.join(", ")
        ));
    }
    if !not.is_empty() {
        let parts: Vec<String> = not
            .iter()
            .map(|(why, titles)| format!("{} ({why})", titles.join(", ")))
            .collect();
        out.push_str(&format!("\n\nnot in: {}", parts.join("; ")));
    }
    out
}

fn locate(at: &At<'_>) -> Target {
    let Some(tree) = at.file.tree() else {
        return Target::Nothing;
    };
    let Some(node) = node_at(tree, at.offset) else {
        return Target::Nothing;
    };
    let cx = context(tree, node);
    if let Some((name, span)) = variable_at(&at.file.source.text, at.offset) {
        return variable(at, node, &cx, &name, span);
    }
    let text = tree.scalar(node).unwrap_or("");
    let span = tree.node(node).span;
    match at.file.kind {
        FileKind::GitlabCi => gitlab(at, tree, node, &cx, text, span),
        FileKind::Compose => compose(at, &cx, text, span),
        _ => Target::Nothing,
    }
}

// Long because: one dispatch over what a position in a GitLab file can be (variable,
// job reference, `!reference`, include, stage, Compose service, host); the arms' order
// is their precedence, and each arm is a few lines.
fn gitlab(at: &At<'_>, tree: &Tree, node: NodeId, cx: &Context, text: &str, span: Span) -> Target {
    let ws = at.ws();
    let file = at.file.id();
    let keys: Vec<&str> = cx.keys.iter().map(String::as_str).collect();
    // `!reference [job, key]`
    if let Some(list) = tree.parent(node)
        && tree.tag(list) == Some("!reference")
    {
        let path: Vec<String> = tree
            .items(list)
            .iter()
            .filter_map(|&i| tree.scalar(i).map(str::to_string))
            .collect();
        for p in pipelines_of(ws, file) {
            let entry = p.model.top.as_ref().and_then(|top| top.entry_at(&path));
            if let Some(loc) = entry.and_then(|e| at.origin_location(e.key_origin)) {
                return Target::Found {
                    locations: vec![loc],
                    about: format!("`!reference [{}]`", path.join(", ")),
                    span: tree.node(list).span,
                };
            }
        }
        return Target::Nothing;
    }
    // A job's own key: where the job runs.
    if let [name] = keys.as_slice()
        && cx.is_key
    {
        for p in pipelines_of(ws, file) {
            let Some(index) = p
                .model
                .jobs
                .iter()
                .position(|j| j.name == *name && !j.hidden)
            else {
                continue;
            };
            if let Some(loc) = at.origin_location(p.model.jobs[index].key) {
                return Target::Found {
                    locations: vec![loc],
                    about: where_it_runs(ws, p, index),
                    span,
                };
            }
        }
    }
    let job_ref = match keys.as_slice() {
        [_, "extends"] if !cx.is_key => Some(text),
        [_, "needs"] if cx.in_list && !cx.is_key => Some(base_job(text)),
        [_, "needs", "job"] if !cx.is_key => Some(base_job(text)),
        [_, "dependencies"] if cx.in_list => Some(text),
        _ => None,
    };
    if let Some(name) = job_ref {
        for p in pipelines_of(ws, file) {
            if let Some(job) = p.model.job(name) {
                let (stage, _) = job.stage();
                let about = if job.hidden {
                    format!("template `{name}`")
                } else {
                    format!("job `{name}` (stage `{stage}`)")
                };
                if let Some(loc) = at.origin_location(job.key) {
                    return Target::Found {
                        locations: vec![loc],
                        about,
                        span,
                    };
                }
            }
        }
        return Target::Nothing;
    }
    // `include: local`: the file.
    if keys.first() == Some(&"include") {
        for r in ws.ci_includes.get(&file).into_iter().flatten() {
            if r.include.origin.node == node
                && let IncludeOutcome::Files(ids) = &r.outcome
            {
                let locations = ids
                    .iter()
                    .filter_map(|&f| at.location(f, Span::empty(0)))
                    .collect();
                let names: Vec<&str> = ids.iter().map(|&f| ws.source(f).name.as_str()).collect();
                return Target::Found {
                    locations,
                    about: format!(
                        "included file{} {}",
                        if ids.len() > 1 { "s" } else { "" },
                        names.join(", ")
                    ),
                    span,
                };
            }
        }
        return Target::Nothing;
    }
    // `stage: build` -> the `stages:` entry.
    if let [_, "stage"] = keys.as_slice() {
        for p in pipelines_of(ws, file) {
            if let Some((_, Some(origin))) = p.model.stages.iter().find(|(s, _)| s == text)
                && let Some(loc) = at.origin_location(*origin)
            {
                let order: Vec<&str> = p.model.stages.iter().map(|(s, _)| s.as_str()).collect();
                return Target::Found {
                    locations: vec![loc],
                    about: format!("stage `{text}` of the pipeline's {}", order.join(" → ")),
                    span,
                };
            }
        }
    }
    // A service named in a `docker compose` command of a script.
    for p in pipelines_of(ws, file) {
        for run in &p.compose_runs {
            if run.origin.node != node || run.origin.file != file {
                continue;
            }
            let words = run.invocation.services.iter().chain(
                run.invocation
                    .flags
                    .iter()
                    .filter(|f| f.name == "--exit-code-from")
                    .filter_map(|f| f.value.as_ref()),
            );
            for w in words {
                let w_span = tree.value_subspan(&at.file.source.text, node, w.range.clone());
                if w_span.start as usize <= at.offset
                    && at.offset <= w_span.end as usize
                    && let Some(project) = run.project.map(|id| ws.project(id))
                    && let Some(service) = project.service(&w.text)
                {
                    return service_target(at, service, w_span);
                }
            }
        }
    }
    // A host in a variable's value -> the CI service that answers to it.
    if keys.contains(&"variables")
        && let Some(name) = keys.iter().rev().find(|k| **k != "value")
    {
        for host in hostnames::extract(name, text) {
            let h_span = tree.value_subspan(&at.file.source.text, node, host.range.clone());
            if h_span.start as usize > at.offset || at.offset > h_span.end as usize {
                continue;
            }
            for p in pipelines_of(ws, file) {
                let services: Vec<CiService> =
                    p.model.visible_jobs().flat_map(|j| j.services()).collect();
                if let Some(s) = services.iter().find(|s| s.answers_to(&host.host)) {
                    let origin = s
                        .aliases
                        .iter()
                        .find(|(a, _)| a.eq_ignore_ascii_case(&host.host))
                        .map_or(s.image_origin, |(_, o)| *o);
                    if let Some(loc) = at.origin_location(origin) {
                        return Target::Found {
                            locations: vec![loc],
                            about: format!(
                                "CI service `{}` (answers to {})",
                                s.image,
                                s.hostnames.join(", ")
                            ),
                            span: h_span,
                        };
                    }
                }
            }
        }
    }
    Target::Nothing
}

/// Go to a Compose service: every file that defines it (overrides included).
fn service_target(at: &At<'_>, service: &shipshape_model::compose::Service, span: Span) -> Target {
    Target::Found {
        locations: service
            .definitions
            .iter()
            .filter_map(|d| at.location(d.file, d.span))
            .collect(),
        about: compose_service_about(service),
        span,
    }
}

fn compose_service_about(s: &shipshape_model::compose::Service) -> String {
    let mut about = format!("Compose service `{}`", s.name);
    if let Some(image) = &s.image {
        about.push_str(&format!(", image `{}`", image.value));
    }
    let mut names = vec![s.name.clone()];
    names.extend(s.container_name.iter().map(|c| c.value.clone()));
    names.extend(
        s.networks
            .iter()
            .flat_map(|n| n.aliases.iter().map(|a| a.value.clone())),
    );
    about.push_str(&format!(
        "; other containers reach it as {}",
        names.join(", ")
    ));
    if s.has_healthcheck() {
        about.push_str("; it has a healthcheck");
    }
    about
}

fn compose(at: &At<'_>, cx: &Context, text: &str, span: Span) -> Target {
    let ws = at.ws();
    let file = at.file.id();
    let keys: Vec<&str> = cx.keys.iter().map(String::as_str).collect();
    let service_ref = match keys.as_slice() {
        ["services", _, "depends_on"] if cx.in_list || cx.is_key => Some(text),
        ["services", _, "depends_on", _] if cx.is_key => Some(text),
        ["services", _, "extends"] if !cx.is_key => Some(text),
        ["services", _, "extends", "service"] if !cx.is_key => Some(text),
        ["services", _, "links"] if cx.in_list => Some(text.split(':').next().unwrap_or(text)),
        ["services", _, "volumes_from"] if cx.in_list => {
            Some(text.split(':').next().unwrap_or(text))
        }
        ["services", _, "network_mode"] => text.strip_prefix("service:"),
        ["services", name] if cx.is_key => Some(*name),
        _ => None,
    };
    if let Some(name) = service_ref {
        for project in projects_of(ws, file) {
            if let Some(service) = project.service(name) {
                return service_target(at, service, span);
            }
        }
        return Target::Nothing;
    }
    // A network of a service -> the top-level network.
    if let ["services", _, "networks"] | ["services", _, "networks", _] = keys.as_slice()
        && (cx.in_list || cx.is_key)
    {
        for project in projects_of(ws, file) {
            if let Some(n) = project.networks.iter().find(|n| n.name == text)
                && let Some(loc) = at.location(n.key.file, n.key.span)
            {
                return Target::Found {
                    locations: vec![loc],
                    about: format!(
                        "network `{text}`{}",
                        if n.external { " (external)" } else { "" }
                    ),
                    span,
                };
            }
        }
    }
    // A host in an environment value -> the service that answers to it.
    if let ["services", _, "environment", ..] = keys.as_slice() {
        let (key, value) = match text.split_once('=') {
            Some((k, v)) if cx.in_list => (k.to_string(), v),
            _ => (keys.last().copied().unwrap_or("").to_string(), text),
        };
        for host in hostnames::extract(&key, value) {
            for project in projects_of(ws, file) {
                let found = project.services.iter().find(|s| {
                    s.name.eq_ignore_ascii_case(&host.host)
                        || s.container_name
                            .as_ref()
                            .is_some_and(|c| c.value.eq_ignore_ascii_case(&host.host))
                        || s.networks.iter().any(|n| {
                            n.aliases
                                .iter()
                                .any(|a| a.value.eq_ignore_ascii_case(&host.host))
                        })
                });
                if let Some(s) = found {
                    return service_target(at, s, span);
                }
            }
        }
    }
    Target::Nothing
}

/// `${VAR}` / `$VAR`: where its value comes from.
fn variable(at: &At<'_>, node: NodeId, cx: &Context, name: &str, span: Span) -> Target {
    let ws = at.ws();
    let file = at.file.id();
    let mut locations = Vec::new();
    let mut about = Vec::new();
    if shipshape_model::gitlab::keywords::is_predefined_variable(name) {
        about.push(format!("`{name}` is set by GitLab or the runner"));
    }
    match at.file.kind {
        FileKind::GitlabCi => {
            let job_name = context_job(cx);
            for p in pipelines_of(ws, file) {
                let vars = match job_name.and_then(|j| p.model.job(j)) {
                    Some(job) => p.model.job_variables(job),
                    None => p.model.variables.clone(),
                };
                if let Some(v) = vars.iter().find(|v| v.name == name) {
                    about.push(format!(
                        "`{name}` = `{}`",
                        v.value
                            .as_deref()
                            .map_or("(not a string)".to_string(), |x| display_value(name, x))
                    ));
                    locations.extend(at.origin_location(v.name_origin));
                    break;
                }
            }
        }
        FileKind::Compose => {
            for project in projects_of(ws, file) {
                for source in project.env_sources.iter().filter(|s| !s.example) {
                    let env_file = ws.file(source.file);
                    if let Some(env) = &env_file.dotenv
                        && let Some(e) = env.entries.iter().find(|e| e.name == name)
                    {
                        let value = e.value.as_deref().unwrap_or("");
                        // A value the secret scan found in the `.env` file is masked
                        // whatever its name (`GH=ghp_...`).
                        let holds_secret = env_file.secrets.iter().any(|f| {
                            env_file
                                .source
                                .text
                                .get(f.span.range())
                                .is_some_and(|secret| value.contains(secret))
                        });
                        let shown = if holds_secret {
                            shipshape_model::secrets::redact(value)
                        } else {
                            display_value(name, value)
                        };
                        about.push(format!("`{name}` = `{shown}` in {}", env_file.source.name));
                        locations.extend(at.location(
                            source.file,
                            Span::new(e.name_range.start, e.name_range.end),
                        ));
                    }
                }
            }
            // The CI jobs that run this file.
            for p in &ws.pipelines {
                for run in &p.compose_runs {
                    let runs_this = run
                        .project
                        .is_some_and(|id| ws.project(id).files.contains(&file));
                    if !runs_this {
                        continue;
                    }
                    if let Some(job) = p.model.job(&run.job)
                        && let Some(v) = p
                            .model
                            .job_variables(job)
                            .into_iter()
                            .find(|v| v.name == name)
                    {
                        about.push(format!(
                            "`{name}` = `{}` in CI job `{}`",
                            v.value
                                .as_deref()
                                .map_or("(not a string)".to_string(), |x| display_value(name, x)),
                            run.job
                        ));
                        locations.extend(at.origin_location(v.name_origin));
                    }
                }
            }
        }
        _ => {}
    }
    let _ = node;
    if about.is_empty() {
        about.push(format!("`{name}` is not set by any file shipshape sees"));
    }
    Target::Found {
        locations,
        about: about.join("\n\n"),
        span,
    }
}

/// The job a GitLab node belongs to (its top-level key, when that is not a keyword).
fn context_job(cx: &Context) -> Option<&str> {
    let first = cx.keys.first()?;
    (!shipshape_model::gitlab::keywords::TOP_LEVEL_KEYWORDS.contains(&first.as_str()))
        .then_some(first.as_str())
}

fn position_params(params: &Json) -> Option<(lsp_types::Uri, Position)> {
    let p: HoverParams = serde_json::from_value(params.clone()).ok()?;
    Some((
        p.text_document_position_params.text_document.uri,
        p.text_document_position_params.position,
    ))
}

pub fn hover(snapshot: &Snapshot, params: Json) -> Result<Json, String> {
    let (uri, position) = position_params(&params).ok_or("invalid hover parameters")?;
    let Some(at) = At::new(snapshot, &uri, position) else {
        return Ok(Json::Null);
    };
    let mut parts = Vec::new();
    let mut range = None;
    // The findings at the position, with their rule's documentation.
    for d in snapshot.analysis.diagnostics.iter().filter(|d| {
        d.file() == at.file.id()
            && d.primary.span.start as usize <= at.offset
            && at.offset <= d.primary.span.end as usize
    }) {
        let doc = RULES
            .iter()
            .find(|r| r.name == d.rule)
            .map_or("", |r| r.doc);
        parts.push(format!("**{}**: {}\n\n---\n\n{doc}", d.rule, d.message));
        range.get_or_insert(at.range(d.primary.span));
    }
    if let Target::Found { about, span, .. } = locate(&at) {
        parts.insert(0, about);
        range = Some(at.range(span));
    }
    if parts.is_empty() {
        return Ok(Json::Null);
    }
    let hover = Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: parts.join("\n\n---\n\n"),
        }),
        range,
    };
    Ok(serde_json::to_value(hover).expect("serializes"))
}

pub fn definition(snapshot: &Snapshot, params: Json) -> Result<Json, String> {
    let p: GotoDefinitionParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let tdp = p.text_document_position_params;
    let Some(at) = At::new(snapshot, &tdp.text_document.uri, tdp.position) else {
        return Ok(Json::Null);
    };
    match locate(&at) {
        Target::Found { locations, .. } if !locations.is_empty() => {
            let response = if locations.len() == 1 {
                GotoDefinitionResponse::Scalar(locations.into_iter().next().expect("one"))
            } else {
                GotoDefinitionResponse::Array(locations)
            };
            Ok(serde_json::to_value(response).expect("serializes"))
        }
        _ => Ok(Json::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_at_a_position() {
        let text = "a: postgres://${DB_USER}@db/$DB_NAME x\n";
        assert_eq!(variable_at(text, 17).map(|v| v.0), Some("DB_USER".into()));
        assert_eq!(variable_at(text, 30).map(|v| v.0), Some("DB_NAME".into()));
        assert_eq!(variable_at(text, 5), None);
    }
}
