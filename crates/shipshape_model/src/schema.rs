//! A small schema language for YAML files, and its validator: object types with known
//! keys, scalar kinds, enums, lists, dictionaries and alternatives. The Compose and GitLab
//! CI tables are written in it (`compose::schema`, `gitlab::schema`).
//!
//! Lenient where the tools are: a string holding `$` (a `${VAR}` or `$[[ inputs.x ]]`
//! interpolated before validation) may stand for any scalar, and tagged values
//! (`!reference`, `!reset`, `!override`) may hold anything.

use shipshape_yaml::{COMPLEX_KEY, NodeId, NodeKind, ScalarStyle, Tree, scalar};

// ----------------------------------------------------------------------------------------
// The type language

/// Scalar kinds, as a bit set.
pub const STR: u8 = 1;
pub const INT: u8 = 2;
pub const NUM: u8 = 4; // includes integers
pub const BOOL: u8 = 8;
pub const NULL: u8 = 16;

pub enum Ty {
    /// Anything at all.
    Any,
    /// A scalar of one of the kinds in the mask.
    Scalar(u8),
    /// A string from a fixed list.
    Enum(&'static [&'static str]),
    List(&'static Ty),
    /// A mapping with free keys, each value of the type.
    Dict(&'static Ty),
    Obj(&'static Obj),
    /// The first alternative whose shape fits (a scalar, a list or a mapping).
    OneOf(&'static [Ty]),
    /// The inner type, and a check of the text of a scalar (skipped for `$` values);
    /// the check returns what is wrong.
    Check(&'static Ty, fn(&str) -> Option<String>),
    /// A list of the inner type that must have at least one item.
    NonEmpty(&'static Ty),
    /// The item type, or lists nesting it up to this many levels (GitLab scripts).
    Nested(&'static Ty, usize),
}

pub struct Field {
    pub key: &'static str,
    pub ty: Ty,
}

pub struct Obj {
    pub fields: &'static [Field],
    /// Keys starting with `x-` are allowed (and ignored by Compose).
    pub extensions: bool,
    pub required: &'static [&'static str],
    /// Another object whose keys are allowed here too.
    pub also: Option<&'static Obj>,
}

impl Obj {
    pub fn field(&self, key: &str) -> Option<&'static Field> {
        let own: &'static [Field] = self.fields;
        own.iter()
            .find(|f| f.key == key)
            .or_else(|| self.also.and_then(|o| o.field(key)))
    }

    /// Every key allowed here, for suggestions.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        let own: &'static [Field] = self.fields;
        own.iter().map(|f| f.key).chain(
            self.also
                .into_iter()
                .flat_map(|o| o.fields.iter().map(|f| f.key)),
        )
    }
}

pub const fn f(key: &'static str, ty: Ty) -> Field {
    Field { key, ty }
}

pub const S: Ty = Ty::Scalar(STR);
pub const B: Ty = Ty::Scalar(BOOL | STR);
pub const I: Ty = Ty::Scalar(INT | STR);
pub const N: Ty = Ty::Scalar(NUM | STR);
pub const STRINGS: Ty = Ty::List(&S);
pub const STR_OR_LIST: Ty = Ty::OneOf(&[S, STRINGS]);
pub const LIST_OR_DICT: Ty = Ty::OneOf(&[Ty::Dict(&Ty::Scalar(STR | NUM | BOOL | NULL)), STRINGS]);
pub const COMMAND: Ty = Ty::OneOf(&[Ty::Scalar(STR | NULL), STRINGS]);
pub const DRIVER_OPTS: Ty = Ty::Dict(&Ty::Scalar(STR | NUM));

// ----------------------------------------------------------------------------------------
// The validator

/// One step of a [`SchemaPath`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Where a value sits in a file, as keys and list indices from the document's root:
/// each tool writes it in its own notation (Compose `services.web.ports[0]`, GitLab
/// `jobs:build:artifacts`) without parsing a string back (a job name may hold dots).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchemaPath(pub Vec<Segment>);

impl SchemaPath {
    /// The path of a top-level key.
    pub fn key(key: &str) -> SchemaPath {
        SchemaPath(vec![Segment::Key(key.to_string())])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn first_key(&self) -> Option<&str> {
        match self.0.first()? {
            Segment::Key(k) => Some(k),
            Segment::Index(_) => None,
        }
    }

    /// The segments written out, keys joined with `separator`, indices as `[i]`.
    pub fn joined(&self, separator: &str) -> String {
        let mut out = String::new();
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => out.push_str(k),
                Segment::Key(k) => {
                    out.push_str(separator);
                    out.push_str(k);
                }
                Segment::Index(n) => out.push_str(&format!("[{n}]")),
            }
        }
        out
    }
}

impl std::fmt::Display for SchemaPath {
    /// `services.web.ports[0]`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.joined("."))
    }
}

/// One place where the file does not follow the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// The node to point at (a key for unknown keys, else the value).
    pub node: NodeId,
    /// Where the offending value sits.
    pub path: SchemaPath,
    pub kind: SchemaErrorKind,
    /// For entries brought in by a merge key: the alias that merged them here.
    pub merged_from: Option<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaErrorKind {
    UnknownKey {
        key: String,
        suggestion: Option<&'static str>,
    },
    WrongType {
        expected: String,
        found: &'static str,
    },
    NotInEnum {
        value: String,
        allowed: &'static [&'static str],
        suggestion: Option<&'static str>,
    },
    MissingKey {
        key: &'static str,
    },
    /// No document, or only comments.
    EmptyFile,
    /// Services at the top level (Compose v1's format).
    LegacyFormat {
        services: Vec<String>,
    },
    /// A value the type language cannot express the rule for (a GitLab pattern, a
    /// nesting limit), said in words.
    Invalid {
        message: String,
    },
}

/// Checks `node` against `ty`; `path` is where `node` sits.
pub fn check(tree: &Tree, node: NodeId, ty: &Ty, path: &SchemaPath) -> Vec<SchemaError> {
    let mut v = Validator {
        tree,
        errors: Vec::new(),
        visits: 0,
    };
    v.check(node, ty, &Path::Root(path), None);
    v.errors
}

struct Validator<'a> {
    tree: &'a Tree,
    errors: Vec<SchemaError>,
    /// Nodes checked so far; past [`Validator::visit_limit`], aliases are not followed
    /// (an alias bomb is reported by the parser and must not be walked here).
    visits: usize,
}

impl Validator<'_> {
    /// Every node a few times (alternatives re-check), plus room for honest aliases.
    fn visit_limit(&self) -> usize {
        self.tree.len() * 4 + 100_000
    }
}

/// What a node is, for matching against types and for messages.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Scalar(u8),
    /// A string with `${...}`: any scalar kind once interpolated.
    Interpolated,
    List,
    Map,
    /// `!reset` / `!override` (Compose), `!reference` (GitLab): resolved before the tools
    /// validate, so they hold what they like.
    Tagged,
}

impl Validator<'_> {
    fn shape(&self, node: NodeId) -> Shape {
        let tree = self.tree;
        let resolved = tree.resolve(node);
        let n = tree.node(resolved);
        if matches!(tree.tag(node), Some("!reset" | "!override" | "!reference")) {
            return Shape::Tagged;
        }
        match &n.kind {
            NodeKind::Sequence { .. } => Shape::List,
            NodeKind::Mapping { .. } => Shape::Map,
            NodeKind::Alias { .. } => Shape::Scalar(NULL),
            NodeKind::Scalar { style, .. } => {
                let value = tree.scalar_at(resolved).unwrap_or_default();
                if crate::interpolation::is_dynamic(value) {
                    return Shape::Interpolated;
                }
                if *style != ScalarStyle::Plain || tree.tag(resolved) == Some("!!str") {
                    return Shape::Scalar(STR);
                }
                if scalar::is_null(value) {
                    Shape::Scalar(NULL)
                } else if scalar::as_bool(value).is_some() {
                    Shape::Scalar(BOOL)
                } else if scalar::as_int(value).is_some() {
                    Shape::Scalar(INT | NUM)
                } else if scalar::is_float(value) {
                    Shape::Scalar(NUM)
                } else {
                    Shape::Scalar(STR)
                }
            }
        }
    }

    fn fits(&self, shape: Shape, ty: &Ty) -> bool {
        match (ty, shape) {
            (Ty::Any, _) | (_, Shape::Tagged) => true,
            (Ty::Scalar(_) | Ty::Enum(_), Shape::Interpolated) => true,
            (Ty::Scalar(mask), Shape::Scalar(kind)) => mask & kind != 0,
            (Ty::Enum(_), Shape::Scalar(kind)) => kind & STR != 0,
            (Ty::List(_), Shape::List) => true,
            (Ty::Dict(_) | Ty::Obj(_), Shape::Map) => true,
            (Ty::OneOf(alts), s) => alts.iter().any(|a| self.fits(s, a)),
            (Ty::Check(inner, _), s) => self.fits(s, inner),
            (Ty::NonEmpty(_), Shape::List) => true,
            (Ty::Nested(item, _), s) => s == Shape::List || self.fits(s, item),
            _ => false,
        }
    }

    fn check(&mut self, node: NodeId, ty: &Ty, path: &Path<'_>, merged_from: Option<NodeId>) {
        self.visits += 1;
        if self.visits > self.visit_limit() && self.tree.is_alias(node) {
            return;
        }
        let shape = self.shape(node);
        if shape == Shape::Tagged {
            return;
        }
        if !self.fits(shape, ty) {
            self.errors.push(SchemaError {
                node,
                path: path.to_schema_path(),
                kind: SchemaErrorKind::WrongType {
                    expected: describe(ty),
                    found: shape_name(shape),
                },
                merged_from,
            });
            return;
        }
        let tree = self.tree;
        match ty {
            Ty::Any | Ty::Scalar(_) => {}
            Ty::Enum(allowed) => {
                if shape == Shape::Interpolated {
                    return;
                }
                let value = tree.scalar(node).unwrap_or_default();
                if !allowed.contains(&value) {
                    self.errors.push(SchemaError {
                        node,
                        path: path.to_schema_path(),
                        kind: SchemaErrorKind::NotInEnum {
                            value: value.to_string(),
                            allowed,
                            suggestion: crate::text::nearest(value, allowed.iter().copied()),
                        },
                        merged_from,
                    });
                }
            }
            Ty::List(item) => {
                for (i, &n) in tree.items(node).iter().enumerate() {
                    self.check(n, item, &Path::Index(path, i), merged_from);
                }
            }
            Ty::Dict(value) => {
                for e in tree.entries(node) {
                    let key = tree.scalar(e.key).unwrap_or(COMPLEX_KEY);
                    let from = e.merged_from.or(merged_from);
                    self.check(e.value, value, &Path::Key(path, key), from);
                }
            }
            Ty::Obj(obj) => self.check_object(node, obj, path, merged_from),
            Ty::OneOf(alts) => {
                if let Some(alt) = alts.iter().find(|a| self.fits(shape, a)) {
                    self.check(node, alt, path, merged_from);
                }
            }
            Ty::Check(inner, check) => {
                self.check(node, inner, path, merged_from);
                if shape != Shape::Interpolated
                    && let Some(text) = tree.scalar(node)
                    && let Some(message) = check(text)
                {
                    self.errors.push(SchemaError {
                        node,
                        path: path.to_schema_path(),
                        kind: SchemaErrorKind::Invalid { message },
                        merged_from,
                    });
                }
            }
            Ty::NonEmpty(item) => {
                if tree.items(node).is_empty() {
                    self.errors.push(SchemaError {
                        node,
                        path: path.to_schema_path(),
                        kind: SchemaErrorKind::Invalid {
                            message: "must not be an empty list".into(),
                        },
                        merged_from,
                    });
                }
                for (i, &n) in tree.items(node).iter().enumerate() {
                    self.check(n, item, &Path::Index(path, i), merged_from);
                }
            }
            Ty::Nested(item, depth) => {
                if shape != Shape::List {
                    self.check(node, item, path, merged_from);
                } else if *depth == 0 {
                    self.errors.push(SchemaError {
                        node,
                        path: path.to_schema_path(),
                        kind: SchemaErrorKind::Invalid {
                            message: "nests lists too deep".into(),
                        },
                        merged_from,
                    });
                } else {
                    let deeper = Ty::Nested(item, depth - 1);
                    for (i, &n) in tree.items(node).iter().enumerate() {
                        self.check(n, &deeper, &Path::Index(path, i), merged_from);
                    }
                }
            }
        }
    }

    fn check_object(
        &mut self,
        node: NodeId,
        obj: &Obj,
        path: &Path<'_>,
        merged_from: Option<NodeId>,
    ) {
        let tree = self.tree;
        for e in tree.entries(node) {
            let key = tree.scalar(e.key).unwrap_or(COMPLEX_KEY);
            let from = e.merged_from.or(merged_from);
            if obj.extensions && key.starts_with("x-") {
                continue;
            }
            match obj.field(key) {
                Some(field) => self.check(e.value, &field.ty, &Path::Key(path, key), from),
                None => self.errors.push(SchemaError {
                    node: e.key,
                    path: path.to_schema_path(),
                    kind: SchemaErrorKind::UnknownKey {
                        suggestion: crate::text::nearest(key, obj.keys()),
                        key: key.to_string(),
                    },
                    merged_from: from,
                }),
            }
        }
        for &required in obj.required {
            if tree.get(node, required).is_none() {
                self.errors.push(SchemaError {
                    node,
                    path: path.to_schema_path(),
                    kind: SchemaErrorKind::MissingKey { key: required },
                    merged_from,
                });
            }
        }
    }
}

/// Where the validator is (`services.web.ports[0]`), kept as a chain of borrowed steps on
/// the stack and written out only for an error: most nodes are valid, and building the
/// path for each of them was most of the validator's time.
enum Path<'a> {
    Root(&'a SchemaPath),
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn to_schema_path(&self) -> SchemaPath {
        match self {
            Path::Root(root) => (*root).clone(),
            Path::Key(parent, key) => {
                let mut path = parent.to_schema_path();
                path.0.push(Segment::Key(key.to_string()));
                path
            }
            Path::Index(parent, i) => {
                let mut path = parent.to_schema_path();
                path.0.push(Segment::Index(*i));
                path
            }
        }
    }
}

fn shape_name(shape: Shape) -> &'static str {
    match shape {
        Shape::Scalar(k) if k & BOOL != 0 => "a boolean",
        Shape::Scalar(k) if k & NULL != 0 => "null",
        Shape::Scalar(k) if k & NUM != 0 => "a number",
        Shape::Scalar(_) | Shape::Interpolated => "a string",
        Shape::List => "a list",
        Shape::Map => "a mapping",
        Shape::Tagged => "a tagged value",
    }
}

/// "a string or a list of strings"
pub fn describe(ty: &Ty) -> String {
    or_list(&kinds(ty, false))
}

/// The kinds a type accepts, singular ("a string") or plural ("strings").
fn kinds(ty: &Ty, plural: bool) -> Vec<String> {
    let word = |one: &str, many: &str| {
        if plural {
            many.to_string()
        } else {
            one.to_string()
        }
    };
    let mut out: Vec<String> = Vec::new();
    match ty {
        Ty::Any => out.push("anything".into()),
        Ty::Scalar(mask) => {
            if mask & STR != 0 {
                out.push(word("a string", "strings"));
            }
            if mask & NUM != 0 {
                out.push(word("a number", "numbers"));
            } else if mask & INT != 0 {
                out.push(word("an integer", "integers"));
            }
            if mask & BOOL != 0 {
                out.push(word("a boolean", "booleans"));
            }
            if mask & NULL != 0 {
                out.push("null".into());
            }
        }
        Ty::Enum(values) => out.push(format!("one of {}", quoted_list(values))),
        Ty::List(item) => out.push(format!("a list of {}", or_list(&kinds(item, true)))),
        Ty::Dict(_) | Ty::Obj(_) => out.push(word("a mapping", "mappings")),
        Ty::Check(inner, _) => out.extend(kinds(inner, plural)),
        Ty::NonEmpty(item) => out.push(format!("a list of {}", or_list(&kinds(item, true)))),
        // Inside a list, nested lists are flattened: they add no kind of their own
        // ("a list of strings", never "a list of strings or a list of strings").
        Ty::Nested(item, _) => {
            out.extend(kinds(item, plural));
            if !plural {
                out.push(format!("a list of {}", or_list(&kinds(item, true))));
            }
        }
        Ty::OneOf(alts) => {
            for a in alts.iter() {
                for k in kinds(a, plural) {
                    if !out.contains(&k) {
                        out.push(k);
                    }
                }
            }
        }
    }
    out
}

/// "a, b or c", each alternative once.
fn or_list(items: &[String]) -> String {
    let mut unique: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        if !unique.contains(item) {
            unique.push(item.clone());
        }
    }
    match unique.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

pub fn quoted_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
