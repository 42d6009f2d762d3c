//! Stage 5: from what the rules found to what is reported.

use std::collections::HashMap;

use shipshape_yaml::FileId;

use crate::diagnostic::Diagnostic;
use crate::settings::Settings;
use crate::workspace::Workspace;

pub(super) struct Report {
    pub diagnostics: Vec<Diagnostic>,
    pub notices: Vec<String>,
}

/// Keeps the findings of reported files, applies ignore comments, merges the findings of
/// one cause, sorts, redacts secrets, and caps each file's findings.
pub(super) fn finish(ws: &Workspace, settings: &Settings, mut found: Vec<Diagnostic>) -> Report {
    found.retain(|d| ws.files.get(d.file().index()).is_some_and(|f| f.reported));
    crate::suppress::apply(ws, settings, &mut found);
    one_cause_one_finding(ws, &mut found);
    sort_and_dedup(ws, &mut found);
    redact_diagnostics(ws, &mut found);
    let notices = cap_per_file(ws, &mut found, settings.max_diagnostics_per_file);
    Report {
        diagnostics: found,
        notices,
    }
}

/// Where two findings count as the same place.
#[derive(Clone, Copy)]
enum SamePlace {
    Line,
    Span,
}

/// Rules that report one cause twice: where the first rule reports, the second's finding
/// at the same place is dropped (the first one explains it better), and the first takes
/// its severity when higher and its notes (the evidence: what Compose or the parser says).
/// When the first rule is off or suppressed there, the second still reports.
const SAME_CAUSE: &[(&str, &str, SamePlace)] = &[
    // A tab in indentation is also the parse error.
    ("tab-indentation", "yaml-syntax", SamePlace::Line),
    // `data/db:/data` is a path written without "./", not an undeclared volume "data/db"
    // (though Compose says so, and refuses the project).
    ("malformed-volume", "undefined-resource", SamePlace::Span),
];

fn one_cause_one_finding(ws: &Workspace, diags: &mut Vec<Diagnostic>) {
    let line = |d: &Diagnostic| {
        ws.files
            .get(d.file().index())
            .map(|f| f.source.line_col(d.primary.span.start as usize).line)
    };
    for &(first, second, place) in SAME_CAUSE {
        let at = |d: &Diagnostic| match place {
            SamePlace::Line => (d.file(), line(d), None),
            SamePlace::Span => (d.file(), None, Some(d.primary.span)),
        };
        let mut kept: HashMap<_, usize> = HashMap::new();
        for (i, d) in diags.iter().enumerate().filter(|(_, d)| d.rule == first) {
            kept.entry(at(d)).or_insert(i);
        }
        if kept.is_empty() {
            continue;
        }
        let mut dropped = vec![false; diags.len()];
        for i in 0..diags.len() {
            let Some(&k) = (diags[i].rule == second)
                .then(|| kept.get(&at(&diags[i])))
                .flatten()
            else {
                continue;
            };
            dropped[i] = true;
            let (severity, notes) = (diags[i].severity, diags[i].notes.clone());
            let keeper = &mut diags[k];
            keeper.severity = keeper.severity.max(severity);
            for note in notes {
                if !keeper.notes.contains(&note) {
                    keeper.notes.push(note);
                }
            }
        }
        let mut i = 0;
        diags.retain(|_| {
            i += 1;
            !dropped[i - 1]
        });
    }
}

fn sort_and_dedup(ws: &Workspace, diags: &mut Vec<Diagnostic>) {
    diags.sort_by(order(ws));
    diags.dedup_by(|a, b| a.rule == b.rule && a.primary == b.primary && a.message == b.message);
}

/// The order of a report: by file name, offset, rule.
pub(super) fn order(ws: &Workspace) -> impl Fn(&Diagnostic, &Diagnostic) -> std::cmp::Ordering {
    let name = |d: &Diagnostic| {
        ws.files
            .get(d.file().index())
            .map_or("", |f| f.source.name.as_str())
    };
    move |a, b| {
        name(a)
            .cmp(name(b))
            .then(a.primary.span.start.cmp(&b.primary.span.start))
            .then(a.rule.cmp(&b.rule))
            .then(a.primary.span.end.cmp(&b.primary.span.end))
            .then(a.message.cmp(&b.message))
    }
}

/// Redaction at the edge: every secret the scan found in a file a finding points at is
/// replaced by its redacted form (`gl…Xy`) in the finding's message, labels, notes and
/// help, whichever rule wrote them (`unresolved-include` names a remote URL as written).
fn redact_diagnostics(ws: &Workspace, diagnostics: &mut [Diagnostic]) {
    for d in diagnostics.iter_mut() {
        let mut secrets: Vec<&str> = std::iter::once(d.primary.file)
            .chain(d.secondary.iter().map(|l| l.file))
            .filter_map(|f| ws.files.get(f.index()))
            .flat_map(|f| {
                f.secrets
                    .iter()
                    .filter_map(|s| f.source.text.get(s.span.range()))
            })
            .filter(|s| s.len() >= 4)
            .collect();
        if secrets.is_empty() {
            continue;
        }
        // Longest first: a secret that contains another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        let clean = |text: &mut String| {
            for secret in &secrets {
                if text.contains(secret) {
                    *text = text.replace(secret, &shipshape_model::secrets::redact(secret));
                }
            }
        };
        clean(&mut d.message);
        clean(&mut d.primary.message);
        for label in &mut d.secondary {
            clean(&mut label.message);
        }
        for note in &mut d.notes {
            clean(note);
        }
        if let Some(help) = &mut d.help {
            clean(help);
        }
    }
}

/// Keeps the first `max` findings of each file, top of the file first: a generated file
/// with a finding on every line must not flood a terminal, a CI log or an editor. Says
/// how many were left out, per file. `diagnostics` are sorted by file.
fn cap_per_file(ws: &Workspace, diagnostics: &mut Vec<Diagnostic>, max: usize) -> Vec<String> {
    let mut per_file: Vec<(FileId, usize)> = Vec::new();
    diagnostics.retain(|d| {
        match per_file.last_mut() {
            Some((file, n)) if *file == d.file() => *n += 1,
            _ => per_file.push((d.file(), 1)),
        }
        per_file.last().is_some_and(|&(_, n)| n <= max)
    });
    per_file
        .into_iter()
        .filter(|&(_, n)| n > max)
        .map(|(file, n)| {
            format!(
                "{}: {} more findings not shown; at most {max} per file are reported \
                 (max-diagnostics-per-file in shipshape.toml)",
                ws.file(file).source.name,
                n - max
            )
        })
        .collect()
}
