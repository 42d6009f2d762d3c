//! A source file: its text, decoded once, and its line index.

use std::path::PathBuf;

use crate::{FileId, LineCol, LineIndex, Span};

/// Why a file's bytes are not plain UTF-8 text. The file is still kept (lossily decoded, for
/// snippets), and the linter reports this instead of checking a text it cannot trust.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodingProblem {
    /// A NUL byte: this is a binary file, not YAML. `offset` is where the NUL is in
    /// `text` (the lossy text: bytes before it that are not UTF-8 became U+FFFD there).
    Binary { offset: usize },
    /// UTF-16 byte order mark; YAML files here must be UTF-8.
    Utf16 { big_endian: bool },
    /// The first byte sequence that is not UTF-8, at `offset` (also the offset in `text`,
    /// since everything before it decoded unchanged).
    InvalidUtf8 { offset: usize, byte: u8 },
}

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Where the text came from: a path on disk, or the `--stdin-filename` for stdin.
    pub path: PathBuf,
    /// The path as shown to users (relative to the working directory when below it).
    pub name: String,
    pub text: String,
    pub line_index: LineIndex,
    pub encoding_problem: Option<EncodingProblem>,
}

impl SourceFile {
    pub fn new(id: FileId, path: PathBuf, name: String, text: String) -> SourceFile {
        let line_index = LineIndex::new(&text);
        SourceFile {
            id,
            path,
            name,
            text,
            line_index,
            encoding_problem: None,
        }
    }

    /// Decodes raw bytes. Never fails: undecodable input keeps a lossy text for display and
    /// records the problem.
    pub fn from_bytes(id: FileId, path: PathBuf, name: String, bytes: Vec<u8>) -> SourceFile {
        let (text, problem) = decode(bytes);
        let mut file = SourceFile::new(id, path, name, text);
        file.encoding_problem = problem;
        file
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.line_index.line_col(&self.text, offset)
    }

    pub fn utf16_col(&self, offset: usize) -> u32 {
        self.line_index.utf16_col(&self.text, offset)
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The line break the file mostly uses, for edits that insert lines.
    pub fn line_break(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }
}

fn decode(bytes: Vec<u8>) -> (String, Option<EncodingProblem>) {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let big_endian = bytes[0] == 0xFE;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        return (text, Some(EncodingProblem::Utf16 { big_endian }));
    }
    // Git's heuristic: a NUL in the first 8000 bytes means binary.
    if bytes.iter().take(8000).any(|&b| b == 0) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        // The same NUL in the lossy text (a NUL is never part of a replaced sequence).
        let offset = text.find('\0').expect("the NUL survives lossy decoding");
        return (text, Some(EncodingProblem::Binary { offset }));
    }
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let byte = bytes[offset];
            let text = String::from_utf8_lossy(&bytes).into_owned();
            (text, Some(EncodingProblem::InvalidUtf8 { offset, byte }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(bytes: &[u8]) -> SourceFile {
        SourceFile::from_bytes(FileId(0), "x.yaml".into(), "x.yaml".into(), bytes.to_vec())
    }

    #[test]
    fn invalid_utf8_is_located() {
        let f = file(b"a: 1\nb: \xff\xfe\n");
        assert_eq!(
            f.encoding_problem,
            Some(EncodingProblem::InvalidUtf8 {
                offset: 8,
                byte: 0xff
            })
        );
        assert_eq!(f.line_col(8), LineCol { line: 1, col: 3 });
    }

    #[test]
    fn binary_and_utf16_are_recognised() {
        assert!(matches!(
            file(b"\x7fELF\x02\x01\x00\x00").encoding_problem,
            Some(EncodingProblem::Binary { offset: 6 })
        ));
        // Found by fuzzing: a byte that is not UTF-8 before the NUL grows into U+FFFD.
        let f = file(b"build:\xde\x01\x00");
        assert_eq!(
            f.encoding_problem,
            Some(EncodingProblem::Binary { offset: 10 })
        );
        assert_eq!(&f.text[10..11], "\0");
        assert!(matches!(
            file(b"\xff\xfea\x00:\x00").encoding_problem,
            Some(EncodingProblem::Utf16 { big_endian: false })
        ));
    }
}
