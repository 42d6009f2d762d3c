//! What the checks need to know about a Dockerfile: whether its final image declares a
//! `HEALTHCHECK` (which satisfies `condition: service_healthy` without one in Compose).

/// Whether the last stage of a Dockerfile has a `HEALTHCHECK` other than `HEALTHCHECK NONE`.
pub fn declares_healthcheck(text: &str) -> bool {
    let mut found = false;
    for line in text.lines() {
        let line = line.trim_start();
        let word = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match word.as_str() {
            // Each stage starts afresh.
            "FROM" => found = false,
            "HEALTHCHECK" => {
                let arg = line.split_whitespace().nth(1).unwrap_or_default();
                found = !arg.eq_ignore_ascii_case("NONE");
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_stage_counts() {
        assert!(declares_healthcheck(
            "FROM alpine\nHEALTHCHECK CMD wget -q localhost\n"
        ));
        assert!(!declares_healthcheck(
            "FROM alpine AS build\nHEALTHCHECK CMD true\nFROM scratch\n"
        ));
        assert!(!declares_healthcheck("FROM x\nhealthcheck none\n"));
        assert!(!declares_healthcheck("FROM x\nRUN echo HEALTHCHECK\n"));
    }
}
