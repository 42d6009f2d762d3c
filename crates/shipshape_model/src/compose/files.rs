//! Which Compose files `docker compose` reads together when it is run in a directory
//! without `-f`: the default file names, the override file, the `.env` files, and how
//! shipshape groups the other Compose files of a directory into projects
//! (SPEC-domain A1).

use shipshape_yaml::FileId;

use super::ComposeFile;

/// The file names Compose looks for when no `-f` is given, in its order.
pub const BASE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// The override file Compose merges onto the base file found by [`BASE_NAMES`].
pub const OVERRIDE_NAMES: &[&str] = &[
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// Whether a Compose file's name says it completes another one: Compose's own
/// `compose.override.yaml` / `docker-compose.override.yml`, and any `*.override.*`.
pub fn is_override_name(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.split('.').any(|part| part == "override")
}

/// `.env` files a Compose project reads, and the committed examples that document them
/// (true: an example, not read by Compose).
pub const ENV_FILES: &[(&str, bool)] = &[
    (".env", false),
    (".env.example", true),
    (".env.sample", true),
    (".env.dist", true),
    (".env.template", true),
    ("example.env", true),
];

/// Whether `name` is one of the [`ENV_FILES`] and, if so, whether it is an example.
pub fn env_file_role(name: &str) -> Option<bool> {
    ENV_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, ex)| ex)
}

/// One Compose file of a directory, as the grouping sees it.
#[derive(Clone, Copy)]
pub struct DirFile<'a> {
    pub id: FileId,
    /// The file name (no directory).
    pub name: &'a str,
    pub model: &'a ComposeFile,
}

/// A project to build: its files in merge order, and the files whose findings it reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectFiles {
    pub members: Vec<FileId>,
    pub owned: Vec<FileId>,
}

/// Groups the Compose files of one directory (in path order, included files left out)
/// into the projects `docker compose` would run: the default file with its override;
/// every other Compose file either on its own, or, when it only completes services of
/// the default file (an overlay such as `docker-compose.prod.yml` that sets ports but no
/// image), merged onto that file, which then leaves the base's findings to the base's
/// own project.
pub fn group_directory(files: &[DirFile<'_>]) -> Vec<ProjectFiles> {
    let named = |names: &[&str]| -> Option<DirFile<'_>> {
        names
            .iter()
            .find_map(|n| files.iter().find(|f| f.name == *n).copied())
    };
    let base = named(BASE_NAMES);
    let over = named(OVERRIDE_NAMES);
    let mut out = Vec::new();
    if let Some(base) = base {
        let members: Vec<FileId> = std::iter::once(base.id).chain(over.map(|o| o.id)).collect();
        out.push(ProjectFiles {
            owned: members.clone(),
            members,
        });
    } else if let Some(over) = over {
        out.push(ProjectFiles {
            members: vec![over.id],
            owned: vec![over.id],
        });
    }
    let is_default =
        |f: &DirFile<'_>| Some(f.id) == base.map(|b| b.id) || Some(f.id) == over.map(|o| o.id);
    for f in files.iter().filter(|f| !is_default(f)) {
        let members = match base {
            Some(base) if is_overlay(f.model, base.model) => vec![base.id, f.id],
            _ => vec![f.id],
        };
        out.push(ProjectFiles {
            members,
            owned: vec![f.id],
        });
    }
    out
}

/// An overlay completes the base: one of its services has no image, build or extends of
/// its own and is defined by the base.
pub fn is_overlay(file: &ComposeFile, base: &ComposeFile) -> bool {
    file.services
        .iter()
        .any(|s| !s.has_image_source() && base.service(&s.name).is_some())
}
