//! `.env` files, in the grammar Compose reads them with (SPEC-domain A1, A2): blank lines
//! and `#` comment lines skipped; `KEY=VALUE` (or `KEY: VALUE`), optionally after
//! `export `; spaces around key and value trimmed; an unquoted value ends at ` #`; single
//! quotes are literal and may span lines; double quotes know `\n \r \t \\ \"` and may span
//! lines; a bare `KEY` line names a variable without a value.
//!
//! Values are kept as written (not interpolated): what matters to the checks is which
//! variables a file defines and where.

use std::ops::Range;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DotEnvEntry {
    pub name: String,
    pub name_range: Range<usize>,
    /// The value with quotes removed and escapes applied; None for a bare `KEY` line.
    pub value: Option<String>,
    /// The value as written, quotes included.
    pub value_range: Range<usize>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DotEnv {
    pub entries: Vec<DotEnvEntry>,
    /// Lines that are not `KEY=VALUE`: (range of the line, reason).
    pub errors: Vec<(Range<usize>, String)>,
}

impl DotEnv {
    /// The last definition of a variable (later lines win).
    pub fn get(&self, name: &str) -> Option<&DotEnvEntry> {
        self.entries.iter().rev().find(|e| e.name == name)
    }

    pub fn defines(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// The suffixes of the committed templates an env file is made from (`.env.example` for
/// `.env`, `app.env.dist` for `app.env`).
pub const TEMPLATE_SUFFIXES: &[&str] = &[".example", ".dist", ".sample", ".template"];

/// The variant a Compose file's name carries (`docker-compose.dev.yml`, `compose.dev.yaml`,
/// `dev.compose.yml` -> `dev`), if any.
pub fn compose_variant(file_name: &str) -> Option<&str> {
    let stem = file_name
        .strip_suffix(".yml")
        .or_else(|| file_name.strip_suffix(".yaml"))?;
    let variant = ["docker-compose.", "docker-compose-", "compose."]
        .iter()
        .find_map(|p| stem.strip_prefix(p))
        .or_else(|| stem.strip_suffix(".compose"))?;
    (!variant.is_empty() && variant != "override").then_some(variant)
}

/// The env files beside a Compose file that document its own variant's variables
/// (`.env.dev`, `.env.dev.example` and the other templates, `dev.env`,
/// `dev.env.example` for `docker-compose.dev.yml`).
pub fn variant_env_files(compose_file_name: &str) -> Vec<String> {
    let Some(variant) = compose_variant(compose_file_name) else {
        return Vec::new();
    };
    let files = [format!(".env.{variant}"), format!("{variant}.env")];
    files
        .iter()
        .flat_map(|f| {
            std::iter::once(f.clone())
                .chain(TEMPLATE_SUFFIXES.iter().map(move |s| format!("{f}{s}")))
        })
        .collect()
}

pub fn parse(text: &str) -> DotEnv {
    let mut out = DotEnv::default();
    let bytes = text.as_bytes();
    let mut pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while pos < bytes.len() {
        let line_end = line_end(bytes, pos);
        let line = &text[pos..line_end];
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            pos = next_line(bytes, line_end);
            continue;
        }
        let mut start = pos + indent;
        if let Some(rest) = trimmed.strip_prefix("export ") {
            start += trimmed.len() - rest.trim_start().len();
        }
        let key_len = text[start..line_end]
            .find(|c: char| c == '=' || c == ':' || c.is_whitespace())
            .unwrap_or(line_end - start);
        let name = &text[start..start + key_len];
        if !crate::interpolation::is_name(name) && !name.contains('.') {
            out.errors.push((
                pos..line_end,
                format!("\"{}\" is not a KEY=VALUE line", line.trim()),
            ));
            pos = next_line(bytes, line_end);
            continue;
        }
        let mut after = start + key_len;
        while after < line_end && matches!(bytes[after], b' ' | b'\t') {
            after += 1;
        }
        if after >= line_end {
            out.entries.push(DotEnvEntry {
                name: name.to_string(),
                name_range: start..start + key_len,
                value: None,
                value_range: after..after,
            });
            pos = next_line(bytes, line_end);
            continue;
        }
        if !matches!(bytes[after], b'=' | b':') {
            out.errors.push((
                pos..line_end,
                format!("\"{}\" is not a KEY=VALUE line", line.trim()),
            ));
            pos = next_line(bytes, line_end);
            continue;
        }
        let mut v = after + 1;
        while v < line_end && matches!(bytes[v], b' ' | b'\t') {
            v += 1;
        }
        let (value, value_range, resume) = match bytes.get(v) {
            Some(&q @ (b'\'' | b'"')) if v < line_end => match closing_quote(bytes, v + 1, q) {
                Some(close) => {
                    let raw = &text[v + 1..close];
                    let value = if q == b'"' {
                        unescape(raw)
                    } else {
                        raw.to_string()
                    };
                    (value, v..close + 1, line_end_after(bytes, close + 1))
                }
                None => {
                    out.errors.push((
                        v..bytes.len(),
                        format!("quote {} is never closed", q as char),
                    ));
                    break;
                }
            },
            _ => {
                // Unquoted: up to an inline comment (` #`), trimmed.
                let raw = &text[v..line_end];
                let cut = raw
                    .find(" #")
                    .or_else(|| raw.find("\t#"))
                    .unwrap_or(raw.len());
                let value = raw[..cut].trim_end();
                (value.to_string(), v..v + value.len(), line_end)
            }
        };
        out.entries.push(DotEnvEntry {
            name: name.to_string(),
            name_range: start..start + key_len,
            value: Some(value),
            value_range,
        });
        pos = next_line(bytes, resume);
    }
    out
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |i| from + i)
}

fn line_end_after(bytes: &[u8], from: usize) -> usize {
    line_end(bytes, from.min(bytes.len()))
}

fn next_line(bytes: &[u8], line_end: usize) -> usize {
    match bytes.get(line_end) {
        Some(b'\r') if bytes.get(line_end + 1) == Some(&b'\n') => line_end + 2,
        Some(_) => line_end + 1,
        None => line_end,
    }
}

fn closing_quote(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        if quote == b'"' && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == quote {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compose_grammar() {
        let text = "# comment\n\nA=1\nexport B = two words # note\nC='lit ${X}'\nD=\"l1\\nl2\"\nE\nF: colon\nG='multi\nline'\nH=\n";
        let env = parse(text);
        assert!(env.errors.is_empty(), "{:?}", env.errors);
        let got: Vec<(&str, Option<&str>)> = env
            .entries
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("A", Some("1")),
                ("B", Some("two words")),
                ("C", Some("lit ${X}")),
                ("D", Some("l1\nl2")),
                ("E", None),
                ("F", Some("colon")),
                ("G", Some("multi\nline")),
                ("H", Some("")),
            ]
        );
        let b = env.get("B").unwrap();
        assert_eq!(&text[b.name_range.clone()], "B");
        assert_eq!(&text[b.value_range.clone()], "two words");
    }

    #[test]
    fn later_lines_win_and_junk_is_reported() {
        let env = parse("A=1\nA=2\nnot a line\n");
        assert_eq!(env.get("A").unwrap().value.as_deref(), Some("2"));
        assert_eq!(env.errors.len(), 1);
    }
}

#[cfg(test)]
mod variant_tests {
    use super::*;

    #[test]
    fn a_compose_variant_has_its_own_env_templates() {
        assert_eq!(compose_variant("docker-compose.dev.yml"), Some("dev"));
        assert_eq!(compose_variant("compose.ci.yaml"), Some("ci"));
        assert_eq!(compose_variant("prod.compose.yml"), Some("prod"));
        assert_eq!(compose_variant("docker-compose.yml"), None);
        assert_eq!(compose_variant("docker-compose.override.yml"), None);
        assert!(
            variant_env_files("docker-compose.dev.yml").contains(&".env.dev.example".to_string())
        );
    }
}
