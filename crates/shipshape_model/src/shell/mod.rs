//! Just enough of the POSIX shell grammar to find the commands a CI script runs: words
//! (quotes removed, byte ranges kept), command separators (`;`, `&&`, `||`, `|`, `&`,
//! newlines), line continuations, comments, redirections (their targets are not
//! arguments), here-documents (their bodies are not commands), and the reserved words
//! that prefix a command (`if`, `then`, `do`, `!`...). Expansions (`$VAR`, `$(...)`,
//! backquotes) stay inside their word, which is marked dynamic.
//!
//! It never fails: an unclosed quote ends at the end of the script.

use std::ops::Range;

mod state;

pub use state::ScriptState;

/// One word of a command, as the shell passes it to the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Quotes and escapes removed; expansions kept as written.
    pub text: String,
    /// Where the word is written in the script (quotes included).
    pub range: Range<usize>,
    /// Holds an expansion (`$VAR`, `$(...)`, a backquote): its value is only known at run
    /// time.
    pub dynamic: bool,
}

/// How a command ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Separator {
    /// `;`, a newline, or the end of the script.
    End,
    And,
    Or,
    Pipe,
    /// `&`: the command runs in the background.
    Background,
}

/// A simple command: `VAR=x program args...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// `NAME=value` words before the program.
    pub assignments: Vec<Word>,
    /// The program and its arguments (redirections left out).
    pub words: Vec<Word>,
    /// The targets of its redirections (`> file`, `< file`).
    pub redirects: Vec<Word>,
    pub separator: Separator,
}

/// Reserved words that may come before a command and are not part of it.
const PREFIX_WORDS: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time",
];
/// Reserved words that end a compound command; what follows them on the line is a new
/// command.
const END_WORDS: &[&str] = &["fi", "done", "esac", "}"];

/// Splits a script into its simple commands, in order.
pub fn commands(script: &str) -> Vec<Command> {
    let mut lexer = Lexer {
        s: script,
        b: script.as_bytes(),
        i: 0,
        heredocs: Vec::new(),
    };
    let mut out = Vec::new();
    let mut current: Vec<Word> = Vec::new();
    let mut redirects: Vec<Word> = Vec::new();
    loop {
        match lexer.next() {
            Token::Word(w) => current.push(w),
            Token::Redirect(w) => redirects.push(w),
            Token::Separator(sep) => {
                let words = std::mem::take(&mut current);
                push(&mut out, words, std::mem::take(&mut redirects), sep);
            }
            Token::Eof => {
                let words = std::mem::take(&mut current);
                push(
                    &mut out,
                    words,
                    std::mem::take(&mut redirects),
                    Separator::End,
                );
                break;
            }
        }
    }
    out
}

fn push(out: &mut Vec<Command>, words: Vec<Word>, redirects: Vec<Word>, separator: Separator) {
    let mut words = words.into_iter().peekable();
    let mut assignments = Vec::new();
    // Reserved words that prefix the command, and `NAME=value` assignments.
    loop {
        match words.peek() {
            Some(w)
                if PREFIX_WORDS.contains(&w.text.as_str())
                    || END_WORDS.contains(&w.text.as_str()) =>
            {
                words.next();
            }
            Some(w) if is_assignment(&w.text) => assignments.push(words.next().expect("peeked")),
            _ => break,
        }
    }
    let words: Vec<Word> = words.collect();
    // `for x in a b; do` and `case x in`: the head is not a command.
    if matches!(
        words.first().map(|w| w.text.as_str()),
        Some("for" | "case" | "select" | "function")
    ) {
        return;
    }
    if words.is_empty() && assignments.is_empty() && redirects.is_empty() {
        return;
    }
    out.push(Command {
        assignments,
        words,
        redirects,
        separator,
    });
}

/// `NAME=value` (a variable assignment, not an argument such as `--opt=x`).
pub fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
}

enum Token {
    Word(Word),
    Redirect(Word),
    Separator(Separator),
    Eof,
}

struct Lexer<'s> {
    s: &'s str,
    b: &'s [u8],
    i: usize,
    /// Here-document delimiters waiting for the next newline: (delimiter, strip tabs).
    heredocs: Vec<(String, bool)>,
}

impl Lexer<'_> {
    fn next(&mut self) -> Token {
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return Token::Eof;
            };
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\\' if self.b.get(self.i + 1) == Some(&b'\n') => self.i += 2,
                b'\n' => {
                    self.i += 1;
                    self.skip_heredocs();
                    return Token::Separator(Separator::End);
                }
                b'#' => {
                    while self.i < self.b.len() && self.b[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b';' => {
                    self.i += 1;
                    // `;;` ends a case branch.
                    if self.b.get(self.i) == Some(&b';') {
                        self.i += 1;
                    }
                    return Token::Separator(Separator::End);
                }
                b'&' if self.b.get(self.i + 1) == Some(&b'&') => {
                    self.i += 2;
                    return Token::Separator(Separator::And);
                }
                b'&' if self.b.get(self.i + 1) == Some(&b'>') => {
                    self.i += 1;
                    if let Some(target) = self.redirection() {
                        return Token::Redirect(target);
                    }
                }
                b'&' => {
                    self.i += 1;
                    return Token::Separator(Separator::Background);
                }
                b'|' if self.b.get(self.i + 1) == Some(&b'|') => {
                    self.i += 2;
                    return Token::Separator(Separator::Or);
                }
                b'|' => {
                    self.i += 1;
                    return Token::Separator(Separator::Pipe);
                }
                b'(' | b')' => {
                    self.i += 1;
                    return Token::Separator(Separator::End);
                }
                b'<' | b'>' => {
                    if let Some(target) = self.redirection() {
                        return Token::Redirect(target);
                    }
                }
                _ => {
                    let word = self.word();
                    // `2>&1`, `2>file`: a file descriptor, then a redirection.
                    if matches!(self.b.get(self.i), Some(b'<' | b'>'))
                        && !word.text.is_empty()
                        && word.text.bytes().all(|b| b.is_ascii_digit())
                    {
                        continue;
                    }
                    return Token::Word(word);
                }
            }
        }
    }

    /// A redirection operator and its target (returned when it is a file). `<<`
    /// registers a here-document whose body starts at the next newline.
    fn redirection(&mut self) -> Option<Word> {
        let start = self.i;
        while self.i < self.b.len() && matches!(self.b[self.i], b'<' | b'>' | b'&' | b'|' | b'-') {
            self.i += 1;
        }
        let op = &self.s[start..self.i];
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t') {
            self.i += 1;
        }
        if op.ends_with('&') && self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            // `>&2`
            while self.i < self.b.len() && self.b[self.i].is_ascii_digit() {
                self.i += 1;
            }
            return None;
        }
        if op == "<<<" {
            self.word();
            return None;
        }
        if op.starts_with("<<") {
            let target = self.word();
            self.heredocs.push((target.text, op.ends_with('-')));
            return None;
        }
        if self.i < self.b.len() && !matches!(self.b[self.i], b'\n' | b';' | b'&' | b'|') {
            return Some(self.word());
        }
        None
    }

    /// Skips the bodies of the here-documents opened on the line just ended.
    fn skip_heredocs(&mut self) {
        for (delimiter, strip_tabs) in std::mem::take(&mut self.heredocs) {
            while self.i < self.b.len() {
                let end = self.s[self.i..]
                    .find('\n')
                    .map_or(self.b.len(), |n| self.i + n);
                let line = &self.s[self.i..end];
                let line = if strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                self.i = (end + 1).min(self.b.len());
                if line.trim_end_matches('\r') == delimiter {
                    break;
                }
            }
        }
    }

    fn word(&mut self) -> Word {
        let start = self.i;
        let mut text = String::new();
        let mut dynamic = false;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => {
                    break;
                }
                b'\\' => {
                    if self.b.get(self.i + 1) == Some(&b'\n') {
                        self.i += 2;
                        continue;
                    }
                    self.i += 1;
                    if let Some(ch) = self.s[self.i..].chars().next() {
                        text.push(ch);
                        self.i += ch.len_utf8();
                    }
                }
                b'\'' => {
                    let close = self.s[self.i + 1..]
                        .find('\'')
                        .map_or(self.b.len(), |n| self.i + 1 + n);
                    text.push_str(&self.s[self.i + 1..close]);
                    self.i = (close + 1).min(self.b.len());
                }
                b'"' => {
                    self.i += 1;
                    while let Some(&d) = self.b.get(self.i) {
                        match d {
                            b'"' => {
                                self.i += 1;
                                break;
                            }
                            b'\\'
                                if matches!(
                                    self.b.get(self.i + 1),
                                    Some(b'"' | b'\\' | b'$' | b'`')
                                ) =>
                            {
                                text.push(self.b[self.i + 1] as char);
                                self.i += 2;
                            }
                            b'\\' if self.b.get(self.i + 1) == Some(&b'\n') => self.i += 2,
                            b'$' | b'`' => {
                                dynamic = true;
                                self.take_expansion(&mut text);
                            }
                            _ => self.take_char(&mut text),
                        }
                    }
                }
                b'$' | b'`' => {
                    dynamic = true;
                    self.take_expansion(&mut text);
                }
                _ => self.take_char(&mut text),
            }
        }
        Word {
            text,
            range: start..self.i,
            dynamic,
        }
    }

    /// Moves the character at `self.i` into the word.
    fn take_char(&mut self, text: &mut String) {
        let ch = self.s[self.i..].chars().next().unwrap_or('?');
        text.push(ch);
        self.i += ch.len_utf8();
    }

    /// Moves the expansion at `self.i` into the word, as written.
    fn take_expansion(&mut self, text: &mut String) {
        let end = self.expansion();
        text.push_str(&self.s[self.i..end]);
        self.i = end;
    }

    /// The end of the expansion starting at `self.i` (`$NAME`, `${...}`, `$(...)`,
    /// `` `...` ``), nesting counted.
    fn expansion(&self) -> usize {
        let b = self.b;
        let i = self.i;
        if b[i] == b'`' {
            return self.s[i + 1..].find('`').map_or(b.len(), |n| i + 2 + n);
        }
        match b.get(i + 1) {
            Some(&open @ (b'{' | b'(')) => {
                let close = if open == b'{' { b'}' } else { b')' };
                let mut depth = 0usize;
                let mut j = i + 1;
                while j < b.len() {
                    if b[j] == open {
                        depth += 1;
                    } else if b[j] == close {
                        depth -= 1;
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    j += 1;
                }
                b.len()
            }
            Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => {
                let mut j = i + 1;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                j
            }
            // `$?`, `$@`, `$1`...
            Some(c) if c.is_ascii() => i + 2,
            // `$` before a character that is not ASCII is a plain dollar (found by fuzzing:
            // `i + 2` cut that character in two).
            Some(_) | None => i + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dollar_before_a_character_that_is_not_ascii() {
        let words: Vec<String> = commands("echo \";$\u{618}x\" $\u{e9}")
            .remove(0)
            .words
            .into_iter()
            .map(|w| w.text)
            .collect();
        assert_eq!(words, ["echo", ";$\u{618}x", "$\u{e9}"]);
    }

    fn words(script: &str) -> Vec<Vec<String>> {
        commands(script)
            .into_iter()
            .map(|c| c.words.into_iter().map(|w| w.text).collect())
            .collect()
    }

    #[test]
    fn splits_commands_and_keeps_ranges() {
        assert_eq!(
            words("cd app && docker compose up -d; echo done || true"),
            [
                vec!["cd", "app"],
                vec!["docker", "compose", "up", "-d"],
                vec!["echo", "done"],
                vec!["true"]
            ]
        );
        let c = &commands("  docker compose -f 'ci compose.yml' up")[0];
        assert_eq!(c.words[3].text, "ci compose.yml");
        assert_eq!(c.words[3].range, 20..36);
    }

    #[test]
    fn quotes_expansions_and_continuations() {
        let c = &commands("docker compose \\\n  run \"$SERVICE\" pytest -k \"a b\"")[0];
        let texts: Vec<&str> = c.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "docker", "compose", "run", "$SERVICE", "pytest", "-k", "a b"
            ]
        );
        assert!(c.words[3].dynamic && !c.words[2].dynamic);
        let c = &commands("echo $(docker compose ps -q web)")[0];
        assert_eq!(c.words.len(), 2);
    }

    #[test]
    fn redirections_heredocs_comments_and_keywords() {
        assert_eq!(
            words(
                "docker compose logs > logs.txt 2>&1 # keep\nif true; then docker compose down; fi"
            ),
            [
                vec!["docker", "compose", "logs"],
                vec!["true"],
                vec!["docker", "compose", "down"]
            ]
        );
        assert_eq!(
            words("cat <<EOF > x.yml\nservices:\n  web: {}\nEOF\ndocker compose up"),
            [vec!["cat"], vec!["docker", "compose", "up"]]
        );
        let c = &commands("COMPOSE_FILE=ci.yml docker compose up &")[0];
        assert_eq!(c.assignments[0].text, "COMPOSE_FILE=ci.yml");
        assert_eq!(c.separator, Separator::Background);
        assert!(
            words("for s in a b; do docker compose up $s; done").contains(&vec![
                "docker".to_string(),
                "compose".into(),
                "up".into(),
                "$s".into()
            ])
        );
    }
}
