//! Byte spans and file ids: the only way any layer of shipshape says "where".

use std::fmt;
use std::ops::Range;

/// Index of a [`crate::SourceFile`] in the set of files one analysis run holds.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct FileId(pub u32);

impl FileId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A byte range `start..end` into one source file's text.
///
/// Offsets are `u32`: files are capped far below 4 GiB (see `MAX_FILE_SIZE` in the linter),
/// and halving the size of every node matters for big trees.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end, "span {start}..{end} is reversed");
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    pub fn empty(at: usize) -> Span {
        Span::new(at, at)
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn contains(self, offset: usize) -> bool {
        (self.start as usize) <= offset && offset < self.end as usize
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// A sub-span given by offsets relative to this span's start.
    pub fn subspan(self, rel: Range<usize>) -> Span {
        let start = self.start as usize + rel.start;
        Span::new(
            start,
            (self.start as usize + rel.end)
                .min(self.end as usize)
                .max(start),
        )
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}
