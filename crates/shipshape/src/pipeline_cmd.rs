//! `shipshape pipeline`: the pipeline GitLab would create for one kind of pipeline
//! (`--source`, `--branch`, `--tag`, `--var`, `--changed`), as text, JSON or a graph; or,
//! without `--source`, a table of every job by kind of pipeline.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};
use shipshape_linter::Workspace;
use shipshape_linter::pipeline_runs::{JobRun, PipelineRun};
use shipshape_linter::simulation;
use shipshape_linter::workspace::CiPipeline;
use shipshape_model::gitlab::Origin;
use shipshape_model::gitlab::contexts::{Context, Given};
use shipshape_model::gitlab::evaluate::Tri;
use shipshape_model::gitlab::simulate::{Why, instance_names};
use shipshape_report::{GraphFormat, JobSelection, escape_controls};

use crate::check::{analyze_for_display, print_output};
use crate::cli::{PipelineArgs, PipelineFormatArg};
use crate::error;

pub fn run(args: PipelineArgs) -> u8 {
    let analysis = match analyze_for_display(&args.paths, args.config.as_deref()) {
        Ok(analysis) => analysis,
        Err(code) => return code,
    };
    let ws = &analysis.workspace;
    let shown: Vec<usize> = ws
        .pipelines
        .iter()
        .enumerate()
        .filter(|(_, p)| p.model.files.iter().any(|&f| ws.file(f).reported))
        .map(|(i, _)| i)
        .collect();
    if shown.is_empty() {
        error("no GitLab CI pipeline in the files given");
        return 2;
    }
    let Some(source) = &args.source else {
        return print_output(&matrix(ws, &shown, args.format));
    };
    let given = Given {
        source: source.clone(),
        branch: args.branch.clone(),
        tag: args.tag.clone(),
        default_branch: args.default_branch.clone(),
        variables: args.variables.clone(),
        changed: args.changed.clone(),
    };
    let Some(context) = Context::given(&given) else {
        error(format!("unknown pipeline source \"{source}\""));
        return 2;
    };
    // A child pipeline runs only as a child; a fragment could be either.
    let runs: Vec<(usize, PipelineRun)> = shown
        .iter()
        .map(|&i| (i, &ws.pipelines[i]))
        .filter(|(_, p)| p.fragment || p.child == context.child)
        .map(|(i, p)| {
            (
                i,
                simulation::simulate(ws, p, std::sync::Arc::new(context.clone())),
            )
        })
        .collect();
    if runs.is_empty() {
        error(format!(
            "no pipeline of the files given runs as a {} pipeline",
            context.source
        ));
        return 2;
    }
    let text = match args.format {
        PipelineFormatArg::Text => text(ws, &context, &runs),
        PipelineFormatArg::Json => {
            let out = json!({
                "context": context_json(&context, &given),
                "pipelines": runs.iter().map(|(i, run)| pipeline_json(ws, &ws.pipelines[*i], run)).collect::<Vec<_>>(),
            });
            format!("{}\n", serde_json::to_string_pretty(&out).expect("JSON"))
        }
        PipelineFormatArg::Mermaid | PipelineFormatArg::Dot => {
            let format = if args.format == PipelineFormatArg::Mermaid {
                GraphFormat::Mermaid
            } else {
                GraphFormat::Dot
            };
            let mut selection = JobSelection::new();
            for (i, run) in &runs {
                let model = &ws.pipelines[*i].model;
                for j in run.jobs.iter().filter(|j| j.runs != Tri::No) {
                    let note = if j.runs == Tri::Maybe { "may run" } else { "" };
                    selection.insert((*i, model.jobs[j.job].name.clone()), note.to_string());
                }
            }
            shipshape_report::graph_with(ws, &analysis.diagnostics, format, Some(&selection))
        }
    };
    print_output(&escape_controls(&text))
}

/// `file:line` of a place in a file.
fn place(ws: &Workspace, origin: Origin) -> String {
    format!("{}:{}", ws.source(origin.file).name, line_of(ws, origin))
}

/// The 1-based line of a place.
fn line_of(ws: &Workspace, origin: Origin) -> u32 {
    ws.source(origin.file)
        .line_col(ws.span_of(origin).start as usize)
        .line
        + 1
}

/// Why a job is where it is, in words, with the place that decided.
fn reason(ws: &Workspace, run: &JobRun) -> String {
    let decided = run.decision.decided_by.map(|o| place(ws, o));
    let at = |what: &str| match &decided {
        Some(p) => format!("{p}: {what}"),
        None => what.to_string(),
    };
    if run.decision.runs != Tri::No
        && run.runs == Tri::No
        && let Some(include) = run.include_rules
    {
        return format!("{}: the include's rules are not taken", place(ws, include));
    }
    match (run.decision.why, run.runs) {
        (Why::Rule, Tri::No) => at("rule with `when: never`"),
        (Why::Rule, Tri::Maybe) => at(&format!(
            "rule that may match: {}",
            run.decision.unknown.unwrap_or("values not known here")
        )),
        (Why::Rule, _) => at("rule"),
        (Why::NoRuleMatched, _) => at("no rule matches"),
        (Why::OnlyExcept, Tri::No) => match decided {
            Some(p) => format!("{p}: `only`/`except` leave it out"),
            None => "no rules: `only: [branches, tags]` by default".into(),
        },
        (Why::OnlyExcept, _) => at("`only`/`except`"),
        (Why::OpenInclude, _) => "its rules may come from an include not read here".into(),
        (Why::NoWorkflow, _) => String::new(),
    }
}

/// The needs a job has in this run (`rules:needs` replace its own).
fn needs(pipeline: &CiPipeline, run: &JobRun) -> Vec<String> {
    let job = &pipeline.model.jobs[run.job];
    let needs = match &run.decision.needs {
        Some(v) => shipshape_model::gitlab::pipeline::needs_of(Some(v)),
        None => job.needs(),
    };
    needs.into_iter().map(|n| n.job).collect()
}

fn text(ws: &Workspace, context: &Context, runs: &[(usize, PipelineRun)]) -> String {
    let mut out = String::new();
    for (i, run) in runs {
        let pipeline = &ws.pipelines[*i];
        let model = &pipeline.model;
        let _ = writeln!(
            out,
            "{}: {} (CI_PIPELINE_SOURCE={})",
            ws.source(model.root_file).name,
            context.title,
            context.source
        );
        let workflow = run
            .created
            .decided_by
            .map(|o| format!(" by workflow:rules at {}", place(ws, o)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}{workflow}",
            match run.created.runs {
                Tri::Yes => "created",
                Tri::Maybe => "may be created (depends on values not known here)",
                Tri::No => "not created",
            }
        );
        if run.created.runs == Tri::No {
            out.push('\n');
            continue;
        }
        if run.jobs.is_empty() {
            let why = if model.open_includes {
                ": its jobs come from includes not read here"
            } else {
                ""
            };
            let _ = writeln!(out, "no jobs{why}");
        }
        for (stage, _) in &model.stages {
            let jobs: Vec<&JobRun> = run
                .jobs
                .iter()
                .filter(|j| j.runs != Tri::No && model.jobs[j.job].stage().0 == *stage)
                .collect();
            if jobs.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{stage}");
            for j in jobs {
                let mut facts = vec![j.decision.when.to_string()];
                if j.decision.allow_failure == Some(true) {
                    facts.push("allow failure".into());
                }
                let needs = needs(pipeline, j);
                if !needs.is_empty() {
                    facts.push(format!("needs {}", needs.join(", ")));
                }
                if j.runs == Tri::Maybe {
                    facts.push(format!("may run: {}", reason(ws, j)));
                }
                for name in instance_names(&model.jobs[j.job]) {
                    let _ = writeln!(out, "  {name:<32} {}", facts.join("; "));
                }
            }
        }
        let left: Vec<&JobRun> = run.jobs.iter().filter(|j| j.runs == Tri::No).collect();
        if !left.is_empty() {
            let _ = writeln!(out, "\nleft out");
            for j in left {
                let _ = writeln!(out, "  {:<32} {}", model.jobs[j.job].name, reason(ws, j));
            }
        }
        out.push('\n');
    }
    out
}

fn context_json(context: &Context, given: &Given) -> Json {
    json!({
        "source": context.source,
        "branch": if context.ref_kind == shipshape_model::gitlab::contexts::RefKind::Tag { None } else { Some(given.branch.clone().unwrap_or_else(|| given.default_branch.clone())) },
        "tag": given.tag,
        "default_branch": given.default_branch,
        // Names only: values given on the command line may be secrets.
        "variables": given.variables.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        "changed": given.changed,
    })
}

fn pipeline_json(ws: &Workspace, pipeline: &CiPipeline, run: &PipelineRun) -> Json {
    let model = &pipeline.model;
    let origin_json = |o: Option<Origin>| {
        o.map(|o| json!({"file": ws.source(o.file).name, "line": line_of(ws, o)}))
    };
    let mut jobs = Vec::new();
    for j in &run.jobs {
        let job = &model.jobs[j.job];
        for name in instance_names(job) {
            jobs.push(json!({
                "name": name,
                "stage": job.stage().0,
                "runs": j.runs.as_str(),
                "when": j.decision.when,
                "allow_failure": j.decision.allow_failure.unwrap_or(false),
                "needs": needs(pipeline, j),
                "decided_by": origin_json(j.include_rules.filter(|_| j.runs == Tri::No && j.decision.runs != Tri::No).or(j.decision.decided_by)),
                "reason": reason(ws, j),
            }));
        }
    }
    json!({
        "file": ws.source(model.root_file).name,
        "created": run.created.runs.as_str(),
        "workflow_rule": origin_json(run.created.decided_by),
        "stages": model.stages.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>(),
        "jobs": jobs,
    })
}

/// Without `--source`: each job by kind of pipeline (`yes`, `may`, `-`), the common
/// kinds only; JSON has every kind.
fn matrix(ws: &Workspace, shown: &[usize], format: PipelineFormatArg) -> String {
    let mut out = String::new();
    let mut pipelines_json = Vec::new();
    for &i in shown {
        let pipeline = &ws.pipelines[i];
        let runs = &simulation::simulations(ws, pipeline);
        let common: Vec<&PipelineRun> = runs.iter().filter(|r| !r.context.rare).collect();
        let model = &pipeline.model;
        if format == PipelineFormatArg::Json {
            let jobs: Vec<Json> = model
                .jobs
                .iter()
                .enumerate()
                .filter(|(_, j)| !j.hidden)
                .map(|(index, job)| {
                    let by_context: serde_json::Map<String, Json> = runs
                        .iter()
                        .map(|r| {
                            let runs = effective(r, index);
                            (r.context.id.clone(), json!(runs.as_str()))
                        })
                        .collect();
                    json!({"name": job.name, "stage": job.stage().0, "runs": by_context})
                })
                .collect();
            pipelines_json.push(json!({
                "file": ws.source(model.root_file).name,
                "contexts": runs.iter().map(|r| json!({"id": r.context.id, "title": r.context.title, "source": r.context.source, "created": r.created.runs.as_str()})).collect::<Vec<_>>(),
                "jobs": jobs,
            }));
            continue;
        }
        let _ = writeln!(out, "{}", ws.source(model.root_file).name);
        let width = model
            .visible_jobs()
            .map(|j| j.name.chars().count())
            .max()
            .unwrap_or(3)
            .clamp(3, 40);
        let _ = writeln!(out, "  columns:");
        for (n, r) in common.iter().enumerate() {
            let created = match r.created.runs {
                Tri::Yes => "",
                Tri::Maybe => " (pipeline may be created)",
                Tri::No => " (no pipeline: workflow:rules)",
            };
            let _ = writeln!(out, "    {:>2} {}{created}", n + 1, r.context.title);
        }
        let _ = write!(out, "  {:<width$}", "job");
        for n in 1..=common.len() {
            let _ = write!(out, " {n:>3}");
        }
        out.push('\n');
        for (index, job) in model.jobs.iter().enumerate().filter(|(_, j)| !j.hidden) {
            let name: String = job.name.chars().take(width).collect();
            let _ = write!(out, "  {name:<width$}");
            for r in &common {
                let cell = match effective(r, index) {
                    Tri::Yes => "yes",
                    Tri::Maybe => "may",
                    Tri::No => "-",
                };
                let _ = write!(out, " {cell:>3}");
            }
            out.push('\n');
        }
        out.push('\n');
    }
    if format == PipelineFormatArg::Json {
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&json!({"pipelines": pipelines_json})).expect("JSON")
        );
    }
    out
}

/// Whether a job runs in a run, the pipeline's creation taken into account.
fn effective(run: &PipelineRun, job: usize) -> Tri {
    let runs = run.job_run(job).map_or(Tri::No, |j| j.runs);
    runs.and(run.created.runs)
}
