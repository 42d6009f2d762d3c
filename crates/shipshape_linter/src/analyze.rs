//! The pipeline: load and parse every file in parallel, model it, load the files the models
//! refer to, group Compose projects, run the rules, keep the findings of reported files,
//! sort.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use shipshape_model::FileKind;
use shipshape_model::compose::{self, ComposeFile, EnvSource, Project};
use shipshape_model::kind::{classify_by_content, is_pipeline_content};
use shipshape_yaml::{FileId, SourceFile, Span, parse_with};

use crate::compose_runs::{BASE_NAMES, OVERRIDE_NAMES};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::discover::{Input, io_reason};
use crate::fs::{FileSystem, OsFs};
use crate::pipelines::{IncludeResolver, PendingInclude, ROOT_NAMES, Target};
use crate::registry::RULES;
use crate::rule::{Check, ComposeContext, PipelineContext, Rule, Sink};
use crate::settings::Settings;
use crate::workspace::{AnalyzedFile, Unreadable, Workspace, dockerfile_path, normalize, resolve};

/// The name under which a crashing rule is reported (not a registered rule: there is
/// nothing to configure about a bug).
pub const INTERNAL_ERROR: &str = "internal-error";

/// `.env` files a Compose project reads, and the committed examples that document them.
const ENV_FILES: &[(&str, bool)] = &[
    (".env", false),
    (".env.example", true),
    (".env.sample", true),
    (".env.dist", true),
    (".env.template", true),
    ("example.env", true),
];

/// Related files are followed this many hops from a reported file: one more than GitLab's
/// include count allows, so a chain of nested includes is read as far as GitLab would
/// read it and `too-many-includes` sees where it passes the limit.
const MAX_RELATED_ROUNDS: usize = shipshape_model::gitlab::keywords::MAX_INCLUDES + 1;

#[derive(Debug)]
pub struct Analysis {
    pub workspace: Workspace,
    /// Findings in reported files, sorted by path, line, column, rule.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be read, one line each.
    pub errors: Vec<String>,
    /// What the user should know about this run that is not a finding: findings left
    /// out of a file over [`Settings::max_diagnostics_per_file`]. One line each.
    pub notices: Vec<String>,
}

pub fn analyze(inputs: Vec<Input>, settings: &Settings) -> Analysis {
    analyze_with(inputs, settings, &OsFs)
}

pub fn analyze_with(inputs: Vec<Input>, settings: &Settings, fs: &dyn FileSystem) -> Analysis {
    analyze_in_context(inputs, Vec::new(), settings, fs)
}

/// Analyses `inputs` (reported) with `context` loaded beside them but not reported: the
/// rest of an editor's workspace, so that names other files define are known.
pub fn analyze_in_context(
    inputs: Vec<Input>,
    context: Vec<Input>,
    settings: &Settings,
    fs: &dyn FileSystem,
) -> Analysis {
    analyze_cancellable(inputs, context, settings, fs, &|| false)
        .expect("an analysis that is never cancelled completes")
}

/// `analyze_in_context` that gives up, returning None, once `cancelled()` says so: the
/// language server's analysis of a version the user has already typed past. Checked
/// between the phases and before each file's, project's and pipeline's rules.
pub fn analyze_cancellable(
    inputs: Vec<Input>,
    context: Vec<Input>,
    settings: &Settings,
    fs: &dyn FileSystem,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Analysis> {
    let roots = project_roots(&inputs, &context, settings, fs);
    let bounded = crate::fs::Bounded::new(fs, roots);
    let fs: &dyn FileSystem = &bounded;
    let mut files: Vec<AnalyzedFile> = Vec::with_capacity(inputs.len() + context.len());
    let mut errors = Vec::new();
    add_files(&mut files, &mut errors, inputs, true, settings, fs);
    let known: HashSet<PathBuf> = files.iter().map(|f| f.source.path.clone()).collect();
    let context: Vec<Input> = context
        .into_iter()
        .filter(|i| !known.contains(&i.path))
        .collect();
    add_files(&mut files, &mut Vec::new(), context, false, settings, fs);
    if cancelled() {
        return None;
    }
    let mut ws = Workspace {
        files,
        project_roots: bounded.roots().to_vec(),
        ..Workspace::default()
    };
    let resolver = IncludeResolver::new(fs, settings.project_root.as_deref());
    let pending = load_related(&mut ws, settings, fs, &resolver, 0);
    crate::pipelines::settle_includes(&mut ws, pending);
    ws.pipelines = crate::pipelines::build_pipelines(&ws);
    // The Compose files CI jobs run, and what those files bring along.
    let runs = crate::compose_runs::discover(&ws, &resolver, fs, &settings.links);
    let (compose_paths, env_paths) = crate::compose_runs::wanted_paths(&runs);
    let first_new = ws.files.len();
    add_related(&mut ws, compose_paths, FileKind::Compose, settings, fs);
    add_related(&mut ws, env_paths, FileKind::DotEnv, settings, fs);
    let pending = load_related(&mut ws, settings, fs, &resolver, first_new);
    crate::pipelines::settle_includes(&mut ws, pending);
    report_under(&mut ws, &settings.report_under);
    ws.files.par_iter_mut().for_each(|f| {
        f.secrets = crate::secrets::scan(f, &settings.secrets);
    });
    ws.index_paths();
    probe_paths(&mut ws, fs, &resolver);
    ws.compose_names = crate::workspace::ComposeNames::build(&ws.files);
    ws.compose_projects = compose_projects(&ws);
    let runs = crate::compose_runs::settle(&ws, runs);
    attach_runs(&mut ws, runs);
    if cancelled() {
        return None;
    }
    let mut diagnostics = check(&ws, settings, cancelled);
    if cancelled() {
        return None;
    }
    let notices = cap_per_file(&ws, &mut diagnostics, settings.max_diagnostics_per_file);
    Some(Analysis {
        workspace: ws,
        diagnostics,
        errors,
        notices,
    })
}

/// The roots of the project boundary (`fs::Bounded`): the configured project root, the
/// directories the user named, and each input's repository root (its nearest `.git` or
/// pipeline directory, else its own directory).
fn project_roots(
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
        .map(crate::workspace::normalize)
        .collect();
    let mut roots: Vec<PathBuf> = settings
        .project_root
        .iter()
        .chain(&settings.report_under)
        .cloned()
        .collect();
    for dir in dirs {
        roots.extend(resolver.roots(&dir).into_iter().next());
    }
    roots
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

/// Loads and parses inputs in parallel, gives them the next file ids, builds their models.
fn add_files(
    files: &mut Vec<AnalyzedFile>,
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
            Ok(mut file) => {
                file.source.id = FileId(files.len() as u32);
                files.push(file);
            }
            Err(err) if reported => errors.push(err),
            Err(_) => {}
        }
    }
    files[first_new..].par_iter_mut().for_each(build_models);
}

fn load(
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
            let size = fs.len(&input.path).map_err(reason)?;
            if size > limit {
                return Ok(too_large(input, reported, size, limit));
            }
            fs.read(&input.path, limit).map_err(reason)?
        }
    };
    if bytes.len() as u64 > limit {
        let size = bytes.len() as u64;
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
            file.yaml = Some(yaml);
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
        file.compose = model.ok();
    }
}

/// Files the reported ones refer to: `.env` files beside Compose files, the targets of
/// Compose `include:` and `extends: file:`, the files GitLab CI files include, and the
/// repository's root pipeline when a reported GitLab file is a fragment of it. Loaded so
/// rules can see what Compose and GitLab will see, and not reported on (unless the user
/// named them too, or they are under a directory the user named). Returns the GitLab
/// files' includes, resolved to paths.
fn load_related(
    ws: &mut Workspace,
    settings: &Settings,
    fs: &dyn FileSystem,
    resolver: &IncludeResolver<'_>,
    from: usize,
) -> HashMap<FileId, Vec<PendingInclude>> {
    let mut known: HashSet<PathBuf> = ws.files.iter().map(|f| f.source.path.clone()).collect();
    let mut pending = HashMap::new();
    let mut scanned = from;
    // Files loaded earlier under another kind that a pipeline turns out to include.
    let mut rescan: Vec<usize> = Vec::new();
    for _ in 0..MAX_RELATED_ROUNDS {
        // What each new file points at, found in parallel, then merged in file order.
        let found: Vec<Related> = rescan
            .par_iter()
            .map(|&i| &ws.files[i])
            .chain(ws.files[scanned..].par_iter())
            .map(|file| related_of(resolver, file, &known))
            .collect();
        let mut wanted: HashMap<PathBuf, FileKind> = HashMap::new();
        let mut included: HashSet<&Path> = HashSet::new();
        for (paths, includes) in &found {
            wanted.extend(paths.iter().cloned());
            for p in includes.iter().flat_map(|(_, found)| found) {
                if let Target::Paths(paths) = &p.target {
                    included.extend(paths.iter().map(PathBuf::as_path));
                }
            }
        }
        // A file's kind is its role: a file a pipeline includes is GitLab CI whatever its
        // name (`ci/docker-compose-upload.yml`), even when the walk found it first.
        rescan = ws
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                matches!(f.kind, FileKind::Compose | FileKind::Yaml)
                    && included.contains(f.source.path.as_path())
            })
            .map(|(i, _)| i)
            .collect();
        drop(included);
        for &i in &rescan {
            let file = &mut ws.files[i];
            file.kind = FileKind::GitlabCi;
            file.compose = None;
        }
        for (_, includes) in found {
            pending.extend(includes);
        }
        scanned = ws.files.len();
        // (`related_of` left out the known paths.)
        let mut new: Vec<(PathBuf, FileKind)> = wanted
            .into_par_iter()
            .filter(|(path, _)| fs.is_file(path))
            .collect();
        // Files are numbered in path order, whatever order the set gave.
        new.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        known.extend(new.iter().map(|(p, _)| p.clone()));
        let names = RelatedNames::new(ws);
        let inputs: Vec<Input> = new
            .into_iter()
            .map(|(path, kind)| Input {
                name: names.of(&path),
                path,
                content: None,
                kind: Some(kind),
            })
            .collect();
        if inputs.is_empty() && rescan.is_empty() {
            break;
        }
        let mut ignored = Vec::new();
        add_files(&mut ws.files, &mut ignored, inputs, false, settings, fs);
    }
    pending
}

/// What [`related_of`] finds for one file: the paths to load, and a GitLab file's
/// resolved includes.
type Related = (
    Vec<(PathBuf, FileKind)>,
    Option<(FileId, Vec<PendingInclude>)>,
);

/// The files one file points at that are not loaded yet: a GitLab file's includes (also
/// returned, resolved, for `settle_includes`), the root pipeline of a file outside the
/// root, and beside a Compose file its `.env` files, the pipeline that may run it and
/// the files it includes or extends.
fn related_of(
    resolver: &IncludeResolver<'_>,
    file: &AnalyzedFile,
    known: &HashSet<PathBuf>,
) -> Related {
    let mut wanted: Vec<(PathBuf, FileKind)> = Vec::new();
    let mut want = |path: PathBuf, kind: FileKind| {
        if !known.contains(&path) {
            wanted.push((path, kind));
        }
    };
    let mut includes = None;
    let dir = file.dir();
    if file.kind == FileKind::GitlabCi {
        let found = resolver.includes_of(file);
        for p in &found {
            if let Target::Paths(paths) = &p.target {
                for path in paths {
                    want(path.clone(), FileKind::GitlabCi);
                }
            }
        }
        includes = Some((file.id(), found));
    }
    let is_root = file
        .source
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| ROOT_NAMES.contains(&n));
    let model = file.compose.as_ref();
    // The pipeline that may run it (a pre-commit hook passes only the changed files; the
    // cross-file rules still see the repository).
    if file.reported && (model.is_some() || file.kind == FileKind::GitlabCi && !is_root) {
        for root in resolver.roots(&dir) {
            for name in ROOT_NAMES {
                want(root.join(name), FileKind::GitlabCi);
            }
        }
    }
    if let Some(model) = model {
        for (name, _) in ENV_FILES {
            want(dir.join(name), FileKind::DotEnv);
        }
        // `.env.dev.example` documents `docker-compose.dev.yml`'s variables.
        if let Some(name) = file.source.path.file_name().and_then(|n| n.to_str()) {
            for env in shipshape_model::dotenv::variant_env_files(name) {
                want(dir.join(env), FileKind::DotEnv);
            }
        }
        let refs = model.include.iter().map(|t| t.value.as_str()).chain(
            model
                .services
                .iter()
                .filter_map(|s| s.extends.as_ref()?.file.as_ref().map(|f| f.value.as_str())),
        );
        for path in refs.filter(|p| !p.contains('$')) {
            want(resolve(&dir, path), FileKind::Compose);
        }
    }
    (wanted, includes)
}

/// Files loaded as related ones but under a directory the user asked to check are
/// reported like the files found there by name.
fn report_under(ws: &mut Workspace, dirs: &[PathBuf]) {
    if dirs.is_empty() {
        return;
    }
    for f in &mut ws.files {
        if !f.reported
            && f.kind != FileKind::DotEnv
            && dirs
                .iter()
                .any(|d| normalize(&f.source.path).starts_with(d))
        {
            f.reported = true;
        }
    }
}

/// Loads files as related ones (not reported), unless they are loaded already or absent.
fn add_related(
    ws: &mut Workspace,
    paths: std::collections::BTreeSet<PathBuf>,
    kind: FileKind,
    settings: &Settings,
    fs: &dyn FileSystem,
) {
    let known: HashSet<&Path> = ws.files.iter().map(|f| f.source.path.as_path()).collect();
    let names = RelatedNames::new(ws);
    let inputs: Vec<Input> = paths
        .into_iter()
        .filter(|p| !known.contains(p.as_path()) && fs.is_file(p))
        .map(|path| Input {
            name: names.of(&path),
            path,
            content: None,
            kind: Some(kind),
        })
        .collect();
    add_files(&mut ws.files, &mut Vec::new(), inputs, false, settings, fs);
}

/// Related files' names, shown like their neighbours' (relative when theirs are): the
/// name of the first loaded file whose directory holds the path, with the rest appended.
struct RelatedNames<'w> {
    /// A directory of loaded files -> (the first such file, the directory as it names it).
    dirs: HashMap<&'w Path, (usize, &'w Path)>,
}

impl<'w> RelatedNames<'w> {
    fn new(ws: &'w Workspace) -> RelatedNames<'w> {
        let mut dirs = HashMap::new();
        for (i, f) in ws.files.iter().enumerate() {
            if let (Some(dir), Some(name_dir)) =
                (f.source.path.parent(), Path::new(&f.source.name).parent())
            {
                dirs.entry(dir).or_insert((i, name_dir));
            }
        }
        RelatedNames { dirs }
    }

    fn of(&self, path: &Path) -> String {
        let named = path
            .ancestors()
            .filter_map(|dir| Some((dir, self.dirs.get(dir)?)))
            .min_by_key(|(_, (first, _))| *first);
        match named {
            Some((dir, (_, name_dir))) => {
                let rest = path.strip_prefix(dir).expect("an ancestor");
                crate::discover::display_name(&name_dir.join(rest), Path::new(""))
            }
            None => crate::discover::path_text(path),
        }
    }
}

/// `.gitignore` files are read up to this size (a larger one is read in part).
const MAX_GITIGNORE: u64 = 1024 * 1024;

/// Dockerfiles larger than this are not read for a `HEALTHCHECK`.
const MAX_DOCKERFILE: u64 = 1024 * 1024;

/// Records what the models point at on disk (whether `env_file`s exist, whether built
/// Dockerfiles declare a healthcheck), so rules can ask without the disk.
fn probe_paths(ws: &mut Workspace, fs: &dyn FileSystem, resolver: &IncludeResolver<'_>) {
    let mut paths = Vec::new();
    let mut dockerfiles = Vec::new();
    for file in &ws.files {
        let Some(model) = &file.compose else { continue };
        let dir = file.dir();
        for service in &model.services {
            for env_file in &service.env_files {
                if !env_file.path.value.contains('$') {
                    let absolute = env_file.path.value.starts_with(['/', '~']);
                    paths.push((resolve(&dir, &env_file.path.value), absolute, dir.clone()));
                }
            }
            if let Some(path) = service
                .build
                .as_ref()
                .and_then(|b| dockerfile_path(&dir, b))
            {
                dockerfiles.push(path);
            }
        }
    }
    for (path, absolute, compose_dir) in paths {
        let exists = fs.is_file(&path);
        if !exists && !ws.missing_env_files.contains_key(&path) {
            let hint = missing_env_file(fs, resolver, &path, absolute, &compose_dir);
            ws.missing_env_files.insert(path.clone(), hint);
        }
        ws.paths.insert(path, exists);
    }
    for path in dockerfiles {
        if ws.dockerfiles.contains_key(&path) || fs.len(&path).map_or(true, |n| n > MAX_DOCKERFILE)
        {
            continue;
        }
        if let Ok(bytes) = fs.read(&path, MAX_DOCKERFILE)
            && bytes.len() as u64 <= MAX_DOCKERFILE
        {
            let text = String::from_utf8_lossy(&bytes);
            let facts = crate::workspace::DockerfileFacts {
                healthcheck: shipshape_model::dockerfile::declares_healthcheck(&text),
                base_image: shipshape_model::dockerfile::final_base_image(&text),
            };
            ws.dockerfiles.insert(path, facts);
        }
    }
}

/// Why an `env_file` may be missing on purpose: an absolute path outside the repository,
/// git-ignored, or made from a template beside it.
fn missing_env_file(
    fs: &dyn FileSystem,
    resolver: &IncludeResolver<'_>,
    path: &Path,
    absolute: bool,
    compose_dir: &Path,
) -> crate::workspace::MissingEnvFile {
    let mut hint = crate::workspace::MissingEnvFile::default();
    let Some(dir) = path.parent() else {
        return hint;
    };
    let Some(root) = resolver.roots(compose_dir).into_iter().next() else {
        return hint;
    };
    if !path.starts_with(&root) {
        hint.outside = absolute;
        return hint;
    }
    if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
        hint.template = shipshape_model::dotenv::TEMPLATE_SUFFIXES
            .iter()
            .map(|s| dir.join(format!("{name}{s}")))
            .find(|p| fs.is_file(p));
    }
    // The nearest `.gitignore` that decides (ignores, or re-includes with `!`) wins.
    for ancestor in dir.ancestors().take_while(|a| a.starts_with(&root)) {
        let file = ancestor.join(".gitignore");
        let Ok(bytes) = fs.read(&file, MAX_GITIGNORE) else {
            continue;
        };
        let mut builder = ignore::gitignore::GitignoreBuilder::new(ancestor);
        for line in String::from_utf8_lossy(&bytes).lines() {
            // A line the matcher cannot read is left out, as git does.
            let _ = builder.add_line(None, line);
        }
        let Ok(matcher) = builder.build() else {
            continue;
        };
        match matcher.matched_path_or_any_parents(path, false) {
            ignore::Match::Ignore(_) => {
                hint.ignored_by = Some(file);
                break;
            }
            ignore::Match::Whitelist(_) => break,
            ignore::Match::None => {}
        }
    }
    hint
}

/// Groups the Compose files of each directory into the projects `docker compose` would
/// run: the default file with its override; every other Compose file either on its own,
/// or, when it only completes services of the default file (an overlay such as
/// `docker-compose.prod.yml` that sets ports but no image), merged onto that file.
fn compose_projects<'w>(ws: &'w Workspace) -> Vec<Project> {
    let mut by_dir: BTreeMap<PathBuf, Vec<&AnalyzedFile>> = BTreeMap::new();
    for f in ws
        .files
        .iter()
        .filter(|f| f.compose.is_some() && f.is_complete_enough())
    {
        by_dir.entry(f.dir()).or_default().push(f);
    }
    // A file that another one includes belongs to that project, not to one of its own.
    let included: HashSet<FileId> = ws
        .files
        .iter()
        .filter_map(|f| Some((f, f.compose.as_ref()?)))
        .flat_map(|(f, m)| {
            m.include
                .iter()
                .filter_map(|i| lookup_compose(ws, f.id(), &i.value))
                .map(|c| c.file)
        })
        .collect();
    // Which files form each project is decided here, in directory order; merging them,
    // the costly part, runs in parallel below.
    let mut groups: Vec<(PathBuf, Vec<&'w AnalyzedFile>, Vec<FileId>)> = Vec::new();
    for (dir, files) in by_dir {
        let files: Vec<&AnalyzedFile> = files
            .into_iter()
            .filter(|f| !included.contains(&f.id()))
            .collect();
        let named = |names: &[&str]| -> Option<&AnalyzedFile> {
            names
                .iter()
                .find_map(|n| files.iter().find(|f| file_name(f) == Some(*n)).copied())
        };
        let base = named(BASE_NAMES);
        let over = named(OVERRIDE_NAMES);
        let mut add = |members: Vec<&'w AnalyzedFile>, owned: Vec<FileId>| {
            groups.push((dir.clone(), members, owned));
        };
        if let Some(base) = base {
            let mut members = vec![base];
            members.extend(over);
            let owned = members.iter().map(|f| f.id()).collect();
            add(members, owned);
        } else if let Some(over) = over {
            add(vec![over], vec![over.id()]);
        }
        for f in files.iter().filter(|f| {
            Some(f.id()) != base.map(|b| b.id()) && Some(f.id()) != over.map(|o| o.id())
        }) {
            match base {
                Some(base) if is_overlay(f, base) => add(vec![base, f], vec![f.id()]),
                _ => add(vec![f], vec![f.id()]),
            }
        }
    }
    let mut env_files: HashMap<PathBuf, Vec<&AnalyzedFile>> = HashMap::new();
    for f in ws.files.iter().filter(|f| f.kind == FileKind::DotEnv) {
        env_files.entry(f.dir()).or_default().push(f);
    }
    groups
        .into_par_iter()
        .map(|(dir, members, owned)| {
            let env = env_files.get(&dir).map_or(&[][..], Vec::as_slice);
            full_project(ws, &dir, &members, owned, env)
        })
        .collect()
}

/// The project of `members` merged in order, with the `.env` files of `dir` and the
/// files they include (whose findings the project reports).
fn full_project(
    ws: &Workspace,
    dir: &Path,
    members: &[&AnalyzedFile],
    owned: Vec<FileId>,
    env_files: &[&AnalyzedFile],
) -> Project {
    let models: Vec<&ComposeFile> = members.iter().filter_map(|f| f.compose.as_ref()).collect();
    let lookup = |from: FileId, path: &str| lookup_compose(ws, from, path);
    let mut project = Project::merge(dir.to_path_buf(), &models, owned, &lookup);
    project.env_sources = env_files
        .iter()
        .filter_map(|f| {
            let name = file_name(f)?;
            let example = ENV_FILES.iter().find(|(n, _)| *n == name)?.1;
            Some(EnvSource {
                file: f.id(),
                example,
            })
        })
        .collect();
    for f in project.included.clone() {
        if !project.owned.contains(&f) {
            project.owned.push(f);
        }
        if !project.files.contains(&f) {
            project.files.push(f);
        }
    }
    project
}

/// Gives every Compose run of a CI job the project its files form: a project already
/// grouped from the same files, or a new one (then Compose rules check exactly the
/// combination CI runs, `-f base.yml -f ci.yml` included).
fn attach_runs(ws: &mut Workspace, runs: Vec<(usize, crate::compose_runs::ComposeRun)>) {
    let mut known: HashMap<Vec<FileId>, usize> = ws
        .compose_projects
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let members: Vec<FileId> = p
                .files
                .iter()
                .copied()
                .filter(|f| !p.included.contains(f))
                .collect();
            (members, i)
        })
        .collect();
    for (pipeline, mut run) in runs {
        let files = &run.files;
        if files.missing.is_empty() && !files.dynamic && !files.found.is_empty() {
            let index = match known.get(&files.found) {
                Some(&i) => i,
                None => {
                    let members: Vec<&AnalyzedFile> =
                        files.found.iter().map(|&f| ws.file(f)).collect();
                    // Relative paths in the files (and `.env`) are read from the first
                    // file's directory.
                    let dir = members[0].dir();
                    let env: Vec<&AnalyzedFile> = ws
                        .files
                        .iter()
                        .filter(|f| f.kind == FileKind::DotEnv && f.dir() == dir)
                        .collect();
                    let project = full_project(ws, &dir, &members, files.found.clone(), &env);
                    ws.compose_projects.push(project);
                    known.insert(files.found.clone(), ws.compose_projects.len() - 1);
                    ws.compose_projects.len() - 1
                }
            };
            run.project = Some(index);
        }
        ws.pipelines[pipeline].compose_runs.push(run);
    }
    for p in &mut ws.pipelines {
        p.compose_runs.shrink_to_fit();
    }
}

fn lookup_compose<'w>(ws: &'w Workspace, from: FileId, path: &str) -> Option<&'w ComposeFile> {
    let target = ws.resolve(from, path);
    ws.file_by_path(&target)?.compose.as_ref()
}

fn file_name(f: &AnalyzedFile) -> Option<&str> {
    f.source.path.file_name()?.to_str()
}

/// An overlay completes the base: one of its services has no image, build or extends of
/// its own and is defined by the base.
fn is_overlay(file: &AnalyzedFile, base: &AnalyzedFile) -> bool {
    let (Some(model), Some(base_model)) = (&file.compose, &base.compose) else {
        return false;
    };
    model.services.iter().any(|s| {
        s.image.is_none()
            && s.build.is_none()
            && s.extends.is_none()
            && base_model.service(&s.name).is_some()
    })
}

impl AnalyzedFile {
    /// A Compose file good enough to be part of a project: it parsed (maybe partially).
    fn is_complete_enough(&self) -> bool {
        self.yaml.is_some()
    }
}

/// The enabled rules over the workspace; once `cancelled()`, the remaining files,
/// projects and pipelines are skipped (the caller throws the result away).
fn check(
    ws: &Workspace,
    settings: &Settings,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Vec<Diagnostic> {
    // (rule, effective severity, one of its checks)
    let enabled: Vec<(&'static Rule, Severity, Check)> = RULES
        .iter()
        .enumerate()
        .filter_map(|(i, rule)| settings.rules.severity(i).map(|sev| (*rule, sev)))
        .flat_map(|(rule, sev)| rule.checks.iter().map(move |&c| (rule, sev, c)))
        .collect();
    let mut out: Vec<Diagnostic> = ws
        .files
        .par_iter()
        .filter(|f| f.reported && !cancelled())
        .flat_map_iter(|file| {
            let mut found = Vec::new();
            for &(rule, severity, check) in &enabled {
                if let Check::File(check) = check
                    && rule.group.applies_to(file.kind)
                {
                    guarded(rule, file.id(), &mut found, |sink_out| {
                        check(file, &mut Sink::new(rule.name, severity, sink_out));
                    });
                }
            }
            found
        })
        .collect();
    let per_project: Vec<Diagnostic> = ws
        .compose_projects
        .par_iter()
        .filter(|p| p.owned.iter().any(|&f| ws.file(f).reported) && !cancelled())
        .flat_map_iter(|project| {
            let cx = ComposeContext { ws, project };
            let mut found = Vec::new();
            for &(rule, severity, check) in &enabled {
                if let Check::Compose(check) = check {
                    let first = project.owned.first().copied().unwrap_or_default();
                    guarded(rule, first, &mut found, |sink_out| {
                        check(&cx, &mut Sink::new(rule.name, severity, sink_out));
                    });
                }
            }
            found.retain(|d| project.owns(d.file()) || d.rule == INTERNAL_ERROR);
            found
        })
        .collect();
    out.extend(per_project);
    let per_pipeline: Vec<Diagnostic> = ws
        .pipelines
        .par_iter()
        .filter(|p| p.model.files.iter().any(|&f| ws.file(f).reported) && !cancelled())
        .flat_map_iter(|pipeline| {
            let cx = PipelineContext { ws, pipeline };
            let mut found = Vec::new();
            for &(rule, severity, check) in &enabled {
                if let Check::Pipeline(check) = check {
                    guarded(rule, pipeline.model.root_file, &mut found, |sink_out| {
                        check(&cx, &mut Sink::new(rule.name, severity, sink_out));
                    });
                }
            }
            found.retain(|d| pipeline.model.files.contains(&d.file()) || d.rule == INTERNAL_ERROR);
            found
        })
        .collect();
    out.extend(per_pipeline);
    for &(rule, severity, check) in &enabled {
        if let Check::Workspace(check) = check {
            let first = ws.files.first().map_or(FileId(0), AnalyzedFile::id);
            guarded(rule, first, &mut out, |sink_out| {
                check(ws, &mut Sink::new(rule.name, severity, sink_out));
            });
        }
    }
    out.retain(|d| ws.files.get(d.file().index()).is_some_and(|f| f.reported));
    crate::suppress::apply(ws, settings, &mut out);
    one_cause_one_finding(ws, &mut out);
    sort_and_dedup(ws, &mut out);
    crate::secrets::redact_diagnostics(ws, &mut out);
    out
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

/// Runs one rule so that a panic in it becomes one diagnostic instead of ending the run:
/// the other rules and files are still checked.
fn guarded(
    rule: &Rule,
    file: FileId,
    out: &mut Vec<Diagnostic>,
    run: impl FnOnce(&mut Vec<Diagnostic>),
) {
    let mut found = Vec::new();
    match catch_unwind(AssertUnwindSafe(|| run(&mut found))) {
        Ok(()) => out.append(&mut found),
        Err(panic) => out.push(Diagnostic {
            rule: INTERNAL_ERROR,
            severity: Severity::Error,
            message: format!(
                "rule \"{}\" crashed on this file: {}",
                rule.name,
                panic_message(&panic)
            ),
            primary: Label {
                file,
                span: Span::empty(0),
                message: String::new(),
            },
            secondary: Vec::new(),
            notes: vec!["this is a bug in shipshape; the other rules still ran".into()],
            help: Some("please report it with this file attached".into()),
            fix: None,
        }),
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn sort_and_dedup(ws: &Workspace, diags: &mut Vec<Diagnostic>) {
    let name = |d: &Diagnostic| {
        ws.files
            .get(d.file().index())
            .map_or("", |f| f.source.name.as_str())
    };
    diags.sort_by(|a, b| {
        name(a)
            .cmp(name(b))
            .then(a.primary.span.start.cmp(&b.primary.span.start))
            .then(a.rule.cmp(b.rule))
            .then(a.primary.span.end.cmp(&b.primary.span.end))
            .then(a.message.cmp(&b.message))
    });
    diags.dedup_by(|a, b| a.rule == b.rule && a.primary == b.primary && a.message == b.message);
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn compose_input() -> Input {
        Input {
            path: PathBuf::from("/nowhere/compose.yaml"),
            name: "compose.yaml".into(),
            content: Some(b"services:\n  web:\n    image: nginx\n".to_vec()),
            kind: Some(FileKind::Compose),
        }
    }

    #[test]
    fn a_cancelled_analysis_stops_and_returns_nothing() {
        let settings = Settings::default();
        let polls = AtomicUsize::new(0);
        // Cancelled after the first checkpoint: the rules never run.
        let cancelled = || polls.fetch_add(1, Ordering::Relaxed) >= 1;
        let outcome = analyze_cancellable(
            vec![compose_input()],
            Vec::new(),
            &settings,
            &OsFs,
            &cancelled,
        );
        assert!(outcome.is_none());
        assert_eq!(
            polls.load(Ordering::Relaxed),
            2,
            "stops at the next checkpoint"
        );
        let complete =
            analyze_cancellable(vec![compose_input()], Vec::new(), &settings, &OsFs, &|| {
                false
            })
            .expect("not cancelled");
        assert!(complete.diagnostics.iter().any(|d| d.rule == "image-tag"));
    }
}
