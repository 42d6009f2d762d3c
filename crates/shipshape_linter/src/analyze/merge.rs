//! One report from several analyses. `shipshape check` analyses the files of each
//! configuration (the nearest `shipshape.toml`, `configs`) apart, with that
//! configuration's settings, and reports them as one: every file once, the findings in
//! one order, `--fix` over all of them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use shipshape_yaml::FileId;

use super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::workspace::{AnalyzedFile, Workspace};

/// What [`merge`] returns.
#[derive(Debug)]
pub struct Merged {
    pub analysis: Analysis,
    /// For each of `analysis.diagnostics`, the index of the part it came from (whose
    /// configuration's `fail-on` it is held to).
    pub part_of: Vec<usize>,
}

/// The analyses `parts` as one. A file that more than one part reports (a part loaded
/// another's file as a related one, under a directory the user named) keeps the findings
/// of the part `owner` gives its path when that part reports it, else of the first part
/// that does: no finding is reported twice, nor under two configurations.
///
/// The merged workspace holds the files (each once, numbered in path order; where parts
/// loaded one file each, the copy that reports it, masking the secrets every copy
/// found) and what the analyses found on disk (`paths`, `dockerfiles`, the project
/// roots): what a report and `--fix` read. The files' Compose models are left out (their
/// locations number the files of their own analysis), and so are the projects and
/// pipelines: the commands that draw those (`graph`, `pipeline`) run one analysis.
pub fn merge(parts: Vec<Analysis>, owner: &dyn Fn(&Path) -> Option<usize>) -> Merged {
    if parts.len() == 1 {
        let analysis = parts.into_iter().next().expect("one part");
        let part_of = vec![0; analysis.diagnostics.len()];
        return Merged { analysis, part_of };
    }
    let reporter = reporters(&parts, owner);
    let mut workspace = Workspace::default();
    let mut errors = Vec::new();
    let mut notices: Vec<String> = Vec::new();
    let mut kept: Vec<(Diagnostic, usize)> = Vec::new();
    // Every part's files with their part, in part order. A walk analysed in parts has
    // a copy of most files once, so they are sorted by path here rather than grouped in
    // a map of lists (a list per file: four slots of a file each, 3.7 KB).
    let total = parts.iter().map(|p| p.workspace.files.len()).sum();
    let mut copies: Vec<Option<(usize, AnalyzedFile)>> = Vec::with_capacity(total);
    for (i, part) in parts.into_iter().enumerate() {
        let Analysis {
            workspace: ws,
            diagnostics,
            errors: part_errors,
            notices: part_notices,
        } = part;
        kept.extend(
            diagnostics
                .into_iter()
                .filter(|d| reporter.get(&ws.source(d.file()).path) == Some(&i))
                .map(|d| (d, i)),
        );
        errors.extend(part_errors);
        for notice in part_notices {
            if !notices.contains(&notice) {
                notices.push(notice);
            }
        }
        workspace.paths.extend(ws.paths);
        workspace.missing_env_files.extend(ws.missing_env_files);
        workspace.dockerfiles.extend(ws.dockerfiles);
        workspace.project_roots.extend(ws.project_roots);
        copies.extend(ws.files.into_vec().into_iter().map(|file| Some((i, file))));
    }
    workspace.project_roots.sort();
    workspace.project_roots.dedup();
    let path_of = |i: usize| &copies[i].as_ref().expect("not taken yet").1.source.path;
    let mut order: Vec<usize> = (0..copies.len()).collect();
    // Stable: the copies of one path stay in part order. In parallel, as the sort of the
    // findings below: 100,000 paths compared component by component are a tenth of a
    // second on one thread.
    order.par_sort_by(|&a, &b| path_of(a).cmp(path_of(b)));
    let mut runs: Vec<&[usize]> = order.chunk_by(|&a, &b| path_of(a) == path_of(b)).collect();
    let mut new_id: HashMap<(usize, FileId), FileId> = HashMap::with_capacity(total);
    workspace.files.reserve(runs.len());
    for run in runs.drain(..) {
        let mut list: Vec<(usize, AnalyzedFile)> = run
            .iter()
            .map(|&c| copies[c].take().expect("each copy is taken once"))
            .collect();
        let path = &list[0].1.source.path;
        let pick = reporter
            .get(path)
            .and_then(|r| list.iter().position(|(i, f)| i == r && f.reported))
            .unwrap_or(0);
        let (part, mut file) = list.swap_remove(pick);
        let old_ids: Vec<(usize, FileId)> = std::iter::once((part, file.id()))
            .chain(list.iter().map(|(i, f)| (*i, f.id())))
            .collect();
        // A secret one configuration allows is still one to the others' reports.
        for (_, other) in list {
            for secret in other.secrets {
                if !file.secrets.iter().any(|s| s.span == secret.span) {
                    file.secrets.push(secret);
                }
            }
        }
        file.compose = None;
        let id = workspace.files.push(file);
        new_id.extend(old_ids.into_iter().map(|old| (old, id)));
    }
    for (d, part) in &mut kept {
        renumber(d, &|file| new_id[&(*part, file)]);
    }
    {
        let order = super::report::order(&workspace);
        kept.par_sort_by(|a, b| order(&a.0, &b.0));
    }
    let (diagnostics, part_of) = kept.into_iter().unzip();
    Merged {
        analysis: Analysis {
            workspace,
            diagnostics,
            errors,
            notices,
        },
        part_of,
    }
}

/// Which part reports each reported path: the owner's when it does, else the first.
fn reporters(
    parts: &[Analysis],
    owner: &dyn Fn(&Path) -> Option<usize>,
) -> HashMap<PathBuf, usize> {
    let mut reporter: HashMap<PathBuf, usize> = HashMap::new();
    for (i, part) in parts.iter().enumerate() {
        for file in part.workspace.files.iter().filter(|f| f.reported) {
            let path = &file.source.path;
            if !reporter.contains_key(path) || owner(path) == Some(i) {
                reporter.insert(path.clone(), i);
            }
        }
    }
    reporter
}

/// Every file id of a finding (its labels, its fix's edits) through `new`.
fn renumber(d: &mut Diagnostic, new: &dyn Fn(FileId) -> FileId) {
    d.primary.file = new(d.primary.file);
    for label in &mut d.secondary {
        label.file = new(label.file);
    }
    for edit in d.fix.iter_mut().flat_map(|f| &mut f.edits) {
        edit.file = new(edit.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::Input;
    use crate::settings::Settings;
    use crate::{FileKind, analyze_with};

    fn input(path: &str, text: &str) -> Input {
        Input {
            path: PathBuf::from(path),
            name: path.trim_start_matches("/repo/").into(),
            content: Some(text.as_bytes().to_vec()),
            kind: Some(FileKind::Compose),
        }
    }

    fn rules(a: &Analysis) -> Vec<(String, String)> {
        a.diagnostics
            .iter()
            .map(|d| {
                (
                    a.workspace.source(d.file()).name.clone(),
                    d.rule.as_str().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn parts_become_one_report_in_path_order_with_their_own_settings() {
        let tagless = "services:\n  web:\n    image: nginx\n";
        let mut quiet = Settings::default();
        quiet.rules.set("image-tag", None).unwrap();
        let b = analyze_with(
            vec![input("/repo/b/compose.yaml", tagless)],
            &Settings::default(),
            &crate::fs::OsFs,
        );
        let a = analyze_with(
            vec![
                input("/repo/a/compose.yaml", tagless),
                input("/repo/c/compose.yaml", tagless),
            ],
            &quiet,
            &crate::fs::OsFs,
        );
        let merged = merge(vec![a, b], &|_| None);
        let analysis = &merged.analysis;
        assert_eq!(
            rules(analysis),
            [("b/compose.yaml".to_string(), "image-tag".to_string())]
        );
        assert_eq!(merged.part_of, [1]);
        let names: Vec<&str> = analysis
            .workspace
            .files
            .iter()
            .map(|f| f.source.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["a/compose.yaml", "b/compose.yaml", "c/compose.yaml"]
        );
        for (i, f) in analysis.workspace.files.iter().enumerate() {
            assert_eq!(f.id().index(), i, "ids are the new numbering");
        }
    }

    #[test]
    fn a_file_two_parts_report_keeps_its_owners_findings_once() {
        let tagless = "services:\n  web:\n    image: nginx\n";
        let mut quiet = Settings::default();
        quiet.rules.set("image-tag", None).unwrap();
        let loud = || {
            analyze_with(
                vec![input("/repo/compose.yaml", tagless)],
                &Settings::default(),
                &crate::fs::OsFs,
            )
        };
        let silent = || {
            analyze_with(
                vec![input("/repo/compose.yaml", tagless)],
                &quiet,
                &crate::fs::OsFs,
            )
        };
        // The owner reports it: its (lack of) findings win.
        let merged = merge(vec![loud(), silent()], &|_| Some(1));
        assert!(merged.analysis.diagnostics.is_empty());
        assert_eq!(merged.analysis.workspace.files.len(), 1);
        // No owner among the parts: the first part's.
        let merged = merge(vec![loud(), silent()], &|_| None);
        assert_eq!(
            rules(&merged.analysis),
            [("compose.yaml".to_string(), "image-tag".to_string())]
        );
    }
}
