//! fixed-sleep-readiness: a script or service entrypoint that waits a fixed `sleep` for a
//! service to come up, instead of checking that it is ready. Too short and the job fails
//! at random; too long and every pipeline waits for nothing.

use shipshape_model::gitlab::Origin;
use shipshape_model::gitlab::services::CiService;
use shipshape_model::images;

use super::support::{Once, value_span};
use crate::diagnostic::Severity;
use crate::rule::{Check, FixAvailability, Group, PipelineContext, Rule, Sink};

pub static RULE: Rule = Rule {
    name: "fixed-sleep-readiness",
    group: Group::Gitlab,
    severity: Severity::Info,
    fix: FixAvailability::None,
    summary: "a script or entrypoint waits with a fixed `sleep` for a service to become ready",
    doc: include_str!("../../../rule-docs/fixed-sleep-readiness/README.md"),
    checks: &[Check::Pipeline(check)],
    options: &[],
};

/// Waits shorter than this (seconds) are polling intervals, not readiness guesses.
const MIN_SECONDS: f64 = 2.0;

/// A shell word with its byte range.
struct Word<'a> {
    text: &'a str,
    start: usize,
}

/// Splits a script into words; `;`, `&&`, `||`, `|`, `&` and newlines are words of their
/// own (command boundaries). Comments are dropped. Quotes are not interpreted: the words
/// that matter here (`sleep`, `do`, `done`, `-d`) are never quoted.
fn words(script: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    for (line_start, line) in line_starts(script) {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            if c == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()) {
                break;
            }
            let start = i;
            if matches!(c, b';' | b'&' | b'|') {
                i += 1;
                if i < b.len() && b[i] == c {
                    i += 1;
                }
            } else {
                while i < b.len()
                    && !b[i].is_ascii_whitespace()
                    && !matches!(b[i], b';' | b'&' | b'|')
                {
                    i += 1;
                }
            }
            out.push(Word {
                text: &line[start..i],
                start: line_start + start,
            });
        }
        out.push(Word {
            text: "\n",
            start: line_start + line.len(),
        });
    }
    out
}

fn line_starts(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    s.split('\n').map(move |line| {
        let start = at;
        at += line.len() + 1;
        (start, line)
    })
}

fn is_boundary(w: &str) -> bool {
    matches!(w, ";" | "&&" | "||" | "|" | "&" | "\n")
}

/// Seconds of a `sleep` argument (`10`, `10s`, `1m`, `0.5`), if fixed.
fn seconds(arg: &str) -> Option<f64> {
    let (number, unit) = match arg
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
    {
        Some((i, _)) => arg.split_at(i),
        None => (arg, ""),
    };
    let n: f64 = number.parse().ok()?;
    let factor = match unit {
        "" | "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return None,
    };
    Some(n * factor)
}

/// A fixed sleep outside any loop: the byte range of `sleep N` and the argument.
struct Sleep {
    start: usize,
    end: usize,
    arg: String,
}

/// What a script does, as far as this rule cares.
#[derive(Default)]
struct Scan {
    sleeps: Vec<Sleep>,
    /// The script starts something in the background (`docker compose up -d`, `cmd &`).
    starts_background: bool,
    /// It starts containers with `docker compose up -d` (which has `--wait`).
    compose_up: bool,
}

fn scan(script: &str) -> Scan {
    let ws = words(script);
    let mut out = Scan::default();
    let mut depth = 0usize;
    let mut command_start = true;
    for (i, w) in ws.iter().enumerate() {
        let text = w.text;
        if is_boundary(text) {
            if text == "&" {
                out.starts_background = true;
            }
            command_start = true;
            continue;
        }
        if command_start {
            match text {
                "do" => depth += 1,
                "done" => depth = depth.saturating_sub(1),
                "sleep" if depth == 0 => {
                    if let Some(arg) = ws.get(i + 1).filter(|a| !is_boundary(a.text))
                        && seconds(arg.text).is_some_and(|s| s >= MIN_SECONDS)
                    {
                        out.sleeps.push(Sleep {
                            start: w.start,
                            end: arg.start + arg.text.len(),
                            arg: arg.text.to_string(),
                        });
                    }
                }
                _ => {}
            }
        }
        // `do` may follow `;` on the loop's line: `while x; do sleep 1; done`.
        command_start = matches!(text, "do" | "then" | "else" | "nohup");
        if text == "nohup" {
            out.starts_background = true;
        }
        let command: Vec<&str> = ws[i..]
            .iter()
            .take_while(|x| !is_boundary(x.text))
            .map(|x| x.text)
            .collect();
        if detached(&command) {
            out.starts_background = true;
            if matches!(command.first(), Some(&"docker-compose"))
                || command.get(1) == Some(&"compose")
            {
                out.compose_up = true;
            }
        }
    }
    out
}

/// `docker compose up -d`, `docker-compose up --detach`, `docker run -d`, `docker start`.
fn detached(command: &[&str]) -> bool {
    let detach = command.iter().any(|w| matches!(*w, "-d" | "--detach"));
    match command {
        ["docker", "compose", rest @ ..] | ["docker-compose", rest @ ..] => {
            rest.contains(&"up") && detach
        }
        ["docker", "run", ..] | ["docker", "container", "run", ..] => detach,
        ["docker", "start", ..] => true,
        _ => false,
    }
}

fn check(cx: &PipelineContext<'_>, sink: &mut Sink<'_>) {
    let mut once = Once::default();
    for job in cx.model().visible_jobs() {
        let services = job.services();
        let mut background = false;
        let mut compose_up = false;
        for key in ["before_script", "script"] {
            for line in job.script(key) {
                let Some(text) = line.as_str() else { continue };
                let found = scan(text);
                for sleep in &found.sleeps {
                    if services.is_empty() && !background {
                        continue;
                    }
                    let hint = if compose_up {
                        Hint::ComposeWait
                    } else {
                        Hint::Poll(&services)
                    };
                    report(cx, sink, &mut once, line.origin(), sleep, hint);
                }
                background |= found.starts_background;
                compose_up |= found.compose_up;
            }
        }
        // A service that waits for another before starting its own process.
        for service in &services {
            for value in [&service.entrypoint, &service.command]
                .into_iter()
                .flatten()
            {
                for line in value.strings() {
                    let Some(text) = line.as_str() else { continue };
                    for sleep in &scan(text).sleeps {
                        report(
                            cx,
                            sink,
                            &mut once,
                            line.origin(),
                            sleep,
                            Hint::Poll(&services),
                        );
                    }
                }
            }
        }
    }
}

enum Hint<'s> {
    ComposeWait,
    Poll(&'s [CiService]),
}

fn report(
    cx: &PipelineContext<'_>,
    sink: &mut Sink<'_>,
    once: &mut Once,
    origin: Origin,
    sleep: &Sleep,
    hint: Hint<'_>,
) {
    if !once.first_at(origin, sleep.start) {
        return;
    }
    let span = value_span(cx, origin, sleep.start..sleep.end);
    let d = sink.report(
        origin.file,
        span,
        format!(
            "`sleep {}` waits a fixed time for a service instead of checking that it is ready",
            sleep.arg
        ),
    );
    d.label("the same wait whether the service is ready or not");
    match hint {
        Hint::ComposeWait => {
            d.help("start with `docker compose up -d --wait`: it returns once every service with a healthcheck is healthy");
        }
        Hint::Poll(services) => {
            let known = services.iter().find_map(|s| {
                let server = images::server_image(&s.image)?;
                Some((s.hostnames.last()?.clone(), *server.ports.first()?))
            });
            match known {
                Some((host, port)) => d.help(format!(
                    "poll until it answers, for example `until nc -z {host} {port}; do sleep 1; done`"
                )),
                None => d.help("poll until the service answers (a loop around a connection check), with a timeout"),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sleeps(script: &str) -> Vec<String> {
        scan(script)
            .sleeps
            .iter()
            .map(|s| script[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn fixed_sleeps_outside_loops() {
        assert_eq!(sleeps("sleep 10"), ["sleep 10"]);
        assert_eq!(
            sleeps("docker compose up -d && sleep 30s && make test"),
            ["sleep 30s"]
        );
        assert!(sleeps("until [ -f x ]; do sleep 1; done;").is_empty());
        assert!(sleeps("while ! nc -z db 5432; do\n  sleep 5\ndone").is_empty());
        assert!(sleeps("sleep 1").is_empty());
        assert!(sleeps("sleep $DELAY").is_empty());
        assert!(sleeps("sleep infinity").is_empty());
        assert!(sleeps("echo sleep 10").is_empty());
        assert!(sleeps("# sleep 10").is_empty());
        assert_eq!(
            sleeps("until [ -f a ]; do sleep 1; done;\necho ok\n# wait\nsleep 10\n"),
            ["sleep 10"]
        );
    }

    #[test]
    fn background_starts() {
        assert!(scan("docker compose up -d db").starts_background);
        assert!(scan("docker compose up -d db").compose_up);
        assert!(scan("./server &").starts_background);
        assert!(!scan("docker compose up --exit-code-from tests").starts_background);
    }
}
