//! Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`,
//! `${VAR?e}`, `${VAR:+a}`, `${VAR+a}`, nesting inside the default text, and `$$`.
//!
//! Follows compose-go `template/template.go` (SPEC-domain A1): names are
//! `[_a-zA-Z][_a-zA-Z0-9]*`; inside `${...}` the operator is whichever of `:?`, `?`, `:-`,
//! `-`, `:+`, `+` comes first and the name is what precedes it; the closing brace is
//! found by counting braces; a `$` followed by anything else is left as it is. Ranges are
//! byte offsets into the value (map them to the source with `Tree::value_subspan`).
//!
//! GitLab CI variables use the same `$VAR` / `${VAR}` references (without operators), so
//! the CI side reads them with [`parse`] too and ignores operators it does not know.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `:-` (`colon`) or `-`: a default.
    Default { colon: bool },
    /// `:?` or `?`: required, with an error message.
    Required { colon: bool },
    /// `:+` or `+`: an alternative used when the variable is set.
    Alternative { colon: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    /// The name itself.
    pub name_range: Range<usize>,
    /// From `$` to the end (`}` included).
    pub range: Range<usize>,
    pub braced: bool,
    pub operator: Option<Operator>,
    /// The default, alternative or message text, as written (it is itself interpolated:
    /// its references are in [`Interpolation::references`] too, with `nested` set).
    pub argument: Option<Range<usize>>,
    /// True for a reference inside another one's argument.
    pub nested: bool,
}

impl Reference {
    /// Whether the value is usable when the variable is unset: it has a default or an
    /// alternative (`${V:-x}`, `${V-x}`, `${V:+x}`, `${V+x}`).
    pub fn has_fallback(&self) -> bool {
        matches!(
            self.operator,
            Some(Operator::Default { .. } | Operator::Alternative { .. })
        )
    }

    pub fn is_required(&self) -> bool {
        matches!(self.operator, Some(Operator::Required { .. }))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterpolationError {
    /// From the `$` to the end of what could be read.
    pub range: Range<usize>,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Interpolation {
    pub references: Vec<Reference>,
    pub errors: Vec<InterpolationError>,
    /// `$$` escapes, each the range of the two dollars.
    pub escapes: Vec<Range<usize>>,
}

impl Interpolation {
    pub fn is_empty(&self) -> bool {
        self.references.is_empty() && self.errors.is_empty()
    }
}

/// Nesting of `${A:-${B:-...}}` beyond this is an error, not a recursion.
const MAX_NESTING: usize = 16;

/// Whether a value holds a variable (`$X`, `${X}`, `$$`...): only the run knows what it
/// becomes, so no rule concludes from its text.
pub fn is_dynamic(value: &str) -> bool {
    value.contains('$')
}

/// Variables Compose sets itself for interpolation (SPEC-domain A1).
pub const COMPOSE_PREDEFINED: &[&str] = &["COMPOSE_PROJECT_NAME"];

/// Variables every shell a person or a CI runner starts Compose from has in its
/// environment: login(1) sets HOME, USER, LOGNAME, SHELL and PATH; the shell sets and
/// exports PWD and OLDPWD; terminals set TERM. Not `UID`/`GID`: bash sets `UID` as a shell
/// variable but does not export it, so Compose does not see it.
pub const SHELL_VARIABLES: &[&str] = &[
    "HOME", "USER", "LOGNAME", "SHELL", "PATH", "PWD", "OLDPWD", "TERM",
];

pub fn parse(value: &str) -> Interpolation {
    let mut out = Interpolation::default();
    if is_dynamic(value) {
        scan(value, 0..value.len(), 0, &mut out);
    }
    out
}

/// Whether a name is a valid variable name.
pub fn is_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b == b'_' || b.is_ascii_alphabetic())
        && bytes.all(|b| b == b'_' || b.is_ascii_alphanumeric())
}

fn name_len(s: &[u8]) -> usize {
    match s.first() {
        Some(b) if *b == b'_' || b.is_ascii_alphabetic() => {
            1 + s[1..]
                .iter()
                .take_while(|b| **b == b'_' || b.is_ascii_alphanumeric())
                .count()
        }
        _ => 0,
    }
}

fn scan(value: &str, within: Range<usize>, depth: usize, out: &mut Interpolation) {
    let bytes = value.as_bytes();
    let mut i = within.start;
    while i < within.end {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        match bytes.get(i + 1).filter(|_| i + 1 < within.end) {
            Some(b'$') => {
                out.escapes.push(i..i + 2);
                i += 2;
            }
            Some(b'{') => i = braced(value, i, within.end, depth, out),
            Some(_) => {
                let n = name_len(&bytes[i + 1..within.end]);
                if n > 0 {
                    out.references.push(Reference {
                        name: value[i + 1..i + 1 + n].to_string(),
                        name_range: i + 1..i + 1 + n,
                        range: i..i + 1 + n,
                        braced: false,
                        operator: None,
                        argument: None,
                        nested: depth > 0,
                    });
                    i += 1 + n;
                } else {
                    // `$1`, `$@`, `$ `: left as is, silently (as Compose does).
                    i += 1;
                }
            }
            None => i += 1,
        }
    }
}

/// Reads `${...}` starting at `start` (the `$`); returns where scanning resumes.
fn braced(value: &str, start: usize, end: usize, depth: usize, out: &mut Interpolation) -> usize {
    let bytes = value.as_bytes();
    // The closing brace, counting the braces in between.
    let mut level = 0usize;
    let mut close = None;
    let mut k = start + 1;
    while k < end {
        match bytes[k] {
            b'{' => level += 1,
            b'}' => {
                level -= 1;
                if level == 0 {
                    close = Some(k);
                    break;
                }
            }
            _ => {}
        }
        k += 1;
    }
    let Some(close) = close else {
        out.errors.push(InterpolationError {
            range: start..end,
            message: "\"${\" is never closed with \"}\"".into(),
        });
        return end;
    };
    let content = &value[start + 2..close];
    let operator_at = ["-", "?", "+"]
        .iter()
        .filter_map(|op| content.find(op))
        .min()
        .map(|at| {
            if at > 0 && content.as_bytes()[at - 1] == b':' {
                at - 1
            } else {
                at
            }
        });
    let name_end = operator_at.unwrap_or(content.len());
    let name = &content[..name_end];
    if !is_name(name) {
        let message = if content.is_empty() {
            "\"${}\" names no variable".to_string()
        } else if name.is_empty() {
            format!("\"${{{content}}}\" has an operator but no variable name")
        } else if name.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            format!("\"{name}\" is not a variable name: names start with a letter or \"_\"")
        } else if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
        {
            format!(
                "\"${{{content}}}\" is not supported: Compose reads \"{bad}\" here as part of the variable name; only :- - :? ? :+ + are operators"
            )
        } else {
            format!("\"{name}\" is not a variable name")
        };
        out.errors.push(InterpolationError {
            range: start..close + 1,
            message,
        });
        return close + 1;
    }
    let (operator, argument) = match operator_at {
        None => (None, None),
        Some(at) => {
            let colon = content.as_bytes()[at] == b':';
            let op_char = content.as_bytes()[at + usize::from(colon)];
            let op = match op_char {
                b'-' => Operator::Default { colon },
                b'?' => Operator::Required { colon },
                _ => Operator::Alternative { colon },
            };
            let arg_start = start + 2 + at + 1 + usize::from(colon);
            (Some(op), Some(arg_start..close))
        }
    };
    out.references.push(Reference {
        name: name.to_string(),
        name_range: start + 2..start + 2 + name.len(),
        range: start..close + 1,
        braced: true,
        operator,
        argument: argument.clone(),
        nested: depth > 0,
    });
    if let Some(arg) = argument {
        if depth + 1 >= MAX_NESTING {
            out.errors.push(InterpolationError {
                range: start..close + 1,
                message: format!("interpolation nested more than {MAX_NESTING} levels deep"),
            });
        } else {
            scan(value, arg, depth + 1, out);
        }
    }
    close + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<(String, Option<Operator>, bool)> {
        parse(s)
            .references
            .into_iter()
            .map(|r| (r.name, r.operator, r.nested))
            .collect()
    }

    #[test]
    fn all_forms() {
        assert_eq!(
            names("$A ${B}"),
            [("A".into(), None, false), ("B".into(), None, false)]
        );
        assert_eq!(
            names("${A:-x}${B-y}${C:?e}${D?e}${E:+a}${F+a}")
                .into_iter()
                .map(|(_, op, _)| op.unwrap())
                .collect::<Vec<_>>(),
            [
                Operator::Default { colon: true },
                Operator::Default { colon: false },
                Operator::Required { colon: true },
                Operator::Required { colon: false },
                Operator::Alternative { colon: true },
                Operator::Alternative { colon: false },
            ]
        );
    }

    #[test]
    fn ranges_and_nesting() {
        let s = "x ${A:-${B:-d}} $C-y";
        let p = parse(s);
        assert_eq!(p.references.len(), 3);
        assert_eq!(&s[p.references[0].range.clone()], "${A:-${B:-d}}");
        assert_eq!(&s[p.references[0].argument.clone().unwrap()], "${B:-d}");
        assert_eq!(&s[p.references[1].name_range.clone()], "B");
        assert!(p.references[1].nested);
        assert_eq!(
            &s[p.references[2].range.clone()],
            "$C",
            "$VAR-x keeps -x literally"
        );
    }

    #[test]
    fn escapes_and_non_variables() {
        let p = parse("$$HOME $1 $@ cost: 5$ ${X}");
        assert_eq!(p.escapes, vec![0..2]);
        assert_eq!(p.references.len(), 1);
        assert!(p.errors.is_empty());
    }

    #[test]
    fn invalid_templates() {
        for (s, msg) in [
            ("${VAR", "never closed"),
            ("${}", "names no variable"),
            ("${1X}", "not a variable name"),
            ("${VAR/foo/bar}", "only :- - :? ? :+ + are operators"),
            ("${:-x}", "no variable name"),
        ] {
            let p = parse(s);
            assert_eq!(p.errors.len(), 1, "{s}");
            assert!(
                p.errors[0].message.contains(msg),
                "{s}: {}",
                p.errors[0].message
            );
        }
        // `${#VAR}` and `${VAR^^}` too.
        assert_eq!(parse("${#VAR}").errors.len(), 1);
        assert_eq!(parse("${VAR^^}").errors.len(), 1);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let s = "${A:-".repeat(100) + &"}".repeat(100);
        let p = parse(&s);
        assert_eq!(p.errors.len(), 1);
    }
}
