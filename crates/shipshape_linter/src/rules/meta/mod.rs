//! Rules about shipshape's own comments and configuration.

pub mod unused_ignore;
