//! YAML text -> [`Tree`], pulled event by event from saphyr-parser.
//!
//! Why pull events instead of calling a loader: saphyr's `load()` recurses once per nesting
//! level and 20,000 nested `- ` overflow the stack with an abort nobody can catch. Here an
//! explicit stack holds the open collections and a depth limit ends the parse with a
//! diagnostic. On a syntax error the events seen so far still make a tree: the open
//! collections are closed where the error is, so rules can check what did parse.
//!
//! saphyr's markers count chars, not bytes; every position goes through [`CharIndexer`].
//! Two inputs that YAML tools disagree on are parsed the lenient way (as libyaml, Go's
//! yaml.v3 and Psych do), by patching a copy of the text with same-length spaces, so that
//! every byte offset stays true: `key:<TAB>value`, and a flow collection's closing bracket
//! on its own line at the parent key's indentation.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, Tag};

use crate::Span;
use crate::prescan::{Prescan, TabIndent, prescan};
use crate::tree::{
    Document, DuplicateKey, Entry, NO_PROPS, Node, NodeId, NodeKind, Props, Range32, ScalarStyle,
    Tree,
};

/// Bounds on everything user input could make unbounded.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Open collections at once. Real Compose and CI files stay below 20.
    pub max_depth: usize,
    /// Entries that `<<` merge keys may copy into mappings, in all.
    pub max_merged_entries: usize,
    /// Nodes that replacing every alias by what it names may add to one document. Beyond
    /// it, the file is an alias bomb for any loader that expands aliases.
    pub max_expanded_nodes: u64,
    /// Lenient re-parses (see the module doc) per file.
    pub max_recoveries: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 256,
            max_merged_entries: 1_000_000,
            max_expanded_nodes: 1_000_000,
            max_recoveries: 16,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// The parser stopped here; nothing after it is in the tree.
    Parse,
    /// The parser stopped because of a tab in indentation (the span is the tab).
    TabIndentation,
    /// Nesting deeper than [`Limits::max_depth`]; the parse stopped here.
    DepthLimit,
    /// Merge keys would copy more than [`Limits::max_merged_entries`]; merging stopped.
    MergeBudget,
    /// Expanding the aliases of a document adds more than [`Limits::max_expanded_nodes`].
    AliasBomb,
    /// A `<<` whose value is not a mapping, an alias of one, or a list of those.
    InvalidMerge,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    pub span: Span,
    pub message: String,
    /// The parser's own words, when the message above is ours.
    pub parser_message: Option<String>,
    /// For a parse error: the `[` or `{` of the innermost flow collection still open where
    /// the parser stopped (an unclosed bracket is the usual cause of what it reports).
    pub open_flow: Option<Span>,
}

impl SyntaxError {
    /// Whether the tree stops at this error.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.kind,
            SyntaxErrorKind::Parse | SyntaxErrorKind::TabIndentation | SyntaxErrorKind::DepthLimit
        )
    }
}

/// Something valid YAML tools disagree on, which we parsed the lenient way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leniency {
    /// `key:<TAB>value`: valid YAML 1.2 that saphyr rejects.
    TabAfterColon { tab: Span },
    /// A flow collection's closing bracket at or left of its parent's indentation.
    FlowEndIndentation { bracket: Span },
}

#[derive(Clone, Debug)]
pub struct ParsedYaml {
    pub prescan: Prescan,
    pub tree: Tree,
    pub errors: Vec<SyntaxError>,
    /// Lines with a tab in their indentation (pre-scan candidates that the parse did not
    /// show to be scalar content or flow separation).
    pub tab_indents: Vec<TabIndent>,
    pub leniencies: Vec<Leniency>,
}

impl ParsedYaml {
    /// True when the parse reached the end of the text: the tree is the whole file.
    pub fn is_complete(&self) -> bool {
        !self.errors.iter().any(SyntaxError::is_fatal)
    }
}

pub fn parse(text: &str) -> ParsedYaml {
    parse_with(text, &Limits::default())
}

pub fn parse_with(text: &str, limits: &Limits) -> ParsedYaml {
    let prescan = prescan(text);
    let base = prescan.bom_len;
    let body = &text[base..];
    let mut patched: Option<String> = None;
    let mut leniencies = Vec::new();
    loop {
        let parse_text = patched.as_deref().unwrap_or(body);
        let mut built = build(parse_text, base, limits);
        let patch = match &built.stop {
            Some(stop) if leniencies.len() < limits.max_recoveries => {
                recoverable(parse_text, base, stop)
            }
            _ => None,
        };
        if let Some(patch) = patch {
            leniencies.push(patch.leniency(base));
            // Spaces over exactly the bytes replaced: byte offsets stay the original's.
            let mut bytes = patched
                .take()
                .unwrap_or_else(|| body.to_string())
                .into_bytes();
            bytes[patch.range.clone()].fill(b' ');
            patched = Some(String::from_utf8(bytes).expect("spaces over whole chars keep UTF-8"));
            continue;
        }
        let tab_indents = filter_tabs(&prescan.tab_indents, &built.regions);
        if let Some(stop) = built.stop.take() {
            built.errors.insert(0, stop.into_error(&tab_indents, text));
        }
        // A workspace keeps every tree to the end: the vectors' doubling slack is up to
        // half of a tree (100,000 small files: 1.3 KB each).
        built.tree.shrink_to_fit();
        return ParsedYaml {
            tab_indents,
            prescan,
            tree: built.tree,
            errors: built.errors,
            leniencies,
        };
    }
}

/// Where and why the event stream ended early.
struct Stop {
    kind: SyntaxErrorKind,
    /// Byte offset in the original text.
    offset: usize,
    message: String,
    open_flow: Option<usize>,
}

impl Stop {
    fn into_error(self, tab_indents: &[TabIndent], text: &str) -> SyntaxError {
        let span = char_span_at(text, self.offset);
        if self.kind == SyntaxErrorKind::Parse
            && let Some(tab) = tab_behind_error(tab_indents, text, self.offset)
        {
            return SyntaxError {
                kind: SyntaxErrorKind::TabIndentation,
                span: tab.first_tab,
                message: "tab character in indentation".into(),
                parser_message: Some(self.message),
                open_flow: None,
            };
        }
        SyntaxError {
            kind: self.kind,
            span,
            message: self.message,
            parser_message: None,
            open_flow: self.open_flow.map(|at| char_span_at(text, at)),
        }
    }
}

/// saphyr reports a tab in indentation at the end of the line before it, or one column
/// late; the pre-scan knows where the tab really is.
fn tab_behind_error<'t>(
    tab_indents: &'t [TabIndent],
    text: &str,
    offset: usize,
) -> Option<&'t TabIndent> {
    let before = &text.as_bytes()[..offset.min(text.len())];
    let error_line = before.iter().filter(|&&b| b == b'\n').count()
        + before
            .windows(2)
            .filter(|w| w[0] == b'\r' && w[1] != b'\n')
            .count()
        + usize::from(before.last() == Some(&b'\r'));
    let error_line = error_line as u32;
    tab_indents
        .iter()
        .find(|t| t.line == error_line || t.line == error_line + 1)
}

/// A one-char span at `offset` (empty at the end of the text).
fn char_span_at(text: &str, offset: usize) -> Span {
    let offset = offset.min(text.len());
    let len = text[offset..].chars().next().map_or(0, char::len_utf8);
    Span::new(offset, offset + len)
}

struct Patch {
    /// Byte range in the parse text (without BOM).
    range: std::ops::Range<usize>,
    kind: PatchKind,
    at: usize,
}

#[derive(Clone, Copy)]
enum PatchKind {
    TabAfterColon,
    FlowEnd,
}

impl Patch {
    fn leniency(&self, base: usize) -> Leniency {
        let span = Span::new(base + self.at, base + self.at + 1);
        match self.kind {
            PatchKind::TabAfterColon => Leniency::TabAfterColon { tab: span },
            PatchKind::FlowEnd => Leniency::FlowEndIndentation { bracket: span },
        }
    }
}

/// The patch that lets a lenient parser's reading through, if this stop is one of the two
/// known disagreements. `stop.offset` is in the original text, patches in the parse text.
fn recoverable(parse_text: &str, base: usize, stop: &Stop) -> Option<Patch> {
    if stop.kind != SyntaxErrorKind::Parse {
        return None;
    }
    let at = stop.offset.checked_sub(base)?;
    let bytes = parse_text.as_bytes();
    // saphyr stops at the value after the tabs; the tabs and the colon are just before.
    let ws_start = at
        - bytes[..at]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\t' || b == b' ')
            .count();
    if stop.message.starts_with("':' must be followed by")
        && ws_start > 0
        && bytes[ws_start - 1] == b':'
        && bytes[ws_start] == b'\t'
    {
        return Some(Patch {
            range: ws_start..at,
            kind: PatchKind::TabAfterColon,
            at: ws_start,
        });
    }
    match bytes.get(at) {
        Some(b']' | b'}') if stop.message == "invalid indentation" => {
            let line_start = parse_text[..at].rfind(['\n', '\r']).map(|i| i + 1)?;
            if !bytes[line_start..at].iter().all(|&b| b == b' ') {
                return None;
            }
            // Join the bracket's line to the line before: the bracket then follows that
            // line's content (in flow context a line break only separates). A comment at
            // the end of that line would swallow the bracket, so blank it too.
            let break_start = if bytes[..line_start].ends_with(b"\r\n") {
                line_start - 2
            } else {
                line_start - 1
            };
            let prev_start = parse_text[..break_start]
                .rfind(['\n', '\r'])
                .map_or(0, |i| i + 1);
            let from = comment_start(&parse_text[prev_start..break_start])
                .map_or(break_start, |c| prev_start + c);
            Some(Patch {
                range: from..line_start,
                kind: PatchKind::FlowEnd,
                at,
            })
        }
        _ => None,
    }
}

/// Byte offset of a `#` comment in one line, outside quotes.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(b'"') if b == b'\\' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')) => {
                return Some(i);
            }
            None => {}
        }
        i += 1;
    }
    None
}

/// A stretch of text where a tab at the start of a line is content or flow separation,
/// not indentation.
#[derive(Clone, Copy, Debug)]
struct Region {
    start: usize,
    end: usize,
    /// For block scalars: the content indentation; a tab after at least this many spaces
    /// is content.
    block_indent: Option<usize>,
}

fn filter_tabs(candidates: &[TabIndent], regions: &[Region]) -> Vec<TabIndent> {
    candidates
        .iter()
        .filter(|t| {
            let at = t.first_tab.start as usize;
            let i = regions.partition_point(|r| r.start <= at);
            let inside = i > 0 && {
                let r = regions[i - 1];
                at < r.end
                    && r.block_indent
                        .is_none_or(|indent| t.spaces_before_tab as usize >= indent)
            };
            !inside
        })
        .copied()
        .collect()
}

struct Built {
    tree: Tree,
    errors: Vec<SyntaxError>,
    regions: Vec<Region>,
    stop: Option<Stop>,
}

struct Frame {
    node: NodeId,
    pending_start: usize,
    is_map: bool,
    flow: bool,
    /// Offset of the `[` or `{` of a flow collection.
    bracket: usize,
}

struct OpenDocument {
    start: usize,
    explicit: bool,
    pending_start: usize,
}

struct Builder<'t> {
    /// The text saphyr parses: no BOM, possibly patched, byte offsets unchanged.
    text: &'t str,
    /// Byte length of the BOM in the original text, added to every offset.
    base: usize,
    chars: CharIndexer<'t>,
    limits: Limits,
    tree: Tree,
    stack: Vec<Frame>,
    /// Children of the open collections, innermost last (a mapping's alternate key, value).
    pending: Vec<NodeId>,
    anchors: HashMap<usize, NodeId>,
    doc: Option<OpenDocument>,
    /// Depth of flow collections and where the outermost began.
    flow_depth: usize,
    flow_start: usize,
    regions: Vec<Region>,
    merged_budget: usize,
    /// Per node, its size with every alias expanded (saturating). Known when the node is
    /// complete: aliases can only name complete nodes, or an enclosing one (a cycle).
    expanded: Vec<u64>,
    errors: Vec<SyntaxError>,
}

fn build(text: &str, base: usize, limits: &Limits) -> Built {
    let mut b = Builder {
        text,
        base,
        chars: CharIndexer::new(text),
        limits: *limits,
        tree: Tree::default(),
        stack: Vec::new(),
        pending: Vec::new(),
        anchors: HashMap::new(),
        doc: None,
        flow_depth: 0,
        flow_start: 0,
        regions: Vec::new(),
        merged_budget: limits.max_merged_entries,
        expanded: Vec::new(),
        errors: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    let mut stop = None;
    while let Some(next) = parser.next_event() {
        match next {
            Ok((Event::StreamEnd, _)) => break,
            Ok((event, span)) => {
                let start = b.byte(span.start.index());
                let end = b.byte(span.end.index());
                if let Err(s) = b.event(event, start, end) {
                    stop = Some(s);
                    break;
                }
            }
            Err(err) => {
                stop = Some(Stop {
                    kind: SyntaxErrorKind::Parse,
                    offset: b.byte(err.marker().index()),
                    message: err.info().to_string(),
                    open_flow: b.stack.iter().rev().find(|f| f.flow).map(|f| f.bracket),
                });
                break;
            }
        }
    }
    let close_at = stop.as_ref().map_or(base + text.len(), |s| s.offset);
    b.close_all(close_at);
    Built {
        tree: b.tree,
        errors: b.errors,
        regions: b.regions,
        stop,
    }
}

impl Builder<'_> {
    /// Byte offset in the original text for a saphyr char index.
    fn byte(&mut self, char_index: usize) -> usize {
        self.base + self.chars.byte(char_index)
    }

    /// The parse text from an original-text offset on.
    fn from(&self, offset: usize) -> &str {
        self.text
            .get(offset.saturating_sub(self.base)..)
            .unwrap_or("")
    }

    /// The parse text of an original-text span.
    fn slice(&self, span: Span) -> &str {
        let (s, e) = (
            span.start as usize - self.base.min(span.start as usize),
            span.end as usize - self.base.min(span.end as usize),
        );
        self.text.get(s..e).unwrap_or("")
    }

    /// Column (in bytes, which is spaces for indentation) of an original-text offset.
    fn column(&self, offset: usize) -> usize {
        let rel = offset.saturating_sub(self.base);
        let line_start = self.text[..rel].rfind(['\n', '\r']).map_or(0, |i| i + 1);
        rel - line_start
    }

    fn event(&mut self, event: Event<'_>, start: usize, end: usize) -> Result<(), Stop> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(explicit) => {
                self.doc = Some(OpenDocument {
                    start,
                    explicit,
                    pending_start: self.pending.len(),
                });
            }
            Event::DocumentEnd => self.close_document(end),
            Event::Scalar(value, style, anchor_id, tag) => {
                self.scalar(
                    &value,
                    convert_style(style),
                    anchor_id,
                    tag.as_deref(),
                    start,
                    end,
                );
            }
            Event::Alias(anchor_id) => {
                let target = self.anchors.get(&anchor_id).copied();
                let id = self.push_node(
                    Span::new(start, end),
                    None,
                    None,
                    NodeKind::Alias { target },
                );
                if let Some(t) = target {
                    self.expanded[id.index()] = self.expanded[t.index()];
                }
            }
            Event::SequenceStart(anchor_id, tag) => {
                self.open_collection(false, anchor_id, tag.as_deref(), start, end)?
            }
            Event::MappingStart(anchor_id, tag) => {
                self.open_collection(true, anchor_id, tag.as_deref(), start, end)?
            }
            Event::SequenceEnd | Event::MappingEnd => self.close_collection(Span::new(start, end)),
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        value: &str,
        style: ScalarStyle,
        anchor_id: usize,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) {
        let (props_end, anchor) = self.properties(start, end, anchor_id != 0 || tag.is_some());
        let span = if style.is_block() {
            self.block_scalar_span(props_end, end)
        } else if let Some(close) = quoted_end(self.slice(Span::new(props_end, end)), style) {
            // saphyr's end of a quoted scalar can run on over `  # comment` after it;
            // the scalar ends at its closing quote.
            Span::new(props_end, props_end + close)
        } else {
            // In flow context saphyr's end can take in the whitespace before `,` or `]`;
            // no plain or quoted scalar ends in whitespace.
            let text = self.slice(Span::new(props_end, end));
            Span::new(
                props_end,
                props_end + text.trim_end_matches([' ', '\t', '\n', '\r']).len(),
            )
        };
        let multiline = self.slice(span).contains(['\n', '\r']);
        let text = &mut self.tree.scalar_text;
        let value_start = text.len();
        text.push_str(value);
        let value = Range32::of(value_start, text.len());
        let id = self.push_node(
            span,
            tag.map(tag_text),
            anchor,
            NodeKind::Scalar { value, style },
        );
        self.register_anchor(anchor_id, id);
        if multiline && self.flow_depth == 0 {
            let block_indent = style.is_block().then(|| self.column(span.start as usize));
            self.regions.push(Region {
                start: span.start as usize,
                end: span.end as usize,
                block_indent,
            });
        }
    }

    fn open_collection(
        &mut self,
        is_map: bool,
        anchor_id: usize,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Result<(), Stop> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(Stop {
                kind: SyntaxErrorKind::DepthLimit,
                offset: start,
                message: format!("nesting deeper than {} levels", self.limits.max_depth),
                open_flow: None,
            });
        }
        let (props_end, anchor) = self.properties(start, end, anchor_id != 0 || tag.is_some());
        // A flow collection's start event spans its `[` or `{`; a block one's is empty
        // (or holds only its properties).
        let flow =
            props_end < end && matches!(self.from(props_end).as_bytes().first(), Some(b'[' | b'{'));
        let placeholder = Range32 {
            start: u32::MAX,
            end: u32::MAX,
        };
        let kind = if is_map {
            NodeKind::Mapping {
                raw: placeholder,
                resolved: placeholder,
            }
        } else {
            NodeKind::Sequence { items: placeholder }
        };
        let id = self.push_node(Span::new(start, end), tag.map(tag_text), anchor, kind);
        self.register_anchor(anchor_id, id);
        if flow {
            if self.flow_depth == 0 {
                self.flow_start = start;
            }
            self.flow_depth += 1;
        }
        self.stack.push(Frame {
            node: id,
            pending_start: self.pending.len(),
            is_map,
            flow,
            bracket: props_end,
        });
        Ok(())
    }

    fn close_collection(&mut self, end_event: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let children: Vec<NodeId> = self.pending.drain(frame.pending_start..).collect();
        self.expanded[frame.node.index()] = children
            .iter()
            .fold(1u64, |sum, c| sum.saturating_add(self.expanded[c.index()]));
        let end = if frame.flow && !end_event.is_empty() {
            end_event.end
        } else {
            children
                .last()
                .map_or(end_event.start, |&c| self.tree.nodes[c.index()].span.end)
                .max(self.tree.nodes[frame.node.index()].span.start)
        };
        self.tree.nodes[frame.node.index()].span.end = end;
        if frame.flow {
            self.flow_depth -= 1;
            if self.flow_depth == 0 {
                self.regions.push(Region {
                    start: self.flow_start,
                    end: end as usize,
                    block_indent: None,
                });
            }
        }
        if frame.is_map {
            self.close_mapping(frame.node, &children);
        } else {
            let start = self.tree.items.len();
            self.tree.items.extend_from_slice(&children);
            self.tree.nodes[frame.node.index()].kind = NodeKind::Sequence {
                items: Range32::of(start, self.tree.items.len()),
            };
        }
    }

    fn close_mapping(&mut self, node: NodeId, children: &[NodeId]) {
        // A key whose value never came (the parse stopped) is dropped: a half entry would
        // read as an explicit null to the rules.
        let raw_start = self.tree.entries.len();
        self.tree
            .entries
            .extend(children.chunks_exact(2).map(|kv| Entry {
                key: kv[0],
                value: kv[1],
                merged_from: None,
            }));
        let raw = Range32::of(raw_start, self.tree.entries.len());
        let resolution = resolve_mapping(&self.tree, node, raw, &mut self.merged_budget);
        self.tree.duplicates.extend(resolution.duplicates);
        self.errors.extend(resolution.errors);
        let resolved = match resolution.entries {
            None => raw,
            Some(entries) => {
                let start = self.tree.entries.len();
                self.tree.entries.extend(entries);
                Range32::of(start, self.tree.entries.len())
            }
        };
        self.tree.nodes[node.index()].kind = NodeKind::Mapping { raw, resolved };
    }

    fn close_document(&mut self, end: usize) {
        let Some(doc) = self.doc.take() else {
            return;
        };
        let root = self.pending.get(doc.pending_start).copied();
        self.pending.truncate(doc.pending_start);
        if let Some(r) = root
            && self.expanded[r.index()].saturating_sub((self.tree.nodes.len() - r.index()) as u64)
                > self.limits.max_expanded_nodes
        {
            self.report_alias_bomb(r);
        }
        let end = root
            .map_or(end, |r| self.tree.nodes[r.index()].span.end as usize)
            .max(end)
            .max(doc.start);
        self.tree.documents.push(Document {
            root,
            span: Span::new(doc.start, end),
            explicit_start: doc.explicit,
        });
    }

    /// Points at the alias of this document that expands the most.
    fn report_alias_bomb(&mut self, root: NodeId) {
        let first = root.index();
        let worst = (first..self.tree.nodes.len())
            .filter(|&i| matches!(self.tree.nodes[i].kind, NodeKind::Alias { .. }))
            .max_by_key(|&i| self.expanded[i])
            .unwrap_or(first);
        self.errors.push(SyntaxError {
            kind: SyntaxErrorKind::AliasBomb,
            span: self.tree.nodes[worst].span,
            message: format!(
                "aliases expand this document by more than {} nodes",
                self.limits.max_expanded_nodes
            ),
            parser_message: None,
            open_flow: None,
        });
    }

    /// Ends every open collection and the document at `offset` (after a stop).
    fn close_all(&mut self, offset: usize) {
        while !self.stack.is_empty() {
            self.close_collection(Span::empty(offset));
        }
        if self.doc.is_some() {
            self.close_document(offset);
        }
    }

    fn push_node(
        &mut self,
        span: Span,
        tag: Option<Box<str>>,
        anchor: Option<Span>,
        kind: NodeKind,
    ) -> NodeId {
        let id = NodeId(self.tree.nodes.len() as u32);
        let props = if tag.is_none() && anchor.is_none() {
            NO_PROPS
        } else {
            self.tree.props.push(Props { tag, anchor });
            self.tree.props.len() as u32 - 1
        };
        self.tree.nodes.push(Node {
            span,
            parent: self.stack.last().map(|f| f.node),
            props,
            kind,
        });
        self.pending.push(id);
        // Scalars weigh 1; collections are weighed when they close, aliases just below.
        self.expanded.push(1);
        id
    }

    fn register_anchor(&mut self, anchor_id: usize, id: NodeId) {
        if anchor_id != 0 {
            self.anchors.insert(anchor_id, id);
        }
    }

    /// Skips the node properties (`&anchor`, `!tag`, in either order, with whitespace and
    /// comments between) at the start of a node's span. Returns where the node's content
    /// starts and the anchor's span.
    fn properties(&self, start: usize, end: usize, has_props: bool) -> (usize, Option<Span>) {
        if !has_props {
            return (start, None);
        }
        let text = self.from(start);
        let bytes = text.as_bytes();
        let limit = (end - start).min(bytes.len());
        let mut i = 0;
        let mut anchor = None;
        loop {
            while i < limit && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
                i += 1;
            }
            if i < limit && bytes[i] == b'#' {
                while i < limit && !matches!(bytes[i], b'\n' | b'\r') {
                    i += 1;
                }
                continue;
            }
            if i >= limit || !matches!(bytes[i], b'&' | b'!') {
                break;
            }
            let token_start = i;
            if bytes[i] == b'!' && bytes.get(i + 1) == Some(&b'<') {
                while i < limit && bytes[i] != b'>' {
                    i += 1;
                }
                i += 1;
            } else {
                while i < limit
                    && !matches!(
                        bytes[i],
                        b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}'
                    )
                {
                    i += 1;
                }
            }
            if bytes[token_start] == b'&' {
                anchor = Some(Span::new(start + token_start, start + i));
            }
        }
        (start + i.min(limit), anchor)
    }

    /// A block scalar's span: from its first content line's text to the end of its last
    /// content line. saphyr starts it at the content (or at the properties) and ends it at
    /// the next token, blank lines and comments included.
    fn block_scalar_span(&self, start: usize, end: usize) -> Span {
        let rel_end = end.saturating_sub(self.base).min(self.text.len());
        let mut pos = start.saturating_sub(self.base).min(rel_end);
        let bytes = self.text.as_bytes();
        // Anchored or tagged: the span starts at the `|`/`>` header; content is below it.
        if matches!(bytes.get(pos), Some(b'|' | b'>')) {
            pos = next_line(bytes, pos).min(rel_end);
        }
        // Skip the indentation and any leading blank lines to the first content char.
        let mut content = None;
        let mut line = pos;
        while line < rel_end {
            let text_start = line
                + bytes[line..rel_end]
                    .iter()
                    .take_while(|&&b| b == b' ')
                    .count();
            if text_start < rel_end && !matches!(bytes[text_start], b'\n' | b'\r') {
                content = Some(text_start);
                break;
            }
            line = next_line(bytes, line);
        }
        let Some(first) = content else {
            return Span::empty(self.base + pos);
        };
        let indent = first - (self.text[..first].rfind(['\n', '\r']).map_or(0, |i| i + 1));
        let mut last_end = line_content_end(bytes, first);
        let mut line = next_line(bytes, first);
        while line < rel_end {
            let spaces = bytes[line..rel_end]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
            let rest = line + spaces;
            let blank = rest >= rel_end
                || bytes[line..line_content_end(bytes, line)]
                    .iter()
                    .all(|&b| b == b' ' || b == b'\t');
            if !blank {
                if spaces < indent {
                    break;
                }
                last_end = line_content_end(bytes, line);
            }
            line = next_line(bytes, line);
        }
        Span::new(
            self.base + first,
            self.base + last_end.min(rel_end).max(first),
        )
    }
}

/// Start of the line after the one holding `pos` (or the text's end).
fn next_line(bytes: &[u8], pos: usize) -> usize {
    match bytes[pos.min(bytes.len())..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
    {
        Some(i) => {
            let at = pos + i;
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            }
        }
        None => bytes.len(),
    }
}

/// End of the line holding `pos`, before its line break.
fn line_content_end(bytes: &[u8], pos: usize) -> usize {
    bytes[pos.min(bytes.len())..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |i| pos + i)
}

struct MappingResolution {
    /// None when the mapping's effective entries are its raw ones.
    entries: Option<Vec<Entry>>,
    duplicates: Vec<DuplicateKey>,
    errors: Vec<SyntaxError>,
}

/// Merge keys and repeated keys, resolved once when a mapping closes. Everything a `<<`
/// names has closed before (an alias can only name a node whose anchor came earlier), so
/// its own merges are resolved already; an alias to an enclosing mapping is reported.
///
/// Semantics (YAML merge-key spec, as Go's yaml.v3 implements it for Compose): explicit
/// keys win over merged ones; within one `<<: [*a, *b]` the earlier source wins. Several
/// `<<` keys in one mapping (GitLab's Psych accepts them) apply in order, later winning.
// Long because: the merge-key semantics above in one place (explicit keys, source order,
// repeated `<<`, budgets, aliases to enclosing mappings); split, their order would be
// implicit in calls.
fn resolve_mapping(
    tree: &Tree,
    node: NodeId,
    raw: Range32,
    budget: &mut usize,
) -> MappingResolution {
    let raw_entries = &tree.entries[raw.start as usize..raw.end as usize];
    let is_merge = |e: &Entry| {
        tree.tag(e.key).is_none()
            && tree.scalar_style(e.key) == Some(ScalarStyle::Plain)
            && !tree.is_alias(e.key)
            && tree.scalar(e.key) == Some("<<")
    };
    let key_of = |e: &Entry| tree.scalar(e.key);
    let mut out = MappingResolution {
        entries: None,
        duplicates: Vec::new(),
        errors: Vec::new(),
    };
    let has_merge = raw_entries.iter().any(is_merge);
    // Small mappings (nearly all of them) are checked pairwise without allocating.
    if !has_merge && raw_entries.len() <= 16 {
        let mut dup_seen = false;
        for (i, e) in raw_entries.iter().enumerate() {
            let Some(k) = key_of(e) else { continue };
            if let Some(first) = raw_entries[..i].iter().find(|f| key_of(f) == Some(k)) {
                dup_seen = true;
                out.duplicates.push(DuplicateKey {
                    mapping: node,
                    first: first.key,
                    repeated: e.key,
                });
            }
        }
        if !dup_seen {
            return out;
        }
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(raw_entries.len());
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(raw_entries.len());
    let mut first_key: HashMap<&str, NodeId> = HashMap::new();
    let check_dups = has_merge || raw_entries.len() > 16;
    for e in raw_entries.iter().filter(|e| !is_merge(e)) {
        let Some(k) = key_of(e) else {
            entries.push(*e);
            continue;
        };
        match index.get(k) {
            Some(&i) => {
                if check_dups {
                    out.duplicates.push(DuplicateKey {
                        mapping: node,
                        first: first_key[k],
                        repeated: e.key,
                    });
                }
                entries[i] = *e;
            }
            None => {
                index.insert(k, entries.len());
                first_key.insert(k, e.key);
                entries.push(*e);
            }
        }
    }
    let merges: Vec<&Entry> = raw_entries.iter().filter(|e| is_merge(e)).collect();
    if check_dups {
        for pair in merges.windows(2) {
            out.duplicates.push(DuplicateKey {
                mapping: node,
                first: merges[0].key,
                repeated: pair[1].key,
            });
        }
    }
    'merges: for merge in merges.iter().rev() {
        let value = tree.resolve(merge.value);
        let sources: Vec<NodeId> = match &tree.node(value).kind {
            NodeKind::Mapping { .. } => vec![merge.value],
            NodeKind::Sequence { .. } => tree.items(value).to_vec(),
            _ => {
                out.errors.push(invalid_merge(tree, merge.value, "the value of a merge key \"<<\" must be a mapping, an alias of one, or a list of those"));
                continue;
            }
        };
        // Report problems where this mapping says them: at an item written in its own
        // `<<: [...]`, or at the alias when the whole list comes from elsewhere.
        let via_alias = tree.is_alias(merge.value);
        for source in sources {
            let at = if via_alias { merge.value } else { source };
            let target = tree.resolve(source);
            match tree.node(target).kind {
                NodeKind::Mapping { resolved, .. } if resolved.start == u32::MAX => {
                    out.errors.push(invalid_merge(
                        tree,
                        at,
                        "a merge key \"<<\" cannot merge a mapping into itself",
                    ));
                }
                NodeKind::Mapping { .. } => {
                    for e in tree.entries(target) {
                        let Some(k) = key_of(e) else { continue };
                        if index.contains_key(k) {
                            continue;
                        }
                        if *budget == 0 {
                            out.errors.push(SyntaxError {
                                kind: SyntaxErrorKind::MergeBudget,
                                span: tree.node(at).span,
                                message: "merge keys \"<<\" expand to too many entries; merging stopped here".into(),
                                parser_message: None,
                                open_flow: None,
                            });
                            break 'merges;
                        }
                        *budget -= 1;
                        index.insert(k, entries.len());
                        entries.push(Entry {
                            key: e.key,
                            value: e.value,
                            merged_from: Some(source),
                        });
                    }
                }
                _ => out.errors.push(invalid_merge(
                    tree,
                    at,
                    "a merge key \"<<\" can only merge mappings",
                )),
            }
        }
    }
    out.entries = Some(entries);
    out
}

fn invalid_merge(tree: &Tree, at: NodeId, message: &str) -> SyntaxError {
    SyntaxError {
        kind: SyntaxErrorKind::InvalidMerge,
        span: tree.node(at).span,
        message: message.into(),
        parser_message: None,
        open_flow: None,
    }
}

fn convert_style(style: SaphyrStyle) -> ScalarStyle {
    match style {
        SaphyrStyle::Plain => ScalarStyle::Plain,
        SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        SaphyrStyle::Literal => ScalarStyle::Literal,
        SaphyrStyle::Folded => ScalarStyle::Folded,
    }
}

/// A tag as users write it: `!reference`, `!!str`.
fn tag_text(tag: &Tag) -> Box<str> {
    match tag.handle.as_str() {
        "!" => format!("!{}", tag.suffix),
        "tag:yaml.org,2002:" => format!("!!{}", tag.suffix),
        handle => format!("{handle}{}", tag.suffix),
    }
    .into_boxed_str()
}

/// Converts saphyr's char indices to byte offsets. Events arrive nearly in order, so a
/// cursor walks forward (and rarely back) instead of counting from the start each time:
/// linear overall even for a 10 MB single-line file.
struct CharIndexer<'t> {
    text: &'t str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'t> CharIndexer<'t> {
    fn new(text: &'t str) -> CharIndexer<'t> {
        CharIndexer {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        if char_index < self.chars / 2 {
            self.chars = 0;
            self.bytes = 0;
        }
        while self.chars > char_index {
            let c = self.text[..self.bytes]
                .chars()
                .next_back()
                .expect("cursor past start");
            self.bytes -= c.len_utf8();
            self.chars -= 1;
        }
        let mut iter = self.text[self.bytes..].chars();
        while self.chars < char_index {
            match iter.next() {
                Some(c) => {
                    self.bytes += c.len_utf8();
                    self.chars += 1;
                }
                None => break,
            }
        }
        self.bytes
    }
}

/// The length of a quoted scalar's text up to and including its closing quote
/// (`"a\"b"`, `'it''s'`), or None when `text` is not a whole quoted scalar.
fn quoted_end(text: &str, style: ScalarStyle) -> Option<usize> {
    let quote = match style {
        ScalarStyle::DoubleQuoted => b'"',
        ScalarStyle::SingleQuoted => b'\'',
        _ => return None,
    };
    let bytes = text.as_bytes();
    if bytes.first() != Some(&quote) {
        return None;
    }
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => {
                // `''` inside single quotes is an escaped quote.
                if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}
