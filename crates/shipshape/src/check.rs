//! `shipshape check`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use shipshape_linter::config::{self, Config, FailOn};
use shipshape_linter::discover::{FileRules, classify_name, discover_with, io_reason};
use shipshape_linter::{Analysis, Discovery, Input, RuleSelection, Settings, analyze};
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
    let Some(cwd) = working_dir() else {
        return 2;
    };
    let (mut settings, fail_on, file_rules) = match settings(&args, &cwd) {
        Ok(found) => found,
        Err(message) => {
            error(message);
            return 2;
        }
    };
    let reads_stdin = args.paths.iter().any(|p| p == Path::new("-"));
    if reads_stdin && args.fix {
        error("--fix cannot write to stdin; pass the file's path instead");
        return 2;
    }
    // Flags that do nothing where they are given are mistakes, not options.
    if args.unsafe_fixes && !args.fix && !args.diff {
        error("--unsafe-fixes applies with --fix or --diff");
        return 2;
    }
    if args.stdin_filename.is_some() && !reads_stdin {
        error("--stdin-filename names stdin: pass `-` as the path");
        return 2;
    }
    let (inputs, mut problems) = match inputs(&args, &cwd, reads_stdin, &file_rules) {
        Ok(found) => {
            settings.report_under = found.walked;
            validate_configurations(found.inputs, found.errors)
        }
        Err(message) => {
            error(message);
            return 2;
        }
    };
    if inputs.is_empty() && problems.is_empty() {
        eprintln!("shipshape: no Compose or GitLab CI files found");
    }
    let progress = Progress::start(inputs.len(), !args.quiet);
    let mut analysis = analyze(inputs.clone(), &settings);
    progress.finish();
    if args.diff {
        problems.extend(analysis.errors.iter().cloned());
        return print_diff(&analysis, &args, &problems);
    }
    if args.fix {
        let outcome = crate::fix::apply(&analysis, args.unsafe_fixes);
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
            // The first analysis goes before the second is made: both at once were twice
            // the memory (3,000 files of 200 services: 3 GB).
            drop(analysis);
            analysis = analyze(inputs, &settings);
        }
    }
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
        let mut report = render(&analysis, args.format, color);
        if args.quiet && args.format == FormatArg::Human {
            report = quiet_report(&report);
        }
        if let Err(message) = write_report(&report, args.output_file.as_deref()) {
            error(message);
            return 2;
        }
    }
    if args.statistics {
        eprint!("{}", statistics(&analysis));
    }
    for notice in analysis.notices.iter().filter(|_| !args.quiet) {
        eprintln!(
            "shipshape: note: {}",
            shipshape_report::escape_controls(notice)
        );
    }
    for problem in &problems {
        error(problem);
    }
    if !problems.is_empty() {
        return 2;
    }
    let code = exit_code(&analysis, fail_on);
    // The process ends here: freeing every tree and model one by one took an eighth of
    // the run on a 10,000-file monorepo (benches/README.md), for memory the OS takes back.
    std::mem::forget(analysis);
    code
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

/// The settings of this run: the configuration file (`--config`, or the one found upward
/// from the working directory), then the command line's flags over it.
/// The configuration file's settings (`--config`, or the one found upward from the
/// working directory), its failure threshold and its file rules.
fn configured(config: Option<&Path>, cwd: &Path) -> Result<(Settings, FailOn, FileRules), String> {
    let mut settings = Settings::default();
    let mut file_rules = FileRules::default();
    let path = match config {
        Some(path) => Some(path.to_path_buf()),
        None => match config::find(cwd) {
            Some(found) => {
                config::check_found(&found).map_err(|e| e.to_string())?;
                Some(found)
            }
            None => None,
        },
    };
    let mut fail_on = FailOn::default();
    if let Some(path) = path {
        let config = Config::load(&path).map_err(|e| e.to_string())?;
        config.apply(&mut settings);
        file_rules = config.files.clone();
        // Globs are relative to the configuration's directory, which a relative
        // `--config ../shipshape.toml` gives relative to the working directory; the paths
        // they are matched against are absolute and normalized.
        file_rules.root = shipshape_linter::paths::normalize(&cwd.join(&file_rules.root));
        fail_on = config.fail_on.unwrap_or_default();
    }
    Ok((settings, fail_on, file_rules))
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

fn settings(args: &CheckArgs, cwd: &Path) -> Result<(Settings, FailOn, FileRules), String> {
    let (mut settings, fail_on, file_rules) = configured(args.config.as_deref(), cwd)?;
    if !args.select.is_empty() {
        let names = rule_names(&args.select);
        let only = RuleSelection::only(names.iter().map(String::as_str))?;
        settings.rules.keep_only(&only);
    }
    for name in rule_names(&args.ignore) {
        settings.rules.set(&name, None)?;
    }
    Ok((settings, args.fail_on.unwrap_or(fail_on), file_rules))
}

fn inputs(
    args: &CheckArgs,
    cwd: &Path,
    reads_stdin: bool,
    file_rules: &FileRules,
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
    Ok(discover_with(&paths, cwd, file_rules))
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

fn exit_code(analysis: &Analysis, fail_on: FailOn) -> u8 {
    let Some(threshold) = fail_on.threshold() else {
        return 0;
    };
    u8::from(analysis.diagnostics.iter().any(|d| d.severity >= threshold))
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
    let (mut settings, _, file_rules) = configured(config, &cwd).map_err(|message| {
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
