//! What a CI script has done before a command, as far as the commands that follow care:
//! the working directory (`cd`, `pushd`), exported variables, whether it may have set
//! anything (`source`, `eval`, `set -a`), the words of earlier commands (a file they may
//! create) and the directories they make (`git clone`, `mkdir`, `tar -C`, `unzip -d`).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::{Command, Word, is_assignment};

/// The state of one shell (GitLab runs `before_script` and `script` in one, `after_script`
/// in a new one).
#[derive(Clone, Debug, Default)]
pub struct ScriptState {
    /// The working directory relative to the repository root (`""` for the root); None
    /// after a `cd` to a place only known at run time.
    pub cwd: Option<String>,
    /// Exported values, for `COMPOSE_FILE` and `COMPOSE_PROFILES` (value, word range).
    pub exported: HashMap<String, (String, Range<usize>)>,
    /// Variables the script exports or declares (whatever the CI configuration set).
    pub assigned: HashSet<String>,
    /// The script sources a file, `eval`s or `set -a`: it may set anything.
    pub open: bool,
    pub earlier_words: Vec<String>,
    pub made_dirs: Vec<String>,
}

impl ScriptState {
    /// A shell in the repository root, with what an earlier shell left on disk.
    pub fn new(earlier_words: Vec<String>, made_dirs: Vec<String>) -> ScriptState {
        ScriptState {
            cwd: Some(String::new()),
            earlier_words,
            made_dirs,
            ..ScriptState::default()
        }
    }

    /// Updates the state with one command the script ran.
    pub fn follow(&mut self, command: &Command) {
        self.earlier_words.extend(
            command
                .words
                .iter()
                .chain(&command.redirects)
                .map(|w| w.text.clone()),
        );
        let Some(program) = command.words.first() else {
            return;
        };
        let args = &command.words[1..];
        self.made_dirs.extend(
            made_dirs(&program.text, args)
                .into_iter()
                .map(|d| d.trim_start_matches("./").trim_end_matches('/').to_string())
                .filter(|d| !d.is_empty() && !crate::interpolation::is_dynamic(d)),
        );
        match program.text.as_str() {
            "cd" | "pushd" => {
                self.cwd = match (&self.cwd, args.first()) {
                    (Some(cwd), Some(target)) => change_dir(cwd, target),
                    _ => None,
                }
            }
            "popd" => self.cwd = None,
            "export" | "declare" | "typeset" => {
                for a in args {
                    let (name, value) = a.text.split_once('=').unwrap_or((&a.text, ""));
                    if is_assignment(&format!("{name}=")) {
                        self.assigned.insert(name.to_string());
                        self.exported
                            .insert(name.to_string(), (value.to_string(), a.range.clone()));
                    }
                }
            }
            "source" | "." | "eval" => self.open = true,
            "set"
                if args
                    .iter()
                    .any(|a| a.text.starts_with('-') && a.text.contains('a')) =>
            {
                self.open = true
            }
            _ => {}
        }
    }
}

/// The working directory after `cd target`, relative to the repository root; None when
/// only the run knows it or it leaves the repository.
fn change_dir(cwd: &str, target: &Word) -> Option<String> {
    let text = target.text.as_str();
    let relative = if target.dynamic {
        let rest = ["$CI_PROJECT_DIR", "${CI_PROJECT_DIR}"]
            .iter()
            .find_map(|p| text.strip_prefix(p))?;
        if crate::interpolation::is_dynamic(rest) {
            return None;
        }
        rest.trim_start_matches('/').to_string()
    } else if text.starts_with('/') || text.starts_with('~') || text == "-" {
        return None;
    } else if cwd.is_empty() {
        text.to_string()
    } else {
        format!("{cwd}/{text}")
    };
    fold_dots(&relative)
}

/// `a/./b/../c` -> `a/c`; None when `..` leaves the root.
fn fold_dots(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// `git clone` flags that take a value (the next word).
const GIT_CLONE_VALUE_FLAGS: &[&str] = &[
    "-b",
    "--branch",
    "--depth",
    "-o",
    "--origin",
    "-c",
    "--config",
    "--reference",
    "-j",
    "--jobs",
    "-u",
    "--upload-pack",
    "--template",
    "--separate-git-dir",
    "--shallow-since",
    "--shallow-exclude",
];

/// The directories a command makes: `git clone URL [DIR]`, `mkdir DIR...`, `tar -C DIR`,
/// `unzip -d DIR`.
fn made_dirs(program: &str, args: &[Word]) -> Vec<String> {
    let value_of = |flags: &[&str]| -> Vec<String> {
        args.windows(2)
            .filter(|w| flags.contains(&w[0].text.as_str()))
            .map(|w| w[1].text.clone())
            .collect()
    };
    match program {
        "git" if args.first().is_some_and(|a| a.text == "clone") => {
            let mut positional = Vec::new();
            let mut skip = false;
            for a in &args[1..] {
                if skip {
                    skip = false;
                } else if GIT_CLONE_VALUE_FLAGS.contains(&a.text.as_str()) {
                    skip = true;
                } else if !a.text.starts_with('-') {
                    positional.push(a.text.as_str());
                }
            }
            match positional[..] {
                [_, dir, ..] => vec![dir.to_string()],
                [url] => {
                    let base = url.trim_end_matches('/').rsplit(['/', ':']).next();
                    base.map(|b| b.trim_end_matches(".git").to_string())
                        .into_iter()
                        .collect()
                }
                [] => Vec::new(),
            }
        }
        "mkdir" => args
            .iter()
            .filter(|a| !a.text.starts_with('-'))
            .map(|a| a.text.clone())
            .collect(),
        "tar" => value_of(&["-C", "--directory"]),
        "unzip" => value_of(&["-d"]),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::commands;

    fn dirs(line: &str) -> Vec<String> {
        commands(line)
            .iter()
            .flat_map(|c| made_dirs(&c.words[0].text, &c.words[1..]))
            .collect()
    }

    #[test]
    fn directories_a_command_makes() {
        assert_eq!(
            dirs("git clone --depth 1 -b main https://x.example/ops/stack.git"),
            ["stack"]
        );
        assert_eq!(
            dirs("git clone git@x.example:ops/deploy.git infra"),
            ["infra"]
        );
        assert_eq!(dirs("git clone git@x.example:deploy"), ["deploy"]);
        assert_eq!(dirs("mkdir -p a b/c"), ["a", "b/c"]);
        assert_eq!(
            dirs("tar -xzf x.tgz -C out; unzip -q y.zip -d z"),
            ["out", "z"]
        );
        assert!(dirs("git pull; cp a b; tar -czf x.tgz dir").is_empty());
    }

    fn after(script: &str) -> ScriptState {
        let mut state = ScriptState::new(Vec::new(), Vec::new());
        for c in commands(script) {
            state.follow(&c);
        }
        state
    }

    #[test]
    fn working_directory_exports_and_open_state() {
        assert_eq!(after("cd app; cd ./sub/..").cwd.as_deref(), Some("app"));
        assert_eq!(
            after("cd $CI_PROJECT_DIR/deploy").cwd.as_deref(),
            Some("deploy")
        );
        assert_eq!(after("cd $HOME").cwd, None);
        assert_eq!(after("cd ..").cwd, None);
        let s = after("export COMPOSE_FILE=a.yml:b.yml X");
        assert_eq!(s.exported["COMPOSE_FILE"].0, "a.yml:b.yml");
        assert!(s.assigned.contains("X") && !s.open);
        assert!(after("set -a; . ./env").open);
    }
}
