//! Completion where it is cheap and certain: job names in `needs`, `dependencies` and
//! `extends`, stage names in `stage`, service names in `depends_on`, rule names in ignore
//! comments. The context is read from the text around the cursor (the file is often
//! mid-edit and does not parse), the names from the last analysis.

use lsp_types::{CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse};
use serde_json::Value as Json;
use shipshape_linter::{FileKind, RULES};

use crate::convert;
use crate::server::Snapshot;

/// What the cursor is completing.
#[derive(Debug, PartialEq, Eq)]
enum Slot {
    Jobs,
    Templates,
    Stages,
    Services,
    Rules,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The key a line starts, `- key:` included.
fn key_of(line: &str) -> Option<String> {
    let t = line.trim_start().trim_start_matches("- ");
    let (k, _) = t.split_once(':')?;
    let k = k.trim().trim_matches(['"', '\'']);
    (!k.is_empty() && !k.contains(' ')).then(|| k.to_string())
}

/// The keys from the document root to the value the cursor is in, innermost last:
/// `key:` on the cursor's line, else the nearest line above with less indentation (for
/// list items), then each less indented key above that.
fn key_path(text: &str, offset: usize) -> Vec<String> {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = &before[line_start..];
    let mut path = Vec::new();
    let mut own = indent(line);
    // `needs: [a, b` / `stage: te` on the same line.
    if let Some((k, rest)) = line.trim_start().trim_start_matches("- ").split_once(':')
        && !rest.contains(':')
        && !k.trim().is_empty()
    {
        path.push(k.trim().trim_matches(['"', '\'']).to_string());
    }
    for l in before[..line_start].lines().rev() {
        if own == 0 {
            break;
        }
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let first = path.is_empty();
        if indent(l) < own || (first && indent(l) == own && !l.trim_start().starts_with('-')) {
            let Some(k) = key_of(l) else { break };
            path.push(k);
            own = indent(l);
        }
    }
    path.reverse();
    path
}

fn slot(kind: FileKind, text: &str, offset: usize) -> Option<Slot> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    if let Some(at) = line.find("shipshape: ignore")
        && line[at..].contains('[')
        && !line[at..].contains(']')
    {
        return Some(Slot::Rules);
    }
    match (kind, key_path(text, offset).last()?.as_str()) {
        (FileKind::GitlabCi, "needs" | "dependencies" | "job") => Some(Slot::Jobs),
        (FileKind::GitlabCi, "extends") => Some(Slot::Templates),
        (FileKind::GitlabCi, "stage") => Some(Slot::Stages),
        (FileKind::Compose, "depends_on") => Some(Slot::Services),
        _ => None,
    }
}

pub fn completion(snapshot: &Snapshot, params: Json) -> Result<Json, String> {
    let p: CompletionParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
    let tdp = p.text_document_position;
    let Some(file) = snapshot.file_of(&tdp.text_document.uri) else {
        return Ok(Json::Null);
    };
    let ws = &snapshot.analysis.workspace;
    let f = ws.file(file);
    let offset = convert::offset(&f.source.text, tdp.position);
    let Some(slot) = slot(f.kind, &f.source.text, offset) else {
        return Ok(Json::Null);
    };
    let item = |label: &str, kind: CompletionItemKind, detail: String| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail),
        ..CompletionItem::default()
    };
    // The job or service being written: it does not need, extend or depend on itself.
    let path = key_path(&f.source.text, offset);
    let own = match f.kind {
        FileKind::Compose => path.get(1),
        _ => path.first(),
    };
    let mut items: Vec<CompletionItem> = Vec::new();
    let pipelines = ws
        .pipelines
        .iter()
        .filter(|p| p.model.files.contains(&file));
    match slot {
        Slot::Rules => {
            items.extend(
                RULES
                    .iter()
                    .map(|r| item(r.name, CompletionItemKind::KEYWORD, r.summary.to_string())),
            );
        }
        Slot::Jobs | Slot::Templates | Slot::Stages => {
            for p in pipelines {
                match slot {
                    Slot::Stages => items.extend(
                        p.model
                            .stages
                            .iter()
                            .map(|(s, _)| item(s, CompletionItemKind::ENUM_MEMBER, "stage".into())),
                    ),
                    Slot::Jobs => {
                        // A job needs jobs of its own or an earlier stage.
                        let stage_index =
                            |stage: &str| p.model.stages.iter().position(|(s, _)| s == stage);
                        let own_stage = own
                            .and_then(|name| p.model.job(name))
                            .and_then(|j| stage_index(&j.stage().0));
                        items.extend(
                            p.model
                                .visible_jobs()
                                .filter(|j| Some(&j.name) != own)
                                .filter(|j| {
                                    own_stage.is_none_or(|o| {
                                        stage_index(&j.stage().0).is_none_or(|s| s <= o)
                                    })
                                })
                                .map(|j| {
                                    item(
                                        &j.name,
                                        CompletionItemKind::FUNCTION,
                                        format!("job, stage {}", j.stage().0),
                                    )
                                }),
                        )
                    }
                    _ => items.extend(p.model.jobs.iter().filter(|j| Some(&j.name) != own).map(
                        |j| {
                            let what = if j.hidden { "template" } else { "job" };
                            item(&j.name, CompletionItemKind::FUNCTION, what.into())
                        },
                    )),
                }
            }
        }
        Slot::Services => {
            for project in ws
                .compose_projects
                .iter()
                .filter(|p| p.files.contains(&file))
            {
                items.extend(
                    project
                        .services
                        .iter()
                        .filter(|s| Some(&s.name) != own)
                        .map(|s| {
                            let detail = s.image.as_ref().map_or("service".into(), |i| {
                                format!("service, image {}", i.value)
                            });
                            item(&s.name, CompletionItemKind::CLASS, detail)
                        }),
                );
            }
        }
    }
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items.dedup_by(|a, b| a.label == b.label);
    Ok(serde_json::to_value(CompletionResponse::Array(items)).expect("serializes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_from_the_text_around_the_cursor() {
        let ci = "build:\n  script: make\ntest:\n  needs: [bu\n  stage: te\n  extends:\n    - .t\n";
        let at = |s: &str| ci.find(s).unwrap() + s.len();
        assert_eq!(
            slot(FileKind::GitlabCi, ci, at("needs: [bu")),
            Some(Slot::Jobs)
        );
        assert_eq!(
            slot(FileKind::GitlabCi, ci, at("stage: te")),
            Some(Slot::Stages)
        );
        assert_eq!(
            slot(FileKind::GitlabCi, ci, at("- .t")),
            Some(Slot::Templates)
        );
        assert_eq!(slot(FileKind::GitlabCi, ci, at("script: ma")), None);
        let compose = "services:\n  web:\n    depends_on:\n      - d\n";
        assert_eq!(
            slot(FileKind::Compose, compose, compose.len() - 1),
            Some(Slot::Services)
        );
        assert_eq!(key_path(ci, at("needs: [bu")), ["test", "needs"]);
        assert_eq!(key_path(ci, at("- .t")), ["test", "extends"]);
        assert_eq!(
            key_path(compose, compose.len() - 1),
            ["services", "web", "depends_on"]
        );
        let comment = "x: 1 # shipshape: ignore[dup";
        assert_eq!(
            slot(FileKind::Compose, comment, comment.len()),
            Some(Slot::Rules)
        );
    }
}
