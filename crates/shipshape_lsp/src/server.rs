//! The main loop: a typed dispatch table for requests and notifications on the main
//! thread, the analysis on a worker thread (debounced; stale work discarded when a newer
//! version arrives), and every handler under `catch_unwind`, so that a bug answers one
//! request with an error instead of ending the server.

use std::collections::HashMap;
use std::error::Error;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{Notification as _, PublishDiagnostics};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    HoverProviderCapability, InitializeParams, OneOf, PublishDiagnosticsParams, SaveOptions,
    ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};
use shipshape_linter::configs::Configurations;
use shipshape_linter::discover::{classify_name, discover_by};
use shipshape_linter::{Analysis, Input, Settings, analyze_cancellable};
use shipshape_yaml::FileId;

use crate::overlay::OverlayFs;
use crate::{actions, completion, convert, query, symbols, transport, uri};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Workspace files given to each analysis as context at most; larger workspaces rely on
/// the files the open ones bring along (includes, the pipeline, the Compose files).
const MAX_CONTEXT_FILES: usize = 2_000;
/// How long a change waits for the next one before the analysis starts: long enough to
/// gather the changes an editor sends together (a paste, a multi-cursor edit), short
/// against typing. An analysis a newer change overtakes stops at its next checkpoint.
const CHANGE_DEBOUNCE: Duration = Duration::from_millis(10);

/// Serves on stdin/stdout until the client sends `exit` (or closes stdin).
pub fn run_stdio() -> Result<()> {
    let (connection, writer) = transport::stdio();
    serve(&connection)?;
    // The writer ends once every sender is gone; the reader may be blocked reading.
    drop(connection);
    let _ = writer.join();
    Ok(())
}

/// An open document.
#[derive(Clone)]
pub struct Doc {
    pub version: i32,
    pub text: String,
    pub path: PathBuf,
}

/// One analysis of the open documents, with what is needed to answer requests on it.
pub struct Snapshot {
    pub generation: u64,
    pub analysis: Analysis,
    /// The open documents' versions and files.
    pub docs: HashMap<Uri, (i32, FileId)>,
}

impl Snapshot {
    pub fn file_of(&self, uri: &Uri) -> Option<FileId> {
        self.docs.get(uri).map(|(_, f)| *f)
    }

    /// The URI of a file of the analysis: the open document's, or a `file://` one.
    pub fn uri_of(&self, file: FileId) -> Option<Uri> {
        if let Some((uri, _)) = self.docs.iter().find(|(_, (_, f))| *f == file) {
            return Some(uri.clone());
        }
        uri::from_path(&self.analysis.workspace.source(file).path)
    }
}

/// What the main thread and the worker share.
pub struct State {
    pub docs: HashMap<Uri, Doc>,
    /// Bumped by every change; an analysis of an older generation is not published.
    pub generation: u64,
    /// `generation`, readable without the lock: the worker's analysis polls it to stop
    /// as soon as it is stale.
    pub latest: Arc<AtomicU64>,
    pub root: Option<PathBuf>,
    /// The workspace's files (the CLI's discovery), found on start.
    pub index: Vec<Input>,
    pub settings: Settings,
    pub snapshot: Option<Arc<Snapshot>>,
    /// Documents diagnostics were last published for (so that closing clears them).
    pub published: Vec<Uri>,
}

impl State {
    fn new(root: Option<PathBuf>) -> State {
        let mut state = State {
            docs: HashMap::new(),
            generation: 0,
            latest: Arc::new(AtomicU64::new(0)),
            root,
            index: Vec::new(),
            settings: Settings::default(),
            snapshot: None,
            published: Vec::new(),
        };
        state.reload();
        state
    }

    /// Reads shipshape.toml and indexes the workspace folder (on start, and when a
    /// configuration or the set of files changes). A broken configuration leaves the
    /// defaults: `shipshape check` reports it with its line. The settings are the
    /// workspace folder's configuration's (one analysis serves every open document);
    /// the index gives each file its nearest configuration's `[files]` rules, as
    /// `shipshape check` walks.
    fn reload(&mut self) {
        self.settings = Settings::default();
        let configurations = Configurations::nearest();
        if let Some(configured) = self.root.as_deref().and_then(|r| configurations.of_dir(r)) {
            configured.config.apply(&mut self.settings);
        }
        self.index = match &self.root {
            Some(root) => {
                discover_by(std::slice::from_ref(root), root, &|path| {
                    configurations.file_rules(path)
                })
                .inputs
            }
            None => Vec::new(),
        };
    }

    /// What one analysis needs, copied so that the lock is not held while it runs.
    fn work(&self) -> Work {
        Work {
            generation: self.generation,
            docs: self.docs.clone(),
            root: self.root.clone(),
            index: if self.index.len() <= MAX_CONTEXT_FILES {
                self.index.clone()
            } else {
                Vec::new()
            },
            settings: self.settings.clone(),
        }
    }
}

struct Work {
    generation: u64,
    docs: HashMap<Uri, Doc>,
    root: Option<PathBuf>,
    index: Vec<Input>,
    settings: Settings,
}

impl Work {
    /// The analysis, or None once `cancelled()` (a newer version arrived).
    fn run(self, cancelled: &(dyn Fn() -> bool + Sync)) -> Option<Snapshot> {
        let display = |path: &Path| match &self.root {
            Some(root) => shipshape_linter::discover::display_name(path, root),
            None => path.to_string_lossy().into_owned(),
        };
        let inputs: Vec<Input> = self
            .docs
            .values()
            .map(|d| Input {
                name: display(&d.path),
                path: d.path.clone(),
                content: Some(d.text.clone().into_bytes()),
                kind: d
                    .path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(classify_name),
            })
            .collect();
        let open: Vec<&PathBuf> = self.docs.values().map(|d| &d.path).collect();
        let context: Vec<Input> = self
            .index
            .into_iter()
            .filter(|i| !open.contains(&&i.path))
            .collect();
        let fs = OverlayFs {
            buffers: self
                .docs
                .values()
                .map(|d| (d.path.clone(), d.text.clone()))
                .collect(),
        };
        let analysis = analyze_cancellable(inputs, context, &self.settings, &fs, cancelled)?;
        let docs = self
            .docs
            .iter()
            .filter_map(|(uri, d)| {
                let file = analysis
                    .workspace
                    .files
                    .iter()
                    .find(|f| f.source.path == d.path)?;
                Some((uri.clone(), (d.version, file.id())))
            })
            .collect();
        Some(Snapshot {
            generation: self.generation,
            analysis,
            docs,
        })
    }
}

/// Serves one connection (stdio, or an in-memory one in tests).
pub fn serve(connection: &Connection) -> Result<()> {
    // Before `initialize`: requests are refused, notifications ignored, `exit` ends.
    let (id, params) = loop {
        match connection.receiver.recv() {
            Err(_) => return Ok(()),
            Ok(Message::Request(r)) if r.method == "initialize" => break (r.id, r.params),
            Ok(Message::Request(r)) => {
                let response = Response::new_err(
                    r.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized".into(),
                );
                connection.sender.send(response.into())?;
            }
            Ok(Message::Notification(n)) if n.method == "exit" => return Ok(()),
            Ok(_) => {}
        }
    };
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    #[allow(deprecated)]
    let root = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.clone())
        .or(params.root_uri)
        .and_then(|u| uri::to_path(u.as_str()));
    connection.sender.send(
        Response::new_ok(
            id,
            serde_json::json!({
                "capabilities": capabilities(),
                "serverInfo": { "name": "shipshape", "version": env!("CARGO_PKG_VERSION") },
            }),
        )
        .into(),
    )?;

    let state = Arc::new(Mutex::new(State::new(root)));
    let (jobs, job_receiver) = unbounded::<Job>();
    let worker = {
        let state = Arc::clone(&state);
        let sender = connection.sender.clone();
        std::thread::Builder::new()
            .name("shipshape-lsp-analysis".into())
            .spawn(move || work_loop(&state, &sender, &job_receiver))?
    };
    let mut server = Server {
        connection,
        state,
        jobs,
        shutting_down: false,
    };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => server.request(request)?,
            Message::Notification(n) if n.method == "exit" => break,
            Message::Notification(n) => server.notification(n),
            Message::Response(_) => {}
        }
    }
    drop(server);
    let _ = worker.join();
    Ok(())
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["[".into(), " ".into(), ",".into(), ":".into()]),
            ..CompletionOptions::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// Analyse the documents as of `generation`, after waiting `delay` for newer changes.
struct Job {
    generation: u64,
    delay: Duration,
}

fn work_loop(state: &Mutex<State>, sender: &Sender<Message>, jobs: &Receiver<Job>) {
    while let Ok(mut job) = jobs.recv() {
        // Debounce: a burst of changes becomes one analysis of the last version.
        loop {
            match jobs.recv_timeout(job.delay) {
                Ok(newer) => job = newer,
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => break,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return,
            }
        }
        let (work, latest) = {
            let state = state.lock().expect("state lock");
            if state.generation != job.generation {
                continue;
            }
            (state.work(), Arc::clone(&state.latest))
        };
        let stale = || latest.load(Ordering::Relaxed) != job.generation;
        let Ok(Some(snapshot)) = catch_unwind(AssertUnwindSafe(|| work.run(&stale))) else {
            continue;
        };
        let mut state = state.lock().expect("state lock");
        // A newer version arrived while this ran: its own analysis will publish.
        if state.generation != snapshot.generation {
            continue;
        }
        let snapshot = Arc::new(snapshot);
        state.snapshot = Some(Arc::clone(&snapshot));
        let messages = publish_messages(&snapshot, &mut state.published);
        drop(state);
        for m in messages {
            if sender.send(m).is_err() {
                return;
            }
        }
    }
}

/// The `publishDiagnostics` of every open document of a snapshot (and empty ones for the
/// documents no longer open).
fn publish_messages(snapshot: &Snapshot, published: &mut Vec<Uri>) -> Vec<Message> {
    let ws = &snapshot.analysis.workspace;
    let mut out = Vec::new();
    for (uri, (version, file)) in &snapshot.docs {
        let diagnostics = snapshot
            .analysis
            .diagnostics
            .iter()
            .filter(|d| d.file() == *file)
            .map(|d| convert::diagnostic(ws, d, |f| snapshot.uri_of(f.id)))
            .collect();
        out.push(publish(uri.clone(), diagnostics, Some(*version)));
    }
    for uri in published.iter() {
        if !snapshot.docs.contains_key(uri) {
            out.push(publish(uri.clone(), Vec::new(), None));
        }
    }
    *published = snapshot.docs.keys().cloned().collect();
    out
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) -> Message {
    Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    )
    .into()
}

type RequestHandler =
    fn(&Snapshot, serde_json::Value) -> std::result::Result<serde_json::Value, String>;

/// Every request the server answers, by method.
const REQUESTS: &[(&str, RequestHandler)] = &[
    ("textDocument/hover", query::hover),
    ("textDocument/definition", query::definition),
    ("textDocument/codeAction", actions::code_actions),
    ("textDocument/completion", completion::completion),
    ("textDocument/documentSymbol", symbols::document_symbols),
];

struct Server<'c> {
    connection: &'c Connection,
    state: Arc<Mutex<State>>,
    jobs: Sender<Job>,
    shutting_down: bool,
}

impl Server<'_> {
    fn respond(&self, response: Response) -> Result<()> {
        self.connection.sender.send(response.into())?;
        Ok(())
    }

    fn request(&mut self, request: Request) -> Result<()> {
        let id: RequestId = request.id.clone();
        if request.method == "shutdown" {
            self.shutting_down = true;
            return self.respond(Response::new_ok(id, ()));
        }
        if self.shutting_down {
            return self.respond(Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            ));
        }
        let Some((_, handler)) = REQUESTS.iter().find(|(m, _)| *m == request.method) else {
            return self.respond(Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("shipshape does not handle {}", request.method),
            ));
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            handler(&self.current_snapshot(), request.params)
        }));
        let response = match outcome {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(message)) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("shipshape failed on {}; this is a bug", request.method),
            ),
        };
        self.respond(response)
    }

    /// The analysis of the documents as they are now: the worker's when it is current,
    /// else one made here.
    fn current_snapshot(&self) -> Arc<Snapshot> {
        let work = {
            let state = self.state.lock().expect("state lock");
            match &state.snapshot {
                Some(s) if s.generation == state.generation => return Arc::clone(s),
                _ => state.work(),
            }
        };
        let snapshot = Arc::new(work.run(&|| false).expect("not cancelled"));
        let mut state = self.state.lock().expect("state lock");
        if state.generation == snapshot.generation {
            state.snapshot = Some(Arc::clone(&snapshot));
        }
        snapshot
    }

    /// Records a change and asks the worker for an analysis.
    fn changed(&self, state: &mut State, delay: Duration) {
        state.generation += 1;
        state.latest.store(state.generation, Ordering::Relaxed);
        let _ = self.jobs.send(Job {
            generation: state.generation,
            delay,
        });
    }

    fn notification(&mut self, n: Notification) {
        let _ = catch_unwind(AssertUnwindSafe(|| self.handle_notification(n)));
    }

    fn handle_notification(&mut self, n: Notification) {
        let state = Arc::clone(&self.state);
        let mut state = state.lock().expect("state lock");
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return;
                };
                let doc = p.text_document;
                let path = uri::to_path(doc.uri.as_str())
                    .unwrap_or_else(|| PathBuf::from(doc.uri.as_str()));
                state.docs.insert(
                    doc.uri,
                    Doc {
                        version: doc.version,
                        text: doc.text,
                        path,
                    },
                );
                self.changed(&mut state, Duration::ZERO);
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return;
                };
                let Some(doc) = state.docs.get_mut(&p.text_document.uri) else {
                    return;
                };
                for change in p.content_changes {
                    match change.range {
                        Some(range) => {
                            let start = convert::offset(&doc.text, range.start);
                            let end = convert::offset(&doc.text, range.end).max(start);
                            doc.text.replace_range(start..end, &change.text);
                        }
                        None => doc.text = change.text,
                    }
                }
                doc.version = p.text_document.version;
                self.changed(&mut state, CHANGE_DEBOUNCE);
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return;
                };
                state.docs.remove(&p.text_document.uri);
                self.changed(&mut state, Duration::ZERO);
            }
            // A saved file changes what the files that are not open see; a saved
            // configuration changes the settings.
            "textDocument/didSave" | "workspace/didChangeWatchedFiles" => {
                state.reload();
                self.changed(&mut state, CHANGE_DEBOUNCE);
            }
            _ => {}
        }
    }
}
