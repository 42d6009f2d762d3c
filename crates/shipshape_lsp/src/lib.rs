//! shipshape_lsp: the language server, on lsp-server's message types with a sturdier
//! stdio transport of its own.
//!
//! Architecture Invariant: only this crate knows LSP types. It reuses the linter
//! in-process: the open buffers are analysed like files given to `shipshape check`, with
//! the rest of the workspace as context, through a file system that puts the buffers in
//! front of the disk.

// lsp-types' `Uri` caches its parsed parts in a cell, which clippy takes for a mutable
// key; its `Hash` and `Eq` read only the string, and `WorkspaceEdit` itself is keyed by it.
#![allow(clippy::mutable_key_type)]

mod actions;
mod completion;
mod convert;
mod overlay;
mod query;
mod server;
mod symbols;
mod transport;
mod uri;

pub use server::{run_stdio, serve};
