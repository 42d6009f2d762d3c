//! GitLab CI/CD variable expressions (`rules:if`, `workflow:rules:if`,
//! `only:variables`), and the regular expressions GitLab evaluates with RE2.
//!
//! The grammar follows GitLab's lexer and parser (SPEC-domain B7):
//!
//! ```text
//! expr     := and ( "||" and )*
//! and      := cmp ( "&&" cmp )*
//! cmp      := operand ( ("==" | "!=" | "=~" | "!~") operand )?
//! operand  := $VARIABLE | "string" | 'string' | /pattern/flags | null | true | false
//!           | $[[ inputs.name ]] | "(" expr ")"
//! ```
//!
//! At most 100 tokens. `${VAR}` is not a lexeme. A pattern has at least two characters
//! between its slashes (GitLab's lexer: `/./` is not a pattern).

use std::ops::Range;

/// GitLab refuses expressions with more tokens than this ("Too many tokens!").
pub const MAX_TOKENS: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Byte range in the expression.
    pub range: Range<usize>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Var(String),
    Str(String),
    Pattern { body: String, flags: String },
    Null,
    Bool(bool),
    Input,
    Eq,
    Ne,
    Match,
    NoMatch,
    And,
    Or,
    Open,
    Close,
}

impl Tok {
    fn is_operand(&self) -> bool {
        matches!(
            self,
            Tok::Var(_) | Tok::Str(_) | Tok::Pattern { .. } | Tok::Null | Tok::Bool(_) | Tok::Input
        )
    }
}

/// A valid expression: what it mentions, and its syntax tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    /// Variables, each with its range (including `$`).
    pub variables: Vec<(String, Range<usize>)>,
    pub node: Node,
}

/// An expression's syntax tree (parentheses leave no node of their own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Compare {
        op: Op,
        left: Box<Node>,
        right: Box<Node>,
    },
    Var(String),
    Str(String),
    Pattern {
        body: String,
        flags: String,
    },
    Null,
    Bool(bool),
    /// `$[[ inputs.name ]]`: interpolated before GitLab evaluates the expression, so
    /// its value is not known here.
    Input,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Match,
    NoMatch,
}

/// Parses an expression; on error, the first problem with its range.
pub fn parse(text: &str) -> Result<Expr, ExprError> {
    let tokens = lex(text)?;
    if tokens.is_empty() {
        return Err(ExprError {
            range: 0..text.len(),
            message: "the expression is empty".into(),
        });
    }
    if tokens.len() > MAX_TOKENS {
        return Err(ExprError {
            range: 0..text.len(),
            message: format!(
                "the expression has {} tokens; GitLab allows {MAX_TOKENS} (\"Too many tokens!\")",
                tokens.len()
            ),
        });
    }
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        end: text.len(),
    };
    let node = p.or()?;
    if let Some((_, range)) = tokens.get(p.pos) {
        return Err(ExprError {
            range: range.clone(),
            message: "unexpected token: an operator (&&, ||, ==, !=, =~, !~) is missing before it"
                .into(),
        });
    }
    for (tok, range) in &tokens {
        if let Tok::Pattern { body, flags } = tok {
            check_regex(body, flags).map_err(|message| ExprError {
                range: range.clone(),
                message,
            })?;
        }
    }
    Ok(Expr {
        node,
        variables: tokens
            .iter()
            .filter_map(|(t, r)| match t {
                Tok::Var(name) => Some((name.clone(), r.clone())),
                _ => None,
            })
            .collect(),
    })
}

/// Validates a `/pattern/flags` regex (GitLab evaluates them with RE2): `flags` may hold
/// `i`, `m` (dot matches newlines, Ruby's meaning), `s` and `U`.
pub fn check_regex(body: &str, flags: &str) -> Result<(), String> {
    if let Some(bad) = flags.chars().find(|c| !"imsU".contains(*c)) {
        return Err(format!(
            "unknown regular expression flag \"{bad}\" (GitLab knows i, m, s and U)"
        ));
    }
    compile_regex(body, flags).map(|_| ()).map_err(|e| {
        let detail = e.to_string();
        let last = detail
            .lines()
            .rfind(|l| l.starts_with("error:"))
            .unwrap_or("error: invalid")
            .trim_start_matches("error: ")
            .to_string();
        format!("invalid regular expression: {last}")
    })
}

/// Compiles a `/pattern/flags` regex as RE2 reads it (the flags already checked).
pub fn compile_regex(body: &str, flags: &str) -> Result<regex::Regex, regex::Error> {
    let mut inline = String::new();
    for c in flags.chars().filter(|c| "imsU".contains(*c)) {
        let f = match c {
            'm' => 's',
            other => other,
        };
        if !inline.contains(f) {
            inline.push(f);
        }
    }
    // In the source a `/` inside the pattern is escaped; RE2 reads `\/` as `/` too.
    let pattern = if inline.is_empty() {
        body.to_string()
    } else {
        format!("(?{inline}){body}")
    };
    regex::Regex::new(&pattern)
}

/// A `/pattern/flags` value (`only` refs, `coverage`): Some((body, flags)) when it is one.
pub fn as_pattern(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix('/')?;
    let close = rest.rfind('/')?;
    let (body, flags) = (&rest[..close], &rest[close + 1..]);
    flags
        .chars()
        .all(|c| c.is_ascii_alphabetic())
        .then_some((body, flags))
}

// Long because: one match over every token of the `rules:if` grammar, in the order
// GitLab's lexer tries them; split up, the grammar would be scattered over functions.
fn lex(text: &str) -> Result<Vec<(Tok, Range<usize>)>, ExprError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let two = text.get(i..i + 2).unwrap_or("");
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'$' if two == "$[" => {
                let end = text[i..]
                    .find("]]")
                    .map(|e| i + e + 2)
                    .ok_or_else(|| ExprError {
                        range: i..b.len(),
                        message: "\"$[[\" is not closed with \"]]\"".into(),
                    })?;
                i = end;
                Tok::Input
            }
            b'$' => {
                let n = b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                if n == 0 {
                    let hint = if b.get(i + 1) == Some(&b'{') {
                        "GitLab expressions write variables as $NAME, not ${NAME}"
                    } else {
                        "a variable name must follow \"$\""
                    };
                    return Err(ExprError {
                        range: i..(i + 2).min(b.len()),
                        message: hint.into(),
                    });
                }
                i += 1 + n;
                Tok::Var(text[start + 1..i].to_string())
            }
            b'"' | b'\'' => {
                let close = text[i + 1..].find(c as char).ok_or_else(|| ExprError {
                    range: i..b.len(),
                    message: format!("string opened with {} is not closed", c as char),
                })?;
                let value = text[i + 1..i + 1 + close].to_string();
                i += close + 2;
                Tok::Str(value)
            }
            b'/' => {
                // GitLab's lexer: ^/([^/]|\\/)+[^\\]/[ismU]* -- at least two characters.
                let mut j = i + 1;
                let mut escaped = false;
                while j < b.len() {
                    match b[j] {
                        b'\\' if !escaped => escaped = true,
                        b'/' if !escaped => break,
                        _ => escaped = false,
                    }
                    j += 1;
                }
                if j >= b.len() {
                    return Err(ExprError {
                        range: i..b.len(),
                        message: "regular expression opened with \"/\" is not closed".into(),
                    });
                }
                let body = &text[i + 1..j];
                if body.chars().count() < 2 {
                    return Err(ExprError {
                        range: i..j + 1,
                        message: format!(
                            "\"/{body}/\" is not a pattern GitLab accepts: it needs at least two characters between the slashes"
                        ),
                    });
                }
                let flags_len = b[j + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
                let flags = text[j + 1..j + 1 + flags_len].to_string();
                i = j + 1 + flags_len;
                Tok::Pattern {
                    body: body.replace("\\/", "/"),
                    flags,
                }
            }
            b'(' => {
                i += 1;
                Tok::Open
            }
            b')' => {
                i += 1;
                Tok::Close
            }
            _ if two == "==" => {
                i += 2;
                Tok::Eq
            }
            _ if two == "!=" => {
                i += 2;
                Tok::Ne
            }
            _ if two == "=~" => {
                i += 2;
                Tok::Match
            }
            _ if two == "!~" => {
                i += 2;
                Tok::NoMatch
            }
            _ if two == "&&" => {
                i += 2;
                Tok::And
            }
            _ if two == "||" => {
                i += 2;
                Tok::Or
            }
            _ if c.is_ascii_alphabetic() => {
                let n = b[i..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                    .count();
                let word = &text[i..i + n];
                i += n;
                match word {
                    "null" => Tok::Null,
                    "true" => Tok::Bool(true),
                    "false" => Tok::Bool(false),
                    _ => {
                        return Err(ExprError {
                            range: start..i,
                            message: format!(
                                "\"{word}\" is not part of an expression: quote strings (\"{word}\") and write variables as ${word}"
                            ),
                        });
                    }
                }
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                let hint = match c {
                    b'=' => "; compare with \"==\"",
                    b'&' => "; \"and\" is \"&&\"",
                    b'|' => "; \"or\" is \"||\"",
                    b'!' => "; negate a match with \"!~\" or a comparison with \"!=\"",
                    _ => "",
                };
                return Err(ExprError {
                    range: i..i + ch.len_utf8(),
                    message: format!(
                        "\"{ch}\" is not part of an expression (GitLab: \"Unknown lexeme found!\"){hint}"
                    ),
                });
            }
        };
        out.push((tok, start..i));
    }
    Ok(out)
}

struct Parser<'t> {
    tokens: &'t [(Tok, Range<usize>)],
    pos: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn range(&self) -> Range<usize> {
        self.tokens
            .get(self.pos)
            .map_or(self.end..self.end, |(_, r)| r.clone())
    }

    fn or(&mut self) -> Result<Node, ExprError> {
        let mut items = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::Or(items)
        })
    }

    fn and(&mut self) -> Result<Node, ExprError> {
        let mut items = vec![self.cmp()?];
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            items.push(self.cmp()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Node::And(items)
        })
    }

    fn cmp(&mut self) -> Result<Node, ExprError> {
        let left = self.operand()?;
        let op = match self.peek() {
            Some(Tok::Eq) => Op::Eq,
            Some(Tok::Ne) => Op::Ne,
            Some(Tok::Match) => Op::Match,
            Some(Tok::NoMatch) => Op::NoMatch,
            _ => return Ok(left),
        };
        self.pos += 1;
        let right = self.operand()?;
        Ok(Node::Compare {
            op,
            left: Box::new(left),
            right: Box::new(right),
        })
    }

    fn operand(&mut self) -> Result<Node, ExprError> {
        match self.peek() {
            Some(t) if t.is_operand() => {
                let node = match t {
                    Tok::Var(name) => Node::Var(name.clone()),
                    Tok::Str(text) => Node::Str(text.clone()),
                    Tok::Pattern { body, flags } => Node::Pattern {
                        body: body.clone(),
                        flags: flags.clone(),
                    },
                    Tok::Bool(b) => Node::Bool(*b),
                    Tok::Input => Node::Input,
                    _ => Node::Null,
                };
                self.pos += 1;
                Ok(node)
            }
            Some(Tok::Open) => {
                let open = self.range();
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() == Some(&Tok::Close) {
                    self.pos += 1;
                    Ok(inner)
                } else {
                    Err(ExprError {
                        range: open,
                        message: "\"(\" is not closed with \")\"".into(),
                    })
                }
            }
            Some(_) => Err(ExprError {
                range: self.range(),
                message: "a value ($VARIABLE, \"string\", /pattern/ or null) is missing before this".into(),
            }),
            None => Err(ExprError {
                range: self.range(),
                message: "the expression ends where a value ($VARIABLE, \"string\", /pattern/ or null) is expected".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_expressions() {
        for e in [
            "$CI_PIPELINE_SOURCE == \"merge_request_event\"",
            "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_COMMIT_TAG == null",
            "($A || $B) && $C =~ /^release-\\d+$/i",
            "$CI_COMMIT_MESSAGE !~ /skip ci/",
            "$VAR",
            "$[[ inputs.deploy ]] == 'true'",
            "$CI_COMMIT_REF_NAME =~ /^feature\\/.+/",
        ] {
            assert!(parse(e).is_ok(), "{e}: {:?}", parse(e));
        }
        assert_eq!(parse("$A == $B").unwrap().variables.len(), 2);
    }

    #[test]
    fn invalid_expressions() {
        for (e, msg) in [
            ("$CI_COMMIT_BRANCH = \"main\"", "\"==\""),
            ("${CI_COMMIT_BRANCH} == \"main\"", "not ${NAME}"),
            ("$A == main", "quote strings"),
            ("$A == \"x", "not closed"),
            ("($A == \"x\"", "not closed"),
            ("$A &&", "ends where a value"),
            ("$A == /./", "at least two characters"),
            ("$A =~ /[unclosed/", "invalid regular expression"),
            ("$A =~ /abc/x", "unknown regular expression flag"),
            ("$A $B", "operator"),
            ("", "empty"),
        ] {
            let err = parse(e).unwrap_err();
            assert!(err.message.contains(msg), "{e}: {}", err.message);
        }
        let long = vec!["$A"; 60].join(" && ");
        assert!(parse(&long).unwrap_err().message.contains("tokens"));
    }

    #[test]
    fn patterns() {
        assert_eq!(as_pattern("/^v\\d+/i"), Some(("^v\\d+", "i")));
        assert_eq!(as_pattern("main"), None);
        assert!(check_regex("(?i)total.*?(\\d+)%", "").is_ok());
        assert!(check_regex("a(?=b)", "").is_err(), "RE2 has no lookahead");
    }
}
