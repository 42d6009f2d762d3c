//! The terminal format: source snippets with labels (codespan-reporting), notes, help,
//! the fix on offer, and a summary line.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::ops::Range;

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, LabelStyle, Severity as CsSeverity,
};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, Config, termcolor};
use shipshape_linter::{Diagnostic, Severity, Workspace};
use shipshape_yaml::FileId;

#[derive(Clone, Copy, Debug, Default)]
pub struct HumanOptions {
    /// ANSI colors (the CLI decides: a terminal, and no `--no-color` or `NO_COLOR`).
    pub color: bool,
}

pub fn human(ws: &Workspace, diagnostics: &[Diagnostic], options: HumanOptions) -> String {
    let files = WorkspaceFiles::new(ws, diagnostics);
    let config = Config::default();
    let mut out = String::new();
    for d in diagnostics {
        let cs = to_codespan(d);
        let rendered = if options.color {
            let mut buffer = termcolor::Buffer::ansi();
            term::emit_to_write_style(&mut buffer, &config, &files, &cs)
                .map(|()| String::from_utf8_lossy(buffer.as_slice()).into_owned())
        } else {
            term::emit_into_string(&config, &files, &cs)
        };
        match rendered {
            Ok(text) => out.push_str(&text),
            // A span the renderer cannot place: fall back to one line rather than lose it.
            Err(_) => out.push_str(&crate::concise(ws, std::slice::from_ref(d))),
        }
    }
    out.push_str(&summary(ws, diagnostics));
    out
}

fn to_codespan(d: &Diagnostic) -> CsDiagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    };
    let mut labels = vec![label(
        LabelStyle::Primary,
        d.primary.file,
        d.primary.span.range(),
        &d.primary.message,
    )];
    for l in &d.secondary {
        labels.push(label(
            LabelStyle::Secondary,
            l.file,
            l.span.range(),
            &l.message,
        ));
    }
    let mut notes = d.notes.clone();
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    if let Some(fix) = &d.fix {
        let how = if fix.safe {
            "--fix"
        } else {
            "--fix --unsafe-fixes"
        };
        notes.push(format!("fix: {} (apply with {how})", fix.description));
    }
    CsDiagnostic::new(severity)
        .with_code(d.rule)
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes)
}

fn label(style: LabelStyle, file: FileId, range: Range<usize>, message: &str) -> CsLabel<FileId> {
    CsLabel::new(style, file, range).with_message(message)
}

fn summary(ws: &Workspace, diagnostics: &[Diagnostic]) -> String {
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    let checked = ws.files.len();
    let files_word = if checked == 1 { "file" } else { "files" };
    if diagnostics.is_empty() {
        return format!("no problems found in {checked} {files_word}\n");
    }
    let mut parts = Vec::new();
    for (sev, one, many) in [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Info, "info", "infos"),
    ] {
        match count(sev) {
            0 => {}
            1 => parts.push(format!("1 {one}")),
            n => parts.push(format!("{n} {many}")),
        }
    }
    let with_findings: BTreeSet<FileId> = diagnostics.iter().map(Diagnostic::file).collect();
    let mut line = format!(
        "found {} in {} of {checked} {files_word}",
        parts.join(", "),
        with_findings.len()
    );
    let safe = diagnostics
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| f.safe))
        .count();
    let unsafe_ = diagnostics
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| !f.safe))
        .count();
    if safe > 0 {
        let _ = write!(line, "; {safe} fixable with --fix");
    }
    if unsafe_ > 0 {
        let _ = write!(line, "; {unsafe_} more with --unsafe-fixes");
    }
    line.push('\n');
    line
}

/// codespan-reporting's view of our files, through our own line index. The text shown is
/// masked where a file holds secrets (same byte length, so every span still fits).
struct WorkspaceFiles<'a>(&'a Workspace, HashMap<FileId, String>);

impl<'a> WorkspaceFiles<'a> {
    fn new(ws: &'a Workspace, diagnostics: &[Diagnostic]) -> WorkspaceFiles<'a> {
        let shown: BTreeSet<FileId> = diagnostics
            .iter()
            .flat_map(|d| std::iter::once(d.primary.file).chain(d.secondary.iter().map(|l| l.file)))
            .collect();
        let masked = shown
            .into_iter()
            .filter_map(|id| {
                let f = ws.files.get(id.index())?;
                (!f.secrets.is_empty()).then(|| {
                    (
                        id,
                        shipshape_linter::secrets::masked_text(&f.source.text, &f.secrets),
                    )
                })
            })
            .collect();
        WorkspaceFiles(ws, masked)
    }
}

impl<'a> Files<'a> for WorkspaceFiles<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.0
            .files
            .get(id.index())
            .map(|f| f.source.name.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        if let Some(masked) = self.1.get(&id) {
            return Ok(masked);
        }
        self.0
            .files
            .get(id.index())
            .map(|f| f.source.text.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let file = &self
            .0
            .files
            .get(id.index())
            .ok_or(FilesError::FileMissing)?
            .source;
        Ok(file.line_index.line_of(byte_index))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = &self
            .0
            .files
            .get(id.index())
            .ok_or(FilesError::FileMissing)?
            .source;
        let index = &file.line_index;
        if line_index >= index.line_count() {
            return Err(FilesError::LineTooLarge {
                given: line_index,
                max: index.line_count().saturating_sub(1),
            });
        }
        Ok(index.line_start(line_index)..index.line_start(line_index + 1))
    }
}
