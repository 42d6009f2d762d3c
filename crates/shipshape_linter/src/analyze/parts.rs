//! A walk too large to hold in memory at once, analysed in parts.
//!
//! Every tree and model of an analysis stays in memory until its rules have run, since
//! the cross-file rules may read any of them: 3,000 Compose files of 200 services took
//! 1.5 GB that way, 100,000 small files 830 MB (benches/README.md, "Hostile inputs").
//! Past [`PartLimits`], the inputs are split into parts of whole directories
//! ([`split`]), which the caller analyses a few at a time (the CLI: two), keeping of
//! each only what a report reads ([`super::Analysis::slim`]) before the next one
//! starts. Each part loads what its files refer to, as any analysis does: includes,
//! `.env` files, `extends: file:`, the root pipeline a fragment belongs to, the Compose
//! files its jobs run; and, as context, the walk's files in the directories above its
//! own (as many as a part holds, nearest first): the base file an overlay below
//! completes, the pipeline that includes a subdirectory's `.gitlab-ci.yml`. What a part does not see are names
//! defined only in a sibling directory's files (a did-you-mean suggestion, a base
//! service defined there), so a walk that fits in one part, as every real repository we
//! measured does, is never split; `tests/parts.rs` holds the parts to the whole report.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

use crate::discover::Input;
use crate::paths::normalize;
pub use crate::settings::PartLimits;

/// Inputs analysed together, and the paths whose files they report.
#[derive(Debug)]
pub struct Part {
    pub inputs: Vec<Input>,
    /// The directories whose files this part reports (a related file below one, such as
    /// a CI fragment reached from a pipeline, is this part's to report), or, for a
    /// directory whose own files fill more than a part, those files. Empty when the walk
    /// is one part: everything it loads is its own.
    pub prefixes: Vec<PathBuf>,
    /// Inputs of the walk in the directories above the part's (not in the part): loaded
    /// beside it, not reported, since a file below often needs them. A Compose overlay
    /// in `deploy/` names the services, volumes and networks of the base file at the
    /// root, and a `.gitlab-ci.yml` in a subdirectory may be a fragment the root
    /// pipeline includes.
    pub context: Vec<Input>,
}

/// Splits `inputs` into parts within `limits` (`size` gives an input's bytes), each a run
/// of whole directories in path order, so that a directory and everything below it stay
/// together unless they alone pass the limits. A walk within the limits is one part.
pub fn split(
    inputs: Vec<Input>,
    limits: PartLimits,
    size: &(dyn Fn(&Input) -> u64 + Sync),
) -> Vec<Part> {
    use rayon::prelude::*;
    let sizes: Vec<u64> = inputs.par_iter().map(size).collect();
    let total: u64 = sizes.iter().sum();
    if inputs.len() <= limits.files && total <= limits.bytes {
        return vec![Part {
            inputs,
            prefixes: Vec::new(),
            context: Vec::new(),
        }];
    }
    let paths: Vec<PathBuf> = inputs.par_iter().map(|i| normalize(&i.path)).collect();
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.par_sort_by(|&a, &b| paths[a].cmp(&paths[b]));
    let entries: Vec<Entry<'_>> = order
        .par_iter()
        .map(|&i| Entry {
            index: i,
            components: paths[i].components().collect(),
            size: sizes[i],
        })
        .collect();
    let mut groups = Vec::new();
    plan(&entries, 0, limits, &mut groups);
    let packed = pack(groups, limits);
    let mut by_dir: HashMap<&Path, Vec<usize>> = HashMap::new();
    for (i, path) in paths.iter().enumerate() {
        by_dir
            .entry(path.parent().unwrap_or(path))
            .or_default()
            .push(i);
    }
    let contexts: Vec<Vec<Input>> = packed
        .iter()
        .map(|group| {
            let members: HashSet<usize> = group.members.iter().copied().collect();
            let above: BTreeSet<&Path> = group
                .prefixes
                .iter()
                .flat_map(|p| p.ancestors().skip(1))
                .collect();
            // Nearest directories first, each whole or not at all, and no more than a part
            // holds: the files of one directory too large for a part are split one by one
            // and do not become each other's context (a directory of 100,000 files must
            // not be loaded beside each of its parts).
            let mut nearest_first: Vec<&Path> = above.into_iter().collect();
            nearest_first.sort_by_key(|dir| std::cmp::Reverse(dir.components().count()));
            let (mut files, mut bytes) = (0, 0);
            let mut context = Vec::new();
            for dir in nearest_first {
                let Some(list) = by_dir.get(dir) else {
                    continue;
                };
                let wanted: Vec<usize> = list
                    .iter()
                    .copied()
                    .filter(|i| !members.contains(i))
                    .collect();
                let more: u64 = wanted.iter().map(|&i| sizes[i]).sum();
                if files + wanted.len() <= limits.files && bytes + more <= limits.bytes {
                    files += wanted.len();
                    bytes += more;
                    context.extend(wanted.into_iter().map(|i| inputs[i].clone()));
                }
            }
            context
        })
        .collect();
    let mut slots: Vec<Option<Input>> = inputs.into_iter().map(Some).collect();
    packed
        .into_iter()
        .zip(contexts)
        .map(|(group, context)| Part {
            inputs: group
                .members
                .iter()
                .filter_map(|&i| slots[i].take())
                .collect(),
            prefixes: group.prefixes,
            context,
        })
        .collect()
}

/// Which part owns each path of a split walk: the part of the longest prefix above it.
#[derive(Debug, Default)]
pub struct PartOwners {
    by_prefix: HashMap<PathBuf, usize>,
}

impl PartOwners {
    pub fn new(parts: &[Part]) -> PartOwners {
        let by_prefix = parts
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.prefixes.iter().map(move |prefix| (prefix.clone(), i)))
            .collect();
        PartOwners { by_prefix }
    }

    /// The index of the part that reports `path`, if one of the parts' prefixes holds it.
    pub fn owner(&self, path: &Path) -> Option<usize> {
        let path = normalize(path);
        path.ancestors()
            .find_map(|a| self.by_prefix.get(a).copied())
    }
}

struct Entry<'p> {
    index: usize,
    components: Vec<Component<'p>>,
    size: u64,
}

/// Inputs that go together, with the prefixes they report.
struct Group {
    members: Vec<usize>,
    prefixes: Vec<PathBuf>,
    bytes: u64,
}

/// Groups of `entries` (sorted by path, all sharing their first `depth` components):
/// one for all of them when they fit, else one per subdirectory (split further when it
/// does not fit) and the directory's own files in runs that fit.
fn plan(entries: &[Entry<'_>], depth: usize, limits: PartLimits, out: &mut Vec<Group>) {
    let bytes: u64 = entries.iter().map(|e| e.size).sum();
    let fits = entries.len() <= limits.files && bytes <= limits.bytes;
    if fits || entries.iter().all(|e| e.components.len() <= depth + 1) && entries.len() <= 1 {
        let prefix: PathBuf = entries[0].components[..depth.min(entries[0].components.len())]
            .iter()
            .collect();
        out.push(Group {
            members: entries.iter().map(|e| e.index).collect(),
            prefixes: vec![prefix],
            bytes,
        });
        return;
    }
    let mut start = 0;
    while start < entries.len() {
        let name = entries[start].components.get(depth).map(|c| c.as_os_str());
        let is_file = entries[start].components.len() == depth + 1;
        let mut end = start + 1;
        if !is_file {
            while end < entries.len() && same_dir(&entries[end], depth, name) {
                end += 1;
            }
            plan(&entries[start..end], depth + 1, limits, out);
        } else {
            // A file directly in the directory: its own group, reporting only itself.
            let path: PathBuf = entries[start].components.iter().collect();
            out.push(Group {
                members: vec![entries[start].index],
                prefixes: vec![path],
                bytes: entries[start].size,
            });
        }
        start = end;
    }
}

fn same_dir(entry: &Entry<'_>, depth: usize, name: Option<&OsStr>) -> bool {
    entry.components.len() > depth + 1 && entry.components.get(depth).map(|c| c.as_os_str()) == name
}

/// Consecutive groups joined while the limits allow: the fewest parts, in path order.
fn pack(groups: Vec<Group>, limits: PartLimits) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for group in groups {
        match out.last_mut() {
            Some(last)
                if last.members.len() + group.members.len() <= limits.files
                    && last.bytes + group.bytes <= limits.bytes =>
            {
                last.members.extend(group.members);
                last.prefixes.extend(group.prefixes);
                last.bytes += group.bytes;
            }
            _ => out.push(group),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &str) -> Input {
        Input {
            path: PathBuf::from(path),
            name: path.trim_start_matches("/r/").into(),
            content: Some(vec![b'x'; 10]),
            kind: None,
        }
    }

    fn names(parts: &[Part]) -> Vec<Vec<&str>> {
        parts
            .iter()
            .map(|p| p.inputs.iter().map(|i| i.name.as_str()).collect())
            .collect()
    }

    /// `paths` split in parts of at most `files` files.
    fn split_by_count(paths: &[&str], files: usize) -> Vec<Part> {
        let limits = PartLimits {
            files,
            bytes: u64::MAX,
        };
        split(paths.iter().map(|p| input(p)).collect(), limits, &size)
    }

    fn context(part: &Part) -> Vec<&str> {
        part.context.iter().map(|i| i.name.as_str()).collect()
    }

    fn size(i: &Input) -> u64 {
        i.content.as_ref().map_or(0, |c| c.len() as u64)
    }

    #[test]
    fn a_walk_within_the_limits_is_one_part_that_reports_everything() {
        let inputs = vec![input("/r/a/compose.yaml"), input("/r/b/compose.yaml")];
        let parts = split(inputs, PartLimits::default(), &size);
        assert_eq!(parts.len(), 1);
        assert!(parts[0].prefixes.is_empty());
        assert_eq!(parts[0].inputs.len(), 2);
    }

    #[test]
    fn directories_stay_whole_and_are_packed_in_path_order() {
        let parts = split_by_count(
            &[
                "/r/b/compose.yaml",
                "/r/a/compose.yaml",
                "/r/a/.gitlab-ci.yml",
                "/r/c/compose.yaml",
                "/r/a/sub/compose.yaml",
            ],
            3,
        );
        assert_eq!(
            names(&parts),
            [
                vec!["a/.gitlab-ci.yml", "a/compose.yaml", "a/sub/compose.yaml"],
                vec!["b/compose.yaml", "c/compose.yaml"],
            ]
        );
        assert_eq!(parts[0].prefixes, [PathBuf::from("/r/a")]);
        assert_eq!(
            parts[1].prefixes,
            [PathBuf::from("/r/b"), PathBuf::from("/r/c")]
        );
        let owners = PartOwners::new(&parts);
        assert_eq!(owners.owner(Path::new("/r/a/ci/build.yml")), Some(0));
        assert_eq!(owners.owner(Path::new("/r/c/x/../.env")), Some(1));
        assert_eq!(owners.owner(Path::new("/elsewhere/compose.yaml")), None);
    }

    #[test]
    fn a_directory_too_large_for_a_part_is_split_below_it() {
        let inputs = vec![
            input("/r/a/x/compose.yaml"),
            input("/r/a/x/compose.override.yaml"),
            input("/r/a/compose.yaml"),
            input("/r/a/y/compose.yaml"),
            input("/r/a/y/.env"),
        ];
        // Bytes decide here: 10 bytes a file, 25 a part.
        let limits = PartLimits {
            files: 100,
            bytes: 25,
        };
        let parts = split(inputs, limits, &size);
        assert_eq!(
            names(&parts),
            [
                vec!["a/compose.yaml"],
                vec!["a/x/compose.override.yaml", "a/x/compose.yaml"],
                vec!["a/y/.env", "a/y/compose.yaml"],
            ]
        );
        // The directory's own file reports only itself: its subdirectories are others'.
        assert_eq!(parts[0].prefixes, [PathBuf::from("/r/a/compose.yaml")]);
        // ...and is loaded beside them, as the base their overlays complete.
        assert!(context(&parts[0]).is_empty());
        assert_eq!(context(&parts[1]), ["a/compose.yaml"]);
        assert_eq!(context(&parts[2]), ["a/compose.yaml"]);
        let owners = PartOwners::new(&parts);
        assert_eq!(owners.owner(Path::new("/r/a/y/compose.yaml")), Some(2));
        assert_eq!(owners.owner(Path::new("/r/a/ci/build.yml")), None);
    }

    #[test]
    fn context_is_the_nearest_directories_files_up_to_a_part() {
        let parts = split_by_count(
            &[
                "/r/compose.yaml",
                "/r/a/compose.yaml",
                "/r/a/b/compose.yaml",
                "/r/a/b/c/compose.yaml",
                "/r/a/b/c/d/compose.yaml",
            ],
            2,
        );
        assert_eq!(
            names(&parts),
            [
                vec!["a/b/c/compose.yaml", "a/b/c/d/compose.yaml"],
                vec!["a/b/compose.yaml", "a/compose.yaml"],
                vec!["compose.yaml"],
            ]
        );
        // Two files at most, from the nearest directory up.
        assert_eq!(context(&parts[0]), ["a/b/compose.yaml", "a/compose.yaml"]);
        assert_eq!(context(&parts[1]), ["compose.yaml"]);
        assert!(context(&parts[2]).is_empty());
    }

    #[test]
    fn the_files_of_one_directory_past_the_limits_are_split_one_by_one() {
        let inputs: Vec<Input> = (0..5).map(|i| input(&format!("/r/d/{i}.yml"))).collect();
        let limits = PartLimits {
            files: 2,
            bytes: u64::MAX,
        };
        let parts = split(inputs, limits, &size);
        assert_eq!(
            names(&parts),
            [
                vec!["d/0.yml", "d/1.yml"],
                vec!["d/2.yml", "d/3.yml"],
                vec!["d/4.yml"]
            ]
        );
        assert_eq!(
            parts[2].prefixes,
            [PathBuf::from("/r/d/4.yml")],
            "each file reports only itself"
        );
    }
}
