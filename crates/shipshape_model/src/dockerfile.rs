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

/// The image the last stage of a Dockerfile starts `FROM` (`postgres:16` in
/// `FROM postgres:16 AS db`); None when it names an earlier stage, a variable or nothing.
pub fn final_base_image(text: &str) -> Option<String> {
    let mut stages: Vec<String> = Vec::new();
    let mut last: Option<String> = None;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if !words.next().is_some_and(|w| w.eq_ignore_ascii_case("FROM")) {
            continue;
        }
        let words: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
        let image = words.first().copied().unwrap_or_default();
        if let [_, as_word, name, ..] = words.as_slice()
            && as_word.eq_ignore_ascii_case("AS")
        {
            stages.push(name.to_ascii_lowercase());
        }
        last = (!image.is_empty()
            && !crate::interpolation::is_dynamic(image)
            && !stages.iter().any(|s| s.eq_ignore_ascii_case(image)))
        .then(|| image.to_string());
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_stage_base_image() {
        assert_eq!(
            final_base_image("FROM postgres:16\nCOPY init.sql /docker-entrypoint-initdb.d/\n"),
            Some("postgres:16".into())
        );
        assert_eq!(
            final_base_image("FROM node:20 AS build\nFROM --platform=linux/amd64 nginx:1.27\n"),
            Some("nginx:1.27".into())
        );
        assert_eq!(final_base_image("FROM golang AS build\nFROM build\n"), None);
        assert_eq!(final_base_image("ARG V\nFROM postgres:${V}\n"), None);
    }

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
