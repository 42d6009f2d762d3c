//! `shipshape check`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use std::collections::HashMap;

use shipshape_linter::config::{self, Config, FailOn};
use shipshape_linter::configs::Configurations;
use shipshape_linter::discover::{
    FileRules, RulesAt, classify_name, discover_by, discover_with, io_reason,
};
use shipshape_linter::fs::OsFs;
use shipshape_linter::{
    Analysis, Discovery, Input, Merged, Part, PartOwners, RuleSelection, Settings, analyze,
    analyze_in_context, merge, split_into_parts,
};
use shipshape_report::{GraphFormat, HumanOptions, concise, github, gitlab, human, json, sarif};

use crate::cli::{CheckArgs, ColorArg, FormatArg, GraphArgs, GraphFormatArg};
use crate::error;

/// The current directory, or None after saying why it cannot be read.
fn working_dir() -> Option<PathBuf> {
    std::env::current_dir()
        .map_err(|err| {
            error(format!(
                "cannot read the current directory: {}",
                io_reason(&err)
            ))
        })
        .ok()
}

pub fn run(args: CheckArgs) -> u8 {
    if args.watch {
        return crate::watch::run(&args);
    }
    let checked = check(&args);
    // The process ends here: freeing every tree and model one by one took an eighth of
    // the run on a 10,000-file monorepo (benches/README.md), for memory the OS takes back.
    std::mem::forget(checked.analysis);
    checked.code
}

/// What one check leaves behind: its exit code, and what it read (what `--watch`
/// watches).
pub(crate) struct Checked {
    pub code: u8,
    /// None when the check stopped before analysing.
    pub analysis: Option<Analysis>,
    /// The configuration files the check met.
    pub configurations: Vec<PathBuf>,
}

/// Files checked with one configuration, and that configuration's settings with the
/// command line's flags over them.
struct Group {
    /// The configuration's path; None for the defaults.
    config: Option<PathBuf>,
    settings: Settings,
    fail_on: FailOn,
    inputs: Vec<Input>,
}

/// What a check analyses: the groups of files by configuration.
struct Prepared {
    cwd: PathBuf,
    configurations: Configurations,
    groups: Vec<Group>,
    /// Problems met so far (named files that cannot be read, a named configuration
    /// that is broken): the run still reports, then exits 2.
    problems: Vec<String>,
}

/// One `shipshape check`: configurations, inputs, the analysis of each configuration's
/// files, one report, the exit code.
pub(crate) fn check(args: &CheckArgs) -> Checked {
    let mut prepared = match prepare(args) {
        Ok(prepared) => prepared,
        Err((code, configurations)) => {
            return Checked {
                code,
                analysis: None,
                configurations,
            };
        }
    };
    let files: usize = prepared.groups.iter().map(|g| g.inputs.len()).sum();
    if files == 0 && prepared.problems.is_empty() {
        eprintln!("shipshape: no Compose or GitLab CI files found");
    }
    let progress = Progress::start(files, !args.quiet);
    let mut merged = analyze_groups(&prepared);
    progress.finish();
    let problems = &mut prepared.problems;
    let code = if args.diff {
        problems.extend(merged.analysis.errors.iter().cloned());
        print_diff(&merged.analysis, args, problems)
    } else {
        if args.fix {
            let outcome = crate::fix::apply(&merged.analysis, args.unsafe_fixes);
            problems.extend(outcome.errors);
            for skipped in &outcome.skipped {
                eprintln!("shipshape: {skipped}");
            }
            if outcome.files > 0 {
                let s = |n: usize| if n == 1 { "" } else { "s" };
                eprintln!(
                    "shipshape: fixed {} problem{} in {} file{}",
                    outcome.fixes,
                    s(outcome.fixes),
                    outcome.files,
                    s(outcome.files)
                );
                // The first analysis goes before the second is made: both at once were
                // twice the memory (3,000 files of 200 services: 3 GB).
                drop(merged);
                merged = analyze_groups(&prepared);
            }
        }
        // A file looked up only now (a related one) may have met a broken configuration.
        prepared.problems.extend(prepared.configurations.errors());
        report(args, &merged, &prepared.groups, &mut prepared.problems)
    };
    Checked {
        code,
        analysis: Some(merged.analysis),
        configurations: prepared.configurations.paths(),
    }
}

/// The configurations, the inputs, their groups; or the exit code (after saying why) and
/// the configuration files met.
fn prepare(args: &CheckArgs) -> Result<Prepared, (u8, Vec<PathBuf>)> {
    let fail = |message: String| {
        error(message);
        (2, Vec::new())
    };
    let cwd = working_dir().ok_or((2, Vec::new()))?;
    let configurations =
        Configurations::of_run(args.config.as_deref(), &cwd).map_err(|e| fail(e.to_string()))?;
    // The flags are checked before any file is read.
    rule_flags(args, &mut Settings::default()).map_err(fail)?;
    let reads_stdin = args.paths.iter().any(|p| p == Path::new("-"));
    if reads_stdin && args.fix {
        return Err(fail(
            "--fix cannot write to stdin; pass the file's path instead".into(),
        ));
    }
    // Flags that do nothing where they are given are mistakes, not options.
    if args.unsafe_fixes && !args.fix && !args.diff {
        return Err(fail("--unsafe-fixes applies with --fix or --diff".into()));
    }
    if args.stdin_filename.is_some() && !reads_stdin {
        return Err(fail(
            "--stdin-filename names stdin: pass `-` as the path".into(),
        ));
    }
    let found = inputs(args, &cwd, reads_stdin, &|path| {
        configurations.file_rules(path)
    })
    .map_err(fail)?;
    let config_errors = configurations.errors();
    if !config_errors.is_empty() {
        config_errors.iter().for_each(error);
        // A broken configuration is watched: the next check follows its fix.
        let mut met = configurations.paths();
        met.extend(configurations.error_paths());
        return Err((2, met));
    }
    let (inputs, problems) = validate_configurations(found.inputs, found.errors);
    let mut groups = Vec::new();
    for group in configurations.group(inputs, &cwd) {
        let mut settings = Settings::default();
        let mut fail_on = FailOn::default();
        if let Some(configured) = &group.configured {
            configured.config.apply(&mut settings);
            fail_on = configured.config.fail_on.unwrap_or_default();
        }
        rule_flags(args, &mut settings).map_err(fail)?;
        settings.report_under = found.walked.clone();
        groups.push(Group {
            config: group.path().map(Path::to_path_buf),
            settings,
            fail_on: args.fail_on.unwrap_or(fail_on),
            inputs: group.inputs,
        });
    }
    Ok(Prepared {
        cwd,
        configurations,
        groups,
        problems,
    })
}

/// Each group analysed with its settings, made one report: a file that more than one
/// analysis reports keeps the findings of its own configuration's. A group past its
/// `[limits]` is analysed in parts of whole directories, [`PARTS_AT_ONCE`] at a time,
/// each kept only as far as a report reads it while the next ones run
/// (`Analysis::slim`): memory grows with the parts, not with the repository.
fn analyze_groups(prepared: &Prepared) -> Merged {
    let split: Vec<Vec<Part>> = prepared
        .groups
        .iter()
        .map(|g| split_into_parts(g.inputs.clone(), g.settings.part_limits, &input_size))
        .collect();
    let many = split.iter().map(Vec::len).sum::<usize>() > 1;
    // Per group: the index of its first part among all, and which of its parts owns a path.
    let mut first_part = Vec::new();
    let mut owners = Vec::new();
    let mut group_of_part = Vec::new();
    let mut jobs: Vec<(Part, Settings)> = Vec::new();
    for (g, (group, pieces)) in prepared.groups.iter().zip(split).enumerate() {
        first_part.push(jobs.len());
        group_of_part.extend(std::iter::repeat_n(g, pieces.len()));
        owners.push(PartOwners::new(&pieces));
        for mut piece in pieces {
            let mut settings = group.settings.clone();
            settings.report_part = std::mem::take(&mut piece.prefixes);
            jobs.push((piece, settings));
        }
    }
    let parts = analyze_parts(jobs, many);
    let index: HashMap<Option<&Path>, usize> = prepared
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.config.as_deref(), i))
        .collect();
    let owner = |path: &Path| {
        let path = prepared.cwd.join(path);
        let configured = prepared.configurations.of_file(&path);
        let group = *index.get(&configured.as_deref().map(|c| c.path.as_path()))?;
        Some(first_part[group] + owners[group].owner(&path).unwrap_or(0))
    };
    let mut merged = merge(parts, &owner);
    // Each finding is held to its group's `fail-on`.
    for part in &mut merged.part_of {
        *part = group_of_part[*part];
    }
    merged
}

/// How many parts are analysed at once. Each part's analysis is parallel within, but
/// between its parallel stages come serial ones (following related files, building
/// projects and pipelines, the report): with two parts at once, one part's serial stage
/// runs beside the other's parallel one (100,000 small files in 25 parts used 1.4 of the
/// machine's 2 cores). Memory holds two parts, not one.
const PARTS_AT_ONCE: usize = 2;

/// Analyses the parts, [`PARTS_AT_ONCE`] at a time, each slimmed to what a report reads
/// when there are several; in the order given.
fn analyze_parts(jobs: Vec<(Part, Settings)>, many: bool) -> Vec<Analysis> {
    let analyze_one = |(part, settings): (Part, Settings)| {
        let mut analysis = analyze_in_context(part.inputs, part.context, &settings, &OsFs);
        if many {
            analysis.slim();
        }
        analysis
    };
    if jobs.len() < 2 {
        return jobs.into_iter().map(analyze_one).collect();
    }
    let count = jobs.len();
    let queue = std::sync::Mutex::new(jobs.into_iter().enumerate());
    let done = std::sync::Mutex::new(Vec::with_capacity(count));
    std::thread::scope(|scope| {
        for _ in 0..PARTS_AT_ONCE {
            scope.spawn(|| {
                loop {
                    let next = queue
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .next();
                    let Some((index, job)) = next else { break };
                    let analysis = analyze_one(job);
                    done.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((index, analysis));
                }
            });
        }
    });
    let mut done = done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, analysis)| analysis).collect()
}

/// An input's size in bytes, for splitting a walk into parts: its text when given, else
/// what the file system says (0 when it cannot say; the read itself is bounded).
fn input_size(input: &Input) -> u64 {
    match &input.content {
        Some(content) => content.len() as u64,
        None => std::fs::metadata(&input.path).map_or(0, |m| m.len()),
    }
}

/// The report, the notes and problems on stderr, the exit code.
fn report(args: &CheckArgs, merged: &Merged, groups: &[Group], problems: &mut Vec<String>) -> u8 {
    let analysis = &merged.analysis;
    problems.extend(analysis.errors.iter().cloned());
    let color = args.format == FormatArg::Human
        && !args.no_color
        && match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                args.output_file.is_none()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        };
    // "no problems found in 0 files" beside "no such file" would read as a clean result.
    let nothing_read = !problems.is_empty() && !analysis.workspace.files.iter().any(|f| f.reported);
    if !(nothing_read && args.format == FormatArg::Human) {
        let mut report = render(analysis, args.format, color);
        if args.quiet && args.format == FormatArg::Human {
            report = quiet_report(&report);
        }
        if let Err(message) = write_report(&report, args.output_file.as_deref()) {
            error(message);
            return 2;
        }
    }
    if args.statistics {
        eprint!("{}", statistics(analysis));
    }
    for notice in analysis.notices.iter().filter(|_| !args.quiet) {
        eprintln!(
            "shipshape: note: {}",
            shipshape_report::escape_controls(notice)
        );
    }
    for problem in problems.iter() {
        error(problem);
    }
    if !problems.is_empty() {
        return 2;
    }
    exit_code(merged, groups)
}

/// A shipshape.toml named on the command line (a pre-commit hook passes a changed one) is
/// validated as the configuration it is, not read as YAML: the inputs without them, and
/// the errors with theirs.
fn validate_configurations(
    inputs: Vec<Input>,
    mut errors: Vec<String>,
) -> (Vec<Input>, Vec<String>) {
    let is_configuration = |input: &Input| {
        input.content.is_none()
            && input
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| config::CONFIG_NAMES.contains(&n))
    };
    let (configs, inputs): (Vec<Input>, Vec<Input>) =
        inputs.into_iter().partition(is_configuration);
    errors.extend(
        configs
            .iter()
            .filter_map(|c| Config::load(&c.path).err().map(|e| e.to_string())),
    );
    (inputs, errors)
}

/// `--diff`: the patch, the changes left out of it, the problems; exit 1 when there is
/// something to change, 2 on a problem.
fn print_diff(analysis: &Analysis, args: &CheckArgs, problems: &[String]) -> u8 {
    let (diff, left_out) = crate::fix::diff(analysis, args.unsafe_fixes);
    for note in &left_out {
        eprintln!("shipshape: {note}");
    }
    if let Err(message) = write_report(&diff, args.output_file.as_deref()) {
        error(message);
        return 2;
    }
    for problem in problems {
        error(problem);
    }
    if !problems.is_empty() {
        2
    } else {
        u8::from(!diff.is_empty())
    }
}

/// The configuration that applies in the working directory (`--config`, or the one
/// found upward from it), as settings and file rules: what `graph` and `pipeline` read.
fn configured(config: Option<&Path>, cwd: &Path) -> Result<(Settings, FileRules), String> {
    let configurations = Configurations::of_run(config, cwd).map_err(|e| e.to_string())?;
    let found = configurations.of_dir(cwd);
    if let Some(problem) = configurations.errors().into_iter().next() {
        return Err(problem);
    }
    let mut settings = Settings::default();
    let mut file_rules = FileRules::default();
    if let Some(configured) = found {
        configured.config.apply(&mut settings);
        file_rules = FileRules::clone(&configured.file_rules);
    }
    Ok((settings, file_rules))
}

/// `--select`/`--ignore` values: trimmed (`"a, b"`), empty ones dropped, and a group
/// name (`compose`, `secrets`...) standing for every rule of the group.
fn rule_names(values: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        let group: Vec<&str> = shipshape_linter::RULES
            .iter()
            .filter(|r| r.group.as_str() == value)
            .map(|r| r.name)
            .collect();
        if group.is_empty() {
            out.push(value.to_string());
        } else {
            out.extend(group.into_iter().map(str::to_string));
        }
    }
    out
}

/// `--select` and `--ignore` over a configuration's rules.
fn rule_flags(args: &CheckArgs, settings: &mut Settings) -> Result<(), String> {
    if !args.select.is_empty() {
        let names = rule_names(&args.select);
        let only = RuleSelection::only(names.iter().map(String::as_str))?;
        settings.rules.keep_only(&only);
    }
    for name in rule_names(&args.ignore) {
        settings.rules.set(&name, None)?;
    }
    Ok(())
}

fn inputs(
    args: &CheckArgs,
    cwd: &Path,
    reads_stdin: bool,
    rules_at: &RulesAt<'_>,
) -> Result<Discovery, String> {
    if reads_stdin {
        if args.paths.len() > 1 {
            return Err("`-` (stdin) cannot be combined with other paths".into());
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {}", io_reason(&e)))?;
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "<stdin>".into());
        let kind = Path::new(&name)
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(classify_name);
        let input = Input {
            path: PathBuf::from(&name),
            name,
            content: Some(bytes),
            kind,
        };
        return Ok(Discovery {
            inputs: vec![input],
            ..Discovery::default()
        });
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    Ok(discover_by(&paths, cwd, rules_at))
}

fn render(analysis: &Analysis, format: FormatArg, color: bool) -> String {
    let ws = &analysis.workspace;
    let diagnostics = &analysis.diagnostics;
    match format {
        FormatArg::Human => human(ws, diagnostics, HumanOptions { color }),
        FormatArg::Concise => concise(ws, diagnostics),
        FormatArg::Json => json(ws, diagnostics),
        FormatArg::Sarif => sarif(
            ws,
            diagnostics,
            &std::env::current_dir().unwrap_or_default(),
        ),
        FormatArg::Gitlab => gitlab(ws, diagnostics),
        FormatArg::Github => github(ws, diagnostics),
    }
}

fn write_report(report: &str, output_file: Option<&Path>) -> Result<(), String> {
    match output_file {
        Some(path) => std::fs::write(path, report)
            .map_err(|e| format!("cannot write {}: {}", path.display(), io_reason(&e))),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`shipshape check | head`) is not an error worth reporting.
            match stdout
                .write_all(report.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot write the report: {}", io_reason(&e)))
                }
                _ => Ok(()),
            }
        }
    }
}

/// 1 when a finding reaches the `fail-on` of the configuration that checked its file.
fn exit_code(merged: &Merged, groups: &[Group]) -> u8 {
    let mut diagnostics = merged.analysis.diagnostics.iter().zip(&merged.part_of);
    u8::from(diagnostics.any(|(d, &part)| {
        groups[part]
            .fail_on
            .threshold()
            .is_some_and(|threshold| d.severity >= threshold)
    }))
}

/// `shipshape graph`: the graphs of what the paths hold, with findings highlighted.
pub fn graph(args: GraphArgs) -> u8 {
    let analysis = match analyze_for_display(&args.paths, args.config.as_deref()) {
        Ok(analysis) => analysis,
        Err(code) => return code,
    };
    let format = match args.format {
        GraphFormatArg::Mermaid => GraphFormat::Mermaid,
        GraphFormatArg::Dot => GraphFormat::Dot,
    };
    let text = shipshape_report::graph(&analysis.workspace, &analysis.diagnostics, format);
    print_output(&text)
}

/// Writes a command's output to stdout: 0, or 2 with the reason on stderr.
pub(crate) fn print_output(text: &str) -> u8 {
    match write_report(text, None) {
        Ok(()) => 0,
        Err(message) => {
            error(message);
            2
        }
    }
}

/// Configuration, discovery and analysis for the commands that show what the files say
/// (`graph`, `pipeline`; default: the current directory). Problems are printed; the
/// error is the exit code.
pub(crate) fn analyze_for_display(
    paths: &[PathBuf],
    config: Option<&Path>,
) -> Result<Analysis, u8> {
    let cwd = working_dir().ok_or(2u8)?;
    let (mut settings, file_rules) = configured(config, &cwd).map_err(|message| {
        error(message);
        2u8
    })?;
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let found = discover_with(&paths, &cwd, &file_rules);
    for problem in &found.errors {
        error(problem);
    }
    if !found.errors.is_empty() {
        return Err(2);
    }
    settings.report_under = found.walked;
    Ok(analyze(found.inputs, &settings))
}

/// A line on stderr when a check runs past a second on a terminal ("checking 60 files…"),
/// cleared when it ends: a long run shows it is working.
struct Progress {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    const AFTER: std::time::Duration = std::time::Duration::from_secs(1);

    fn start(files: usize, wanted: bool) -> Progress {
        use std::io::IsTerminal;
        use std::sync::atomic::Ordering;
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let thread = (wanted && std::io::stderr().is_terminal()).then(|| {
            let done = done.clone();
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                while started.elapsed() < Self::AFTER {
                    if done.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                let s = if files == 1 { "" } else { "s" };
                eprint!("shipshape: checking {files} file{s}…");
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                // Back to the line's start, and clear it.
                eprint!("\r\x1b[K");
            })
        });
        Progress { done, thread }
    }

    fn finish(mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The human report without its closing summary (`found 2 errors in 1 of 3 files`, `no
/// problems found in 3 files`): what `--quiet` prints.
fn quiet_report(report: &str) -> String {
    let mut lines: Vec<&str> = report.lines().collect();
    if lines
        .last()
        .is_some_and(|l| l.starts_with("found ") || l.starts_with("no problems found"))
    {
        lines.pop();
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
    }
    if lines.is_empty() {
        String::new()
    } else {
        lines.join("\n") + "\n"
    }
}

/// `--statistics`: findings per rule and severity, most first.
fn statistics(analysis: &shipshape_linter::Analysis) -> String {
    let mut counts: std::collections::BTreeMap<(&str, &str), usize> = Default::default();
    for d in &analysis.diagnostics {
        *counts
            .entry((d.rule.as_str(), d.severity.as_str()))
            .or_default() += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows.iter()
        .map(|((rule, severity), n)| format!("{n:>6}  {severity:<7}  {rule}\n"))
        .collect()
}
