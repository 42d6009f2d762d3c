//! The shipshape binary: command line, discovery, exit codes.
//!
//! Exit codes: 0 when nothing reaches the failure threshold, 1 when findings do, 2 for a
//! usage, configuration or I/O error (with a one-line reason on stderr).

mod check;
mod cli;
mod fix;
mod init;
mod pipeline_cmd;
mod rule_cmd;
mod watch;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// The models are many small allocations made from both threads at once; glibc's
/// allocator spent about a third of a monorepo run in `malloc`/`free` (benches/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Rule { name } => rule_cmd::run(name.as_deref()),
        Command::Init { force } => init::run(force),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "shipshape", &mut std::io::stdout());
            0
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            match clap_mangen::Man::new(command).render(&mut std::io::stdout()) {
                Ok(()) => 0,
                Err(err) => {
                    error(format!("man page: {err}"));
                    2
                }
            }
        }
        Command::Graph(args) => check::graph(args),
        Command::Pipeline(args) => pipeline_cmd::run(args),
        Command::Lsp(args) => {
            if args.socket.is_some() || args.pipe.is_some() || args.node_ipc {
                error(
                    "language server: only stdio is served; configure the client to use stdio (`shipshape lsp --stdio`)",
                );
                return ExitCode::from(2);
            }
            match shipshape_lsp::run_stdio() {
                Ok(()) => 0,
                Err(err) => {
                    error(format!("language server: {err}"));
                    2
                }
            }
        }
    };
    ExitCode::from(code)
}

/// Prints a one-line error the way every error of the binary is printed (control
/// characters from file names escaped, as in every report).
pub fn error(message: impl std::fmt::Display) {
    let message = message.to_string();
    eprintln!(
        "shipshape: error: {}",
        shipshape_report::escape_controls(&message)
    );
}
