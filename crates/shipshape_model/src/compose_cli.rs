//! `docker compose` / `docker-compose` command lines, as a CI script writes them
//! (SPEC-domain A7): the global flags, the subcommand, its flags and the services it
//! names, each with its range in the script. The flag tables are data: a flag the tables
//! do not know may take a value, so the services after it are marked uncertain rather
//! than guessed.

use std::ops::Range;

use crate::shell::{Command, Separator, Word, is_assignment};

/// Compose's global flags that take a value.
const GLOBAL_VALUE_FLAGS: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--profile",
    "--env-file",
    "--project-directory",
    "--ansi",
    "--progress",
    "--parallel",
    "--workdir",
];
const GLOBAL_BOOL_FLAGS: &[&str] = &[
    "--compatibility",
    "--dry-run",
    "--all-resources",
    "--verbose",
    "--no-ansi",
    "-h",
    "--help",
    "-v",
    "--version",
];

/// `docker`'s own global flags that take a value (before `compose`).
const DOCKER_VALUE_FLAGS: &[&str] = &[
    "-H",
    "--host",
    "-c",
    "--context",
    "--config",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
];

/// How a subcommand reads its positional arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Positionals {
    /// Every positional is a service (`up web db`).
    Services,
    /// The first positional is a service, the rest a command (`run tests pytest -x`).
    ServiceThenCommand,
    /// Positionals are not services (`cp web:/a b`, `scale web=2`, `ls`).
    Other,
}

/// One subcommand: its flags that take a value, its boolean flags, its positionals.
pub struct Subcommand {
    pub name: &'static str,
    pub value_flags: &'static [&'static str],
    pub bool_flags: &'static [&'static str],
    pub positionals: Positionals,
}

const fn sub(
    name: &'static str,
    value_flags: &'static [&'static str],
    bool_flags: &'static [&'static str],
    positionals: Positionals,
) -> Subcommand {
    Subcommand {
        name,
        value_flags,
        bool_flags,
        positionals,
    }
}

use Positionals::{Other, ServiceThenCommand, Services};

/// The subcommands CI scripts use, from `docker compose <cmd> --help` (Compose v2.3x).
pub const SUBCOMMANDS: &[Subcommand] = &[
    sub(
        "up",
        &[
            "--exit-code-from",
            "--scale",
            "-t",
            "--timeout",
            "--wait-timeout",
            "--pull",
            "--attach",
            "--no-attach",
        ],
        &[
            "-d",
            "--detach",
            "--build",
            "--no-build",
            "--no-deps",
            "--force-recreate",
            "--always-recreate-deps",
            "--no-recreate",
            "--no-start",
            "--abort-on-container-exit",
            "--abort-on-container-failure",
            "--remove-orphans",
            "-V",
            "--renew-anon-volumes",
            "--quiet-pull",
            "--no-color",
            "--no-log-prefix",
            "--timestamps",
            "--wait",
            "-w",
            "--watch",
            "--attach-dependencies",
            "--menu",
            "-y",
            "--yes",
            "--quiet-build",
        ],
        Services,
    ),
    sub(
        "run",
        &[
            "-e",
            "--env",
            "--env-from-file",
            "-l",
            "--label",
            "-u",
            "--user",
            "-w",
            "--workdir",
            "-v",
            "--volume",
            "-p",
            "--publish",
            "--name",
            "--entrypoint",
            "--cap-add",
            "--cap-drop",
            "--pull",
        ],
        &[
            "-d",
            "--detach",
            "--rm",
            "--no-deps",
            "-T",
            "--no-TTY",
            "-i",
            "--interactive",
            "-t",
            "--tty",
            "-P",
            "--service-ports",
            "--use-aliases",
            "--build",
            "--quiet-pull",
            "--remove-orphans",
            "-q",
            "--quiet",
            "--quiet-build",
        ],
        ServiceThenCommand,
    ),
    sub(
        "exec",
        &["-e", "--env", "-u", "--user", "-w", "--workdir", "--index"],
        &[
            "-d",
            "--detach",
            "-T",
            "--no-TTY",
            "--privileged",
            "-i",
            "--interactive",
            "-t",
            "--tty",
        ],
        ServiceThenCommand,
    ),
    sub(
        "build",
        &[
            "--build-arg",
            "--ssh",
            "--builder",
            "--progress",
            "-m",
            "--memory",
        ],
        &[
            "--no-cache",
            "--pull",
            "--push",
            "-q",
            "--quiet",
            "--with-dependencies",
            "--check",
            "--print",
        ],
        Services,
    ),
    sub(
        "pull",
        &["--policy"],
        &[
            "--ignore-buildable",
            "--ignore-pull-failures",
            "--include-deps",
            "-q",
            "--quiet",
        ],
        Services,
    ),
    sub(
        "push",
        &[],
        &["--ignore-push-failures", "--include-deps", "-q", "--quiet"],
        Services,
    ),
    sub(
        "down",
        &["--rmi", "-t", "--timeout"],
        &["-v", "--volumes", "--remove-orphans"],
        Services,
    ),
    sub(
        "logs",
        &["--since", "--until", "-n", "--tail", "--index"],
        &[
            "-f",
            "--follow",
            "--no-color",
            "--no-log-prefix",
            "-t",
            "--timestamps",
        ],
        Services,
    ),
    sub("start", &[], &["--wait"], Services),
    sub("stop", &["-t", "--timeout"], &[], Services),
    sub("restart", &["-t", "--timeout"], &["--no-deps"], Services),
    sub(
        "rm",
        &[],
        &["-f", "--force", "-s", "--stop", "-v", "--volumes"],
        Services,
    ),
    sub("kill", &["-s", "--signal"], &["--remove-orphans"], Services),
    sub(
        "create",
        &["--scale", "--pull"],
        &[
            "--build",
            "--no-build",
            "--force-recreate",
            "--no-recreate",
            "--remove-orphans",
            "-y",
            "--yes",
            "--quiet-pull",
        ],
        Services,
    ),
    sub(
        "ps",
        &["--format", "--filter", "--status"],
        &[
            "-a",
            "--all",
            "-q",
            "--quiet",
            "--services",
            "--no-trunc",
            "--orphans",
        ],
        Services,
    ),
    sub(
        "config",
        &["--format", "-o", "--output", "--hash"],
        &[
            "--services",
            "--volumes",
            "--profiles",
            "--images",
            "-q",
            "--quiet",
            "--resolve-image-digests",
            "--no-interpolate",
            "--no-normalize",
            "--no-path-resolution",
            "--no-consistency",
            "--environment",
            "--variables",
            "--networks",
            "--models",
            "--lock-image-digests",
        ],
        Services,
    ),
    sub("wait", &[], &["--down-project"], Services),
    sub("pause", &[], &[], Services),
    sub("unpause", &[], &[], Services),
    sub("top", &[], &[], Services),
    sub("images", &["--format"], &["-q", "--quiet"], Services),
    sub("events", &[], &["--json"], Services),
    sub("port", &["--protocol", "--index"], &[], ServiceThenCommand),
    sub(
        "attach",
        &["--detach-keys", "--index"],
        &["--no-stdin", "--sig-proxy"],
        ServiceThenCommand,
    ),
    sub("watch", &[], &["--no-up", "--quiet", "--prune"], Services),
    sub(
        "stats",
        &["--format"],
        &["-a", "--all", "--no-stream", "--no-trunc"],
        Services,
    ),
    sub(
        "cp",
        &["--index"],
        &["-a", "--archive", "-L", "--follow-link", "--all"],
        Other,
    ),
    sub("scale", &[], &["--no-deps"], Other),
    sub(
        "ls",
        &["--format", "--filter"],
        &["-a", "--all", "-q", "--quiet"],
        Other,
    ),
    sub("version", &["-f", "--format"], &["--short"], Other),
];

/// Subcommands that act on containers that already exist, or only show things: they
/// create no container and build no image, so the values interpolated into the Compose
/// file do not reach anything (`down`, `logs`, `ps` in a job's teardown).
pub const TEARDOWN_AND_INSPECTION: &[&str] = &[
    "down", "logs", "ps", "stop", "kill", "rm", "top", "port", "events", "images", "pause",
    "unpause", "ls", "version", "wait", "start", "restart", "exec", "cp", "attach", "stats",
];

/// Which services a subcommand starts (or, for `exec`, runs a process in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Starts {
    /// The services it names, and every service when it names none (`up`, `start`).
    NamedOrAll,
    /// Only the one service it names (`run app`, `exec db`).
    Named,
}

/// The subcommands that start containers, and what they start. Their dependencies come
/// along unless `--no-deps` (`up`, `run`); what those are is the project's `depends_on`.
pub const STARTING_SUBCOMMANDS: &[(&str, Starts)] = &[
    ("up", Starts::NamedOrAll),
    ("start", Starts::NamedOrAll),
    ("restart", Starts::NamedOrAll),
    ("run", Starts::Named),
    ("exec", Starts::Named),
];

pub fn subcommand(name: &str) -> Option<&'static Subcommand> {
    SUBCOMMANDS.iter().find(|s| s.name == name)
}

/// A flag as written, with its value (`-f x`, `--file=x`, `-fx` is not split).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// `--file`, `-f`...
    pub name: String,
    /// The flag's own word (for `--file=x`, the whole word).
    pub word: Word,
    pub value: Option<Word>,
}

/// One `docker compose ...` command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation {
    /// `docker-compose` (Compose v1's name) rather than `docker compose`.
    pub v1: bool,
    /// The `docker compose` / `docker-compose` words, from the first to the last byte.
    pub program: std::ops::Range<usize>,
    /// Flags before the subcommand.
    pub global: Vec<Flag>,
    pub subcommand: Option<Word>,
    /// Flags after the subcommand.
    pub flags: Vec<Flag>,
    /// The services named (for `run`/`exec`, the one service).
    pub services: Vec<Word>,
    /// A flag the tables do not know came before a positional: the services may be
    /// misread.
    pub uncertain: bool,
    /// Run in the background (`... &`).
    pub background: bool,
    /// `VAR=value` set for this command only (`COMPOSE_FILE=x docker compose up`,
    /// `env VAR=x docker compose ...`).
    pub assignments: Vec<Word>,
}

impl Invocation {
    pub fn global_values<'a>(&'a self, names: &'a [&str]) -> impl Iterator<Item = &'a Word> {
        self.global
            .iter()
            .filter(move |f| names.contains(&f.name.as_str()))
            .filter_map(|f| f.value.as_ref())
    }

    /// `-f` / `--file` values.
    pub fn files(&self) -> impl Iterator<Item = &Word> {
        self.global_values(&["-f", "--file"])
    }

    pub fn profiles(&self) -> impl Iterator<Item = &Word> {
        self.global_values(&["--profile"])
    }

    pub fn env_files(&self) -> impl Iterator<Item = &Word> {
        self.global_values(&["--env-file"])
    }

    pub fn project_directory(&self) -> Option<&Word> {
        self.global_values(&["--project-directory"]).last()
    }

    pub fn flag(&self, names: &[&str]) -> Option<&Flag> {
        self.flags.iter().find(|f| names.contains(&f.name.as_str()))
    }

    pub fn has_flag(&self, names: &[&str]) -> bool {
        self.flag(names).is_some()
    }

    pub fn subcommand_name(&self) -> Option<&str> {
        self.subcommand.as_ref().map(|w| w.text.as_str())
    }

    /// Which services the command starts, when it starts any: `up --no-start` creates
    /// them only.
    pub fn starts(&self) -> Option<Starts> {
        let name = self.subcommand_name()?;
        if name == "up" && self.has_flag(&["--no-start"]) {
            return None;
        }
        STARTING_SUBCOMMANDS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, starts)| starts)
    }

    /// Whether the command starts containers or builds images from the file's values
    /// (anything but teardown and inspection).
    pub fn uses_values(&self) -> bool {
        !self
            .subcommand_name()
            .is_some_and(|s| TEARDOWN_AND_INSPECTION.contains(&s))
    }
}

/// Commands that run the next words as a command of their own, with how many option words
/// of theirs to skip (`sudo -E`, `env -i VAR=x`, `timeout 10m`).
fn unwrap(words: &[Word]) -> (usize, Vec<Word>) {
    let mut i = 0;
    let mut assignments = Vec::new();
    while let Some(w) = words.get(i) {
        match w.text.as_str() {
            "sudo" | "exec" | "nohup" | "command" | "time" | "nice" => {
                i += 1;
                // Their options: `sudo -E -u root`.
                while let Some(o) = words.get(i).filter(|o| o.text.starts_with('-')) {
                    i += 1;
                    if matches!(o.text.as_str(), "-u" | "-g" | "-n" | "-p") {
                        i += 1;
                    }
                }
            }
            "env" => {
                i += 1;
                while let Some(o) = words.get(i) {
                    if o.text.starts_with('-') {
                        i += 1;
                    } else if is_assignment(&o.text) {
                        assignments.push(o.clone());
                        i += 1;
                    } else {
                        break;
                    }
                }
            }
            "timeout" => {
                i += 1;
                while words.get(i).is_some_and(|o| o.text.starts_with('-')) {
                    i += 1;
                }
                i += 1; // the duration
            }
            _ => break,
        }
    }
    // `sudo -u` or `timeout` at the end skips past the last word (found by fuzzing).
    (i.min(words.len()), assignments)
}

/// Reads a command as a Compose invocation, if it is one.
pub fn parse(command: &Command) -> Option<Invocation> {
    let (start, mut assignments) = unwrap(&command.words);
    let words = &command.words[start..];
    let first = words.first()?;
    let program_name = first.text.rsplit('/').next().unwrap_or(&first.text);
    let (v1, mut i) = match program_name {
        "docker-compose" => (true, 1),
        "docker" => {
            // `docker [--context x] compose`
            let mut j = 1;
            while let Some(w) = words.get(j).filter(|w| w.text.starts_with('-')) {
                j += if DOCKER_VALUE_FLAGS.contains(&w.text.as_str()) {
                    2
                } else {
                    1
                };
            }
            if words.get(j)?.text != "compose" {
                return None;
            }
            (false, j + 1)
        }
        _ => return None,
    };
    let mut inv = Invocation {
        v1,
        program: first.range.start..words[i - 1].range.end,
        global: Vec::new(),
        subcommand: None,
        flags: Vec::new(),
        services: Vec::new(),
        uncertain: false,
        background: command.separator == Separator::Background,
        assignments: Vec::new(),
    };
    inv.assignments.append(&mut command.assignments.clone());
    inv.assignments.append(&mut assignments);
    // Global flags.
    while let Some(w) = words.get(i) {
        if !w.text.starts_with('-') || w.text == "-" {
            break;
        }
        let (flag, next) = read_flag(words, i, |name| GLOBAL_VALUE_FLAGS.contains(&name));
        if !GLOBAL_VALUE_FLAGS.contains(&flag.name.as_str())
            && !GLOBAL_BOOL_FLAGS.contains(&flag.name.as_str())
        {
            inv.uncertain = true;
        }
        inv.global.push(flag);
        i = next;
    }
    let Some(sub_word) = words.get(i) else {
        return Some(inv);
    };
    inv.subcommand = Some(sub_word.clone());
    i += 1;
    let Some(sub) = subcommand(&sub_word.text) else {
        inv.uncertain = true;
        return Some(inv);
    };
    let mut only_positionals = false;
    while let Some(w) = words.get(i) {
        if !only_positionals && w.text == "--" {
            only_positionals = true;
            i += 1;
            continue;
        }
        if !only_positionals && w.text.starts_with('-') && w.text.len() > 1 {
            let (flag, next) = read_flag(words, i, |name| sub.value_flags.contains(&name));
            if !sub.value_flags.contains(&flag.name.as_str())
                && !sub.bool_flags.contains(&flag.name.as_str())
            {
                inv.uncertain = true;
            }
            inv.flags.push(flag);
            i = next;
            continue;
        }
        match sub.positionals {
            Services => inv.services.push(w.clone()),
            ServiceThenCommand => {
                inv.services.push(w.clone());
                break;
            }
            Other => {}
        }
        i += 1;
    }
    Some(inv)
}

/// The flag at `words[i]`, with its value when it takes one; returns the next index.
fn read_flag(words: &[Word], i: usize, takes_value: impl Fn(&str) -> bool) -> (Flag, usize) {
    let w = &words[i];
    if let Some((name, value)) = w.text.split_once('=')
        && name.starts_with('-')
    {
        // Written as is, the value's range is the word's tail; with quotes or escapes,
        // the whole word.
        let offset = if w.range.len() == w.text.len() {
            w.range.end - value.len()
        } else {
            w.range.start
        };
        return (
            Flag {
                name: name.to_string(),
                word: w.clone(),
                value: Some(Word {
                    text: value.to_string(),
                    range: offset..w.range.end,
                    dynamic: w.dynamic,
                }),
            },
            i + 1,
        );
    }
    if takes_value(&w.text) {
        return (
            Flag {
                name: w.text.clone(),
                word: w.clone(),
                value: words.get(i + 1).cloned(),
            },
            i + 2,
        );
    }
    (
        Flag {
            name: w.text.clone(),
            word: w.clone(),
            value: None,
        },
        i + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    #[test]
    fn a_wrapper_without_its_command_is_not_an_invocation() {
        for script in ["sudo -u", "timeout", "sudo -- -u", "env -i"] {
            let command = commands(script).remove(0);
            assert!(parse(&command).is_none(), "{script}");
        }
    }

    fn inv(script: &str) -> Invocation {
        commands(script)
            .iter()
            .find_map(parse)
            .expect("an invocation")
    }

    #[test]
    fn reads_flags_subcommands_and_services() {
        let i =
            inv("docker-compose -f ci.yml --profile ci up --build --exit-code-from tests tests db");
        assert!(i.v1);
        assert_eq!(
            i.files().map(|w| w.text.as_str()).collect::<Vec<_>>(),
            ["ci.yml"]
        );
        assert_eq!(i.profiles().next().unwrap().text, "ci");
        assert_eq!(i.subcommand_name(), Some("up"));
        assert_eq!(
            i.flag(&["--exit-code-from"])
                .unwrap()
                .value
                .as_ref()
                .unwrap()
                .text,
            "tests"
        );
        assert_eq!(
            i.services
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>(),
            ["tests", "db"]
        );
        assert!(!i.uncertain);

        let i = inv("sudo -E docker compose --file=a.yml run --rm -e X=1 app poetry run pytest");
        assert_eq!(i.files().next().unwrap().text, "a.yml");
        assert_eq!(
            i.services
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>(),
            ["app"]
        );

        let i = inv("docker --context ci compose up -d");
        assert!(i.has_flag(&["-d", "--detach"]) && !i.v1);
        assert!(inv("docker compose up --frobnicate x web").uncertain);
        assert!(commands("docker build .").iter().find_map(parse).is_none());
        assert!(inv("docker compose up &").background);
        let i = inv("COMPOSE_FILE=ci.yml env A=1 docker compose up");
        assert_eq!(i.assignments.len(), 2);
    }

    #[test]
    fn says_which_services_a_subcommand_starts() {
        assert_eq!(
            inv("docker compose up -d").starts(),
            Some(Starts::NamedOrAll)
        );
        assert_eq!(
            inv("docker compose run app pytest").starts(),
            Some(Starts::Named)
        );
        assert_eq!(
            inv("docker compose exec -T db psql").starts(),
            Some(Starts::Named)
        );
        assert_eq!(inv("docker compose up --no-start").starts(), None);
        assert_eq!(inv("docker compose down -v").starts(), None);
        assert_eq!(inv("docker compose build app").starts(), None);
        assert_eq!(inv("docker compose -f x.yml").starts(), None);
    }

    #[test]
    fn flag_value_ranges_point_into_the_script() {
        let script = "docker compose --file=ci/compose.yml up";
        let i = inv(script);
        let w = i.files().next().unwrap();
        assert_eq!(&script[w.range.clone()], "ci/compose.yml");
    }
}

/// Commands that run a test suite and exit: a Compose service whose command holds one is
/// a test runner, whose exit code the CI job should report.
pub const TEST_COMMANDS: &[&str] = &[
    "pytest",
    "py.test",
    "python -m pytest",
    "python -m unittest",
    "tox",
    "nox",
    "behave",
    "robot",
    "jest",
    "mocha",
    "vitest",
    "cypress run",
    "playwright test",
    "newman run",
    "npm test",
    "npm run test",
    "npm run e2e",
    "yarn test",
    "pnpm test",
    "rspec",
    "rails test",
    "phpunit",
    "go test",
    "gotestsum",
    "cargo test",
    "cargo nextest",
    "mvn test",
    "mvn verify",
    "./mvnw test",
    "./mvnw verify",
    "gradle test",
    "./gradlew test",
    "dotnet test",
    "mix test",
    "make test",
    "make check",
    "ctest",
    "bats",
    "k6 run",
];

/// Words in a service name that say it runs tests (`tests`, `e2e`, `unit_tests`).
pub const TEST_NAME_WORDS: &[&str] = &[
    "test",
    "tests",
    "e2e",
    "spec",
    "specs",
    "integration",
    "unit",
    "acceptance",
    "functional",
    "smoke",
    "sut",
];

/// `COMPOSE_PATH_SEPARATOR` when unset (Compose's default on Linux, SPEC-domain A1).
pub const DEFAULT_PATH_SEPARATOR: &str = ":";

/// The entries of a `COMPOSE_FILE` value, each with its byte range in the value; empty
/// entries are skipped.
pub fn compose_file_entries<'v>(value: &'v str, separator: &str) -> Vec<(&'v str, Range<usize>)> {
    let mut at = 0;
    let mut out = Vec::new();
    for entry in value.split(separator) {
        if !entry.is_empty() {
            out.push((entry, at..at + entry.len()));
        }
        at += entry.len() + separator.len();
    }
    out
}

/// A variable's value as a command sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VarValue {
    Literal(String),
    /// Set, to what only the run knows (it holds a variable, or has no literal value).
    Dynamic,
}

impl VarValue {
    fn of(value: &str) -> VarValue {
        if crate::interpolation::is_dynamic(value) {
            VarValue::Dynamic
        } else {
            VarValue::Literal(value.to_string())
        }
    }
}

/// `COMPOSE_PROFILES` as a command sees it: an assignment on its command line wins over
/// an export of the script, which wins over the job's variable (`Some(None)`: set without
/// a literal value). None when nothing sets it.
pub fn profiles_env(
    invocation: &Invocation,
    exported: Option<&str>,
    job_variable: Option<Option<&str>>,
) -> Option<VarValue> {
    invocation
        .assignments
        .iter()
        .rev()
        .find_map(|a| a.text.strip_prefix("COMPOSE_PROFILES="))
        .or(exported)
        .map(VarValue::of)
        .or_else(|| job_variable.map(|v| v.map_or(VarValue::Dynamic, VarValue::of)))
}
/// Whether a command line runs a test suite.
pub fn runs_tests(command: &str) -> bool {
    let words: Vec<&str> = command
        .split(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '[' | ']' | ';' | '&' | '|')
        })
        .filter(|w| !w.is_empty())
        .collect();
    TEST_COMMANDS.iter().any(|t| {
        let tool: Vec<&str> = t.split(' ').collect();
        words.windows(tool.len()).any(|w| {
            w.iter()
                .zip(&tool)
                .all(|(a, b)| a == b || a.rsplit('/').next() == Some(b))
        })
    })
}

/// Whether a service name says it runs tests.
pub fn named_like_tests(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(['-', '_', '.'])
        .any(|part| TEST_NAME_WORDS.contains(&part))
}

#[cfg(test)]
mod test_runner_tests {
    use super::*;

    #[test]
    fn test_commands_and_names() {
        assert!(runs_tests("pytest --cov=./app --cov-report term-missing"));
        assert!(runs_tests("sh -c \"npm ci && npm test\""));
        assert!(runs_tests("/usr/local/bin/pytest -x"));
        assert!(runs_tests("[\"go\", \"test\", \"./...\"]"));
        assert!(!runs_tests("python app.py"));
        assert!(!runs_tests("npm start"));
        assert!(
            named_like_tests("unit_tests")
                && named_like_tests("e2e")
                && named_like_tests("api-test")
        );
        assert!(!named_like_tests("testdb") && !named_like_tests("app"));
    }
}
