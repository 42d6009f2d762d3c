//! The command line, declared with clap.

use std::path::PathBuf;

use shipshape_linter::config::FailOn;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "shipshape",
    version,
    about = "Static analyzer for Docker Compose files and GitLab CI pipelines, read together",
    long_about = None,
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check files and directories (default: the current directory).
    Check(CheckArgs),
    /// List the rules, or print one rule's documentation.
    Rule {
        /// The rule to document.
        name: Option<String>,
    },
    /// Run the language server on stdin/stdout (for editors).
    #[command(visible_alias = "server")]
    Lsp(LspArgs),
    /// Draw the Compose dependency graphs and the pipelines' stages and needs, with the
    /// services and jobs that have findings highlighted.
    Graph(GraphArgs),
    /// Show the pipeline GitLab would create for a kind of pipeline (`--source`): its
    /// jobs by stage, and the jobs left out with the rule that decided. Without
    /// `--source`, a table of every job by kind of pipeline.
    Pipeline(PipelineArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to stdout.
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff) to stdout.
    Man,
    /// Write a commented starter shipshape.toml in the current directory.
    Init {
        /// Replace an existing shipshape.toml.
        #[arg(long)]
        force: bool,
    },
}

/// The transport flags language clients pass (`vscode-languageclient` appends `--stdio`):
/// stdio is served; the others are refused with a message.
#[derive(Args, Debug)]
pub struct LspArgs {
    /// Talk over stdin/stdout (the default, and the only transport served).
    #[arg(long)]
    pub stdio: bool,
    /// Not served: use stdio.
    #[arg(long, value_name = "PORT", hide = true)]
    pub socket: Option<String>,
    /// Not served: use stdio.
    #[arg(long, value_name = "NAME", hide = true)]
    pub pipe: Option<String>,
    /// Not served: use stdio.
    #[arg(long, hide = true)]
    pub node_ipc: bool,
    /// The client's process id (`--clientProcessId`), accepted and unused.
    #[arg(long = "clientProcessId", value_name = "PID", hide = true)]
    pub client_process_id: Option<String>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or directories; `-` reads stdin (name it with --stdin-filename).
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// Write the report to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Never color the output (also: the NO_COLOR environment variable); the same as
    /// `--color never`.
    #[arg(long)]
    pub no_color: bool,

    /// When to color the human output: on a terminal (auto), always, or never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Print only the findings: no summary line, no notes on stderr (errors still are).
    #[arg(short, long)]
    pub quiet: bool,

    /// After the report, print how many findings each rule has (on stderr).
    #[arg(long)]
    pub statistics: bool,

    /// The file name to report for stdin; also what decides its kind.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Check only these rules (comma-separated rule or group names: yaml, compose, gitlab,
    /// ci-compose, secrets, meta).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Do not check these rules (comma-separated rule or group names).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Exit with 1 when a finding has at least this severity [default: warning, or the
    /// `fail-on` of the finding's file's configuration].
    #[arg(long, value_parser = fail_on_parser())]
    pub fail_on: Option<FailOn>,

    /// Read this configuration file for every file, instead of each file's nearest
    /// shipshape.toml (in its directory or above).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Apply safe fixes to the files, then report what remains.
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, also apply fixes that may change meaning.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the changes --fix would make as a unified diff, and write nothing. Exits 1
    /// when there are changes.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// After the report, watch the checked files and directories (and the
    /// configurations) and print a new report after each change, until Ctrl-C.
    #[arg(long, conflicts_with_all = ["fix", "diff", "output_file"])]
    pub watch: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FormatArg {
    Human,
    Concise,
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other viewers).
    Sarif,
    /// GitLab code quality report (`artifacts: reports: codequality:`).
    Gitlab,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// `--fail-on`: the configuration's `FailOn`, with its names as clap's possible values.
fn fail_on_parser() -> impl clap::builder::TypedValueParser<Value = FailOn> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(FailOn::NAMES)
        .map(|name: String| FailOn::parse(&name).expect("one of FailOn::NAMES"))
}

#[derive(Args, Debug)]
pub struct GraphArgs {
    /// Files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,

    /// Mermaid (renders in Markdown on GitLab and GitHub) or Graphviz DOT.
    #[arg(long, value_enum, default_value_t = GraphFormatArg::Mermaid)]
    pub format: GraphFormatArg,

    /// Read this configuration file instead of the shipshape.toml found upward.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct PipelineArgs {
    /// Files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,

    /// The pipeline's source (`CI_PIPELINE_SOURCE`): push, merge_request_event, schedule,
    /// web, api, trigger, pipeline, parent_pipeline... or `tag` (a push of a tag).
    #[arg(long, value_parser = source_parser())]
    pub source: Option<String>,

    /// The branch the pipeline runs for (default: the default branch); for a merge
    /// request, its source branch.
    #[arg(long, conflicts_with = "tag")]
    pub branch: Option<String>,

    /// The tag the pipeline runs for.
    #[arg(long)]
    pub tag: Option<String>,

    /// The project's default branch (`CI_DEFAULT_BRANCH`).
    #[arg(long, value_name = "BRANCH", default_value = "main")]
    pub default_branch: String,

    /// A variable set outside the files (project, group, schedule or form variable).
    #[arg(long = "var", value_name = "KEY=VALUE", value_parser = parse_variable)]
    pub variables: Vec<(String, String)>,

    /// A path the push or merge request changes (for `changes:`); repeat it. Without
    /// one, `changes:` is unknown.
    #[arg(long = "changed", value_name = "PATH")]
    pub changed: Vec<String>,

    #[arg(long, value_enum, default_value_t = PipelineFormatArg::Text)]
    pub format: PipelineFormatArg,

    /// Read this configuration file instead of the shipshape.toml found upward.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `--source`: GitLab's pipeline sources, and `tag`.
fn source_parser() -> clap::builder::PossibleValuesParser {
    use shipshape_model::gitlab::keywords::PIPELINE_SOURCES;
    clap::builder::PossibleValuesParser::new(PIPELINE_SOURCES.iter().copied().chain(["tag"]))
}

/// `KEY=VALUE`, KEY a variable name.
fn parse_variable(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected KEY=VALUE, got \"{text}\""))?;
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "\"{key}\" is not a variable name (letters, digits and _)"
        ));
    }
    Ok((key.to_string(), value.to_string()))
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum PipelineFormatArg {
    Text,
    Json,
    Mermaid,
    Dot,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum GraphFormatArg {
    Mermaid,
    Dot,
}
