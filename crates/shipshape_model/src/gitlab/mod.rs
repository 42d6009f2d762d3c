//! GitLab CI: pipelines (includes, extends, `!reference`), services, expressions, schema.

pub mod contexts;
pub mod evaluate;
pub mod expression;
pub mod include;
pub mod keywords;
pub mod pipeline;
pub mod schema;
pub mod services;
pub mod simulate;
pub mod value;

pub use pipeline::{Job, Need, Pipeline, PipelineError, PipelineSource};
pub use value::{MapEntry, Origin, Value};
