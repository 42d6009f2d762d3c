//! The CI script splitter and the `docker compose` command-line parser behind it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipshape_model::{compose_cli, shell};

fuzz_target!(|script: &str| {
    for command in shell::commands(script) {
        for word in command
            .assignments
            .iter()
            .chain(&command.words)
            .chain(&command.redirects)
        {
            let range = &word.range;
            assert!(
                range.start <= range.end && range.end <= script.len(),
                "{range:?}"
            );
            assert!(script.is_char_boundary(range.start) && script.is_char_boundary(range.end));
        }
        let _ = compose_cli::parse(&command);
    }
    compose_cli::runs_tests(script);
});
