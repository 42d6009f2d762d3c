//! hardcoded-secret: a credential written into a Compose or GitLab CI file (the scan is
//! `crate::secrets`; this rule words the findings). The secret itself is never printed:
//! messages carry at most its first and last two characters, and snippets are masked.

use shipshape_model::secrets::{Confidence, redact};

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule, Sink};
use crate::secrets::{SecretFinding, SecretKind};
use crate::workspace::AnalyzedFile;

pub static RULE: Rule = Rule {
    name: "hardcoded-secret",
    group: Group::Secrets,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "a literal credential in a compose environment, CI variable, service definition or script",
    doc: include_str!("../../../../../rules/hardcoded-secret/README.md"),
    checks: &[Check::File(check)],
};

fn check(file: &AnalyzedFile, sink: &mut Sink<'_>) {
    let ci = file.kind == shipshape_model::FileKind::GitlabCi;
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
        let effective = sink.severity();
        let d = sink.report(file.id(), f.span, message);
        d.severity = effective.min(match f.confidence {
            Confidence::Real => Severity::Error,
            Confidence::Weak => Severity::Warning,
            Confidence::Placeholder => Severity::Info,
        });
        d.label("committed with the file");
        if let SecretKind::Token(rule) = &f.kind {
            d.note(format!(
                "the format of {} (gitleaks rule \"{}\")",
                rule.what, rule.id
            ));
        }
        match f.confidence {
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
