//! GitLab CI: pipelines (includes, extends, `!reference`), services, expressions, schema.

pub mod expression;
pub mod include;
pub mod keywords;
pub mod pipeline;
pub mod schema;
pub mod services;
pub mod value;

pub use pipeline::{Job, Need, Pipeline, PipelineError, PipelineSource};
pub use value::{MapEntry, Origin, Value};
