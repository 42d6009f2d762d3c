//! A YAML value as GitLab sees it after `include`, `extends` and `!reference`: built from
//! several files and merged, with every part remembering the file and node it came from,
//! so a finding on a merged job points at the line that set the value.

use std::collections::HashMap;

use shipshape_yaml::{FileId, NodeId, NodeKind, ScalarStyle, Span, Tree};

/// Where a value was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: FileId,
    pub node: NodeId,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null(Origin),
    /// Strings, numbers and booleans, as written.
    Scalar {
        text: Box<str>,
        origin: Origin,
        quoted: bool,
    },
    Seq {
        items: Vec<Value>,
        origin: Origin,
    },
    Map {
        entries: Vec<MapEntry>,
        origin: Origin,
    },
    /// `!reference [job, key, ...]` that is not (or could not be) resolved.
    Reference {
        path: Vec<String>,
        origin: Origin,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct MapEntry {
    pub key: Box<str>,
    pub key_origin: Origin,
    pub value: Value,
}

impl Value {
    pub fn origin(&self) -> Origin {
        match self {
            Value::Null(o) => *o,
            Value::Scalar { origin, .. }
            | Value::Seq { origin, .. }
            | Value::Map { origin, .. }
            | Value::Reference { origin, .. } => *origin,
        }
    }

    /// Reads a node (through aliases and merge keys). `budget` bounds the values created,
    /// so an alias bomb cannot grow a huge copy: past it, values become null.
    pub fn from_tree(file: FileId, tree: &Tree, node: NodeId, budget: &mut usize) -> Value {
        let origin = Origin { file, node };
        if *budget == 0 {
            return Value::Null(origin);
        }
        *budget -= 1;
        let resolved = tree.resolve(node);
        if tree.tag(resolved) == Some("!reference") {
            let path = tree
                .items(resolved)
                .iter()
                .filter_map(|&i| tree.scalar(i).map(str::to_string))
                .collect();
            return Value::Reference { path, origin };
        }
        match &tree.node(resolved).kind {
            NodeKind::Scalar { style, .. } => {
                let value = tree.scalar_at(resolved).unwrap_or_default();
                if *style == ScalarStyle::Plain
                    && tree.tag(resolved).is_none()
                    && shipshape_yaml::scalar::is_null(value)
                {
                    Value::Null(origin)
                } else {
                    Value::Scalar {
                        text: value.into(),
                        origin,
                        quoted: *style != ScalarStyle::Plain,
                    }
                }
            }
            NodeKind::Sequence { .. } => Value::Seq {
                items: tree
                    .items(resolved)
                    .iter()
                    .map(|&i| Value::from_tree(file, tree, i, budget))
                    .collect(),
                origin,
            },
            NodeKind::Mapping { .. } => Value::Map {
                entries: tree
                    .entries(resolved)
                    .iter()
                    .map(|e| MapEntry {
                        key: tree.key_text(e.key).into_boxed_str(),
                        key_origin: Origin { file, node: e.key },
                        value: Value::from_tree(file, tree, e.value, budget),
                    })
                    .collect(),
                origin,
            },
            NodeKind::Alias { .. } => Value::Null(origin),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn items(&self) -> &[Value] {
        match self {
            Value::Seq { items, .. } => items,
            _ => &[],
        }
    }

    pub fn entries(&self) -> &[MapEntry] {
        match self {
            Value::Map { entries, .. } => entries,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self, Value::Map { .. })
    }

    pub fn entry(&self, key: &str) -> Option<&MapEntry> {
        self.entries().iter().find(|e| &*e.key == key)
    }

    /// The entry a key path names below this value, as `!reference [a, b]` follows it
    /// from the pipeline's top level (the first entry of each key); None for an empty path.
    pub fn entry_at<S: AsRef<str>>(&self, path: &[S]) -> Option<&MapEntry> {
        let (first, rest) = path.split_first()?;
        let mut entry = self.entry(first.as_ref())?;
        for key in rest {
            entry = entry.value.entry(key.as_ref())?;
        }
        Some(entry)
    }

    /// A key's value; an explicit `null` counts as absent (it removes an inherited value).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).map(|e| &e.value).filter(|v| !v.is_null())
    }

    /// A string, or each string of a list (nested lists flattened, as GitLab does for
    /// scripts): `script: make` and `script: [make, make test]`.
    pub fn strings(&self) -> Vec<&Value> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            match v {
                Value::Scalar { .. } => out.push(v),
                Value::Seq { items, .. } => stack.extend(items.iter().rev()),
                _ => {}
            }
        }
        out
    }

    /// GitLab's deep merge (`extends`, `include`) of `over` into `self`: mappings merge key
    /// by key, the later value wins for everything else (lists are replaced, never
    /// concatenated); an explicit `null` in `over` replaces too. In place, consuming
    /// `over`: nothing is copied, and a large mapping (a pipeline's top level, a job per
    /// key) finds keys through an index instead of a scan per key.
    pub fn merge_from(&mut self, over: Value) {
        /// Below this many entries a scan is cheaper than building an index.
        const INDEX_FROM: usize = 32;
        match (self, over) {
            (
                Value::Map {
                    entries: base,
                    origin: base_origin,
                },
                Value::Map { entries, origin },
            ) => {
                *base_origin = origin;
                let mut index: Option<HashMap<Box<str>, usize>> =
                    (base.len() >= INDEX_FROM).then(|| {
                        let mut index = HashMap::with_capacity(base.len());
                        for (i, e) in base.iter().enumerate() {
                            // The first of duplicate keys is the one a scan finds.
                            index.entry(e.key.clone()).or_insert(i);
                        }
                        index
                    });
                for e in entries {
                    let at = match &index {
                        Some(index) => index.get(&e.key).copied(),
                        None => base.iter().position(|x| x.key == e.key),
                    };
                    match at {
                        Some(i) => {
                            let x = &mut base[i];
                            x.value.merge_from(e.value);
                            x.key_origin = e.key_origin;
                        }
                        None => {
                            if let Some(index) = &mut index {
                                index.insert(e.key.clone(), base.len());
                            }
                            base.push(e);
                        }
                    }
                }
            }
            (this, over) => *this = over,
        }
    }
}

/// The span of an origin, given the trees.
pub fn span(origin: Origin, tree: &Tree) -> Span {
    tree.node(origin.node).span
}
