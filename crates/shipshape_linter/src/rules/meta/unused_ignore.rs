//! unused-ignore: an ignore comment that suppresses nothing (or names no rule, or is
//! malformed). Carried out by the `suppress` module, after every other rule.

use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, Rule};

pub static RULE: Rule = Rule {
    name: "unused-ignore",
    group: Group::Meta,
    severity: Severity::Info,
    fix: FixAvailability::Safe,
    summary: "an ignore comment suppresses nothing",
    doc: include_str!("../../../rule-docs/unused-ignore/README.md"),
    checks: &[Check::Engine],
    options: &[],
};
