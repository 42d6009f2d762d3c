//! What a pipeline simulation found (`simulation`): per kind of pipeline, whether it is
//! created and which jobs it has. Plain data, kept beside each `CiPipeline`.

use std::sync::Arc;

use shipshape_model::gitlab::Origin;
use shipshape_model::gitlab::contexts::Context;
use shipshape_model::gitlab::evaluate::Tri;
use shipshape_model::gitlab::simulate::Decision;

/// One job in one kind of pipeline.
#[derive(Clone, Debug)]
pub struct JobRun {
    /// Index in the pipeline model's `jobs`.
    pub job: usize,
    pub decision: Decision,
    /// The `include:rules` that may leave the job's file out, when they do.
    pub include_rules: Option<Origin>,
    /// `decision.runs` and the include's condition together.
    pub runs: Tri,
}

/// A pipeline in one context: whether it is created, and each visible job.
#[derive(Clone, Debug)]
pub struct PipelineRun {
    /// Shared: every pipeline is simulated in the same kinds of pipeline.
    pub context: Arc<Context>,
    pub created: Decision,
    pub jobs: Vec<JobRun>,
    /// For each job of the model, its index in `jobs` (hidden jobs have none).
    by_model: Vec<Option<u32>>,
}

impl PipelineRun {
    pub fn new(
        context: Arc<Context>,
        created: Decision,
        jobs: Vec<JobRun>,
        model_jobs: usize,
    ) -> PipelineRun {
        let mut by_model = vec![None; model_jobs];
        for (i, j) in jobs.iter().enumerate() {
            by_model[j.job] = Some(i as u32);
        }
        PipelineRun {
            context,
            created,
            jobs,
            by_model,
        }
    }

    pub fn job_run(&self, model_index: usize) -> Option<&JobRun> {
        let i = (*self.by_model.get(model_index)?)?;
        self.jobs.get(i as usize)
    }
}
