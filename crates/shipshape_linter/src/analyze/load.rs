//! Stage 1: the files asked for, read through the project boundary and parsed in
//! parallel, classified by name and content, modelled.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use shipshape_model::FileKind;
use shipshape_model::compose;
use shipshape_model::kind::{classify_by_content, is_pipeline_content};
use shipshape_yaml::{FileId, SourceFile, parse_with};

use super::panic_message;
use crate::discover::{Input, io_reason};
use crate::fs::FileSystem;
use crate::pipelines::IncludeResolver;
use crate::settings::Settings;
use crate::workspace::{AnalyzedFile, Files, Unreadable};

/// What stage 1 returns.
pub(super) struct Loaded {
    pub files: Files,
    /// Named files that could not be read, one line each.
    pub errors: Vec<String>,
}

/// Loads the inputs (reported) and the context (not reported; a file named in both is
/// an input).
pub(super) fn inputs(
    inputs: Vec<Input>,
    context: Vec<Input>,
    settings: &Settings,
    fs: &dyn FileSystem,
) -> Loaded {
    let mut files = Files::default();
    let mut errors = Vec::new();
    add_files(&mut files, &mut errors, inputs, true, settings, fs);
    let context: Vec<Input> = context
        .into_iter()
        .filter(|i| !files.contains_path(&i.path))
        .collect();
    add_files(&mut files, &mut Vec::new(), context, false, settings, fs);
    Loaded { files, errors }
}

/// The roots of the project boundary (`fs::Bounded`): the configured project root, the
/// directories the user named, and each input's repository root (its nearest `.git` or
/// pipeline directory, else its own directory).
pub(super) fn project_roots(
    inputs: &[Input],
    context: &[Input],
    settings: &Settings,
    fs: &dyn FileSystem,
) -> Vec<PathBuf> {
    let resolver = IncludeResolver::new(fs, settings.project_root.as_deref());
    let dirs: BTreeSet<PathBuf> = inputs
        .iter()
        .chain(context)
        .filter_map(|i| i.path.parent())
        // From where the path says the file is (`a/..` folded), not from where its links
        // lead: `linked/compose.yaml`, through a committed link to a directory outside
        // the repository, must not make that directory a root.
        .map(crate::paths::normalize)
        // Below a directory being checked (itself a root), a file's repository root is
        // that directory's, or lies inside it: looked up once, from the directory, not
        // from each of 50,000 directories below it.
        .map(|dir| {
            settings
                .walked_above(&dir)
                .map(Path::to_path_buf)
                .unwrap_or(dir)
        })
        .collect();
    let mut roots: Vec<PathBuf> = settings
        .project_root
        .iter()
        .chain(&settings.report_under)
        .cloned()
        .collect();
    roots.par_extend(
        dirs.par_iter()
            .filter_map(|dir| resolver.roots(dir).into_iter().next()),
    );
    roots
}

/// Loads and parses inputs in parallel, gives them the next file ids, builds their models.
pub(super) fn add_files(
    files: &mut Files,
    errors: &mut Vec<String>,
    inputs: Vec<Input>,
    reported: bool,
    settings: &Settings,
    fs: &dyn FileSystem,
) {
    let loaded: Vec<Result<AnalyzedFile, String>> = inputs
        .into_par_iter()
        .map(|input| load(input, reported, settings, fs))
        .collect();
    let first_new = files.len();
    for result in loaded {
        match result {
            Ok(file) => {
                files.push(file);
            }
            Err(err) if reported => errors.push(err),
            Err(_) => {}
        }
    }
    files.as_mut_slice()[first_new..]
        .par_iter_mut()
        .for_each(build_models);
}

/// Reads and parses one input, and scans it for secrets while its tree is fresh in the
/// cache (scanned once every file was parsed, the walk over each tree was a tenth of a
/// run on 600,000 services, mostly waiting for memory). Which kind of file it turns out
/// to be later (a pipeline includes it) only changes `in_ci_script`, set in
/// `projects::workspace`.
fn load(
    input: Input,
    reported: bool,
    settings: &Settings,
    fs: &dyn FileSystem,
) -> Result<AnalyzedFile, String> {
    let mut file = read_and_parse(input, reported, settings, fs)?;
    file.secrets = crate::secrets::scan(&file.scanned(), &settings.secrets);
    Ok(file)
}

fn read_and_parse(
    mut input: Input,
    reported: bool,
    settings: &Settings,
    fs: &dyn FileSystem,
) -> Result<AnalyzedFile, String> {
    let limit = settings.max_file_size;
    let bytes = match input.content.take() {
        Some(bytes) => bytes,
        None => {
            let reason = |err: std::io::Error| format!("{}: {}", input.name, io_reason(&err));
            // One read, stopped one byte past the limit: a size asked first was a second
            // lookup of every file, for the rare one that is too large.
            fs.read(&input.path, limit).map_err(reason)?
        }
    };
    if bytes.len() as u64 > limit {
        let size = fs
            .len(&input.path)
            .map_or(bytes.len() as u64, |n| n.max(bytes.len() as u64));
        return Ok(too_large(input, reported, size, limit));
    }
    let kind_by_name = input.kind;
    let source = SourceFile::from_bytes(FileId(0), input.path, input.name, bytes);
    let mut file = AnalyzedFile {
        source,
        kind: kind_by_name.unwrap_or(FileKind::Yaml),
        yaml: None,
        unreadable: None,
        compose: None,
        dotenv: None,
        reported,
        secrets: Vec::new(),
        dollar_scalars: std::sync::OnceLock::new(),
    };
    if file.source.encoding_problem.is_some() {
        file.unreadable = Some(Unreadable::Encoding);
        blank_out(&mut file.source);
        return Ok(file);
    }
    if file.kind == FileKind::DotEnv {
        file.dotenv = Some(shipshape_model::dotenv::parse(&file.source.text));
        return Ok(file);
    }
    if let Some(template) = template_marker(&file.source.name, &file.source.text) {
        file.unreadable = Some(template);
        return Ok(file);
    }
    match catch_unwind(AssertUnwindSafe(|| {
        parse_with(&file.source.text, &settings.yaml_limits)
    })) {
        Ok(yaml) => {
            if kind_by_name.is_none() {
                file.kind = classify_by_content(&yaml.tree);
            } else if kind_by_name == Some(FileKind::Compose) && is_pipeline_content(&yaml.tree) {
                // Named like Compose, written as CI jobs: a pipeline fragment.
                file.kind = FileKind::GitlabCi;
            }
            file.yaml = Some(Box::new(yaml));
        }
        Err(panic) => {
            file.unreadable = Some(Unreadable::ParserCrash {
                message: panic_message(&panic),
            })
        }
    }
    Ok(file)
}

/// Keeps nothing of a file that is not text but its line structure: every character but
/// line breaks becomes spaces of the same byte length, so every offset and line stays
/// true and no snippet can show its content (`.env -> /proc/self/environ` is one "line"
/// of NUL-separated variables; an invalid-UTF-8 file may be anything).
fn blank_out(source: &mut SourceFile) {
    let blank: String = source
        .text
        .chars()
        .map(|c| match c {
            '\n' | '\r' => c.to_string(),
            _ => " ".repeat(c.len_utf8()),
        })
        .collect();
    let problem = source.encoding_problem.take();
    *source = SourceFile::new(
        source.id,
        std::mem::take(&mut source.path),
        std::mem::take(&mut source.name),
        blank,
    );
    source.encoding_problem = problem;
}

/// Whether the file is a template rather than YAML: it sits in a directory whose name is a
/// template expression (cookiecutter's `{{ cookiecutter.project_slug }}/`), or a line holds
/// a Jinja `{% ... %}` statement or an unquoted `{{ ... }}` where YAML expects a key or a
/// value. Quoted `"{{ .Names }}"` (Go templates in `docker ps --format`) are scalars.
fn template_marker(name: &str, text: &str) -> Option<Unreadable> {
    let in_template_dir = std::path::Path::new(name)
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .any(|c| {
            let c = c.as_os_str().to_string_lossy();
            c.contains("{{") && c.contains("}}")
        });
    if in_template_dir {
        return Some(Unreadable::Template {
            offset: 0,
            in_template_dir: true,
        });
    }
    if !text.contains("{{") && !text.contains("{%") {
        return None;
    }
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_start_matches([' ', '\t']);
        let body_start = line_start + (line.len() - body.len());
        let item = body.strip_prefix("- ").map_or(body, |b| b.trim_start());
        let item_start = body_start + (body.len() - item.len());
        let at = if item.starts_with("{%") || item.starts_with("{{") {
            Some(item_start)
        } else if !item.starts_with('#') {
            ["{{", "{%"].iter().find_map(|open| {
                [": ", ":\t"]
                    .iter()
                    .find_map(|sep| item.find(&format!("{sep}{open}")))
                    .map(|i| item_start + i + 2)
            })
        } else {
            None
        };
        if let Some(offset) = at {
            return Some(Unreadable::Template {
                offset,
                in_template_dir: false,
            });
        }
        line_start += line.len();
    }
    None
}

fn too_large(input: Input, reported: bool, size: u64, limit: u64) -> AnalyzedFile {
    AnalyzedFile {
        source: SourceFile::new(FileId(0), input.path, input.name, String::new()),
        kind: input.kind.unwrap_or(FileKind::Yaml),
        yaml: None,
        unreadable: Some(Unreadable::TooLarge { size, limit }),
        compose: None,
        dotenv: None,
        reported,
        secrets: Vec::new(),
        dollar_scalars: std::sync::OnceLock::new(),
    }
}

fn build_models(file: &mut AnalyzedFile) {
    if file.kind == FileKind::Compose
        && let Some(yaml) = &file.yaml
    {
        let id = file.source.id;
        let model = catch_unwind(AssertUnwindSafe(|| {
            compose::build(id, &file.source.text, yaml)
        }));
        file.compose = model.ok().map(Box::new);
    }
}
