//! The main loop: initialize, then documents in, diagnostics out, until shutdown.

use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    Uri,
};
use shipshape_linter::discover::classify_name;
use shipshape_linter::{Input, Settings, analyze};

use crate::{convert, uri};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Serves on stdin/stdout until the client sends `shutdown` and `exit`.
pub fn run_stdio() -> Result<()> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    // The writer thread ends only when every sender is gone.
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// Serves one connection (stdio, or an in-memory one in tests).
pub fn serve(connection: &Connection) -> Result<()> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        ..ServerCapabilities::default()
    };
    let (id, _params) = connection.initialize_start()?;
    connection.initialize_finish(
        id,
        serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "shipshape", "version": env!("CARGO_PKG_VERSION") },
        }),
    )?;
    let mut server = Server {
        connection,
        documents: HashMap::new(),
    };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                server.request(request)?;
            }
            Message::Notification(notification) => server.notification(notification)?,
            Message::Response(_) => {}
        }
    }
    Ok(())
}

struct Document {
    version: i32,
    text: String,
}

struct Server<'c> {
    connection: &'c Connection,
    documents: HashMap<Uri, Document>,
}

impl Server<'_> {
    fn request(&mut self, request: Request) -> Result<()> {
        let response = Response::new_err(
            request.id,
            ErrorCode::MethodNotFound as i32,
            format!("shipshape does not handle {}", request.method),
        );
        self.connection.sender.send(response.into())?;
        Ok(())
    }

    fn notification(&mut self, notification: Notification) -> Result<()> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<DidOpenTextDocumentParams>(notification.params)
                {
                    let doc = Document {
                        version: p.text_document.version,
                        text: p.text_document.text,
                    };
                    self.documents.insert(p.text_document.uri.clone(), doc);
                    self.publish(&p.text_document.uri)?;
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(mut p) =
                    serde_json::from_value::<DidChangeTextDocumentParams>(notification.params)
                    && let Some(change) = p.content_changes.pop()
                {
                    let doc = Document {
                        version: p.text_document.version,
                        text: change.text,
                    };
                    self.documents.insert(p.text_document.uri.clone(), doc);
                    self.publish(&p.text_document.uri)?;
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<DidCloseTextDocumentParams>(notification.params)
                {
                    self.documents.remove(&p.text_document.uri);
                    self.send_diagnostics(p.text_document.uri, Vec::new(), None)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn publish(&self, uri: &Uri) -> Result<()> {
        let Some(doc) = self.documents.get(uri) else {
            return Ok(());
        };
        let path = uri::to_path(uri.as_str()).unwrap_or_else(|| PathBuf::from(uri.as_str()));
        let kind = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(classify_name);
        let input = Input {
            name: path.to_string_lossy().into_owned(),
            path,
            content: Some(doc.text.clone().into_bytes()),
            kind,
        };
        // The project's shipshape.toml applies in the editor as on the command line; a
        // broken one is reported by `shipshape check`, here the defaults stand in.
        let mut settings = Settings::default();
        if let Some(config) = input
            .path
            .parent()
            .and_then(shipshape_linter::config::find)
            .and_then(|p| shipshape_linter::config::Config::load(&p).ok())
        {
            config.apply(&mut settings);
        }
        let analysis = analyze(vec![input], &settings);
        let diagnostics = analysis
            .diagnostics
            .iter()
            .map(|d| convert::diagnostic(&analysis.workspace, d, |_| Some(uri.clone())))
            .collect();
        self.send_diagnostics(uri.clone(), diagnostics, Some(doc.version))
    }

    fn send_diagnostics(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<()> {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.connection
            .sender
            .send(Notification::new(PublishDiagnostics::METHOD.to_string(), params).into())?;
        Ok(())
    }
}
