//! needs-cycle: jobs that need each other in a loop, so none of them can start.

use std::collections::HashMap;

use shipshape_model::gitlab::Origin;

use super::support::{base_job_name, report_at};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "needs-cycle",
    group: Group::Gitlab,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "`needs` form a cycle",
    doc: include_str!("../../../rule-docs/needs-cycle/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let model = cx.model();
    let jobs: Vec<_> = model.visible_jobs().collect();
    let index: HashMap<&str, usize> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| (j.name.as_str(), i))
        .collect();
    // Edges job -> needed job, with where each need is written.
    let edges: Vec<Vec<(usize, Origin)>> = jobs
        .iter()
        .map(|j| {
            j.needs()
                .iter()
                .filter_map(|n| Some((*index.get(base_job_name(&n.job))?, n.origin)))
                .collect()
        })
        .collect();
    for cycle in cycles(&edges) {
        // The need that closes the loop, from the job written first.
        let first = cycle[0];
        let next = cycle[1 % cycle.len()];
        let Some(&(_, origin)) = edges[first].iter().find(|(t, _)| *t == next) else {
            continue;
        };
        let mut names: Vec<&str> = cycle.iter().map(|&i| jobs[i].name.as_str()).collect();
        names.push(names[0]);
        let d = report_at(
            cx,
            sink,
            origin,
            format!(
                "The pipeline has circular dependencies: {}",
                names.join(" -> ")
            ),
        );
        d.label(format!(
            "\"{}\" needs \"{}\"",
            jobs[first].name, jobs[next].name
        ));
        for w in cycle.windows(2).skip(1) {
            if let Some(&(_, o)) = edges[w[0]].iter().find(|(t, _)| *t == w[1]) {
                d.secondary(
                    o.file,
                    cx.span(o),
                    format!("\"{}\" needs \"{}\"", jobs[w[0]].name, jobs[w[1]].name),
                );
            }
        }
        if cycle.len() > 1 {
            let last = cycle[cycle.len() - 1];
            if let Some(&(_, o)) = edges[last].iter().find(|(t, _)| *t == first) {
                d.secondary(
                    o.file,
                    cx.span(o),
                    format!("\"{}\" needs \"{}\"", jobs[last].name, jobs[first].name),
                );
            }
        }
        d.note("GitLab does not create the pipeline: no job of the loop can start first");
        d.help("remove one of these needs");
    }
}

/// One cycle per strongly connected component that has one (Tarjan's algorithm,
/// iterative), each as the jobs in order along the loop, starting at the lowest index.
fn cycles(edges: &[Vec<(usize, Origin)>]) -> Vec<Vec<usize>> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut components = Vec::new();
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        // (node, next edge to look at)
        let mut work = vec![(start, 0usize)];
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&(w, _)) = edges[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(component);
            }
        }
    }
    let mut out = Vec::new();
    for component in components {
        let self_loop =
            component.len() == 1 && edges[component[0]].iter().any(|(t, _)| *t == component[0]);
        if component.len() < 2 && !self_loop {
            continue;
        }
        let start = *component.iter().min().expect("not empty");
        out.push(walk_cycle(edges, &component, start));
    }
    out.sort();
    out
}

/// A path from `start` back to itself inside the component (breadth first: the shortest).
fn walk_cycle(edges: &[Vec<(usize, Origin)>], component: &[usize], start: usize) -> Vec<usize> {
    let mut prev: HashMap<usize, usize> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &(w, _) in &edges[v] {
            if !component.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![v];
                let mut cur = v;
                while cur != start {
                    cur = prev[&cur];
                    path.push(cur);
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = prev.entry(w) {
                e.insert(v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipshape_yaml::{FileId, NodeId};

    fn o() -> Origin {
        Origin {
            file: FileId(0),
            node: NodeId(0),
        }
    }

    #[test]
    fn finds_each_loop_once() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3, 4 -> 0
        let edges = vec![
            vec![(1, o())],
            vec![(2, o())],
            vec![(0, o())],
            vec![(3, o())],
            vec![(0, o())],
        ];
        assert_eq!(cycles(&edges), vec![vec![0, 1, 2], vec![3]]);
        assert!(cycles(&[vec![(1, o())], vec![]]).is_empty());
    }
}
