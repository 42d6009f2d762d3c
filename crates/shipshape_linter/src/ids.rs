//! Typed indices into the workspace's derived tables, so a project index is never used
//! as a pipeline index (file ids are `shipshape_yaml::FileId`).

/// A Compose project of the workspace: an index into `Workspace::compose_projects`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ProjectId(pub u32);

/// A GitLab pipeline of the workspace: an index into `Workspace::pipelines`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct PipelineId(pub u32);
