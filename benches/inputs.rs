//! Writes the generated benchmark inputs to a directory, for the tools that time whole
//! commands (`scripts/bench-peers.sh`) and for profiling:
//!
//!     cargo bench --bench inputs -- DIR [hostile]     (default: target/bench-inputs)
//!
//! DIR/compose-2000/compose.yaml, DIR/pipeline-1000/ (a project of 12 pipeline files and
//! a Compose file), DIR/monorepo-10000/ (5,000 directories of a Compose file and a
//! pipeline). The same generators as `benches/throughput.rs`. DIR/hostile/<name>/: the
//! hostile inputs of issue 16 (see benches/README.md "Hostile inputs"), the only ones
//! written when `hostile` follows DIR (`scripts/bench-hostile.sh`).

mod support;

use std::path::PathBuf;

fn main() {
    // cargo bench passes `--bench`; the directory is the first other argument, then
    // `hostile` to write only the hostile inputs.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let dir = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-inputs"));
    let hostile_only = args.get(1).is_some_and(|a| a == "hostile");
    let fresh = |name: &str| {
        let sub = dir.join(name);
        let _ = std::fs::remove_dir_all(&sub);
        std::fs::create_dir_all(&sub).unwrap();
        sub
    };
    for (name, file, text) in support::hostile() {
        let sub = fresh(&format!("hostile/{name}"));
        std::fs::write(sub.join(file), text).unwrap();
    }
    let _ = std::fs::remove_dir_all(dir.join("hostile/small-files-100000"));
    let _ = std::fs::remove_dir_all(dir.join("hostile/services-3000x200"));
    let trees = support::hostile_trees(&dir.join("hostile"));
    if hostile_only {
        println!(
            "wrote {}/hostile: {} single-file inputs, {} trees",
            dir.display(),
            support::hostile().len(),
            trees.len()
        );
        return;
    }
    let compose = fresh("compose-2000");
    std::fs::write(compose.join("compose.yaml"), support::compose(2000)).unwrap();
    let pipeline = support::pipeline_project(&fresh("pipeline-1000"), 1000);
    let monorepo = support::monorepo(&fresh("monorepo-10000"), 10_000);
    println!(
        "wrote {}: compose-2000 (1 file), pipeline-1000 ({} files), monorepo-10000 ({} files)",
        dir.display(),
        pipeline.len(),
        monorepo.len()
    );
}
