//! GitLab pipelines across files, end to end: which files form a pipeline, where local
//! includes are read from, and which findings are reported when only some files are named.

mod support;

use support::{TempDir, code, shipshape, stdout};

/// A repository whose root pipeline includes a fragment by a name no pattern knows.
fn repository() -> TempDir {
    let dir = TempDir::new("pipelines");
    dir.write(
        ".gitlab-ci.yml",
        "stages: [build, test]\ninclude:\n  - local: ci/jobs.yml\n\n.base:\n  image: alpine:3.20\n",
    );
    dir.write(
        "ci/jobs.yml",
        "lint:\n  extends: .base\n  stage: tset\n  script: make lint\n",
    );
    dir
}

#[test]
fn a_fragment_named_alone_is_checked_within_its_pipeline() {
    let dir = repository();
    let out = shipshape(dir.path(), &["check", "ci/jobs.yml", "--format", "concise"]);
    // The template and the stages come from the root file, which is read but not reported.
    assert_eq!(
        stdout(&out),
        "ci/jobs.yml:3:10: error[undeclared-stage] lint job: chosen stage tset does not exist; available stages are .pre, build, test, .post\n"
    );
    assert_eq!(code(&out), 1);
}

#[test]
fn included_files_under_a_checked_directory_are_reported() {
    let dir = repository();
    let out = shipshape(dir.path(), &["check", ".", "--format", "concise"]);
    assert!(
        stdout(&out).starts_with("ci/jobs.yml:3:10: error[undeclared-stage]"),
        "{}",
        stdout(&out)
    );
    // Named alone, the root file reports nothing of its own.
    let out = shipshape(
        dir.path(),
        &["check", ".gitlab-ci.yml", "--format", "concise"],
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_fragment_without_its_pipeline_is_not_judged_on_names() {
    let dir = TempDir::new("fragment");
    dir.write(
        "templates/jobs.gitlab-ci.yml",
        "lint:\n  extends: .base\n  stage: lint\n  needs: [build]\n",
    );
    let out = shipshape(dir.path(), &["check", ".", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "",
        "the template, stage and need may be defined by the includer"
    );
}

#[test]
fn local_includes_are_read_from_the_repository_root() {
    let dir = TempDir::new("include-root");
    dir.write(".git/HEAD", "ref: refs/heads/main\n");
    dir.write(".gitlab-ci.yml", "include: ci/main.yml\n");
    // Relative to the repository root, not to ci/.
    dir.write(
        "ci/main.yml",
        "include:\n  - local: ci/jobs.yml\n  - local: jobs.yml\n",
    );
    dir.write("ci/jobs.yml", "test:\n  script: make test\n");
    let out = shipshape(dir.path(), &["check", ".", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "ci/main.yml:3:12: error[unknown-include] Local file `jobs.yml` does not exist!\n"
    );
}

#[test]
fn a_child_pipeline_is_a_pipeline_of_its_own() {
    let dir = TempDir::new("child");
    dir.write(
        ".gitlab-ci.yml",
        "stages: [build]\nbuild:\n  stage: build\n  script: make\ntrigger-child:\n  stage: build\n  trigger:\n    include: ci/child.yml\n",
    );
    // The child's stages are its own (the defaults): `test` exists there.
    dir.write("ci/child.yml", "unit:\n  script: make test\n");
    let out = shipshape(dir.path(), &["check", ".", "--format", "concise"]);
    assert_eq!(stdout(&out), "");
    dir.write(
        "ci/child.yml",
        "unit:\n  stage: build\n  needs: [build]\n  script: make test\n",
    );
    let out = shipshape(dir.path(), &["check", ".", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "ci/child.yml:3:11: error[unknown-needs] unit job: undefined need: build\n"
    );
}

#[test]
fn include_cycles_and_repeated_includes_end() {
    let dir = TempDir::new("include-cycle");
    dir.write(
        ".gitlab-ci.yml",
        "include: [a.yml, a.yml]\nroot:\n  script: make\n",
    );
    dir.write("a.yml", "include: b.yml\na:\n  script: make a\n");
    dir.write(
        "b.yml",
        "include: a.yml\nb:\n  needs: [a, root]\n  script: make b\n",
    );
    let out = shipshape(dir.path(), &["check", ".", "--format", "concise"]);
    assert_eq!(stdout(&out), "");
    assert_eq!(code(&out), 0);
}

#[test]
fn compose_files_a_job_runs_are_checked_whatever_their_names() {
    let dir = TempDir::new("compose-run");
    dir.write(
        ".gitlab-ci.yml",
        "test:\n  script:\n    - cd ci && docker compose -f stack.yml up --exit-code-from tests\n",
    );
    // No file name pattern knows `stack.yml`: it is read because the job runs it, and the
    // Compose rules check it as the project the job runs.
    dir.write(
        "ci/stack.yml",
        "services:\n  db:\n    image: postgres:16\n  tests:\n    image: python:3.12\n    command: pytest\n    environment:\n      DB_HOST: postgress\n",
    );
    let out = shipshape(
        dir.path(),
        &[
            "check",
            ".",
            "--format",
            "concise",
            "--select",
            "unknown-host,unknown-compose-service",
        ],
    );
    assert_eq!(
        stdout(&out),
        "ci/stack.yml:8:16: warning[unknown-host] \"DB_HOST\" points at host \"postgress\", but no service, alias or container of the project is called that\n"
    );
}

#[test]
fn shipshape_toml_files_and_links() {
    let dir = TempDir::new("config-files");
    dir.write(
        "shipshape.toml",
        "[files]\ncompose = [\"deploy/*.yml\"]\nexclude = [\"vendor/**\"]\n\n[[links]]\njob = \"integration\"\ncompose = [\"deploy/stack.yml\", \"deploy/missing.yml\"]\n",
    );
    // A Compose file by configuration, and one left out.
    dir.write(
        "deploy/stack.yml",
        "services:\n  app:\n    image: registry.example.com/app:${APP_VERSION}\n",
    );
    dir.write(
        "vendor/lib/docker-compose.yml",
        "services:\n  x:\n    image: nginx\n",
    );
    // The job runs Compose through make: only the link says which files.
    dir.write(
        ".gitlab-ci.yml",
        "integration:\n  script:\n    - make integration\n",
    );
    let out = shipshape(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        ".gitlab-ci.yml:1:1: error[compose-file-not-found] shipshape.toml links job \"integration\" to deploy/missing.yml, which does not exist\n"
    );
    dir.write(
        "shipshape.toml",
        "[files]\ncompose = [\"deploy/*.yml\"]\nexclude = [\"vendor/**\"]\n\n[[links]]\njob = \"integration\"\ncompose = [\"deploy/stack.yml\"]\n",
    );
    let out = shipshape(dir.path(), &["check", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        ".gitlab-ci.yml:1:1: warning[ci-variable-not-passed] job \"integration\" runs stack.yml, which uses ${APP_VERSION}, but the job does not set APP_VERSION\n"
    );
}

/// `--config` given relative to the working directory, from below it: its `[files]`
/// globs are still relative to the configuration's directory.
#[test]
fn relative_config_file_globs() {
    let dir = TempDir::new("config-relative");
    dir.write("shipshape.toml", "[files]\ncompose = [\"deploy/*.yml\"]\n");
    // Content alone would not make it Compose: no `services:`.
    dir.write("deploy/stack.yml", "web:\n  image: nginx:1.27\n");
    let out = shipshape(
        &dir.path().join("deploy"),
        &[
            "check",
            "--format",
            "concise",
            "--config",
            "../shipshape.toml",
            "stack.yml",
        ],
    );
    assert_eq!(
        stdout(&out),
        "stack.yml:1:1: error[compose-schema] services at the top level: this is the Compose v1 file format\n"
    );
}

/// Nested includes are followed as deep as GitLab's count allows and no farther: a chain
/// of 160 files is one finding, on the include GitLab refuses.
#[test]
fn include_depth_is_bounded_by_the_include_limit() {
    let dir = TempDir::new("include-depth");
    dir.write(
        ".gitlab-ci.yml",
        "include: ci/1.yml\nroot:\n  script: make\n",
    );
    for i in 1..=160 {
        dir.write(
            &format!("ci/{i}.yml"),
            format!("include: ci/{}.yml\nj{i}:\n  script: make\n", i + 1),
        );
    }
    dir.write("ci/161.yml", "j161:\n  script: make\n");
    let out = shipshape(dir.path(), &["check", ".", "--format", "concise"]);
    assert_eq!(
        stdout(&out),
        "ci/150.yml:1:10: error[too-many-includes] the pipeline includes more than 150 files; \
         `ci/151.yml` is include number 151\n"
    );
    assert_eq!(code(&out), 1);
}
