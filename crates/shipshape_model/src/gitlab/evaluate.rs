//! Evaluating a `rules:if` expression over what is known of a pipeline's variables,
//! three-valued: an expression is true, false, or "maybe" when it depends on a value
//! shipshape cannot know (a project variable, a branch name). Never a guess: "maybe" is
//! the answer whenever some value of the unknowns gives true and another false.
//!
//! Semantics follow GitLab's lexemes (`lib/gitlab/ci/pipeline/expression/lexeme/*.rb`):
//! a lone `$VAR` is true when set and not empty; `==` compares values, `null` being an
//! unset variable; `=~` scans the left value's text (an unset variable is the empty
//! text) with the right pattern and is false without one; `!~` is its negation.

use super::expression::{Node, Op, compile_regex};

/// A three-valued truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tri {
    No,
    Maybe,
    Yes,
}

impl Tri {
    pub fn from_bool(b: bool) -> Tri {
        if b { Tri::Yes } else { Tri::No }
    }

    pub fn and(self, other: Tri) -> Tri {
        self.min(other)
    }

    pub fn or(self, other: Tri) -> Tri {
        self.max(other)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tri::Yes => "yes",
            Tri::Maybe => "maybe",
            Tri::No => "no",
        }
    }
}

impl std::ops::Not for Tri {
    type Output = Tri;

    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
        }
    }
}

/// What is known of one variable's value in a pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Known {
    /// Not set.
    Unset,
    /// Set to this text.
    Text(String),
    /// Set and not empty, its text unknown. Two opaque values with the same name are the
    /// same text (`$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH` on the default branch);
    /// [`Facts::distinct`] says which names certainly differ.
    Opaque(String),
    /// Anything: set or not, any text.
    Unknown,
}

/// Where an evaluation looks variables up.
pub trait Facts {
    fn value(&self, name: &str) -> Known;
    /// Whether two opaque values are certainly different texts.
    fn distinct(&self, a: &str, b: &str) -> bool;
}

/// What an operand evaluates to.
enum Operand {
    Known(Known),
    Pattern(String, String),
    Bool(bool),
}

/// Whether the expression is true.
pub fn truth(node: &Node, facts: &dyn Facts) -> Tri {
    match node {
        Node::Or(items) => items.iter().fold(Tri::No, |acc, n| acc.or(truth(n, facts))),
        Node::And(items) => items
            .iter()
            .fold(Tri::Yes, |acc, n| acc.and(truth(n, facts))),
        Node::Compare { op, left, right } => {
            let (l, r) = (operand(left, facts), operand(right, facts));
            match op {
                Op::Eq => equal(&l, &r, facts),
                Op::Ne => !equal(&l, &r, facts),
                Op::Match => matches(&l, &r),
                Op::NoMatch => !matches(&l, &r),
            }
        }
        other => match operand(other, facts) {
            Operand::Known(k) => present(&k),
            Operand::Pattern(..) => Tri::Yes,
            Operand::Bool(b) => Tri::from_bool(b),
        },
    }
}

fn operand(node: &Node, facts: &dyn Facts) -> Operand {
    match node {
        Node::Var(name) => Operand::Known(facts.value(name)),
        Node::Str(text) => Operand::Known(Known::Text(text.clone())),
        Node::Null => Operand::Known(Known::Unset),
        Node::Bool(b) => Operand::Bool(*b),
        Node::Pattern { body, flags } => Operand::Pattern(body.clone(), flags.clone()),
        Node::Input => Operand::Known(Known::Unknown),
        // A parenthesised condition as an operand of a comparison: its value is a
        // boolean only when certain.
        inner => match truth(inner, facts) {
            Tri::Maybe => Operand::Known(Known::Unknown),
            t => Operand::Bool(t == Tri::Yes),
        },
    }
}

fn present(k: &Known) -> Tri {
    match k {
        Known::Unset => Tri::No,
        Known::Text(t) => Tri::from_bool(!t.is_empty()),
        Known::Opaque(_) => Tri::Yes,
        Known::Unknown => Tri::Maybe,
    }
}

fn equal(l: &Operand, r: &Operand, facts: &dyn Facts) -> Tri {
    use Known::*;
    let (Operand::Known(a), Operand::Known(b)) = (l, r) else {
        return match (l, r) {
            (Operand::Bool(a), Operand::Bool(b)) => Tri::from_bool(a == b),
            _ => Tri::Maybe,
        };
    };
    match (a, b) {
        (Unknown, _) | (_, Unknown) => Tri::Maybe,
        (Unset, Unset) => Tri::Yes,
        (Unset, _) | (_, Unset) => Tri::No,
        (Text(x), Text(y)) => Tri::from_bool(x == y),
        (Opaque(x), Opaque(y)) if x == y => Tri::Yes,
        (Opaque(x), Opaque(y)) if facts.distinct(x, y) => Tri::No,
        // An opaque value is never empty.
        (Opaque(_), Text(t)) | (Text(t), Opaque(_)) if t.is_empty() => Tri::No,
        _ => Tri::Maybe,
    }
}

fn matches(l: &Operand, r: &Operand) -> Tri {
    let regex = match r {
        Operand::Pattern(body, flags) => compile_regex(body, flags).ok(),
        // A variable holding `/pattern/` is a pattern (GitLab 15.1 and later).
        Operand::Known(Known::Text(text)) => super::expression::as_pattern(text)
            .and_then(|(body, flags)| compile_regex(body, flags).ok()),
        Operand::Known(Known::Unset) => return Tri::No,
        _ => None,
    };
    let Some(regex) = regex else {
        return Tri::Maybe;
    };
    match l {
        Operand::Known(Known::Unset) => Tri::from_bool(regex.is_match("")),
        Operand::Known(Known::Text(text)) => Tri::from_bool(regex.is_match(text)),
        _ => Tri::Maybe,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitlab::expression::parse;
    use std::collections::HashMap;

    struct Table(HashMap<&'static str, Known>);

    impl Facts for Table {
        fn value(&self, name: &str) -> Known {
            self.0.get(name).cloned().unwrap_or(Known::Unknown)
        }
        fn distinct(&self, a: &str, b: &str) -> bool {
            a != b
        }
    }

    fn eval(expr: &str, facts: &Table) -> Tri {
        truth(&parse(expr).unwrap().node, facts)
    }

    #[test]
    fn three_valued_evaluation() {
        let tag = Table(HashMap::from([
            ("CI_PIPELINE_SOURCE", Known::Text("push".into())),
            ("CI_COMMIT_TAG", Known::Opaque("tag".into())),
            ("CI_COMMIT_BRANCH", Known::Unset),
            ("CI_DEFAULT_BRANCH", Known::Opaque("default".into())),
            ("EMPTY", Known::Text(String::new())),
        ]));
        for (expr, want) in [
            ("$CI_COMMIT_TAG", Tri::Yes),
            ("$CI_COMMIT_BRANCH", Tri::No),
            ("$CI_COMMIT_TAG && $CI_COMMIT_BRANCH", Tri::No),
            ("$CI_COMMIT_TAG || $CI_COMMIT_BRANCH", Tri::Yes),
            ("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", Tri::No),
            ("$CI_COMMIT_BRANCH == null", Tri::Yes),
            ("$CI_PIPELINE_SOURCE == \"merge_request_event\"", Tri::No),
            ("$CI_PIPELINE_SOURCE != \"merge_request_event\"", Tri::Yes),
            ("$CI_PIPELINE_SOURCE =~ /^pu/", Tri::Yes),
            ("$CI_COMMIT_TAG =~ /^v\\d+/", Tri::Maybe),
            ("$CI_COMMIT_BRANCH =~ /^release/", Tri::No),
            ("$CI_COMMIT_BRANCH !~ /^release/", Tri::Yes),
            ("$PROJECT_VARIABLE == \"yes\"", Tri::Maybe),
            ("$PROJECT_VARIABLE == \"yes\" && $CI_COMMIT_BRANCH", Tri::No),
            ("$PROJECT_VARIABLE || $CI_COMMIT_TAG", Tri::Yes),
            ("$EMPTY", Tri::No),
            ("$EMPTY == \"\"", Tri::Yes),
            ("$CI_COMMIT_TAG == \"\"", Tri::No),
            (
                "($CI_COMMIT_TAG || $X) && $CI_PIPELINE_SOURCE == \"push\"",
                Tri::Yes,
            ),
            ("$[[ inputs.deploy ]] == 'true'", Tri::Maybe),
        ] {
            assert_eq!(eval(expr, &tag), want, "{expr}");
        }
    }
}
