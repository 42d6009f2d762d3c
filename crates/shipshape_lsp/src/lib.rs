//! shipshape_lsp: the language server, on lsp-server's synchronous connection.
//!
//! Architecture Invariant: only this crate knows LSP types. It reuses the linter
//! in-process: an open buffer is analysed exactly like a file given to `shipshape check`.

mod convert;
mod server;
mod uri;

pub use server::{run_stdio, serve};
