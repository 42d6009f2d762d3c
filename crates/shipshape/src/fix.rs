//! `--fix`: apply the fixes of an analysis to the files on disk, each file written
//! atomically (a temporary file beside it, then a rename) with its permissions kept.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use shipshape_linter::fix::apply_fixes;
use shipshape_linter::{Analysis, Fix};
use shipshape_yaml::FileId;

#[derive(Debug, Default)]
pub struct Outcome {
    pub fixes: usize,
    pub files: usize,
    pub errors: Vec<String>,
}

/// The fixes to apply, per file.
fn fixes_by_file(analysis: &Analysis, include_unsafe: bool) -> BTreeMap<FileId, Vec<&Fix>> {
    let mut by_file: BTreeMap<FileId, Vec<&Fix>> = BTreeMap::new();
    for d in &analysis.diagnostics {
        if let Some(fix) = &d.fix
            && (fix.safe || include_unsafe)
        {
            by_file.entry(d.file()).or_default().push(fix);
        }
    }
    by_file
}

/// The files the fixes change: (file, its new text, how many fixes).
pub fn plan(analysis: &Analysis, include_unsafe: bool) -> Vec<(FileId, String, usize)> {
    fixes_by_file(analysis, include_unsafe)
        .into_iter()
        .filter_map(|(id, fixes)| {
            let source = analysis.workspace.source(id);
            let (text, applied) = apply_fixes(&source.text, id, fixes);
            (applied > 0 && text != source.text).then_some((id, text, applied))
        })
        .collect()
}

/// `--diff`: the changes `--fix` would make, as a unified diff. Secrets are masked on
/// both sides (the fixes are applied to the masked text, which has the same byte
/// positions).
pub fn diff(analysis: &Analysis, include_unsafe: bool) -> String {
    let mut out = String::new();
    for (id, fixes) in fixes_by_file(analysis, include_unsafe) {
        let file = analysis.workspace.file(id);
        let source = &file.source;
        let before = shipshape_linter::secrets::masked_text(&source.text, &file.secrets);
        let (after, applied) = apply_fixes(&before, id, fixes);
        if applied == 0 || after == before {
            continue;
        }
        let diff = similar::TextDiff::from_lines(before.as_str(), after.as_str());
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", source.name), &format!("b/{}", source.name))
                .to_string(),
        );
    }
    out
}

pub fn apply(analysis: &Analysis, include_unsafe: bool) -> Outcome {
    let mut outcome = Outcome::default();
    for (id, text, applied) in plan(analysis, include_unsafe) {
        let source = analysis.workspace.source(id);
        match write_atomically(&source.path, text.as_bytes()) {
            Ok(()) => {
                outcome.fixes += applied;
                outcome.files += 1;
            }
            Err(err) => outcome.errors.push(format!(
                "{}: could not write the fixes: {}",
                source.name,
                shipshape_linter::discover::io_reason(&err)
            )),
        }
    }
    outcome
}

/// Replaces `path` by `bytes` so that a reader sees either the old or the new file,
/// never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.shipshape-{}.tmp", std::process::id()));
    let permissions = fs::metadata(path)?.permissions();
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::set_permissions(&tmp, permissions)?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
