//! The `rules:if` expression parser and the regex check behind `=~`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipshape_model::gitlab::expression;

fuzz_target!(|text: &str| {
    let _ = expression::parse(text);
    if let Some((body, flags)) = expression::as_pattern(text) {
        let _ = expression::check_regex(body, flags);
    }
});
