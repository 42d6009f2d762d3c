//! The GitLab pipeline model (includes, extends, !reference, needs) and every rule, on any
//! bytes named `.gitlab-ci.yml`.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use shipshape_linter::FileKind;

fuzz_target!(|data: &[u8]| {
    common::lint(".gitlab-ci.yml", FileKind::GitlabCi, data);
});
