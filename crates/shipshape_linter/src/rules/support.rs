//! Small things several rules need.

use shipshape_model::schema::{SchemaError, SchemaErrorKind};
use shipshape_yaml::{FileId, NodeId, NodeKind, Span, Tree};

use shipshape_model::gitlab::Origin;

use crate::diagnostic::{Diagnostic, Edit, Fix};

use crate::rule::{PipelineContext, Sink};
use crate::workspace::AnalyzedFile;

/// The span of the key a node is the value of (its own span when it is not a value).
pub fn key_span(tree: &Tree, node: NodeId) -> Span {
    let Some(parent) = tree.parent(node) else {
        return tree.node(node).span;
    };
    if let NodeKind::Mapping { .. } = tree.node(parent).kind
        && let Some(e) = tree.raw_entries(parent).iter().find(|e| e.value == node)
    {
        return tree.node(e.key).span;
    }
    tree.node(node).span
}

/// `"a", "b" and "c"`
pub fn quoted_and(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "did you mean \"x\"?" for the nearest candidate, if one is near enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    crate::text::nearest(name, candidates).map(|n| format!("did you mean \"{n}\"?"))
}

/// The did-you-mean as an unsafe fix: replace the misspelt `written` name at `span` with
/// `meant`. Unsafe because the suggestion is a guess at what the author meant. None when
/// the text at `span` is not the name alone (plain, or in one pair of quotes), or when
/// `meant` would need quotes the name did not have: the edit must never change the YAML
/// around the name.
pub fn rename_fix(text: &str, file: FileId, span: Span, written: &str, meant: &str) -> Option<Fix> {
    let at = text.get(span.start as usize..span.end as usize)?;
    let inner = if at == written {
        if !is_plain_safe(meant) {
            return None;
        }
        span
    } else if (at == format!("\"{written}\"") || at == format!("'{written}'"))
        && !meant.contains(['"', '\'', '\\'])
    {
        Span::new(span.start as usize + 1, span.end as usize - 1)
    } else {
        return None;
    };
    Some(Fix {
        safe: false,
        description: format!("replace \"{written}\" with \"{meant}\""),
        edits: vec![Edit {
            file,
            span: inner,
            text: meant.to_string(),
        }],
    })
}

/// `did you mean "meant"?` on `d`, with the unsafe fix that writes `meant` over the
/// misspelt `written` name at `origin` in the pipeline's files, where [`rename_fix`] can
/// (None: the help alone).
pub fn suggest_rename(
    d: &mut Diagnostic,
    cx: &PipelineContext<'_>,
    origin: Option<Origin>,
    written: &str,
    meant: &str,
) {
    d.help(format!("did you mean \"{meant}\"?"));
    let fix = origin.and_then(|o| rename_fix(cx.text(o.file), o.file, cx.span(o), written, meant));
    if let Some(fix) = fix {
        d.fix(fix);
    }
}

/// A name that reads the same as a plain YAML scalar wherever a plain name stood (a
/// mapping key, a list item, a value): letters, digits and `_ . - /`, not starting with
/// an indicator.
fn is_plain_safe(name: &str) -> bool {
    // A hidden template's leading dot is fine (`.tmpl`).
    let body = name.strip_prefix('.').unwrap_or(name);
    !body.is_empty()
        && !body.starts_with(['-', '.', '/'])
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c))
}

/// What a schema finding says, in the words of the tool whose rules it checks (Compose's,
/// or GitLab's own error strings).
#[derive(Default)]
pub struct SchemaWording {
    pub message: String,
    pub label: Option<String>,
    pub note: Option<String>,
    pub help: Option<String>,
}

/// Reports one schema finding (`compose-schema`, `gitlab-schema`) in the words `wording`
/// gives it (None: not reported), at the node (a missing key: at its parent's key; an
/// empty file: at its start), with the alias that merged it in. Findings that conclude
/// from an absence (a missing key, an empty file) are skipped when the file did not parse
/// to its end.
pub fn report_schema_error<'s>(
    sink: &'s mut Sink<'_>,
    file: &AnalyzedFile,
    err: &SchemaError,
    wording: fn(&SchemaError) -> Option<SchemaWording>,
) -> Option<&'s mut crate::diagnostic::Diagnostic> {
    let yaml = file.yaml.as_ref()?;
    let tree = &yaml.tree;
    let from_absence = matches!(
        err.kind,
        SchemaErrorKind::MissingKey { .. } | SchemaErrorKind::EmptyFile
    );
    if from_absence && !yaml.is_complete() {
        return None;
    }
    let w = wording(err)?;
    let span = match err.kind {
        SchemaErrorKind::MissingKey { .. } => key_span(tree, err.node),
        SchemaErrorKind::EmptyFile => Span::empty(0),
        _ => tree.node(err.node).span,
    };
    let id = file.id();
    let d = sink.report(id, span, w.message);
    if let Some(label) = w.label {
        d.label(label);
    }
    if let Some(note) = w.note {
        d.note(note);
    }
    if let Some(help) = w.help {
        d.help(help);
    }
    if let Some(via) = err.merged_from {
        d.secondary(id, tree.node(via).span, "merged here");
    }
    Some(d)
}
