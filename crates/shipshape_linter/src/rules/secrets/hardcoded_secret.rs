//! hardcoded-secret: a credential written into a Compose or GitLab CI file (the scan is
//! `crate::secrets`; this rule words the findings). The secret itself is never printed:
//! messages carry at most its first and last two characters, and snippets are masked.

use shipshape_model::secrets::{Confidence, redact};

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::secrets::{SecretFinding, SecretKind};
use crate::workspace::AnalyzedFile;
use shipshape_model::images::{ServerImage, server_image};
use shipshape_yaml::Tree;

pub static RULE: Rule = Rule {
    name: "hardcoded-secret",
    group: Group::Secrets,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a literal credential in a compose environment, CI variable, service definition or script",
    doc: include_str!("../../../rule-docs/hardcoded-secret/README.md"),
    checks: &[Check::File(check)],
    options: &[],
};

/// Path parts that say a file sets up a stack for tests, CI or a developer's machine,
/// whose databases live as long as a test run or a job.
const THROWAWAY_PATH_PARTS: &[&str] = &[
    "test",
    "tests",
    "testing",
    "fixture",
    "fixtures",
    "e2e",
    "ci",
    ".gitlab-ci",
    "spec",
    "dev",
    "local",
    "example",
    "examples",
    "sample",
    "samples",
    "demo",
];

/// What in a file says its credentials protect something that lives only as long as a job
/// or a local stack, read once per file: the file is a test/CI/dev setup (by its path), or
/// it is a GitLab CI file whose jobs run databases as `services:` containers.
struct Throwaway {
    /// Why the whole file is a throwaway setup.
    setup: Option<String>,
    /// The servers the file's `services:` start (GitLab CI files only).
    servers: Vec<&'static ServerImage>,
}

impl Throwaway {
    fn of(file: &AnalyzedFile) -> Throwaway {
        let setup = setup_word(&file.source.name).map(|word| {
            format!("the file is part of a test, CI or development setup (\"{word}\" in its path)")
        });
        let servers = match file.tree() {
            Some(tree) if setup.is_none() && file.kind == shipshape_model::FileKind::GitlabCi => {
                ci_service_servers(tree)
            }
            _ => Vec::new(),
        };
        Throwaway { setup, servers }
    }

    /// Why a credential (named `secret_name`, if it has a name) is throwaway, if it is:
    /// the file's setup, or a `services:` database whose variable it is (`POSTGRES_*`).
    fn reason(&self, secret_name: Option<&str>) -> Option<String> {
        if let Some(setup) = &self.setup {
            return Some(setup.clone());
        }
        let name = secret_name?.to_ascii_uppercase();
        let server = self
            .servers
            .iter()
            .find(|s| s.key_words.iter().any(|k| name.split('_').any(|p| p == *k)))?;
        Some(format!(
            "the pipeline's jobs run {} as a `services:` container, which lives only as long as the job",
            server.what
        ))
    }
}

/// The first throwaway word of a file's path: of its directories, and of the variant in a
/// Compose file's name (`docker-compose.test.yml`), never the rest of the name
/// (`.gitlab-ci.yml` says nothing).
fn setup_word(file_name: &str) -> Option<String> {
    let name_parts = |n: &str| -> Vec<String> {
        n.split(|c: char| !c.is_ascii_alphanumeric())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let name = std::path::Path::new(file_name);
    let dirs = name
        .parent()
        .into_iter()
        .flat_map(|p| p.components())
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let variant = name
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(shipshape_model::dotenv::compose_variant)
        .map(str::to_string);
    dirs.chain(variant)
        .flat_map(|part| {
            name_parts(&part)
                .into_iter()
                .chain(std::iter::once(part.to_ascii_lowercase()))
        })
        .find(|p| THROWAWAY_PATH_PARTS.contains(&p.as_str()))
}

/// The server images GitLab `services:` entries of a file start.
fn ci_service_servers(tree: &Tree) -> Vec<&'static ServerImage> {
    let mut out: Vec<&'static ServerImage> = Vec::new();
    for id in tree.ids().filter(|&id| tree.is_mapping(id)) {
        let Some(services) = tree.get(id, "services") else {
            continue;
        };
        for &item in tree.items(tree.resolve(services.value)) {
            let item = tree.resolve(item);
            let image = tree.scalar(item).or_else(|| {
                tree.get(item, "name")
                    .and_then(|e| tree.scalar(tree.resolve(e.value)))
            });
            if let Some(server) = image.and_then(server_image)
                && !out.iter().any(|s| std::ptr::eq(*s, server))
            {
                out.push(server);
            }
        }
    }
    out
}

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    if file.secrets.is_empty() {
        return;
    }
    let ci = file.kind == shipshape_model::FileKind::GitlabCi;
    let throwaway_of = Throwaway::of(file);
    // The literal given to a throwaway database is throwaway in its client's URL too.
    let throwaway_literals: Vec<(&str, String)> = file
        .secrets
        .iter()
        .filter_map(|f| match &f.kind {
            SecretKind::Named { name } => {
                throwaway_of.reason(Some(name))?;
                Some((&file.source.text[f.span.range()], name.clone()))
            }
            _ => None,
        })
        .collect();
    for f in &file.secrets {
        let secret = &file.source.text[f.span.range()];
        let shown = redact(secret);
        let message = match &f.kind {
            SecretKind::Token(rule) => format!("{} is written into the file ({shown})", rule.what),
            SecretKind::UrlPassword { user } => {
                // A user name equal to the password is as secret as the password.
                let user = if user == secret {
                    redact(user)
                } else {
                    user.clone()
                };
                format!("the URL holds the password of user \"{user}\" ({shown})")
            }
            SecretKind::Named { name } => format!("\"{name}\" holds a literal secret ({shown})"),
            SecretKind::CommandLine { option } => {
                format!("a password is passed on the command line with {option} ({shown})")
            }
        };
        // Error is kept for what is a credential by its format (a token, a private key);
        // a password is a warning when it looks random and nothing says it protects a
        // throwaway container, else info.
        let token = matches!(f.kind, SecretKind::Token(_));
        let name = match &f.kind {
            SecretKind::Named { name } => Some(name.as_str()),
            _ => None,
        };
        let throwaway = (!token)
            .then(|| {
                throwaway_of.reason(name).or_else(|| {
                    let (_, owner) = throwaway_literals.iter().find(|(v, _)| *v == secret)?;
                    Some(format!(
                        "the same literal as {owner}, a throwaway container's password"
                    ))
                })
            })
            .flatten();
        let public = matches!(f.kind, SecretKind::Token(rule) if rule.public);
        let severity = match (token, f.confidence) {
            _ if public => Severity::Info,
            (true, Confidence::Real) => Severity::Error,
            (true, Confidence::Weak) => Severity::Warning,
            (false, Confidence::Real) if throwaway.is_none() => Severity::Warning,
            _ => Severity::Info,
        };
        let effective = sink.severity();
        let d = sink.report(file.id(), f.span, message);
        d.severity = effective.min(severity);
        d.label("committed with the file");
        if let Some(reason) = &throwaway {
            d.note(format!("likely a throwaway credential: {reason}"));
        } else if !token && f.confidence == Confidence::Weak {
            d.note("the value is made of words, as development defaults are; a real password would be reported as a warning");
        }
        if let SecretKind::Token(rule) = &f.kind {
            d.note(format!(
                "the format of {} (gitleaks rule \"{}\")",
                rule.what, rule.id
            ));
        }
        match f.confidence {
            _ if public => {
                d.note("whoever reads it can send events to the project (fake errors, spent quota), not read them; Sentry calls a DSN safe to expose in client code, hence info: keep a server's DSN in a CI/CD variable or an uncommitted .env all the same");
            }
            Confidence::Placeholder => {
                d.note("it looks like a placeholder or a development default; if it only ever protects a throwaway local service, allowlist it in shipshape.toml ([secrets] allow-values)");
            }
            Confidence::Weak if matches!(f.kind, SecretKind::Token(_)) => {
                d.note("its checksum or wording says it may be an example; if it is, allowlist it in shipshape.toml");
            }
            _ => {
                d.note("anyone who can read the repository, or a fork of it, can use it; rotate it, since removing it does not remove it from the history");
            }
        }
        d.help(help(f, ci));
    }
}

fn help(f: &SecretFinding, ci: bool) -> String {
    match (&f.kind, ci) {
        (SecretKind::CommandLine { .. }, true) => "store it in a masked and protected CI/CD variable (Settings > CI/CD > Variables) and pass it from there, e.g. `echo \"$REGISTRY_PASSWORD\" | docker login -u ci --password-stdin`".into(),
        (SecretKind::Named { name }, true) => format!(
            "store it in a masked and protected CI/CD variable named {name} (Settings > CI/CD > Variables) and delete it here: jobs see it all the same"
        ),
        (_, true) => "store it in a masked and protected CI/CD variable (Settings > CI/CD > Variables) and refer to it as $NAME".into(),
        (SecretKind::Named { name }, false) => format!(
            "write {name}: ${{{name}}} and set it in an .env file kept out of version control, or use Compose `secrets:` with a file (and {name}_FILE where the image supports it)"
        ),
        (_, false) => "refer to a variable (${NAME}) set in an .env file kept out of version control, or use Compose `secrets:` with a file".into(),
    }
}
