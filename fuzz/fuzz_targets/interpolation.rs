//! Compose `${VAR:-default}` interpolation and `.env` files: every range slices the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipshape_model::{dotenv, interpolation};

fuzz_target!(|text: &str| {
    let slices = |range: &std::ops::Range<usize>| {
        assert!(
            range.start <= range.end && range.end <= text.len(),
            "{range:?}"
        );
        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
    };
    let parsed = interpolation::parse(text);
    for r in &parsed.references {
        slices(&r.range);
        slices(&r.name_range);
        if let Some(argument) = &r.argument {
            slices(argument);
        }
    }
    for e in &parsed.errors {
        slices(&e.range);
    }
    parsed.escapes.iter().for_each(slices);
    let env = dotenv::parse(text);
    for entry in &env.entries {
        slices(&entry.name_range);
        slices(&entry.value_range);
    }
    env.errors.iter().for_each(|(range, _)| slices(range));
});
