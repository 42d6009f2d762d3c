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

pub fn apply(analysis: &Analysis, include_unsafe: bool) -> Outcome {
    let mut by_file: BTreeMap<FileId, Vec<&Fix>> = BTreeMap::new();
    for d in &analysis.diagnostics {
        if let Some(fix) = &d.fix
            && (fix.safe || include_unsafe)
        {
            by_file.entry(d.file()).or_default().push(fix);
        }
    }
    let mut outcome = Outcome::default();
    for (id, fixes) in by_file {
        let source = analysis.workspace.source(id);
        let (text, applied) = apply_fixes(&source.text, id, fixes);
        if applied == 0 || text == source.text {
            continue;
        }
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
