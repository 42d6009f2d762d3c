//! Secrets written into Compose and GitLab CI files.

pub mod hardcoded_secret;
