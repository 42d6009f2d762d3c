//! The one finding type. Every output format (human, concise, JSON, SARIF, GitLab code
//! quality, LSP) is rendered from it.

use std::fmt;

use shipshape_yaml::{FileId, Span};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place in a file, with what to say about it there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// One replacement of a byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub file: FileId,
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// Safe fixes keep the file's meaning as the user intended it and are applied by
    /// `--fix`; unsafe ones need `--unsafe-fixes`.
    pub safe: bool,
    /// What the fix does, imperative: "replace the tab with 4 spaces".
    pub description: String,
    pub edits: Vec<Edit>,
}

/// Which rule a finding is from: a registered rule's kebab-case name (or the engine's
/// `internal-error`). Part of the public interface: configuration, ignore comments,
/// SARIF ids.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleName(&'static str);

impl RuleName {
    pub const fn new(name: &'static str) -> RuleName {
        RuleName(name)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for RuleName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::fmt::Debug for RuleName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl PartialEq<&str> for RuleName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<str> for RuleName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<RuleName> for &str {
    fn eq(&self, other: &RuleName) -> bool {
        *self == other.0
    }
}

impl serde::Serialize for RuleName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: RuleName,
    pub severity: Severity,
    /// One lowercase sentence naming the exact thing.
    pub message: String,
    pub primary: Label,
    /// Other places that explain the finding, possibly in other files.
    pub secondary: Vec<Label>,
    /// Extra facts, one sentence each.
    pub notes: Vec<String>,
    /// What to do.
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn file(&self) -> FileId {
        self.primary.file
    }

    /// The message followed by its evidence and advice, for formats that have one text
    /// field (LSP, GitHub, GitLab code quality): each note after `note_prefix`, the help
    /// after `help_prefix` (`"\nnote: "`, `"\nhelp: "`).
    pub fn message_with_evidence(&self, note_prefix: &str, help_prefix: &str) -> String {
        let mut text = self.message.clone();
        for note in &self.notes {
            text.push_str(note_prefix);
            text.push_str(note);
        }
        if let Some(help) = &self.help {
            text.push_str(help_prefix);
            text.push_str(help);
        }
        text
    }

    /// Text for the primary label (shown under the snippet's caret).
    pub fn label(&mut self, message: impl Into<String>) -> &mut Self {
        self.primary.message = message.into();
        self
    }

    pub fn secondary(&mut self, file: FileId, span: Span, message: impl Into<String>) -> &mut Self {
        self.secondary.push(Label {
            file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn note(&mut self, note: impl Into<String>) -> &mut Self {
        self.notes.push(note.into());
        self
    }

    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn fix(&mut self, fix: Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }
}
