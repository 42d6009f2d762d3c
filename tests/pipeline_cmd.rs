//! `shipshape pipeline` end to end (issue 18): the pipeline one kind of pipeline creates,
//! as text, JSON and a graph, and the table of jobs by kind of pipeline.

mod support;

use serde_json::Value;
use support::{TempDir, code, shipshape, stderr, stdout};

/// A pipeline with workflow rules, a branch-only job, a merge-request job, a tag job, a
/// parallel matrix with a need on one of its instances, a conditional include and
/// `exists:`.
const PIPELINE: &str = r#"workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS
      when: never
    - if: $CI_COMMIT_BRANCH
    - if: $CI_COMMIT_TAG

include:
  - local: ci/docs.yml
    rules:
      - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

stages: [build, test, deploy]

build:
  stage: build
  script: make PLATFORM=$PLATFORM
  parallel:
    matrix:
      - PLATFORM: [amd64, arm64]

container:
  stage: build
  script: docker build .
  rules:
    - exists: [Dockerfile]

test:
  stage: test
  script: make test
  needs:
    - job: build
      parallel:
        matrix:
          - PLATFORM: amd64

review:
  stage: deploy
  script: make review
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      when: manual
      allow_failure: true

release:
  stage: deploy
  script: make release
  needs: [test]
  rules:
    - if: $CI_COMMIT_TAG =~ /^v\d+/
    - if: $RELEASE == "yes"
"#;

const DOCS: &str = "docs:\n  stage: deploy\n  script: make docs\n";

fn project() -> TempDir {
    let dir = TempDir::new("pipeline-cmd");
    dir.write(".gitlab-ci.yml", PIPELINE);
    dir.write("ci/docs.yml", DOCS);
    dir.write("Dockerfile", "FROM alpine:3.20\n");
    dir
}

fn jobs(json: &Value) -> Vec<(String, String)> {
    json["pipelines"][0]["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| {
            (
                j["name"].as_str().unwrap().to_string(),
                j["runs"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn run_json(dir: &TempDir, args: &[&str]) -> Value {
    let mut all = vec!["pipeline", "--format", "json"];
    all.extend_from_slice(args);
    let out = shipshape(dir.path(), &all);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("JSON")
}

/// The 1-based line of the first line holding `what` after the one holding `after`.
fn line_after(after: &str, what: &str) -> usize {
    let start = PIPELINE.lines().position(|l| l.contains(after)).unwrap();
    start
        + PIPELINE
            .lines()
            .skip(start)
            .position(|l| l.contains(what))
            .unwrap()
        + 1
}

fn runs<'a>(jobs: &'a [(String, String)], name: &str) -> &'a str {
    jobs.iter()
        .find(|(n, _)| n == name)
        .map(|(_, r)| r.as_str())
        .unwrap_or_else(|| panic!("no job {name} in {jobs:?}"))
}

#[test]
fn a_merge_request_pipeline_has_the_merge_request_jobs() {
    let dir = project();
    let json = run_json(
        &dir,
        &["--source", "merge_request_event", "--branch", "feature"],
    );
    assert_eq!(json["pipelines"][0]["created"], "yes");
    let jobs = jobs(&json);
    assert_eq!(runs(&jobs, "build: [amd64]"), "yes");
    assert_eq!(runs(&jobs, "build: [arm64]"), "yes");
    assert_eq!(runs(&jobs, "container"), "yes", "Dockerfile exists");
    assert_eq!(runs(&jobs, "review"), "yes");
    assert_eq!(
        runs(&jobs, "docs"),
        "no",
        "the include is for the default branch"
    );
    assert_eq!(runs(&jobs, "release"), "no");
    let review = json["pipelines"][0]["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "review")
        .unwrap();
    assert_eq!(review["when"], "manual");
    assert_eq!(review["allow_failure"], true);
    assert_eq!(review["decided_by"]["line"], line_after("review:", "- if:"));
}

#[test]
fn variables_branches_and_tags_decide_like_gitlab() {
    let dir = project();
    let push = jobs(&run_json(&dir, &["--source", "push"]));
    assert_eq!(
        runs(&push, "docs"),
        "yes",
        "default branch: the include is taken"
    );
    assert_eq!(runs(&push, "review"), "no");
    assert_eq!(runs(&push, "release"), "no");
    let forced = jobs(&run_json(
        &dir,
        &["--source", "push", "--var", "RELEASE=yes"],
    ));
    assert_eq!(runs(&forced, "release"), "yes");
    let tag = jobs(&run_json(&dir, &["--source", "tag", "--tag", "v1.2.0"]));
    assert_eq!(runs(&tag, "release"), "yes");
    assert_eq!(runs(&tag, "docs"), "no");
    // A branch with an open merge request: workflow:rules create no branch pipeline.
    let json = run_json(
        &dir,
        &[
            "--source",
            "push",
            "--branch",
            "feature",
            "--var",
            "CI_OPEN_MERGE_REQUESTS=1",
        ],
    );
    assert_eq!(json["pipelines"][0]["created"], "no");
}

#[test]
fn text_lists_stages_and_the_jobs_left_out_with_their_rule() {
    let dir = project();
    let out = shipshape(dir.path(), &["pipeline", "--source", "push"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(".gitlab-ci.yml: push pipeline for branch main"),
        "{text}"
    );
    assert!(text.contains("\nbuild\n  build: [amd64]"), "{text}");
    assert!(
        text.contains("test                             on_success; needs build"),
        "{text}"
    );
    assert!(text.contains("\nleft out\n"), "{text}");
    let review = format!(
        "review                           .gitlab-ci.yml:{}: no rule matches",
        line_after("review:", "- if:")
    );
    assert!(text.contains(&review), "{text}");
}

#[test]
fn graphs_draw_only_the_jobs_that_run() {
    let dir = project();
    let out = shipshape(
        dir.path(),
        &[
            "pipeline", "--source", "tag", "--tag", "v2", "--format", "mermaid",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("release"), "{text}");
    assert!(!text.contains("review"), "{text}");
    let out = shipshape(
        dir.path(),
        &[
            "pipeline", "--source", "tag", "--tag", "v2", "--format", "dot",
        ],
    );
    assert!(stdout(&out).starts_with("digraph"), "{}", stdout(&out));
}

#[test]
fn without_a_source_a_table_of_jobs_by_kind_of_pipeline() {
    let dir = project();
    let out = shipshape(dir.path(), &["pipeline"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(" 5 merge request pipelines"), "{text}");
    // review: only merge request kinds (columns 5-7); release: tags (4) and maybe
    // wherever $RELEASE may be set.
    let review = text
        .lines()
        .find(|l| l.trim_start().starts_with("review"))
        .unwrap();
    assert_eq!(
        review.split_whitespace().skip(1).collect::<Vec<_>>(),
        [
            "-", "-", "-", "-", "yes", "yes", "yes", "-", "-", "-", "-", "-"
        ],
        "{text}"
    );
    let json: Value = serde_json::from_str(&stdout(&shipshape(
        dir.path(),
        &["pipeline", "--format", "json"],
    )))
    .unwrap();
    let release = json["pipelines"][0]["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "release")
        .unwrap();
    assert_eq!(
        release["runs"]["tag"], "maybe",
        "a tag name may not match /^v\\d+/"
    );
    assert_eq!(
        release["runs"]["push-branch"], "maybe",
        "$RELEASE may be set"
    );
}

#[test]
fn unknown_sources_and_variables_are_refused() {
    let dir = project();
    let out = shipshape(dir.path(), &["pipeline", "--source", "pushh"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("possible values"), "{}", stderr(&out));
    let out = shipshape(
        dir.path(),
        &["pipeline", "--source", "push", "--var", "NO_EQUALS"],
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("KEY=VALUE"), "{}", stderr(&out));
    let empty = TempDir::new("pipeline-none");
    empty.write("compose.yaml", "services:\n  web:\n    image: nginx:1.27\n");
    let out = shipshape(empty.path(), &["pipeline", "--source", "push"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no GitLab CI pipeline"),
        "{}",
        stderr(&out)
    );
}
