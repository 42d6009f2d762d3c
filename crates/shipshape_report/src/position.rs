//! 1-based line and column, as every text format shows them.

use serde::Serialize;
use shipshape_yaml::SourceFile;

/// A 1-based line and a 1-based column counted in Unicode scalar values (chars).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub fn of(file: &SourceFile, offset: usize) -> Position {
        let lc = file.line_col(offset);
        Position {
            line: lc.line + 1,
            column: lc.col + 1,
        }
    }
}
