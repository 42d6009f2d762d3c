//! only-keyword-typo: an `only`/`except` ref that is a near miss of one of GitLab's special
//! words (`merge-requests`, `tag`, `branch`...), and so is compared literally with branch
//! and tag names: the job silently never (or always) runs. `merge_request`, `push`,
//! `schedule` and the other pipeline sources minus `_event` are not typos: GitLab matches
//! them, singular or plural (SPEC-domain B7).

use shipshape_model::gitlab::include::documents;
use shipshape_model::gitlab::keywords::{PIPELINE_SOURCES, REF_KEYWORDS, is_special_ref};
use shipshape_yaml::{NodeId, Tree};

use crate::diagnostic::{Edit, Fix, Severity};
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "only-keyword-typo",
    group: Group::Gitlab,
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    summary: "an `only`/`except` ref is a near miss of a special keyword and is compared literally",
    doc: include_str!("../../../rule-docs/only-keyword-typo/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let Some(tree) = file.tree() else { return };
    let Some(root) = documents(tree).0.filter(|&r| tree.is_mapping(r)) else {
        return;
    };
    for job in tree.entries(root) {
        for key in ["only", "except"] {
            let Some(filter) = tree.value(job.value, key) else {
                continue;
            };
            for node in refs(tree, filter) {
                let Some(word) = tree.scalar(node) else {
                    continue;
                };
                if let Some(typo) = near_miss(word) {
                    report(sink, file, tree, node, key, word, &typo);
                }
            }
        }
    }
}

/// The ref entries of an `only`/`except` value: the list itself, or its `refs:`.
fn refs(tree: &Tree, filter: NodeId) -> Vec<NodeId> {
    let list = if tree.is_mapping(filter) {
        match tree.value(filter, "refs") {
            Some(r) => r,
            None => return Vec::new(),
        }
    } else {
        filter
    };
    if tree.is_sequence(list) {
        tree.items(list).to_vec()
    } else {
        vec![list]
    }
}

/// What a near miss should have been, and whether that is certain (then the fix is safe).
#[derive(Debug, PartialEq)]
struct Typo {
    meant: String,
    certain: bool,
}

/// The special words in their documented form: the keywords and the plural of each
/// pipeline source minus `_event`.
fn special_words() -> impl Iterator<Item = String> {
    REF_KEYWORDS.iter().map(|k| k.to_string()).chain(
        PIPELINE_SOURCES
            .iter()
            .map(|s| s.strip_suffix("_event").unwrap_or(s))
            .filter(|s| {
                !REF_KEYWORDS
                    .iter()
                    .any(|k| k.strip_suffix('s') == Some(s) || k == s)
            })
            .map(str::to_string),
    )
}

/// Single words that, as a part of a ref such as `master_branches`, show that a special
/// word was meant (they are not what branch names are made of).
const TELLING_PARTS: &[&str] = &[
    "branches",
    "tags",
    "merge_request",
    "merge_requests",
    "schedule",
    "schedules",
    "pipelines",
    "pushes",
    "triggers",
];

fn near_miss(word: &str) -> Option<Typo> {
    let word = word.trim();
    // `pattern@group/project` restricts a pattern to a project.
    let word = word.split_once('@').map_or(word, |(w, _)| w);
    if word.is_empty()
        || word.starts_with('/')
        || is_special_ref(word)
        || shipshape_model::interpolation::is_dynamic(word)
    {
        return None;
    }
    let certain = |meant: &str| {
        Some(Typo {
            meant: plural(meant),
            certain: true,
        })
    };
    // Case, dashes, spaces: `Merge-Requests`.
    let normal: String = word
        .to_ascii_lowercase()
        .chars()
        .map(|c| if matches!(c, '-' | ' ' | '.') { '_' } else { c })
        .collect();
    if is_special_ref(&normal) {
        return certain(&normal);
    }
    // Underscores dropped: `mergerequests`.
    let squashed = normal.replace('_', "");
    if let Some(w) = special_words()
        .find(|w| w.replace('_', "") == squashed || format!("{}s", w.replace('_', "")) == squashed)
    {
        return certain(&w);
    }
    // Singular of a plural keyword: `tag`, `branch`.
    if let Some(k) = REF_KEYWORDS
        .iter()
        .find(|k| **k == format!("{normal}s") || **k == format!("{normal}es"))
    {
        return certain(k);
    }
    // The source's full name: `merge_request_event(s)`, `push_event`.
    if let Some(base) = normal
        .strip_suffix("_events")
        .or_else(|| normal.strip_suffix("_event"))
        && is_special_ref(base)
    {
        return certain(base);
    }
    // A slip of a letter or two in a long word: `brances`, `merge_reqests`.
    if normal.len() >= 6
        && let Some(w) = crate::text::nearest(
            &normal,
            special_words()
                .filter(|w| w.len() >= 6)
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        )
    {
        return Some(Typo {
            meant: plural(w),
            certain: false,
        });
    }
    // A special word inside a longer ref: `master_branches`, `schedule_pipelines`.
    let parts: Vec<&str> = normal.split('_').collect();
    if parts.len() >= 2 {
        let pairs = parts.windows(2).map(|pair| pair.join("_"));
        let singles = parts.iter().map(|p| p.to_string());
        if let Some(part) = pairs
            .chain(singles)
            .find(|p| TELLING_PARTS.contains(&p.as_str()))
        {
            return Some(Typo {
                meant: plural(&part),
                certain: false,
            });
        }
    }
    None
}

/// The documented (plural) form of a special word: `merge_request` -> `merge_requests`.
fn plural(word: &str) -> String {
    if REF_KEYWORDS.contains(&word) {
        return word.to_string();
    }
    for form in [format!("{word}s"), format!("{word}es")] {
        if REF_KEYWORDS.contains(&form.as_str()) {
            return form;
        }
    }
    word.to_string()
}

fn report(
    sink: &mut Sink<'_>,
    file: &AnalyzedFile,
    tree: &Tree,
    node: NodeId,
    key: &str,
    word: &str,
    typo: &Typo,
) {
    let span = tree.value_subspan(&file.source.text, node, 0..word.len());
    let effect = if key == "only" {
        "the job runs only for a branch or tag of that exact name"
    } else {
        "the job is left out only for a branch or tag of that exact name"
    };
    let d = sink.report(
        file.id(),
        span,
        format!(
            "\"{word}\" in `{key}` is not a special keyword; GitLab compares it literally with ref names"
        ),
    );
    d.label(format!("did you mean \"{}\"?", typo.meant))
        .note(format!(
            "as written, {effect}; \"{}\" matches every pipeline of that kind",
            typo.meant
        ))
        .fix(Fix {
            safe: typo.certain,
            description: format!("replace \"{word}\" with \"{}\"", typo.meant),
            edits: vec![Edit {
                file: file.id(),
                span,
                text: typo.meant.clone(),
            }],
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meant(word: &str) -> Option<String> {
        near_miss(word).map(|t| t.meant)
    }

    #[test]
    fn near_misses_and_real_names() {
        for ok in [
            "merge_request",
            "merge_requests",
            "push",
            "pushes",
            "schedule",
            "schedules",
            "tags",
            "branches",
            "web",
            "api",
            "main",
            "master",
            "dev",
            "develop",
            "release",
            "/^release-.*$/",
            "main@group/project",
            "stable",
            "production",
            "feature_x",
            "external_pull_requests",
            "pipelines",
            "triggers",
            "trigger",
        ] {
            assert_eq!(meant(ok), None, "{ok}");
        }
        assert_eq!(meant("merge-requests").as_deref(), Some("merge_requests"));
        assert_eq!(meant("mergerequests").as_deref(), Some("merge_requests"));
        assert_eq!(meant("Merge_Requests").as_deref(), Some("merge_requests"));
        assert_eq!(meant("tag").as_deref(), Some("tags"));
        assert_eq!(meant("branch").as_deref(), Some("branches"));
        assert_eq!(
            meant("merge_request_events").as_deref(),
            Some("merge_requests")
        );
        assert_eq!(meant("brances").as_deref(), Some("branches"));
        assert_eq!(meant("schedule_pipelines").as_deref(), Some("schedules"));
        assert_eq!(meant("master_branches").as_deref(), Some("branches"));
        assert!(near_miss("merge-requests").unwrap().certain);
        assert!(!near_miss("brances").unwrap().certain);
    }
}
