//! Parse-only against full lint, on four inputs, in bytes/s and files/s:
//!
//! - `corpus`: the real files of `../shared/corpus` (skipped, with a message, when absent);
//! - `compose_2000`: one Compose file of 2,000 services (about 90,000 lines);
//! - `pipeline_1000`: a pipeline of 1,000 jobs in 12 files, with includes, `extends`,
//!   `needs`, services and `docker compose` runs;
//! - `monorepo_10000`: 10,000 files, 5,000 directories of a Compose file and a pipeline
//!   that runs it.
//!
//! `parse` reads, decodes and parses every file (in parallel, as the analysis does): the
//! floor. `lint` is what `shipshape check DIR` does: discovery, reading, parsing, the
//! models, the related files, every rule, sorting. The budget is `lint` <= 2x `parse`.
//!
//! `cargo bench --bench throughput`; results and what they showed: benches/README.md.

mod support;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use rayon::prelude::*;
use shipshape_linter::fs::{FileSystem, OsFs};
use shipshape_linter::{Analysis, FileKind, Input, Settings, analyze, discover};
use shipshape_yaml::{FileId, ParsedYaml, SourceFile, parse};

/// The binary's allocator, so that both sides are measured as `shipshape` runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// One benchmark input: its files on disk, and how `lint` finds them.
struct Workload {
    files: Vec<PathBuf>,
    bytes: u64,
    /// None: discover under `dir` as the CLI does; Some: these inputs, kinds given.
    kinds: Option<Vec<FileKind>>,
    dir: PathBuf,
}

impl Workload {
    fn new(dir: PathBuf, files: Vec<PathBuf>, kinds: Option<Vec<FileKind>>) -> Workload {
        let bytes = files
            .iter()
            .map(|f| std::fs::metadata(f).unwrap().len())
            .sum();
        Workload {
            files,
            bytes,
            kinds,
            dir,
        }
    }

    fn inputs(&self) -> (Vec<Input>, Vec<PathBuf>) {
        match &self.kinds {
            None => {
                let found = discover(std::slice::from_ref(&self.dir), &self.dir);
                assert!(found.errors.is_empty(), "{:?}", found.errors);
                (found.inputs, found.walked)
            }
            Some(kinds) => {
                let inputs = self
                    .files
                    .iter()
                    .zip(kinds)
                    .map(|(path, &kind)| Input {
                        path: path.clone(),
                        name: path.strip_prefix(&self.dir).unwrap().display().to_string(),
                        content: None,
                        kind: Some(kind),
                    })
                    .collect();
                (inputs, Vec::new())
            }
        }
    }
}

fn corpus() -> Option<&'static Workload> {
    static CORPUS: OnceLock<Option<Workload>> = OnceLock::new();
    CORPUS
        .get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
            if !dir.is_dir() {
                eprintln!("corpus: skipped, {} is not there", dir.display());
                return None;
            }
            let mut files = Vec::new();
            let mut kinds = Vec::new();
            for (sub, kind) in [
                ("compose", FileKind::Compose),
                ("gitlab-ci", FileKind::GitlabCi),
            ] {
                for path in files_under(&dir.join(sub)) {
                    files.push(path);
                    kinds.push(kind);
                }
            }
            Some(Workload::new(dir, files, Some(kinds)))
        })
        .as_ref()
}

/// Every file below `dir`, in a stable order.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = OsFs.walk_files(dir);
    files.sort();
    files
}

fn generated(label: &str, make: impl FnOnce(&Path) -> Vec<PathBuf>) -> Workload {
    let dir = support::temp_dir(label);
    let files = make(&dir);
    Workload::new(dir, files, None)
}

fn compose_2000() -> &'static Workload {
    static W: OnceLock<Workload> = OnceLock::new();
    W.get_or_init(|| {
        generated("compose-2000", |dir| {
            let path = dir.join("compose.yaml");
            std::fs::write(&path, support::compose(2000)).unwrap();
            vec![path]
        })
    })
}

fn pipeline_1000() -> &'static Workload {
    static W: OnceLock<Workload> = OnceLock::new();
    W.get_or_init(|| generated("pipeline-1000", |dir| support::pipeline_project(dir, 1000)))
}

fn monorepo_10000() -> &'static Workload {
    static W: OnceLock<Workload> = OnceLock::new();
    W.get_or_init(|| generated("monorepo-10000", |dir| support::monorepo(dir, 10_000)))
}

// Both return what they built: divan drops a sample's output after timing it, as the CLI
// leaves freeing to the OS.

fn parse_all(w: &Workload) -> Vec<(SourceFile, ParsedYaml)> {
    w.files
        .par_iter()
        .map(|path| {
            let bytes = std::fs::read(path).unwrap();
            let source = SourceFile::from_bytes(FileId(0), path.clone(), String::new(), bytes);
            let parsed = parse(&source.text);
            (source, parsed)
        })
        .collect()
}

fn lint(w: &Workload) -> Analysis {
    let (inputs, walked) = w.inputs();
    let settings = Settings {
        report_under: walked,
        ..Settings::default()
    };
    analyze(inputs, &settings)
}

fn run<T: Send>(bencher: Bencher, w: Option<&'static Workload>, work: fn(&Workload) -> T) {
    let Some(w) = w else { return };
    bencher
        .counter(BytesCount::new(w.bytes))
        .counter(ItemsCount::new(w.files.len()))
        .bench(|| work(w));
}

#[divan::bench_group(sample_count = 20, sample_size = 1)]
mod parse {
    use super::*;

    #[divan::bench]
    fn corpus(b: Bencher) {
        run(b, super::corpus(), parse_all);
    }
    #[divan::bench]
    fn compose_2000(b: Bencher) {
        run(b, Some(super::compose_2000()), parse_all);
    }
    #[divan::bench]
    fn pipeline_1000(b: Bencher) {
        run(b, Some(super::pipeline_1000()), parse_all);
    }
    #[divan::bench(sample_count = 10)]
    fn monorepo_10000(b: Bencher) {
        run(b, Some(super::monorepo_10000()), parse_all);
    }
}

#[divan::bench_group(sample_count = 20, sample_size = 1)]
mod lint {
    use super::*;

    #[divan::bench]
    fn corpus(b: Bencher) {
        run(b, super::corpus(), super::lint);
    }
    #[divan::bench]
    fn compose_2000(b: Bencher) {
        run(b, Some(super::compose_2000()), super::lint);
    }
    #[divan::bench]
    fn pipeline_1000(b: Bencher) {
        run(b, Some(super::pipeline_1000()), super::lint);
    }
    #[divan::bench(sample_count = 10)]
    fn monorepo_10000(b: Bencher) {
        run(b, Some(super::monorepo_10000()), super::lint);
    }
}

/// `shipshape check FILE`, as pre-commit names a changed file: what the CLI does for it.
fn lint_named(dir: &Path, file: &Path) -> Analysis {
    let found = discover(&[file.to_path_buf()], dir);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let settings = Settings {
        report_under: found.walked,
        ..Settings::default()
    };
    analyze(found.inputs, &settings)
}

/// One service's directory of the monorepo (its Compose file and its pipeline), copied
/// into a directory of its own.
fn alone() -> &'static Workload {
    static W: OnceLock<Workload> = OnceLock::new();
    W.get_or_init(|| {
        let from = monorepo_10000().dir.join("services/0042");
        generated("named-alone", |dir| {
            ["compose.yaml", ".gitlab-ci.yml"]
                .iter()
                .map(|name| {
                    std::fs::copy(from.join(name), dir.join(name)).unwrap();
                    dir.join(name)
                })
                .collect()
        })
    })
}

/// Issue 17: one Compose file named inside the 10,000-file monorepo costs within 3x the
/// same file alone (checking it must not build every pipeline and project around it).
#[divan::bench_group(sample_count = 20, sample_size = 1)]
mod named_file {
    use super::*;

    #[divan::bench]
    fn in_monorepo(b: Bencher) {
        let w = super::monorepo_10000();
        let file = w.dir.join("services/0042/compose.yaml");
        b.bench(|| super::lint_named(&w.dir, &file));
    }
    #[divan::bench]
    fn alone(b: Bencher) {
        let w = super::alone();
        let file = w.dir.join("compose.yaml");
        b.bench(|| super::lint_named(&w.dir, &file));
    }
}
