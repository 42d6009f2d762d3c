//! Small text helpers shared by rules (defined in the model crate, which needs them too).

pub use shipshape_model::text::*;
