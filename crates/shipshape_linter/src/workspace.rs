//! The files of one analysis, parsed, with what each is.

use shipshape_model::FileKind;
use shipshape_yaml::{FileId, ParsedYaml, SourceFile};

/// Why a file was not parsed as YAML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// Not UTF-8 text; see [`SourceFile::encoding_problem`].
    Encoding,
    /// Larger than the size limit.
    TooLarge { size: u64, limit: u64 },
    /// The YAML parser panicked: a bug in shipshape or saphyr, reported, never fatal.
    ParserCrash { message: String },
}

#[derive(Debug)]
pub struct AnalyzedFile {
    pub source: SourceFile,
    pub kind: FileKind,
    /// None when the file could not be read as YAML text (see `unreadable`).
    pub yaml: Option<ParsedYaml>,
    pub unreadable: Option<Unreadable>,
}

impl AnalyzedFile {
    pub fn id(&self) -> FileId {
        self.source.id
    }
}

#[derive(Debug, Default)]
pub struct Workspace {
    /// Indexed by `FileId`.
    pub files: Vec<AnalyzedFile>,
}

impl Workspace {
    pub fn file(&self, id: FileId) -> &AnalyzedFile {
        &self.files[id.index()]
    }

    pub fn source(&self, id: FileId) -> &SourceFile {
        &self.file(id).source
    }
}
