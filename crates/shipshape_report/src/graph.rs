//! `shipshape graph`: what the files say, drawn. For each Compose project, its services
//! and `depends_on` edges (labelled with the condition; services with a healthcheck
//! marked); for each pipeline, its stages with their jobs and the `needs` edges; from each
//! job, an edge to the services its `docker compose` commands start. Services and jobs
//! with findings are highlighted. Mermaid (for Markdown, GitLab and GitHub render it) or
//! Graphviz DOT.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use shipshape_linter::{Diagnostic, Severity, Workspace};
use shipshape_model::compose::{Condition, Project};
use shipshape_yaml::{FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

/// A node: its id, its label's lines (names from the files, not yet escaped), how bad
/// its worst finding is.
struct Node {
    id: String,
    label: Vec<String>,
    worst: Option<Severity>,
}

/// An edge. Its label is shipshape's own words (a condition, a subcommand), never a
/// file's: it is written unescaped.
struct Edge {
    from: String,
    to: String,
    label: String,
    dashed: bool,
}

/// A drawing: clusters of nodes, and edges.
struct Graph {
    title: String,
    clusters: Vec<(String, Vec<Node>)>,
    edges: Vec<Edge>,
}

/// Ids safe in both Mermaid and DOT, one per name: ASCII letters and digits are kept,
/// every other character is `_` and its code in hex (`job-1` -> `job_2d1`), so that
/// `a-b` and `a_b` stay two nodes.
fn ident(prefix: &str, name: &str) -> String {
    let mut out = String::from(prefix);
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            let _ = write!(out, "_{:x}", u32::from(c));
        }
    }
    out
}

/// The node of a service of the project at `index` of `Workspace::compose_projects`.
fn service_id(index: usize, name: &str) -> String {
    ident(&format!("c{index}_"), name)
}

/// The node of a job of the pipeline at `index` of `Workspace::pipelines`.
fn job_id(index: usize, name: &str) -> String {
    ident(&format!("p{index}_"), name)
}

/// A name from a file as drawn text: every control character (line breaks included) and
/// bidirectional control written as `\u{..}`, so that no name starts a line of its own in
/// the graph's source or reorders what a label says.
fn shown(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_control() || crate::escape::is_hidden_control(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Text inside a Mermaid `"..."` label: Mermaid's entity codes for what would end the
/// string or be read as markup (`"`, `#`, `<`, `>`, `&`, a backtick).
fn mermaid_text(name: &str) -> String {
    let mut out = String::new();
    for c in shown(name).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a DOT `"..."` string: `\\` and `\"` escaped (so no `\N`-style
/// substitution and no early end).
fn dot_text(name: &str) -> String {
    shown(name).replace('\\', "\\\\").replace('"', "\\\"")
}

/// The worst finding whose primary span lies in `span` of `file`.
fn worst(diagnostics: &[Diagnostic], file: FileId, span: Span) -> Option<Severity> {
    diagnostics
        .iter()
        .filter(|d| {
            d.file() == file && span.start <= d.primary.span.start && d.primary.span.end <= span.end
        })
        .map(|d| d.severity)
        .max()
}

fn compose_graph(
    ws: &Workspace,
    project: &Project,
    diagnostics: &[Diagnostic],
    index: usize,
) -> Graph {
    let names: Vec<&str> = project
        .owned
        .iter()
        .map(|&f| ws.source(f).name.as_str())
        .collect();
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for service in &project.services {
        let id = service_id(index, &service.name);
        let mut label = vec![service.name.clone()];
        if let Some(image) = &service.image {
            label.push(image.value.clone());
        }
        if service.has_healthcheck() {
            label.push("(healthcheck)".into());
        }
        // The service's whole definition, in each file that writes it.
        let found = service
            .definitions
            .iter()
            .filter_map(|d| {
                let tree = ws.file(d.file).tree()?;
                let key = tree.ids().find(|&n| tree.node(n).span == d.span)?;
                let parent = tree.parent(key)?;
                let value = tree
                    .raw_entries(parent)
                    .iter()
                    .find(|e| e.key == key)?
                    .value;
                worst(diagnostics, d.file, tree.node(value).span.cover(d.span))
            })
            .max();
        nodes.push(Node {
            id: id.clone(),
            label,
            worst: found,
        });
        for dep in &service.depends_on {
            let condition = match dep.condition {
                Condition::Started => "started",
                Condition::Healthy => "healthy",
                Condition::CompletedSuccessfully => "completed",
                Condition::Unknown => "?",
            };
            edges.push(Edge {
                from: id.clone(),
                to: service_id(index, &dep.service.value),
                label: condition.to_string(),
                dashed: dep.condition == Condition::Started,
            });
        }
    }
    Graph {
        title: format!("Compose: {}", names.join(" + ")),
        clusters: vec![(String::new(), nodes)],
        edges,
    }
}

/// The jobs to draw, by pipeline index and job name, each with a note for its label
/// ("may run"): `shipshape pipeline` draws the pipeline one kind of pipeline creates.
pub type JobSelection = HashMap<(usize, String), String>;

fn pipeline_graph(
    ws: &Workspace,
    p: &shipshape_linter::workspace::CiPipeline,
    diagnostics: &[Diagnostic],
    index: usize,
    selection: Option<&JobSelection>,
) -> Graph {
    let selected = |name: &str| -> Option<&str> {
        match selection {
            None => Some(""),
            Some(s) => s.get(&(index, name.to_string())).map(String::as_str),
        }
    };
    let model = &p.model;
    let mut clusters: Vec<(String, Vec<Node>)> = model
        .stages
        .iter()
        .map(|(s, _)| (s.clone(), Vec::new()))
        .collect();
    let mut edges = Vec::new();
    for job in model.visible_jobs() {
        let Some(note) = selected(&job.name) else {
            continue;
        };
        let (stage, _) = job.stage();
        let id = job_id(index, &job.name);
        let value_span = ws.span_of(job.own.origin()).cover(ws.span_of(job.key));
        let mut label = vec![job.name.clone()];
        if !note.is_empty() {
            label.push(note.to_string());
        }
        let node = Node {
            id: id.clone(),
            label,
            worst: worst(diagnostics, job.key.file, value_span),
        };
        match clusters.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, nodes)) => nodes.push(node),
            None => clusters.push((stage, vec![node])),
        }
        // Needs of jobs that do not exist are findings, not nodes.
        for need in job
            .needs()
            .into_iter()
            .filter(|n| model.job(&n.job).is_some_and(|j| !j.hidden))
            .filter(|n| selected(&n.job).is_some())
        {
            edges.push(Edge {
                from: job_id(index, &need.job),
                to: id.clone(),
                label: if need.optional {
                    "optional".into()
                } else {
                    String::new()
                },
                dashed: need.optional,
            });
        }
    }
    clusters.retain(|(_, nodes)| !nodes.is_empty());
    Graph {
        title: format!("Pipeline: {}", ws.source(model.root_file).name),
        clusters,
        edges,
    }
}

/// From each job of a drawn pipeline to the services of a drawn project that its Compose
/// commands start, labelled with the subcommands (`up, run`; `linked` for a job
/// shipshape.toml links to the files). What those services depend on is left to the
/// project's own `depends_on` edges. Runs whose files were not all found form no project:
/// no edge, as for a project or a pipeline that is not drawn.
fn run_edges(
    ws: &Workspace,
    projects: &BTreeSet<usize>,
    pipelines: &BTreeSet<usize>,
    selection: Option<&JobSelection>,
) -> Vec<Edge> {
    let mut edges: Vec<Edge> = Vec::new();
    let mut by_ends: HashMap<(String, String), usize> = HashMap::new();
    for &pi in pipelines {
        let pipeline = &ws.pipelines[pi];
        for run in &pipeline.compose_runs {
            let Some(project) = run.project.map(|id| id.0 as usize) else {
                continue;
            };
            let drawn = selection.is_none_or(|s| s.contains_key(&(pi, run.job.clone())));
            if !projects.contains(&project)
                || pipeline.model.job(&run.job).is_none_or(|j| j.hidden)
                || !drawn
            {
                continue;
            }
            // A subcommand with targets is one of `STARTING_SUBCOMMANDS`: no file's text.
            let label = if run.linked {
                "linked"
            } else {
                run.invocation.subcommand_name().unwrap_or_default()
            };
            for service in run.targets(&ws.compose_projects[project]) {
                let ends = (job_id(pi, &run.job), service_id(project, &service.name));
                match by_ends.get(&ends) {
                    Some(&i) => {
                        let edge = &mut edges[i];
                        if !edge.label.split(", ").any(|l| l == label) {
                            edge.label = format!("{}, {label}", edge.label);
                        }
                    }
                    None => {
                        by_ends.insert(ends.clone(), edges.len());
                        edges.push(Edge {
                            from: ends.0,
                            to: ends.1,
                            label: label.to_string(),
                            dashed: true,
                        });
                    }
                }
            }
        }
    }
    edges
}

fn mermaid_edge(out: &mut String, e: &Edge) {
    let arrow = if e.dashed { "-.->" } else { "-->" };
    if e.label.is_empty() {
        let _ = writeln!(out, "  {} {arrow} {}", e.from, e.to);
    } else {
        let _ = writeln!(out, "  {} {arrow}|{}| {}", e.from, e.label, e.to);
    }
}

/// One Mermaid flowchart (one code block to paste): a subgraph per project or pipeline,
/// nested subgraphs for stages, then the edges between them (`links`).
fn mermaid(graphs: &[Graph], links: &[Edge]) -> String {
    let mut out = String::from("flowchart LR\n");
    let mut styled = BTreeSet::new();
    for (gi, g) in graphs.iter().enumerate() {
        let _ = writeln!(out, "  subgraph g{gi}[\"{}\"]", mermaid_text(&g.title));
        for (ci, (name, nodes)) in g.clusters.iter().enumerate() {
            if !name.is_empty() {
                let _ = writeln!(out, "    subgraph g{gi}_s{ci}[\"{}\"]", mermaid_text(name));
            }
            for n in nodes {
                let label: Vec<String> = n.label.iter().map(|l| mermaid_text(l)).collect();
                let _ = writeln!(out, "      {}[\"{}\"]", n.id, label.join("<br/>"));
                if let Some(w) = n.worst {
                    styled.insert((n.id.clone(), w));
                }
            }
            if !name.is_empty() {
                out.push_str("    end\n");
            }
        }
        out.push_str("  end\n");
        for e in &g.edges {
            mermaid_edge(&mut out, e);
        }
    }
    for e in links {
        mermaid_edge(&mut out, e);
    }
    out.push_str("  classDef error fill:#fdd,stroke:#c00,stroke-width:2px\n");
    out.push_str("  classDef warning fill:#ffe8b3,stroke:#c80\n");
    out.push_str("  classDef info fill:#e6f0ff,stroke:#36c\n");
    for (id, severity) in styled {
        let _ = writeln!(out, "  class {id} {}", severity.as_str());
    }
    out
}

fn dot_edge(out: &mut String, e: &Edge, indent: &str) {
    let mut attrs = Vec::new();
    if !e.label.is_empty() {
        attrs.push(format!("label=\"{}\"", e.label));
    }
    if e.dashed {
        attrs.push("style=dashed".into());
    }
    let attrs = if attrs.is_empty() {
        String::new()
    } else {
        format!(" [{}]", attrs.join(", "))
    };
    let _ = writeln!(out, "{indent}{} -> {}{attrs};", e.from, e.to);
}

/// One DOT digraph: a cluster per project or pipeline, nested clusters for stages, then
/// the edges between them (`links`) at the top level: an edge written inside a cluster
/// would pull both its nodes into it.
fn dot(graphs: &[Graph], links: &[Edge]) -> String {
    let mut out =
        String::from("digraph shipshape {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
    for (gi, g) in graphs.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph cluster_g{gi} {{\n    label=\"{}\";",
            dot_text(&g.title)
        );
        for (ci, (name, nodes)) in g.clusters.iter().enumerate() {
            if !name.is_empty() {
                let _ = writeln!(
                    out,
                    "    subgraph cluster_g{gi}_{ci} {{\n      label=\"{}\";",
                    dot_text(name)
                );
            }
            for n in nodes {
                let color = match n.worst {
                    Some(Severity::Error) => {
                        ", color=\"#cc0000\", style=\"rounded,filled\", fillcolor=\"#ffdddd\""
                    }
                    Some(Severity::Warning) => {
                        ", color=\"#cc8800\", style=\"rounded,filled\", fillcolor=\"#ffe8b3\""
                    }
                    Some(Severity::Info) => ", color=\"#3366cc\"",
                    None => "",
                };
                let label: Vec<String> = n.label.iter().map(|l| dot_text(l)).collect();
                let _ = writeln!(
                    out,
                    "      {} [label=\"{}\"{color}];",
                    n.id,
                    label.join("\\n")
                );
            }
            if !name.is_empty() {
                out.push_str("    }\n");
            }
        }
        for e in &g.edges {
            dot_edge(&mut out, e, "    ");
        }
        out.push_str("  }\n");
    }
    for e in links {
        dot_edge(&mut out, e, "  ");
    }
    out.push_str("}\n");
    out
}

/// Draws the Compose projects and pipelines that hold a reported file.
pub fn graph(ws: &Workspace, diagnostics: &[Diagnostic], format: GraphFormat) -> String {
    graph_with(ws, diagnostics, format, None)
}

/// [`graph`], drawing only the jobs of `selection` (and the pipelines that have one).
pub fn graph_with(
    ws: &Workspace,
    diagnostics: &[Diagnostic],
    format: GraphFormat,
    selection: Option<&JobSelection>,
) -> String {
    let mut graphs = Vec::new();
    let mut drawn_projects = BTreeSet::new();
    for (i, project) in ws.compose_projects.iter().enumerate() {
        if project.owned.iter().any(|&f| ws.file(f).reported) && !project.services.is_empty() {
            graphs.push(compose_graph(ws, project, diagnostics, i));
            drawn_projects.insert(i);
        }
    }
    let mut drawn_pipelines = BTreeSet::new();
    for (i, p) in ws.pipelines.iter().enumerate() {
        let has_selected = match selection {
            None => true,
            Some(s) => s.keys().any(|(pi, _)| *pi == i),
        };
        if p.model.files.iter().any(|&f| ws.file(f).reported)
            && p.model.visible_jobs().next().is_some()
            && has_selected
        {
            graphs.push(pipeline_graph(ws, p, diagnostics, i, selection));
            drawn_pipelines.insert(i);
        }
    }
    let links = run_edges(ws, &drawn_projects, &drawn_pipelines, selection);
    match format {
        GraphFormat::Mermaid => mermaid(&graphs, &links),
        GraphFormat::Dot => dot(&graphs, &links),
    }
}
