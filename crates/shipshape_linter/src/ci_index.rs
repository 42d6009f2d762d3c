//! Lookups from a file to the CI pipelines and Compose runs about it, built once per
//! workspace on first use. Rules that run per Compose project asked every pipeline of
//! the workspace instead: on 50,000 directories of a Compose file and a pipeline, 2.5
//! billion path comparisons (minutes; benches/README.md "Hostile inputs").

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use shipshape_yaml::FileId;

use crate::compose_runs::ComposeRun;
use crate::workspace::{CiPipeline, Workspace};

#[derive(Debug, Default)]
pub struct CiIndex {
    /// Per Compose file: the (pipeline, run) indices of the runs that read it, in order.
    runs_by_file: HashMap<FileId, Vec<(usize, usize)>>,
    /// Per directory: the pipelines whose root file is in it, in order.
    pipelines_by_dir: HashMap<PathBuf, Vec<usize>>,
    /// The Compose projects by the path of their first file, sorted (the projects below
    /// a directory are one range).
    projects_by_path: Vec<(PathBuf, usize)>,
}

impl CiIndex {
    fn build(ws: &Workspace) -> CiIndex {
        let mut index = CiIndex::default();
        for (p, pipeline) in ws.pipelines.iter().enumerate() {
            for (r, run) in pipeline.compose_runs.iter().enumerate() {
                for &file in &run.files.found {
                    let runs = index.runs_by_file.entry(file).or_default();
                    // A run may name a file twice (`-f a -f a`): once is enough.
                    if runs.last() != Some(&(p, r)) {
                        runs.push((p, r));
                    }
                }
            }
            index
                .pipelines_by_dir
                .entry(ws.file(pipeline.model.root_file).dir())
                .or_default()
                .push(p);
        }
        index.projects_by_path = ws
            .compose_projects
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((ws.file(*p.files.first()?).source.path.clone(), i)))
            .collect();
        index.projects_by_path.sort();
        index
    }
}

impl Workspace {
    fn ci_index(&self) -> &CiIndex {
        self.ci_index.get_or_init(|| CiIndex::build(self))
    }

    /// The Compose runs of every pipeline that read `file`, in pipeline and run order.
    pub fn runs_reading(&self, file: FileId) -> impl Iterator<Item = &ComposeRun> {
        self.ci_index()
            .runs_by_file
            .get(&file)
            .into_iter()
            .flatten()
            .map(|&(p, r)| &self.pipelines[p].compose_runs[r])
    }

    /// The pipelines whose root file's directory holds `path` (at any depth), nearest
    /// directory first.
    pub fn pipelines_above(&self, path: &Path) -> impl Iterator<Item = &CiPipeline> {
        let index = self.ci_index();
        path.ancestors()
            .skip(1)
            .filter_map(|dir| index.pipelines_by_dir.get(dir))
            .flatten()
            .map(|&p| &self.pipelines[p])
    }

    /// The Compose projects whose first file lies in `dir` or below it, in path order.
    pub fn projects_below(&self, dir: &Path) -> impl Iterator<Item = usize> {
        let sorted = &self.ci_index().projects_by_path;
        // Path order is component by component: the paths below `dir` follow it in one run.
        let start = sorted.partition_point(|(p, _)| p.as_path() < dir);
        sorted[start..]
            .iter()
            .take_while(move |(p, _)| p.starts_with(dir))
            .map(|&(_, i)| i)
    }
}
