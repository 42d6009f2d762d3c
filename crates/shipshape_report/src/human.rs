//! The terminal format: source snippets with labels (codespan-reporting), notes, help,
//! the fix on offer, and a summary line.
//!
//! Control characters from files never reach the terminal: codespan is given each file's
//! text with them escaped (`ShownText`), label spans moved to match, and columns counted
//! back in the original text; messages, labels, notes and names are escaped as well.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::ops::Range;

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, LabelStyle, Severity as CsSeverity,
};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, Config, termcolor};
use rayon::prelude::*;
use shipshape_linter::{Diagnostic, Severity, Workspace};
use shipshape_yaml::{FileId, LineIndex};

use crate::escape::{ShownText, escape_controls};

#[derive(Clone, Copy, Debug, Default)]
pub struct HumanOptions {
    /// ANSI colors (the CLI decides: a terminal, and no `--no-color` or `NO_COLOR`).
    pub color: bool,
}

pub fn human(ws: &Workspace, diagnostics: &[Diagnostic], options: HumanOptions) -> String {
    let files = WorkspaceFiles::new(ws, diagnostics);
    let config = Config::default();
    // Each finding is rendered on its own, in parallel (100,000 findings took a fifth of
    // a second on one thread), then joined in order.
    let rendered: Vec<String> = diagnostics
        .par_iter()
        .map(|d| {
            let cs = to_codespan(d, &files);
            let rendered = if options.color {
                let mut buffer = termcolor::Buffer::ansi();
                term::emit_to_write_style(&mut buffer, &config, &files, &cs)
                    .map(|()| String::from_utf8_lossy(buffer.as_slice()).into_owned())
            } else {
                term::emit_into_string(&config, &files, &cs)
            };
            match rendered {
                // codespan calls its lowest severity "note"; every format says "info".
                // The header is the first line, so the first "note" is the severity's.
                Ok(text) if d.severity == Severity::Info => text.replacen("note", "info", 1),
                Ok(text) => text,
                // A span the renderer cannot place: one line rather than lose it.
                Err(_) => crate::concise(ws, std::slice::from_ref(d)),
            }
        })
        .collect();
    let mut out = String::with_capacity(rendered.iter().map(String::len).sum::<usize>() + 80);
    for text in rendered {
        out.push_str(&text);
    }
    out.push_str(&summary(ws, diagnostics));
    out
}

fn to_codespan(d: &Diagnostic, files: &WorkspaceFiles) -> CsDiagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    };
    let label = |style, l: &shipshape_linter::Label| {
        CsLabel::new(style, l.file, files.shown_range(l.file, l.span.range()))
            .with_message(escape_controls(&l.message))
    };
    let mut labels = vec![label(LabelStyle::Primary, &d.primary)];
    for l in &d.secondary {
        labels.push(label(LabelStyle::Secondary, l));
    }
    let mut notes: Vec<String> = d
        .notes
        .iter()
        .map(|n| escape_controls(n).into_owned())
        .collect();
    if let Some(help) = &d.help {
        notes.push(format!("help: {}", escape_controls(help)));
    }
    if let Some(fix) = &d.fix {
        let how = if fix.safe {
            "--fix"
        } else {
            "--fix --unsafe-fixes"
        };
        notes.push(format!(
            "fix: {} (apply with {how})",
            escape_controls(&fix.description)
        ));
    }
    CsDiagnostic::new(severity)
        .with_code(d.rule)
        .with_message(escape_controls(&d.message))
        .with_labels(labels)
        .with_notes(notes)
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
/// masked where a file holds secrets (same byte length, so every span still fits), and
/// its control characters escaped (`Shown`: spans and lines mapped).
struct WorkspaceFiles<'a>(&'a Workspace, HashMap<FileId, Shown>);

/// What codespan sees of a file that is not shown as it is.
struct Shown {
    /// The text: masked, then escaped.
    text: String,
    /// Set when control characters were escaped: offsets map, and the escaped text's lines.
    escaped: Option<(ShownText, LineIndex)>,
    /// The file's name, escaped.
    name: String,
}

impl<'a> WorkspaceFiles<'a> {
    fn new(ws: &'a Workspace, diagnostics: &[Diagnostic]) -> WorkspaceFiles<'a> {
        let shown: BTreeSet<FileId> = diagnostics
            .iter()
            .flat_map(|d| std::iter::once(d.primary.file).chain(d.secondary.iter().map(|l| l.file)))
            .collect();
        let masked = shown
            .into_par_iter()
            .filter_map(|id| {
                let f = ws.files.get(id.index())?;
                let masked = (!f.secrets.is_empty())
                    .then(|| shipshape_linter::secrets::masked_text(&f.source.text, &f.secrets));
                let text = masked.as_deref().unwrap_or(&f.source.text);
                let escaped = ShownText::new(text).map(|shown| {
                    let index = LineIndex::new(&shown.text);
                    (shown, index)
                });
                let name = escape_controls(&f.source.name);
                if masked.is_none() && escaped.is_none() && matches!(name, Cow::Borrowed(_)) {
                    return None;
                }
                let name = name.into_owned();
                let text = match &escaped {
                    Some((shown, _)) => shown.text.clone(),
                    None => masked.unwrap_or_else(|| f.source.text.clone()),
                };
                Some((
                    id,
                    Shown {
                        text,
                        escaped,
                        name,
                    },
                ))
            })
            .collect();
        WorkspaceFiles(ws, masked)
    }

    /// A span of the file in the text codespan is given.
    fn shown_range(&self, id: FileId, range: Range<usize>) -> Range<usize> {
        match self.1.get(&id).and_then(|s| s.escaped.as_ref()) {
            Some((shown, _)) => shown.to_shown(range.start)..shown.to_shown(range.end),
            None => range,
        }
    }
}

impl<'a> Files<'a> for WorkspaceFiles<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        if let Some(shown) = self.1.get(&id) {
            return Ok(&shown.name);
        }
        self.0
            .files
            .get(id.index())
            .map(|f| f.source.name.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        if let Some(shown) = self.1.get(&id) {
            return Ok(&shown.text);
        }
        self.0
            .files
            .get(id.index())
            .map(|f| f.source.text.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        if let Some((_, index)) = self.1.get(&id).and_then(|s| s.escaped.as_ref()) {
            return Ok(index.line_of(byte_index));
        }
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
        let index = match self.1.get(&id).and_then(|s| s.escaped.as_ref()) {
            Some((_, index)) => index,
            None => &file.line_index,
        };
        if line_index >= index.line_count() {
            return Err(FilesError::LineTooLarge {
                given: line_index,
                max: index.line_count().saturating_sub(1),
            });
        }
        Ok(index.line_start(line_index)..index.line_start(line_index + 1))
    }

    /// Columns in the original text (as every other format counts them) for a file whose
    /// control characters were escaped.
    fn column_number(
        &'a self,
        id: FileId,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        if let Some((shown, _)) = self.1.get(&id).and_then(|s| s.escaped.as_ref()) {
            let file = &self
                .0
                .files
                .get(id.index())
                .ok_or(FilesError::FileMissing)?
                .source;
            let column = crate::Position::of(file, shown.to_original(byte_index)).column;
            return Ok(column as usize);
        }
        let source = self.source(id)?;
        let line_range = self.line_range(id, line_index)?;
        Ok(codespan_reporting::files::column_index(source, line_range, byte_index) + 1)
    }
}
