//! `shipshape init`: a commented starter `shipshape.toml` in the current directory.

use std::path::Path;

/// Every section the file may hold, commented out with its defaults: the user uncomments
/// what they need. The text parses as it is (it is checked by a test).
pub const STARTER: &str = r#"# shipshape.toml: settings for shipshape (https://gitlab.com/shipshape/shipshape).
# Found in the current directory or any directory above it; `--config FILE` names another.
# Every key is checked: a typo is an error with its line, not a silently ignored setting.

# The lowest severity that makes `shipshape check` exit with 1 (command line: --fail-on).
# fail-on = "warning"            # error | warning | info | never

[rules]
# Turn a rule off, or change its severity (`shipshape rule` lists them).
# image-tag = "off"
# unknown-host = "error"

[secrets]
# Values hardcoded-secret leaves alone: exact values, regexes over the secret, files.
# allow-values = ["local-dev-password"]
# allow-regexes = ["^test-"]
# allow-paths = ["tests/fixtures/**"]

[files]
# Files that do not follow the usual names (globs relative to this file), and files to
# leave out.
# compose = ["deploy/*.yml"]
# gitlab-ci = ["ci/**/*.yml"]
# exclude = ["vendor/**"]

# A CI job that runs Compose files its script does not show (say, through `make test`):
# the cross-file rules then check the job against them.
# [[links]]
# job = "integration"
# compose = ["docker/compose.ci.yml"]

# [limits]
# max-file-size = "10MB"           # a larger file is one finding and is not read
# max-diagnostics-per-file = 1000  # the rest are counted in a note
# part-files = 4000                # a larger walk is checked in parts of whole directories
# part-size = "6MB"
"#;

pub fn run(force: bool) -> u8 {
    let path = Path::new("shipshape.toml");
    if path.exists() && !force {
        crate::error("shipshape.toml exists already; pass --force to replace it");
        return 2;
    }
    match std::fs::write(path, STARTER) {
        Ok(()) => {
            eprintln!("shipshape: wrote shipshape.toml");
            0
        }
        Err(err) => {
            crate::error(format!(
                "cannot write shipshape.toml: {}",
                shipshape_linter::discover::io_reason(&err)
            ));
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_file_is_a_valid_configuration() {
        let config =
            shipshape_linter::config::Config::parse(Path::new("shipshape.toml"), STARTER).unwrap();
        assert!(config.rules.is_empty() && config.links.is_empty());
        // Uncommented, every example parses too.
        let uncommented: String = STARTER
            .lines()
            .map(|l| {
                l.strip_prefix("# ")
                    .filter(|r| r.starts_with(['[', 'a', 'f', 'i', 'j', 'c', 'e', 'u', 'g']))
                    .unwrap_or(l)
            })
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        let config =
            shipshape_linter::config::Config::parse(Path::new("shipshape.toml"), &uncommented)
                .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert_eq!(config.rules.len(), 2);
        assert_eq!(config.links.len(), 1);
    }
}
