//! The Compose model and every rule, on any bytes named `compose.yaml`.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use shipshape_linter::FileKind;

fuzz_target!(|data: &[u8]| {
    common::lint("compose.yaml", FileKind::Compose, data);
});
