//! missing-env-file: an `env_file` that does not exist (and is not marked
//! `required: false`): Compose stops before it starts anything.

use crate::diagnostic::Severity;
use crate::rule::{Check, ComposeContext, FixAvailability, Group, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "missing-env-file",
    group: Group::Compose,
    severity: Severity::Error,
    fix: FixAvailability::None,
    summary: "an env_file that does not exist",
    doc: include_str!("../../../../../rules/missing-env-file/README.md"),
    checks: &[Check::Compose(check)],
};

fn check(cx: &ComposeContext<'_>, sink: &mut Sink<'_>) {
    for service in &cx.project.services {
        for env_file in service.env_files.iter().filter(|e| e.required) {
            let path = &env_file.path;
            if path.value.contains('$') {
                continue;
            }
            let resolved = cx.ws.resolve(path.loc.file, &path.value);
            if cx.ws.is_file(&resolved) {
                continue;
            }
            sink.report(path.loc.file, path.loc.span, format!("env file \"{}\" does not exist", path.value))
                .label(format!("used by service \"{}\"", service.name))
                .note("Compose stops with \"env file ... not found\" before it starts any container")
                .help(format!(
                    "create it (a file kept out of git is missing in CI), or make it optional: env_file: [{{path: {}, required: false}}]",
                    path.value
                ));
        }
    }
}
