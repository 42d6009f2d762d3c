//! Every rule, one line each. The order here is the order of `shipshape rule` and of
//! SARIF's rule list; never rename a published name.

use crate::rule::Rule;
use crate::rules;

pub static RULES: &[&Rule] = &[
    &rules::yaml::yaml_syntax::RULE,
    &rules::yaml::tab_indentation::RULE,
    &rules::yaml::duplicate_key::RULE,
];

pub fn rule_index(name: &str) -> Option<usize> {
    RULES.iter().position(|r| r.name == name)
}

pub fn rule(name: &str) -> Option<&'static Rule> {
    rule_index(name).map(|i| RULES[i])
}

/// The registered name closest to a misspelt one, when it is close enough to be meant.
pub fn nearest_rule(name: &str) -> Option<&'static str> {
    crate::text::nearest(name, RULES.iter().map(|r| r.name))
}
