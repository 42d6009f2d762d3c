//! `shipshape rule [NAME]`.

use shipshape_linter::RULES;
use shipshape_linter::registry::{nearest_rule, rule};

pub fn run(name: Option<&str>) -> u8 {
    match name {
        None => {
            let width = RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for r in RULES {
                println!(
                    "{:width$}  {:10}  {:7}  fix: {:9}  {}",
                    r.name,
                    r.group.as_str(),
                    r.severity.as_str(),
                    r.fix.as_str(),
                    r.summary,
                );
            }
            0
        }
        Some(name) => match rule(name) {
            Some(r) => {
                print!("{}", r.doc);
                0
            }
            None => {
                let hint = nearest_rule(name)
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                crate::error(format!(
                    "unknown rule `{name}`{hint} (`shipshape rule` lists them)"
                ));
                2
            }
        },
    }
}
