//! depends-on-cycle: services that depend on each other in a circle, which Compose cannot
//! start ("dependency cycle detected").

use std::collections::{BTreeSet, HashMap};

use shipshape_model::compose::Project;
use shipshape_model::loc::Loc;

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "depends-on-cycle",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "services depend on each other in a cycle",
    doc: include_str!("../../../rule-docs/depends-on-cycle/README.md"),
    checks: &[Check::Compose(check)],
    options: &[],
};

/// An edge of the start-order graph: `from` must start after `to`, because of `loc`.
struct Edge {
    to: usize,
    loc: Loc,
    how: &'static str,
}

fn edges(project: &Project) -> Vec<Vec<Edge>> {
    let index: HashMap<&str, usize> = project
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    project
        .services
        .iter()
        .map(|s| {
            let mut out = Vec::new();
            let mut add = |name: &str, loc: Loc, how: &'static str| {
                if let Some(&to) = index.get(name) {
                    out.push(Edge { to, loc, how });
                }
            };
            for d in &s.depends_on {
                add(&d.service.value, d.service.loc, "depends on");
            }
            for l in &s.links {
                add(&l.target, l.text.loc, "links to");
            }
            for v in &s.volumes_from {
                add(
                    v.value.split(':').next().unwrap_or_default(),
                    v.loc,
                    "takes volumes from",
                );
            }
            if let Some(m) = &s.network_mode
                && let Some(t) = m.value.strip_prefix("service:")
            {
                add(t, m.loc, "uses the network of");
            }
            out
        })
        .collect()
}

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    let project = cx.project;
    let graph = edges(project);
    let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
    for cycle in find_cycles(&graph) {
        // Report each cycle once, starting from its smallest service name.
        let mut key = cycle.clone();
        key.sort_unstable();
        if !seen.insert(key) {
            continue;
        }
        let start = (0..cycle.len())
            .min_by_key(|&i| &project.services[cycle[i]].name)
            .unwrap_or(0);
        let cycle: Vec<usize> = cycle[start..]
            .iter()
            .chain(&cycle[..start])
            .copied()
            .collect();
        let name = |i: usize| project.services[i].name.as_str();
        let mut path: Vec<&str> = cycle.iter().map(|&i| name(i)).collect();
        path.push(name(cycle[0]));
        let edge = |from: usize, to: usize| {
            graph[from]
                .iter()
                .find(|e| e.to == to)
                .expect("a cycle follows edges")
        };
        let first = edge(cycle[0], cycle[(1) % cycle.len()]);
        let d = sink.report(
            first.loc.file,
            first.loc.span,
            format!("dependency cycle: {}", path.join(" -> ")),
        );
        d.label(format!(
            "\"{}\" {} \"{}\"",
            name(cycle[0]),
            first.how,
            name(cycle[1 % cycle.len()])
        ));
        for k in 1..cycle.len() {
            let (from, to) = (cycle[k], cycle[(k + 1) % cycle.len()]);
            let e = edge(from, to);
            d.secondary(
                e.loc.file,
                e.loc.span,
                format!("\"{}\" {} \"{}\"", name(from), e.how, name(to)),
            );
        }
        d.note("Compose stops with \"dependency cycle detected\" and starts nothing")
            .help("remove one of these dependencies; if two services really need each other, let one of them retry its connection instead");
    }
}

/// Cycles of the graph (each as the nodes in order), found with an iterative depth-first
/// search: one per back edge, which is enough to show every circular group.
fn find_cycles(graph: &[Vec<Edge>]) -> Vec<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut mark = vec![Mark::New; graph.len()];
    let mut cycles = Vec::new();
    for root in 0..graph.len() {
        if mark[root] != Mark::New {
            continue;
        }
        // (node, next edge to look at)
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::OnPath;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(edge) = graph[node].get(*next) {
                *next += 1;
                match mark[edge.to] {
                    Mark::New => {
                        mark[edge.to] = Mark::OnPath;
                        stack.push((edge.to, 0));
                    }
                    Mark::OnPath => {
                        let from = stack
                            .iter()
                            .position(|&(n, _)| n == edge.to)
                            .expect("on the path");
                        cycles.push(stack[from..].iter().map(|&(n, _)| n).collect());
                    }
                    Mark::Done => {}
                }
            } else {
                mark[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    cycles
}
