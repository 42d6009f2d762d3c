//! Where Compose and GitLab CI files keep secrets, and which values are secrets: every
//! scalar is searched for known token formats and credentials in URLs; values of
//! secret-named keys (`environment:`, `variables:`, `build.args`, list-form `KEY=value`,
//! the `value:` of GitLab's hash form) are classified; script-like values (`script:`,
//! `command:`, `entrypoint:`, healthchecks) are read as shell for passwords on command
//! lines and `export KEY=value`. The findings feed `hardcoded-secret`, and their spans
//! are masked in every snippet any report shows.

use std::ops::Range;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use shipshape_model::FileKind;
use shipshape_model::secrets::{
    self, Confidence, TokenRule, ValueKind, classify_value, command_line_passwords, is_secret_name,
    literal_confidence, url_credentials,
};
use shipshape_model::shell;
use shipshape_yaml::{NodeId, NodeKind, ParsedYaml, SourceFile, Span, Tree};

/// What the scan reads of a file (the workspace's `AnalyzedFile::scanned`).
pub struct ScannedFile<'a> {
    pub source: &'a SourceFile,
    pub kind: FileKind,
    /// None for `.env` files, and files that are not YAML text.
    pub yaml: Option<&'a ParsedYaml>,
}

impl ScannedFile<'_> {
    fn tree(&self) -> Option<&Tree> {
        self.yaml.map(|y| &y.tree)
    }

    fn is_complete(&self) -> bool {
        self.yaml.is_some_and(ParsedYaml::is_complete)
    }
}

/// What kind of secret a finding is.
#[derive(Clone, Debug, PartialEq)]
pub enum SecretKind {
    Token(&'static TokenRule),
    /// The password of `scheme://user:password@host`.
    UrlPassword {
        user: String,
    },
    /// The literal value of a secret-named key (`DB_PASSWORD: ...`).
    Named {
        name: String,
    },
    /// A password given to a command (`docker login -p`, `mysql -pX`, `curl -u u:p`).
    CommandLine {
        option: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct SecretFinding {
    /// The secret's bytes in the file.
    pub span: Span,
    pub kind: SecretKind,
    pub confidence: Confidence,
    /// `variables:` of a GitLab file rather than a Compose file's `environment:`, for
    /// the help.
    pub in_ci_script: bool,
}

/// What `shipshape.toml` allows (`[secrets]`): values, regexes over the secret, file
/// globs.
#[derive(Clone, Debug, Default)]
pub struct SecretAllowlist {
    pub values: Vec<String>,
    pub regexes: Vec<Regex>,
    pub paths: Option<GlobSet>,
    /// The directory `paths` are relative to (the configuration file's).
    pub base: Option<std::path::PathBuf>,
}

impl SecretAllowlist {
    pub fn new(
        values: Vec<String>,
        regexes: &[String],
        paths: &[String],
    ) -> Result<SecretAllowlist, String> {
        let regexes = regexes
            .iter()
            .map(|r| Regex::new(r).map_err(|e| format!("invalid regex {r:?}: {e}")))
            .collect::<Result<_, _>>()?;
        let paths = if paths.is_empty() {
            None
        } else {
            let mut builder = GlobSetBuilder::new();
            for p in paths {
                builder.add(Glob::new(p).map_err(|e| format!("invalid glob {p:?}: {e}"))?);
            }
            Some(builder.build().map_err(|e| e.to_string())?)
        };
        Ok(SecretAllowlist {
            values,
            regexes,
            paths,
            base: None,
        })
    }

    /// `paths` are relative to `dir`.
    pub fn relative_to(mut self, dir: &std::path::Path) -> SecretAllowlist {
        self.base = Some(dir.to_path_buf());
        self
    }

    fn allows_file(&self, file: &ScannedFile<'_>) -> bool {
        let Some(globs) = &self.paths else {
            return false;
        };
        let path = &file.source.path;
        let relative = self
            .base
            .as_ref()
            .and_then(|b| path.strip_prefix(b).ok())
            .unwrap_or(path);
        globs.is_match(relative) || globs.is_match(&file.source.name)
    }

    fn allows(&self, secret: &str) -> bool {
        self.values.iter().any(|v| v == secret) || self.regexes.iter().any(|r| r.is_match(secret))
    }
}

/// Keys whose subtree names secrets or fetches them, never holds one: Compose's top-level
/// `secrets:`/`configs:` (files and environment variable names), GitLab's job `secrets:`
/// (vault paths) and `id_tokens:`, and `include:` entries.
const NEVER_HOLDS_SECRETS: &[&str] = &["secrets", "configs", "id_tokens", "include", "spec"];

/// Keys whose values run as shell.
const SCRIPT_KEYS: &[&str] = &[
    "script",
    "before_script",
    "after_script",
    "command",
    "entrypoint",
    "test",
];

/// Keys of mappings and lists of environment variables.
const ENV_KEYS: &[&str] = &["environment", "variables", "args", "build_args"];

/// What a scan found in one piece of text: ranges into that text.
type Found = Vec<(Range<usize>, SecretKind, Confidence)>;

/// Keeps the distinct findings of one piece of `text` that the allowlist does not allow,
/// each placed in the file by `span`.
fn keep_found(
    out: &mut Vec<SecretFinding>,
    mut found: Found,
    text: &str,
    allow: &SecretAllowlist,
    in_ci_script: bool,
    span: impl Fn(Range<usize>) -> Span,
) {
    keep_distinct(&mut found);
    for (range, kind, confidence) in found {
        if allow.allows(&text[range.clone()]) {
            continue;
        }
        out.push(SecretFinding {
            span: span(range),
            kind,
            confidence,
            in_ci_script,
        });
    }
}

/// Scans one parsed file.
// Long because: the four places a secret hides in a YAML file (a value of a secret-named
// key, a token anywhere, a URL password, a command-line password in a script) are found
// in one walk that knows the keys above each value; `keep_found` holds what they share.
pub fn scan(file: &ScannedFile<'_>, allow: &SecretAllowlist) -> Vec<SecretFinding> {
    if allow.allows_file(file) {
        return Vec::new();
    }
    // `.env` files are `KEY=value` lines: read as lines (comments included, where a
    // token is a token all the same).
    if file.kind == FileKind::DotEnv {
        return scan_lines(&file.source.text, 0, allow);
    }
    let Some(tree) = file.tree() else {
        return Vec::new();
    };
    let text = &file.source.text;
    let in_ci = file.kind == FileKind::GitlabCi;
    let mut out: Vec<SecretFinding> = Vec::new();
    walk_values(tree, |id, value, keys, in_list| {
        let span = |range| tree.value_subspan(text, id, range);
        // Names and paths of secrets hold none, but a URL or token is what it is wherever
        // it is written (`include: remote: https://oauth2:PASSWORD@host/...`).
        if never_holds_secrets(keys) {
            keep_found(
                &mut out,
                tokens_and_url_passwords(value),
                value,
                allow,
                in_ci,
                span,
            );
            return;
        }
        let mut found = tokens_and_url_passwords(value);
        let in_script = keys.iter().any(|k| SCRIPT_KEYS.contains(k));
        if in_script {
            for command in shell::commands(value) {
                for (range, option) in command_line_passwords(&command.words, &command.assignments)
                {
                    let confidence = literal_confidence(&value[range.clone()]);
                    found.push((range, SecretKind::CommandLine { option }, confidence));
                }
                // `export DB_PASSWORD=...`
                if command.words.first().is_some_and(|w| w.text == "export") {
                    for w in &command.words[1..] {
                        // Written as is, so that the value's range is the word's tail.
                        if w.range.len() == w.text.len()
                            && let Some((range, name, confidence)) =
                                assignment_secret(&w.text, w.range.clone())
                        {
                            found.push((range, SecretKind::Named { name }, confidence));
                        }
                    }
                }
            }
        }
        // The key this value belongs to: `KEY: value`, `KEY: {value: ...}`, `- KEY=value`.
        match keys.last() {
            Some(key) if !in_list => {
                let name =
                    if *key == "value" && keys.len() >= 3 && keys[keys.len() - 3] == "variables" {
                        keys[keys.len() - 2]
                    } else {
                        *key
                    };
                // Labels name things (`...tls-secret: my-cert`); tokens in them are found
                // above all the same.
                let in_labels = keys.len() >= 2 && keys[keys.len() - 2] == "labels";
                if is_secret_name(name) && !in_labels {
                    match classify_value(value) {
                        ValueKind::Literal(confidence) => {
                            found.push((
                                0..value.len(),
                                SecretKind::Named {
                                    name: name.to_string(),
                                },
                                confidence,
                            ));
                        }
                        // A literal default of a reference counts only as a known token,
                        // found above.
                        ValueKind::Default(_)
                        | ValueKind::Reference
                        | ValueKind::Path
                        | ValueKind::Nothing => {}
                    }
                }
            }
            _ => {
                let parent_key = keys.last().copied().unwrap_or("");
                if in_list
                    && ENV_KEYS.contains(&parent_key)
                    && let Some((range, name, confidence)) =
                        assignment_secret(value, 0..value.len())
                {
                    found.push((range, SecretKind::Named { name }, confidence));
                }
            }
        }
        keep_found(&mut out, found, value, allow, in_ci, span);
    });
    // Comments are no values, but a token or a URL password pasted into one is as
    // committed as any other: whole-line comments are read for those.
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_start();
        if !body.starts_with('#') {
            continue;
        }
        let at = start + (line.len() - body.len());
        let body = body.trim_end();
        keep_found(
            &mut out,
            tokens_and_url_passwords(body),
            body,
            allow,
            in_ci,
            |r| Span::new(at + r.start, at + r.end),
        );
    }
    // What the parser did not reach (the file has an error) is read line by line, so a
    // broken file's secrets are masked and reported too.
    if !file.is_complete() {
        let parsed_end = tree
            .ids()
            .map(|id| tree.node(id).span.end as usize)
            .max()
            .unwrap_or(0);
        let rest_start = text[..parsed_end.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        out.extend(
            scan_lines(text, rest_start, allow)
                .into_iter()
                .filter(|f| {
                    !out.iter()
                        .any(|o| o.span.start < f.span.end && f.span.start < o.span.end)
                })
                .map(|mut f| {
                    f.in_ci_script = file.kind == FileKind::GitlabCi;
                    f
                })
                .collect::<Vec<_>>(),
        );
    }
    out
}

/// What any text may hold wherever it is written: known tokens and URL passwords.
fn tokens_and_url_passwords(text: &str) -> Found {
    let tokens = secrets::tokens(text)
        .into_iter()
        .map(|t| (t.range, SecretKind::Token(t.rule), t.confidence));
    let passwords = url_credentials(text).into_iter().map(|c| {
        let confidence = literal_confidence(&text[c.range.clone()]);
        (
            c.range,
            SecretKind::UrlPassword { user: c.user },
            confidence,
        )
    });
    let parameters = secrets::connection_string_secrets(text)
        .into_iter()
        .map(|(range, name)| {
            let confidence = literal_confidence(&text[range.clone()]);
            (range, SecretKind::Named { name }, confidence)
        });
    tokens.chain(passwords).chain(parameters).collect()
}

/// Lexical fallback for text the parser did not read: known tokens, URL passwords, and
/// `KEY: value` / `KEY=value` lines with a secret-named key.
fn scan_lines(text: &str, from: usize, allow: &SecretAllowlist) -> Vec<SecretFinding> {
    let mut out = Vec::new();
    let mut offset = from;
    for line in text[from..].split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let mut found = tokens_and_url_passwords(body);
        let trimmed = body.trim_start().trim_start_matches("- ");
        let indent = body.len() - trimmed.len();
        if let Some(at) = trimmed.find([':', '=']) {
            let name = trimmed[..at].trim().trim_matches(['"', '\'']);
            let raw = &trimmed[at + 1..];
            let value = raw.trim().trim_matches(['"', '\'']);
            if !value.is_empty()
                && is_secret_name(name)
                && let ValueKind::Literal(confidence) = classify_value(value)
                && let Some(v_at) = raw.find(value)
            {
                let begin = indent + at + 1 + v_at;
                found.push((
                    begin..begin + value.len(),
                    SecretKind::Named {
                        name: name.to_string(),
                    },
                    confidence,
                ));
            }
        }
        keep_found(&mut out, found, body, allow, false, |r| {
            Span::new(start + r.start, start + r.end)
        });
    }
    out
}

/// Calls `visit` for every scalar value as written (keys and aliases skipped: an alias's
/// target is visited where it is written), with the mapping keys above it and whether it
/// is a list item. Iterative, linear in the tree's size.
fn walk_values(tree: &Tree, mut visit: impl FnMut(NodeId, &str, &[&str], bool)) {
    // (node, how many keys are above it, its own key, a list item)
    let mut stack: Vec<(NodeId, usize, Option<&str>, bool)> = tree
        .documents
        .iter()
        .filter_map(|d| d.root)
        .map(|r| (r, 0, None, false))
        .collect();
    let mut keys: Vec<&str> = Vec::new();
    while let Some((id, depth, key, in_list)) = stack.pop() {
        keys.truncate(depth);
        keys.extend(key);
        match &tree.node(id).kind {
            NodeKind::Scalar { .. } => {
                visit(id, tree.scalar_at(id).unwrap_or_default(), &keys, in_list)
            }
            NodeKind::Mapping { .. } => {
                for e in tree.raw_entries(id) {
                    let key = tree.scalar(e.key).unwrap_or("");
                    stack.push((e.value, keys.len(), Some(key), false));
                }
            }
            NodeKind::Sequence { .. } => {
                for &item in tree.items(id) {
                    stack.push((item, keys.len(), None, true));
                }
            }
            NodeKind::Alias { .. } => {}
        }
    }
}

/// Whether a value sits under a key that never holds a secret: a top-level `secrets:`
/// or `configs:` (Compose), a job's `secrets:`/`id_tokens:` (GitLab), `include:`.
fn never_holds_secrets(keys: &[&str]) -> bool {
    match keys {
        [first, ..] if NEVER_HOLDS_SECRETS.contains(first) => true,
        [_, second, ..] if matches!(*second, "secrets" | "id_tokens") => true,
        _ => false,
    }
}

/// `KEY=value` with a secret-named key and a literal value: the value's range (within
/// `range`, which is where `text` is written), the name, the confidence.
fn assignment_secret(
    text: &str,
    range: Range<usize>,
) -> Option<(Range<usize>, String, Confidence)> {
    let (name, value) = text.split_once('=')?;
    if !shell::is_assignment(text) || !is_secret_name(name) {
        return None;
    }
    let ValueKind::Literal(confidence) = classify_value(value) else {
        return None;
    };
    let start = range.start + name.len() + 1;
    Some((start..start + value.len(), name.to_string(), confidence))
}

/// Drops findings inside another's range (a token inside a secret-named value is one
/// finding: the token, which says more).
fn keep_distinct(found: &mut Found) {
    let rank = |k: &SecretKind| match k {
        SecretKind::Token(_) => 0,
        SecretKind::UrlPassword { .. } => 1,
        SecretKind::CommandLine { .. } => 2,
        SecretKind::Named { .. } => 3,
    };
    found.sort_by_key(|(r, k, _)| (rank(k), r.start));
    let mut kept: Vec<(Range<usize>, SecretKind, Confidence)> = Vec::new();
    for f in found.drain(..) {
        if !kept
            .iter()
            .any(|k| k.0.start < f.0.end && f.0.start < k.0.end)
        {
            kept.push(f);
        }
    }
    kept.sort_by_key(|(r, _, _)| r.start);
    *found = kept;
}

/// The file's text with every secret masked (all but the first and last two characters
/// of long secrets, all of short ones), byte for byte the same length so that every span
/// still points at the same place. A secret written elsewhere in the file too (a password
/// equal to the user name) is masked there as well.
pub fn masked_text(text: &str, findings: &[SecretFinding]) -> String {
    let mut out = text.as_bytes().to_vec();
    let mut places: Vec<Span> = findings.iter().map(|f| f.span).collect();
    for f in findings {
        let Some(secret) = text
            .get(f.span.range())
            .filter(|s| s.len() >= 6 && !s.contains('\n'))
        else {
            continue;
        };
        places.extend(
            text.match_indices(secret)
                .map(|(at, s)| Span::new(at, at + s.len())),
        );
    }
    for span in places {
        let Some(secret) = text.get(span.range()) else {
            continue;
        };
        let chars: Vec<(usize, char)> = secret.char_indices().collect();
        let keep = if chars.len() >= 12 {
            2
        } else if chars.len() >= 6 {
            1
        } else {
            0
        };
        for (i, &(offset, c)) in chars.iter().enumerate() {
            if i < keep || i >= chars.len() - keep {
                continue;
            }
            let start = span.start as usize + offset;
            for b in &mut out[start..start + c.len_utf8()] {
                *b = b'*';
            }
        }
    }
    String::from_utf8(out).expect("ASCII replaced whole characters")
}
