//! Secrets in values (SPEC-domain C): known token formats (gitleaks' default rules, with
//! their entropy gates and the checksums some formats carry), credentials in URLs,
//! command-line passwords, and what makes a variable's name say "secret" and its value a
//! literal rather than a reference, a path or a placeholder. Pure functions over strings;
//! where a file puts these strings is the linter's business.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// How sure a finding is that a real secret is exposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// A placeholder or well-known development default (`changeme`, `example`).
    Placeholder,
    /// A literal that is weak or may be an example (a dictionary word, a token whose
    /// checksum does not match).
    Weak,
    /// A real-looking secret: a known token format, or a long random literal.
    Real,
}

/// A known token format.
#[derive(Debug)]
pub struct TokenRule {
    /// gitleaks' rule id, kept so users can compare.
    pub id: &'static str,
    /// What it is, for messages: "a GitLab personal access token".
    pub what: &'static str,
    /// Lowercase words one of which must occur for the regex to run (gitleaks' prefilter).
    pub keywords: &'static [&'static str],
    /// RE2 syntax; the secret is capture group 1 when there is one.
    pub pattern: &'static str,
    /// Matches whose secret has this Shannon entropy or less are not secrets.
    pub entropy: f64,
    /// A checksum the format carries.
    pub check: Option<fn(&str) -> bool>,
    /// A key made to be shipped in clients (a Sentry DSN's): whoever reads it can send
    /// data to the service, not read from it. Reported at info, and masked like any other.
    pub public: bool,
}

impl PartialEq for TokenRule {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

const fn rule(
    id: &'static str,
    what: &'static str,
    keywords: &'static [&'static str],
    pattern: &'static str,
    entropy: f64,
) -> TokenRule {
    TokenRule {
        id,
        what,
        keywords,
        pattern,
        entropy,
        check: None,
        public: false,
    }
}

/// The token formats shipshape knows, from gitleaks' default configuration (v8.30).
pub static TOKEN_RULES: &[TokenRule] = &[
    rule(
        "aws-access-token",
        "an AWS access key ID",
        &["a3t", "akia", "asia", "abia", "acca"],
        r"\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
        3.0,
    ),
    rule(
        "gcp-api-key",
        "a Google Cloud API key",
        &["aiza"],
        r"\b(AIza[\w-]{35})(?:[\x60'\x22\s;]|\\[nr]|$)",
        4.0,
    ),
    rule(
        "azure-ad-client-secret",
        "an Azure AD client secret",
        &["q~"],
        r"(?:^|[\\'\x22\x60\s>=:(,)])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?:$|[\\'\x22\x60\s<),])",
        3.0,
    ),
    TokenRule {
        check: Some(github_checksum),
        ..rule(
            "github-pat",
            "a GitHub personal access token",
            &["ghp_"],
            r"ghp_[0-9a-zA-Z]{36}",
            3.0,
        )
    },
    rule(
        "github-fine-grained-pat",
        "a GitHub fine-grained personal access token",
        &["github_pat_"],
        r"github_pat_\w{82}",
        3.0,
    ),
    TokenRule {
        check: Some(github_checksum),
        ..rule(
            "github-oauth",
            "a GitHub OAuth token",
            &["gho_"],
            r"gho_[0-9a-zA-Z]{36}",
            3.0,
        )
    },
    TokenRule {
        check: Some(github_checksum),
        ..rule(
            "github-app-token",
            "a GitHub App token",
            &["ghu_", "ghs_"],
            r"(?:ghu|ghs)_[0-9a-zA-Z]{36}",
            3.0,
        )
    },
    TokenRule {
        check: Some(github_checksum),
        ..rule(
            "github-refresh-token",
            "a GitHub refresh token",
            &["ghr_"],
            r"ghr_[0-9a-zA-Z]{36}",
            3.0,
        )
    },
    rule(
        "gitlab-pat-routable",
        "a GitLab personal access token",
        &["glpat-"],
        r"\bglpat-[0-9a-zA-Z_-]{27,300}\.[0-9a-z]{2}[0-9a-z]{7}\b",
        4.0,
    ),
    rule(
        "gitlab-pat",
        "a GitLab personal access token",
        &["glpat-"],
        r"glpat-[\w-]{20}",
        3.0,
    ),
    rule(
        "gitlab-deploy-token",
        "a GitLab deploy token",
        &["gldt-"],
        r"gldt-[0-9a-zA-Z_\-]{20}",
        3.0,
    ),
    rule(
        "gitlab-runner-authentication-token-routable",
        "a GitLab runner authentication token",
        &["glrt-"],
        r"\bglrt-t\d_[0-9a-zA-Z_\-]{27,300}\.[0-9a-z]{2}[0-9a-z]{7}\b",
        4.0,
    ),
    rule(
        "gitlab-runner-authentication-token",
        "a GitLab runner authentication token",
        &["glrt-"],
        r"glrt-[0-9a-zA-Z_\-]{20}",
        3.0,
    ),
    rule(
        "gitlab-ptt",
        "a GitLab pipeline trigger token",
        &["glptt-"],
        r"glptt-[0-9a-f]{40}",
        3.0,
    ),
    rule(
        "gitlab-rrt",
        "a GitLab runner registration token",
        &["gr1348941"],
        r"GR1348941[\w-]{20}",
        3.0,
    ),
    rule(
        "gitlab-cicd-job-token",
        "a GitLab CI/CD job token",
        &["glcbt-"],
        r"glcbt-[0-9a-zA-Z]{1,5}_[0-9a-zA-Z_-]{20}",
        3.0,
    ),
    rule(
        "gitlab-feed-token",
        "a GitLab feed token",
        &["glft-"],
        r"glft-[0-9a-zA-Z_\-]{20}",
        3.0,
    ),
    rule(
        "gitlab-scim-token",
        "a GitLab SCIM token",
        &["glsoat-"],
        r"glsoat-[0-9a-zA-Z_\-]{20}",
        3.0,
    ),
    rule(
        "gitlab-oauth-app-secret",
        "a GitLab OAuth application secret",
        &["gloas-"],
        r"gloas-[0-9a-zA-Z_\-]{64}",
        3.0,
    ),
    rule(
        "gitlab-kubernetes-agent-token",
        "a GitLab Kubernetes agent token",
        &["glagent-"],
        r"glagent-[0-9a-zA-Z_\-]{50}",
        3.0,
    ),
    rule(
        "slack-bot-token",
        "a Slack bot token",
        &["xoxb"],
        r"xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*",
        3.0,
    ),
    rule(
        "slack-user-token",
        "a Slack user token",
        &["xoxp-", "xoxe-"],
        r"xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}",
        2.0,
    ),
    rule(
        "slack-app-token",
        "a Slack app token",
        &["xapp"],
        r"(?i)xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+",
        2.0,
    ),
    rule(
        "slack-webhook-url",
        "a Slack webhook URL",
        &["hooks.slack.com"],
        r"(?:https?://)?hooks.slack.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}",
        0.0,
    ),
    rule(
        "stripe-access-token",
        "a Stripe API key",
        &[
            "sk_test", "sk_live", "sk_prod", "rk_test", "rk_live", "rk_prod",
        ],
        r"\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})(?:[\x60'\x22\s;]|\\[nr]|$)",
        2.0,
    ),
    rule(
        "private-key",
        "a private key",
        &["-----begin"],
        r"(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----",
        0.0,
    ),
    rule(
        "jwt",
        "a JSON Web Token",
        &["ey"],
        r"\b(ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?)(?:[\x60'\x22\s;]|\\[nr]|$)",
        3.0,
    ),
    TokenRule {
        check: Some(github_checksum),
        ..rule(
            "npm-access-token",
            "an npm access token",
            &["npm_"],
            r"(?i)\b(npm_[a-z0-9]{36})(?:[\x60'\x22\s;]|\\[nr]|$)",
            2.0,
        )
    },
    rule(
        "pypi-upload-token",
        "a PyPI upload token",
        &["pypi-ageichlwas5vcmc"],
        r"pypi-AgEIcHlwaS5vcmc[\w-]{50,}",
        3.0,
    ),
    rule(
        "dockerhub-pat",
        "a Docker Hub personal access token",
        &["dckr_pat_"],
        r"\b(dckr_pat_[a-zA-Z0-9_-]{27})(?:[\x60'\x22\s;]|\\[nr]|$)",
        3.0,
    ),
    rule(
        "openai-api-key",
        "an OpenAI API key",
        &["t3blbkfj"],
        r"\b(sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})(?:[\x60'\x22\s;]|\\[nr]|$)",
        3.0,
    ),
    rule(
        "anthropic-api-key",
        "an Anthropic API key",
        &["sk-ant-api03"],
        r"\b(sk-ant-api03-[a-zA-Z0-9_\-]{93}AA)(?:[\x60'\x22\s;]|\\[nr]|$)",
        0.0,
    ),
    rule(
        "sendgrid-api-token",
        "a SendGrid API key",
        &["sg."],
        r"\b(SG\.(?i)[a-z0-9=_\-\.]{66})(?:[\x60'\x22\s;]|\\[nr]|$)",
        2.0,
    ),
    rule(
        "twilio-api-key",
        "a Twilio API key",
        &["sk"],
        r"\bSK[0-9a-fA-F]{32}\b",
        3.0,
    ),
    rule(
        "hashicorp-tf-api-token",
        "a Terraform Cloud API token",
        &["atlasv1"],
        r"(?i)[a-z0-9]{14}\.(?-i:atlasv1)\.[a-z0-9\-_=]{60,70}",
        3.5,
    ),
    rule(
        "vault-service-token",
        "a HashiCorp Vault token",
        &["hvs."],
        r"\b(hvs\.[\w-]{90,120})(?:[\x60'\x22\s;]|\\[nr]|$)",
        3.5,
    ),
    // Not a gitleaks rule: a DSN's key is public by design (Sentry: safe to expose in
    // browser code), but it lets anyone send events to the project, so it is masked and
    // said (info). The older DSN form's `:secret` part is a URL password.
    TokenRule {
        public: true,
        ..rule(
            "sentry-dsn",
            "a Sentry DSN key",
            &["sentry"],
            r"\bhttps?://([0-9a-f]{32})(?::[0-9a-f]{32})?@(?:[a-z0-9-]+\.)*sentry\.io/[0-9]+",
            3.0,
        )
    },
    rule(
        "digitalocean-pat",
        "a DigitalOcean personal access token",
        &["dop_v1_"],
        r"\b(dop_v1_[a-f0-9]{64})(?:[\x60'\x22\s;]|\\[nr]|$)",
        3.0,
    ),
];

static COMPILED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    TOKEN_RULES
        .iter()
        // RE2's `\w` is ASCII; Rust's is Unicode (and much larger compiled).
        .map(|r| r.pattern.replace(r"\w", "[0-9A-Za-z_]"))
        .map(|p| Regex::new(&p).unwrap_or_else(|e| panic!("{p}: {e}")))
        .collect()
});

/// A known token found in a string.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenMatch {
    pub rule: &'static TokenRule,
    /// The secret's byte range in the string.
    pub range: Range<usize>,
    pub confidence: Confidence,
}

/// Every rule's keywords in one automaton (gitleaks' prefilter, one pass over the text
/// instead of one search per keyword): pattern `i` is keyword `i` of
/// `KEYWORD_RULES[i]`'s rule.
static KEYWORDS: LazyLock<(aho_corasick::AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let (words, rules): (Vec<&str>, Vec<usize>) = TOKEN_RULES
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.keywords.iter().map(move |k| (*k, i)))
        .unzip();
    let automaton = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words)
        .expect("keywords are plain strings");
    (automaton, rules)
});

/// Every known token in `text`, left to right, overlapping ones dropped.
pub fn tokens(text: &str) -> Vec<TokenMatch> {
    // Nearly every value has no keyword at all: no regex runs, nothing is allocated.
    let (automaton, keyword_rule) = &*KEYWORDS;
    let mut wanted: Vec<bool> = Vec::new();
    for m in automaton.find_overlapping_iter(text) {
        wanted.resize(TOKEN_RULES.len(), false);
        wanted[keyword_rule[m.pattern().as_usize()]] = true;
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<TokenMatch> = Vec::new();
    for ((rule, re), _) in TOKEN_RULES
        .iter()
        .zip(COMPILED.iter())
        .zip(wanted)
        .filter(|(_, w)| *w)
    {
        for caps in re.captures_iter(text) {
            let m = caps.get(1).or_else(|| caps.get(0)).expect("group 0 exists");
            let secret = m.as_str();
            if rule.entropy > 0.0 && shannon_entropy(secret) <= rule.entropy {
                continue;
            }
            if out
                .iter()
                .any(|o| o.range.start < m.end() && m.start() < o.range.end)
            {
                continue;
            }
            let confidence = match rule.check {
                Some(check) if !check(secret) => Confidence::Weak,
                _ if looks_like_example(secret) => Confidence::Weak,
                _ => Confidence::Real,
            };
            out.push(TokenMatch {
                rule,
                range: m.start()..m.end(),
                confidence,
            });
        }
    }
    out.sort_by_key(|m| m.range.start);
    out
}

/// Example values written in documentation (`AKIAIOSFODNN7EXAMPLE`, `...xxxx...`).
fn looks_like_example(secret: &str) -> bool {
    let upper = secret.to_ascii_uppercase();
    upper.ends_with("EXAMPLE") || upper.contains("XXXXXXXX") || upper.contains("0000000000")
}

/// Shannon entropy in bits per byte (gitleaks' `shannonEntropy`).
pub fn shannon_entropy(s: &str) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// GitHub's (and npm's) token checksum: the last 6 characters are the CRC32 of the
/// random part, in base 62 (`0-9A-Za-z`).
fn github_checksum(token: &str) -> bool {
    let Some((_, rest)) = token.split_once('_') else {
        return false;
    };
    if rest.len() < 7 || !rest.is_ascii() {
        return false;
    }
    let (body, check) = rest.split_at(rest.len() - 6);
    let mut value: u64 = 0;
    for c in check.bytes() {
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'Z' => c - b'A' + 10,
            b'a'..=b'z' => c - b'a' + 36,
            _ => return false,
        };
        value = value * 62 + u64::from(digit);
    }
    value == u64::from(crc32(body.as_bytes()))
}

/// CRC-32 (IEEE 802.3), bit by bit: tokens are a few dozen bytes.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A password inside a URL: `scheme://user:password@host`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlCredential {
    pub user: String,
    /// The password's byte range in the string.
    pub range: Range<usize>,
}

/// Every `scheme://user:password@` in `text` whose password is written out (not `$VAR`).
pub fn url_credentials(text: &str) -> Vec<UrlCredential> {
    if !text.contains("://") {
        return Vec::new();
    }
    static URL: LazyLock<Regex> = LazyLock::new(|| {
        // The user may be empty: `redis://:password@redis:6379`.
        Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://([^\s:/@'\x22]*):([^\s/@'\x22]+)@[^\s/@'\x22]")
            .expect("valid")
    });
    URL.captures_iter(text)
        .filter_map(|c| {
            let user = c.get(1)?;
            let pass = c.get(2)?;
            (!pass.as_str().contains('$') && !user.as_str().contains('$')).then(|| UrlCredential {
                user: user.as_str().to_string(),
                range: pass.start()..pass.end(),
            })
        })
        .collect()
}

/// `password=...` and the like inside a URL's query or a connection string
/// (`jdbc:postgresql://db/app?user=app&password=X`, Azure's `AccountKey=X;`): the value's
/// range and the parameter's name.
pub fn connection_string_secrets(text: &str) -> Vec<(Range<usize>, String)> {
    if !text.contains('=') {
        return Vec::new();
    }
    static PARAM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:^|[?&;\s])(password|passwd|pwd|accountkey|sharedaccesskey|private_token|access_token|client_secret|api_key|apikey)=([^&;\s'\x22]+)")
            .expect("valid")
    });
    PARAM
        .captures_iter(text)
        .filter_map(|c| {
            let name = c.get(1)?;
            let value = c.get(2)?;
            (!value.as_str().contains('$') && value.len() >= 4)
                .then(|| (value.start()..value.end(), name.as_str().to_string()))
        })
        .collect()
}

/// Parts of a variable name that say its value is a secret.
const SECRET_PARTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIALS",
    "CREDENTIAL",
    "PRIVATEKEY",
];
/// Two-part names that say so (`API_KEY`, `ACCESS_KEY`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("API", "KEY"),
    ("ACCESS", "KEY"),
    ("SECRET", "KEY"),
    ("PRIVATE", "KEY"),
    ("AUTH", "KEY"),
    ("ENCRYPTION", "KEY"),
    ("SIGNING", "KEY"),
    ("MASTER", "KEY"),
    ("LICENSE", "KEY"),
    ("ROOT", "PASS"),
    ("DB", "PASS"),
];
/// Last parts that make the name about something other than the secret itself:
/// `TOKEN_TTL`, `PASSWORD_FILE`, `SECRET_NAME`, `API_KEY_ID`.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "FILE",
    "FILES",
    "PATH",
    "PATHS",
    "DIR",
    "DIRS",
    "EXCLUDE",
    "EXCLUDED",
    "EXCLUSIONS",
    "NAME",
    "ID",
    "REF",
    "URL",
    "URI",
    "ENDPOINT",
    "HOST",
    "PORT",
    "TTL",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "TIMEOUT",
    "LENGTH",
    "LEN",
    "SIZE",
    "HEADER",
    "TYPE",
    "ALGORITHM",
    "ENABLED",
    "REQUIRED",
    "MODE",
    "FORMAT",
    "VERSION",
    "COOKIE",
    "PARAM",
    "FIELD",
    "KEY_ID",
    "HASH",
    "POLICY",
    "PROVIDER",
    "ISSUER",
    "AUDIENCE",
    "SCOPE",
    "SCOPES",
    "REGION",
    "PREFIX",
    "COUNT",
    "LIMIT",
    "RETRIES",
    "STDIN",
    "MIN",
    "MAX",
    "USER",
    "USERNAME",
    "REALM",
];
/// Whole names that look secret but hold none.
const NOT_SECRET_NAMES: &[&str] = &[
    "PWD",
    "OLDPWD",
    "CSRF_TOKEN",
    "PUBLIC_KEY",
    "TOKEN_AUDIENCE",
    "GITHUB_TOKEN_PERMISSIONS",
];

/// Whether a variable (or key) name says its value is a secret: `DB_PASSWORD`,
/// `MONGO_INITDB_ROOT_PASSWORD`, `STRIPE_SECRET`, `API_KEY`, `githubToken`.
pub fn is_secret_name(name: &str) -> bool {
    // Every secret part and pair below contains one of these words, whatever the case
    // and the separators: most keys are rejected here, without allocating.
    const STEMS: &[&[u8]] = &[b"pass", b"pwd", b"secret", b"token", b"key", b"credential"];
    let bytes = name.as_bytes();
    if !STEMS.iter().any(|stem| {
        bytes
            .windows(stem.len())
            .any(|w| w.eq_ignore_ascii_case(stem))
    }) {
        return false;
    }
    let parts = name_parts(name);
    let upper = parts.join("_");
    if NOT_SECRET_NAMES.contains(&upper.as_str()) {
        return false;
    }
    if let Some(last) = parts.last()
        && NOT_SECRET_SUFFIXES.contains(&last.as_str())
    {
        return false;
    }
    // A part that is, or ends in, a secret word: `PGPASSWORD`, `GHTOKEN`.
    parts.iter().any(|p| {
        SECRET_PARTS
            .iter()
            .any(|s| p == s || (s.len() >= 5 && p.ends_with(s)))
    }) || parts
        .windows(2)
        .any(|w| SECRET_PAIRS.iter().any(|(a, b)| w[0] == *a && w[1] == *b))
}

/// `dbPassword`, `DB_PASSWORD`, `db.password`, `db-password` -> `["DB", "PASSWORD"]`.
fn name_parts(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if matches!(c, '_' | '-' | '.' | ' ') {
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            parts.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase();
        current.push(c.to_ascii_uppercase());
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// What a value of a secret-named variable is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// Empty, a number, a boolean, `null`.
    Nothing,
    /// `$VAR`, `${VAR}`, or built from them: the secret is elsewhere.
    Reference,
    /// `${VAR:-default}`: the default's byte range (a literal fallback).
    Default(Range<usize>),
    /// A file path (`/run/secrets/db`, `./secrets/token.txt`).
    Path,
    /// A name of something rather than a secret (`vault:secret/db`, `db-credentials`
    /// under a `*_NAME` key is filtered by name already).
    Literal(Confidence),
}

/// Words whose presence makes a literal a placeholder.
const PLACEHOLDER_PARTS: &[&str] = &[
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "example",
    "sample",
    "dummy",
    "placeholder",
    "redacted",
    "your",
    "todo",
    "fixme",
    "replace",
    "insert",
    "fake",
    "notasecret",
    "not-a-secret",
    "secret_here",
    "xxx",
];
/// Whole values that are development defaults.
const PLACEHOLDER_VALUES: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "secret",
    "test",
    "testing",
    "admin",
    "root",
    "postgres",
    "mysql",
    "guest",
    "user",
    "demo",
    "dev",
    "development",
    "local",
    "default",
    "token",
    "apikey",
    "api_key",
    "qwerty",
    "letmein",
    "1234",
    "12345",
    "123456",
    "12345678",
    "123456789",
    "none",
    "empty",
    "unset",
    "tbd",
    "n/a",
    "na",
    "-",
    "*",
    "secret123",
    "password123",
    "admin123",
];

/// Classifies the value of a secret-named variable.
pub fn classify_value(value: &str) -> ValueKind {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    if v.is_empty()
        || matches!(
            lower.as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~"
        )
        || v.parse::<f64>().is_ok()
    {
        return ValueKind::Nothing;
    }
    // `$$` is Compose's escaped `$`: `Pa$$w0rd` is the literal `Pa$w0rd`.
    if v.contains('$') && v.replace("$$", "").contains('$') {
        // `${VAR:-default}` / `${VAR-default}` with a literal default.
        static DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"^\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}$]+)\}$").expect("valid")
        });
        if let Some(c) = DEFAULT.captures(v)
            && let Some(d) = c.get(1)
        {
            let offset = value.find(v).unwrap_or(0);
            return ValueKind::Default(offset + d.start()..offset + d.end());
        }
        // `S3cr$tValue9`: a literal with a `$` in it (Compose would read `$tValue9` as a
        // variable, but the author wrote a password). What remains once the references
        // are taken out is the evidence: a long random-looking rest is a secret, and its
        // line is masked wherever it is shown.
        static REFERENCE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\$").expect("valid")
        });
        let rest = REFERENCE.replace_all(v, "");
        if !v.contains("://") && rest.len() >= 6 && literal_confidence(&rest) == Confidence::Real {
            return ValueKind::Literal(Confidence::Real);
        }
        // `Pa$word123`: a `$` glued to the letter or digit before it starts no reference
        // anyone writes on purpose, and a `${` never closed is no reference at all (Compose
        // rejects it): a password with a `$` in it, whatever it looks like.
        static GLUED: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"[A-Za-z0-9]\$[A-Za-z_]").expect("valid"));
        let unclosed = v.rfind("${").is_some_and(|at| !v[at..].contains('}'));
        if !v.contains("://") && (GLUED.is_match(&v.replace("$$", "")) || unclosed) {
            return ValueKind::Literal(literal_confidence(v));
        }
        return ValueKind::Reference;
    }
    // Templates filled in elsewhere: `{{ .Values.x }}`, `{DB_PASSWORD}`, `%kernel.secret%`,
    // `@VAR@`.
    static TEMPLATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\{\{.*\}\}$|^\{[A-Za-z_][A-Za-z0-9_.]*\}$|%[A-Za-z_][A-Za-z0-9_.]*%|^@[A-Za-z_][A-Za-z0-9_]*@$").expect("valid")
    });
    if TEMPLATE.is_match(v) {
        return ValueKind::Reference;
    }
    // Configuration that names no key: `{"type":"RS256","jwk_url":"https://..."}` (a JWT
    // verifier that fetches public keys). An object with a `key`/`secret` member holds one.
    if v.starts_with('{') && v.ends_with('}') {
        static SECRET_MEMBER: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"(?i)"[a-z_]*(?:key|secret|password|token)"\s*:\s*"[^"]"#).expect("valid")
        });
        if !SECRET_MEMBER.is_match(v) {
            return ValueKind::Nothing;
        }
    }
    // Files: `/run/secrets/db`, `./secrets/token.txt`, `config/jwt/private.pem`.
    static FILE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:/|\./|\.\./|~/)|/.*\.[a-z0-9]{2,5}$|\.(?:pem|key|crt|cer|p12|pfx|jks|json|txt|env|yml|yaml|asc|gpg)$").expect("valid")
    });
    if FILE.is_match(v) {
        return ValueKind::Path;
    }
    ValueKind::Literal(literal_confidence(v))
}

/// Words that make a value of lowercase words a development default:
/// `testing-password`, `mysql_strong_password`.
const DEFAULT_WORDS: &[&str] = &[
    "test", "testing", "password", "passwd", "pass", "secret", "default", "dev", "local",
    "example", "sample", "demo", "admin", "root", "user", "mysql", "postgres", "strong", "my",
    "super", "insecure", "unsafe", "ci",
];

/// How real a literal secret looks.
pub fn literal_confidence(v: &str) -> Confidence {
    let lower = v.to_ascii_lowercase();
    let one_char = v.chars().all(|c| v.starts_with(c));
    let words: Vec<&str> = lower
        .split(['-', '_', '.', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    let only_words = !words.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | '.' | ' '));
    if PLACEHOLDER_VALUES.contains(&lower.as_str())
        || PLACEHOLDER_PARTS.iter().any(|p| lower.contains(p))
        || (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with('[') && v.ends_with(']'))
        || one_char
        || (only_words && words.len() > 1 && words.iter().any(|w| DEFAULT_WORDS.contains(w)))
    {
        return Confidence::Placeholder;
    }
    // Words without digits (`banterbus`, `letmein-please`) are weak, however long.
    if only_words {
        return Confidence::Weak;
    }
    // gitleaks' generic rule: at least 10 characters above 3.5 bits of entropy.
    if v.len() >= 10 && shannon_entropy(v) > 3.5 {
        Confidence::Real
    } else {
        Confidence::Weak
    }
}

/// `gl…3c`: at most the first and last two characters of a secret, so that nothing
/// shipshape prints or publishes holds it.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    match chars.len() {
        0..=5 => "…".to_string(),
        6..=11 => format!("{}…{}", chars[0], chars[chars.len() - 1]),
        n => format!("{}{}…{}{}", chars[0], chars[1], chars[n - 2], chars[n - 1]),
    }
}

/// A variable's value as messages may show it: redacted when the name says secret or the
/// value holds a known token, with URL passwords masked.
pub fn display_value(name: &str, value: &str) -> String {
    if is_secret_name(name) || !tokens(value).is_empty() {
        return redact(value);
    }
    let mut shown = value.to_string();
    for c in url_credentials(value).iter().rev() {
        shown.replace_range(c.range.clone(), "****");
    }
    shown
}

/// A password on a command line: `docker login -p X`, `--password=X`, `mysql -pX`,
/// `curl -u user:X`, `sshpass -p X`, `PGPASSWORD=X psql`. Returns the byte range of
/// each password in the script and the option that gave it.
pub fn command_line_passwords(
    words: &[crate::shell::Word],
    assignments: &[crate::shell::Word],
) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let program = words
        .first()
        .map(|w| w.text.rsplit('/').next().unwrap_or(&w.text).to_string());
    let push =
        |out: &mut Vec<(Range<usize>, String)>, w: &crate::shell::Word, value: &str, how: &str| {
            if w.dynamic || value.is_empty() || value.contains('$') {
                return;
            }
            // The value's range: the tail of the word when written as is, or before its
            // closing quote when the word is quoted (`--password="..."`).
            let range = if w.range.len() == w.text.len() {
                w.range.end - value.len()..w.range.end
            } else if w.range.len() == w.text.len() + 2 {
                w.range.end - 1 - value.len()..w.range.end - 1
            } else {
                w.range.clone()
            };
            out.push((range, how.to_string()));
        };
    for a in assignments {
        if let Some((name, value)) = a.text.split_once('=')
            && is_secret_name(name)
            && matches!(classify_value(value), ValueKind::Literal(_))
        {
            push(&mut out, a, value, name);
        }
    }
    let mut i = 1;
    while i < words.len() {
        let w = &words[i];
        let next = words.get(i + 1);
        match w.text.as_str() {
            "--password-stdin" => {}
            "-p" | "--password" | "--pass" | "--passwd" | "--token"
                if w.text != "-p" || short_p_is_password(program.as_deref(), words) =>
            {
                if let Some(v) = next
                    && !v.text.starts_with('-')
                {
                    push(&mut out, v, &v.text, &w.text);
                    i += 1;
                }
            }
            "-u" | "--user" if matches!(program.as_deref(), Some("curl")) => {
                if let Some(v) = next
                    && let Some((_, pass)) = v.text.split_once(':')
                    && literal_confidence(pass) != Confidence::Placeholder
                {
                    push(&mut out, v, pass, "curl -u");
                    i += 1;
                }
            }
            "-a" if matches!(program.as_deref(), Some("redis-cli")) => {
                if let Some(v) = next {
                    push(&mut out, v, &v.text, "-a");
                    i += 1;
                }
            }
            t => {
                if let Some((flag, value)) = t.split_once('=')
                    && matches!(
                        flag,
                        "--password"
                            | "--pass"
                            | "--passwd"
                            | "--token"
                            | "--api-key"
                            | "--secret"
                            | "--client-secret"
                    )
                {
                    push(&mut out, w, value, flag);
                } else if let Some(value) = t.strip_prefix("-p")
                    && matches!(
                        program.as_deref(),
                        Some("mysql" | "mysqladmin" | "mysqldump" | "mariadb")
                    )
                    && !value.is_empty()
                {
                    push(&mut out, w, value, "-p");
                }
            }
        }
        i += 1;
    }
    out
}

/// Whether `-p VALUE` is a password for this command: `docker login -p`, `sshpass -p`,
/// `mongosh -p` (for `docker run -p 80:80` it is a port, for `mysql -p db` a prompt).
fn short_p_is_password(program: Option<&str>, words: &[crate::shell::Word]) -> bool {
    let login = words.iter().any(|w| w.text == "login");
    match program {
        Some(
            "docker" | "podman" | "buildah" | "skopeo" | "helm" | "oras" | "nerdctl" | "crane",
        ) => login,
        Some("sshpass" | "mongo" | "mongosh" | "mongodump" | "mongorestore") => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GitHub-format token with a valid checksum, built here (no real token in tests).
    fn github_like(prefix: &str, body: &str) -> String {
        let mut n = u64::from(crc32(body.as_bytes()));
        let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut check = Vec::new();
        for _ in 0..6 {
            check.push(alphabet[(n % 62) as usize]);
            n /= 62;
        }
        check.reverse();
        format!("{prefix}_{body}{}", String::from_utf8(check).unwrap())
    }

    #[test]
    fn a_password_with_a_lone_dollar_is_a_literal() {
        assert_eq!(
            classify_value("Xq7Lm2Zr9Tb4S3cr$tValue"),
            ValueKind::Literal(Confidence::Real)
        );
        // A `$` glued to the text before it, or a `${` never closed: a password.
        assert!(matches!(
            classify_value("Pa$word123"),
            ValueKind::Literal(_)
        ));
        assert!(matches!(
            classify_value("tok${en9Xq7"),
            ValueKind::Literal(_)
        ));
        assert_eq!(classify_value("${DB_PASSWORD}"), ValueKind::Reference);
        assert_eq!(classify_value("${DB}_$SUFFIX"), ValueKind::Reference);
        assert_eq!(classify_value("$DB_PASSWORD"), ValueKind::Reference);
        assert_eq!(classify_value("${PREFIX}_${SUFFIX}"), ValueKind::Reference);
        assert_eq!(
            classify_value("postgres://u:${PASS}@db/app?x=Zq8rT3kLm0Vb7"),
            ValueKind::Reference
        );
    }

    #[test]
    fn configuration_and_path_lists_are_not_secrets() {
        assert_eq!(
            classify_value(r#"{"type":"RS256","jwk_url":"https://auth.example.com/jwks"}"#),
            ValueKind::Nothing
        );
        assert!(matches!(
            classify_value(r#"{"type":"HS256","key":"q8Zr3kLm0Vb7Xw2Tn5Yp"}"#),
            ValueKind::Literal(_)
        ));
        assert!(!is_secret_name("SECRET_DETECTION_EXCLUDED_PATHS"));
        assert!(!is_secret_name("SECRET_DETECTION_EXCLUDED_FILES"));
        assert!(is_secret_name("HASURA_GRAPHQL_JWT_SECRET"));
    }

    #[test]
    fn known_tokens_with_checksums() {
        let token = github_like("ghp", "R4nd0mB1tsOfTh1rtyCh4rsXyZqWe9");
        let found = tokens(&format!("export GH={token};"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule.id, "github-pat");
        assert_eq!(found[0].confidence, Confidence::Real);
        let wrong = format!("{}AAAAAA", &token[..token.len() - 6]);
        assert_eq!(tokens(&wrong)[0].confidence, Confidence::Weak);
        let glpat = tokens("token: glpat-Xk9fR2mQ7vL4pZ8wT1yN");
        assert_eq!(glpat[0].rule.id, "gitlab-pat");
        assert!(
            tokens("AKIAIOSFODNN7EXAMPLE")
                .first()
                .is_none_or(|m| m.confidence == Confidence::Weak)
        );
        assert!(
            tokens("glpat-xxxxxxxxxxxxxxxxxxxx").is_empty(),
            "entropy gate"
        );
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn urls_names_values_and_redaction() {
        let u = url_credentials("mongodb://banterbus:banterbus@banter-bus-database:27017");
        assert_eq!(u[0].user, "banterbus");
        assert_eq!(u[0].range, 20..29);
        assert!(url_credentials("postgres://app:${DB_PASSWORD}@db/app").is_empty());
        assert!(url_credentials("http://localhost:8080/path").is_empty());
        for secret in [
            "DB_PASSWORD",
            "MONGO_INITDB_ROOT_PASSWORD",
            "API_KEY",
            "githubToken",
            "AWS_SECRET_ACCESS_KEY",
            "CLIENT_SECRET",
        ] {
            assert!(is_secret_name(secret), "{secret}");
        }
        for not in [
            "PASSWORD_FILE",
            "SECRET_NAME",
            "TOKEN_TTL",
            "AWS_ACCESS_KEY_ID",
            "PWD",
            "KEYCLOAK_URL",
            "DB_USER",
            "MONKEY",
        ] {
            assert!(!is_secret_name(not), "{not}");
        }
        assert_eq!(classify_value("${DB_PASSWORD}"), ValueKind::Reference);
        assert_eq!(classify_value("3600"), ValueKind::Nothing);
        assert_eq!(classify_value("/run/secrets/db"), ValueKind::Path);
        assert_eq!(classify_value("${X:-hunter2}"), ValueKind::Default(5..12));
        assert_eq!(
            classify_value("changeme"),
            ValueKind::Literal(Confidence::Placeholder)
        );
        assert_eq!(
            classify_value("banterbus"),
            ValueKind::Literal(Confidence::Weak)
        );
        assert_eq!(
            classify_value("kR9#xL2$vQ7!mN4p".replace('$', "&").as_str()),
            ValueKind::Literal(Confidence::Real)
        );
        assert_eq!(redact("glpat-Xk9fR2mQ7vL4pZ8wT1yN"), "gl…yN");
        assert_eq!(redact("banterbus"), "b…s");
        assert_eq!(redact("abc"), "…");
    }

    #[test]
    fn passwords_on_command_lines() {
        let find = |s: &str| -> Vec<String> {
            crate::shell::commands(s)
                .iter()
                .flat_map(|c| command_line_passwords(&c.words, &c.assignments))
                .map(|(r, _)| s[r].to_string())
                .collect()
        };
        assert_eq!(
            find("docker login -u ci -p s3cr3tPassw0rd registry.example.com"),
            ["s3cr3tPassw0rd"]
        );
        assert_eq!(find("docker login --password=s3cr3t registry"), ["s3cr3t"]);
        assert_eq!(find("mysql -uroot -pS3cr3t db"), ["S3cr3t"]);
        assert_eq!(find("curl -u admin:hunter22 https://x"), ["hunter22"]);
        assert_eq!(find("PGPASSWORD=hunter22 psql -h db"), ["hunter22"]);
        assert!(find("docker login -u ci -p \"$CI_REGISTRY_PASSWORD\" $CI_REGISTRY").is_empty());
        assert!(find("echo $PW | docker login --password-stdin").is_empty());
        assert!(find("docker run -p 8080:80 nginx").is_empty());
        assert!(find("curl -u user:$TOKEN https://x").is_empty());
    }
}
