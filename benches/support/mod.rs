//! Generated inputs for the benchmarks: a pipeline of N jobs, a Compose file of N
//! services. Deterministic, and written the way the corpus is (templates, `extends`,
//! `needs`, `rules:if`, services, `docker compose` in scripts), so that every rule group
//! has work to do.
#![allow(dead_code)]

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// A pipeline of `jobs` jobs over five stages, about 12 lines per job.
pub fn pipeline(jobs: usize) -> String {
    let mut out = String::from(
        "stages: [build, test, integration, package, deploy]\n\n\
         variables:\n  DOCKER_DRIVER: overlay2\n  POSTGRES_DB: shop\n\n\
         .base:\n  image: python:3.12-slim\n  before_script:\n    - pip install -r requirements.txt\n  \
         rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n\n",
    );
    let stages = ["build", "test", "integration", "package", "deploy"];
    for i in 0..jobs {
        let stage = stages[i * stages.len() / jobs.max(1)];
        writeln!(out, "job-{i}:").unwrap();
        writeln!(out, "  extends: .base").unwrap();
        writeln!(out, "  stage: {stage}").unwrap();
        if i > 0 && stage != "build" {
            writeln!(out, "  needs: [job-{}]", i - 1).unwrap();
        }
        writeln!(out, "  variables:").unwrap();
        writeln!(out, "    DATABASE_URL: postgres://db:5432/shop_{i}").unwrap();
        if i % 4 == 0 {
            writeln!(out, "  services:\n    - name: postgres:16\n      alias: db").unwrap();
        }
        writeln!(out, "  script:").unwrap();
        if i % 3 == 0 {
            writeln!(
                out,
                "    - docker compose run --rm svc-0 pytest tests/unit_{i}"
            )
            .unwrap();
        } else {
            writeln!(out, "    - pytest tests/unit_{i} --junitxml=report.xml").unwrap();
        }
        writeln!(out, "  artifacts:\n    reports:\n      junit: report.xml\n").unwrap();
    }
    out
}

/// A Compose file of `services` services, each with an image or a build, a container
/// name, ports, environment with `${...}`, volumes, networks, `depends_on` on the one
/// before it, labels, logging and a healthcheck: about 40 lines per service, as in the
/// research's timing of the peers (`../shared/research/peers-compose.md`).
pub fn compose(services: usize) -> String {
    let mut out = String::from("name: shop\n\nservices:\n");
    for i in 0..services {
        writeln!(out, "  svc-{i}:").unwrap();
        if i % 5 == 0 {
            writeln!(
                out,
                "    build:\n      context: ./svc-{i}\n      args:\n        VERSION: \"1.{i}\""
            )
            .unwrap();
        } else {
            writeln!(out, "    image: registry.example.com/shop/svc-{i}:1.{i}").unwrap();
        }
        writeln!(out, "    container_name: shop-svc-{i}").unwrap();
        writeln!(out, "    restart: unless-stopped").unwrap();
        writeln!(out, "    ports:\n      - \"{}:8080\"", 20000 + i).unwrap();
        writeln!(out, "    volumes:\n      - data-{}:/var/lib/svc\n      - ./config/svc-{i}.yml:/etc/svc/config.yml:ro", i % 50).unwrap();
        writeln!(out, "    networks:\n      - backend").unwrap();
        writeln!(
            out,
            "    labels:\n      com.example.team: \"team-{}\"\n      com.example.tier: backend",
            i % 12
        )
        .unwrap();
        writeln!(
            out,
            "    logging:\n      driver: json-file\n      options:\n        max-size: \"10m\""
        )
        .unwrap();
        writeln!(out, "    deploy:\n      resources:\n        limits:\n          cpus: \"0.5\"\n          memory: 256M").unwrap();
        writeln!(out, "    environment:").unwrap();
        writeln!(
            out,
            "      DATABASE_URL: ${{DATABASE_URL:-postgres://db:5432/svc_{i}}}"
        )
        .unwrap();
        writeln!(out, "      LOG_LEVEL: ${{LOG_LEVEL:-info}}").unwrap();
        writeln!(
            out,
            "    depends_on:\n      db:\n        condition: service_healthy"
        )
        .unwrap();
        if i > 0 {
            writeln!(
                out,
                "      svc-{}:\n        condition: service_healthy",
                i - 1
            )
            .unwrap();
        }
        writeln!(
            out,
            "    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8080/health\"]\n      interval: 10s"
        )
        .unwrap();
    }
    out.push_str("  db:\n    image: postgres:16\n    networks:\n      - backend\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n");
    out.push_str("\nnetworks:\n  backend:\n\nvolumes:\n");
    for v in 0..services.min(50) {
        writeln!(out, "  data-{v}:").unwrap();
    }
    out
}

/// A pipeline project of `jobs` jobs in a directory: `.gitlab-ci.yml` includes
/// `ci/templates.yml` (a base and ten templates extending it) and ten `ci/jobs-N.yml`
/// files; every job `extends` a template, later stages `needs` an earlier job, and the
/// integration jobs run the project's `compose.yaml`. Returns the files written.
pub fn pipeline_project(dir: &Path, jobs: usize) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        files.push(path);
    };
    let parts = 10;
    let mut root = String::from("include:\n  - local: ci/templates.yml\n");
    for p in 0..parts {
        writeln!(root, "  - local: ci/jobs-{p}.yml").unwrap();
    }
    root.push_str("\nstages: [build, test, integration, package, deploy]\n\nvariables:\n  POSTGRES_DB: shop\n");
    write(".gitlab-ci.yml", root);
    let mut templates = String::from(
        ".base:\n  image: python:3.12-slim\n  before_script:\n    - pip install -r requirements.txt\n  \
         rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n\n",
    );
    for t in 0..10 {
        writeln!(
            templates,
            ".template-{t}:\n  extends: .base\n  tags: [docker]\n  variables:\n    SHARD: \"{t}\"\n"
        )
        .unwrap();
    }
    write("ci/templates.yml", templates);
    let stages = ["build", "test", "integration", "package", "deploy"];
    let per_part = jobs.div_ceil(parts);
    for p in 0..parts {
        let mut out = String::new();
        for i in p * per_part..((p + 1) * per_part).min(jobs) {
            let s = i * stages.len() / jobs.max(1);
            let stage = stages[s];
            writeln!(
                out,
                "job-{i}:\n  extends: .template-{}\n  stage: {stage}",
                i % 10
            )
            .unwrap();
            if s > 0 {
                // The first job of the stage before.
                writeln!(
                    out,
                    "  needs: [job-{}]",
                    ((s - 1) * jobs).div_ceil(stages.len())
                )
                .unwrap();
            }
            if stage == "integration" {
                writeln!(out, "  services:\n    - name: docker:27-dind\n      alias: docker\n  variables:\n    DOCKER_HOST: tcp://docker:2376\n    DOCKER_TLS_CERTDIR: \"/certs\"\n  script:\n    - docker compose run --rm svc-0 pytest tests/it_{i}\n").unwrap();
            } else {
                writeln!(out, "  script:\n    - pytest tests/unit_{i} --junitxml=report.xml\n  artifacts:\n    reports:\n      junit: report.xml\n").unwrap();
            }
        }
        write(&format!("ci/jobs-{p}.yml"), out);
    }
    write("compose.yaml", compose(5));
    files
}

/// A monorepo of `files` files: directories `services/NNNN/`, each with a `compose.yaml`
/// of four services and a `.gitlab-ci.yml` of five jobs that run it. Returns the files.
pub fn monorepo(dir: &Path, files: usize) -> Vec<PathBuf> {
    let (compose_text, pipeline_text) = (compose(4), pipeline(5));
    let mut written = Vec::new();
    for d in 0..files / 2 {
        let sub = dir.join(format!("services/{d:04}"));
        std::fs::create_dir_all(&sub).unwrap();
        for (name, text) in [
            ("compose.yaml", &compose_text),
            (".gitlab-ci.yml", &pipeline_text),
        ] {
            let path = sub.join(name);
            std::fs::write(&path, text).unwrap();
            written.push(path);
        }
    }
    written
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shipshape-bench-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Milliseconds, for reports.
pub fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `p`th percentile (0..=100) of sorted samples.
pub fn percentile(sorted: &[std::time::Duration], p: usize) -> std::time::Duration {
    sorted[(sorted.len() - 1) * p / 100]
}

/// Hostile inputs of issue 16 (items 5, 6, 12), each as (directory name, file name,
/// contents): the time and memory of `shipshape check` (and `graph`) on them is measured
/// with `/usr/bin/time -v`, see benches/README.md "Hostile inputs".
pub fn hostile() -> Vec<(&'static str, &'static str, String)> {
    use std::fmt::Write;
    let mut out = Vec::new();
    // Twelve templates, each with four `!reference`s to the previous one (1.6 KB).
    let mut s = String::from(".t0:\n  script: [echo a, echo b]\n");
    for i in 1..12 {
        s.push_str(&format!(".t{i}:\n  script:\n"));
        for _ in 0..4 {
            let _ = writeln!(s, "    - !reference [.t{}, script]", i - 1);
        }
    }
    s.push_str("job:\n  script: [!reference [.t11, script]]\n");
    out.push(("reference-breadth", ".gitlab-ci.yml", s));
    // A template of 20,000 lines extended by 2,000 jobs.
    let mut s = String::from(".base:\n  script:\n");
    (0..20_000).for_each(|i| {
        let _ = writeln!(s, "    - echo {i}");
    });
    (0..2_000).for_each(|i| {
        let _ = write!(s, "j{i}:\n  extends: .base\n");
    });
    out.push(("extends-breadth", ".gitlab-ci.yml", s));
    // A Compose base of 20,000 variables extended by 2,000 services.
    let mut s = String::from("services:\n  base:\n    image: nginx:1\n    environment:\n");
    (0..20_000).for_each(|i| {
        let _ = writeln!(s, "      V{i}: x");
    });
    (0..2_000).for_each(|i| {
        let _ = write!(s, "  s{i}:\n    extends: base\n");
    });
    out.push(("compose-extends-breadth", "compose.yaml", s));
    // 80,000 services (2.1 MB).
    let mut s = String::from("services:\n");
    (0..80_000).for_each(|i| {
        let _ = write!(s, "  s{i}:\n    image: nginx\n");
    });
    out.push(("services-80000", "compose.yaml", s));
    // 40,000 top-level volumes.
    let mut s = String::from("services:\n  web:\n    image: nginx\nvolumes:\n");
    (0..40_000).for_each(|i| {
        let _ = writeln!(s, "  v{i}:");
    });
    out.push(("volumes-40000", "compose.yaml", s));
    // 80,000 services each publishing port 8080 on a loopback address (62,500 addresses:
    // the last 17,500 services clash with an earlier one).
    let mut s = String::from("services:\n");
    (0..80_000).for_each(|i| {
        let _ = write!(
            s,
            "  s{i}:\n    image: nginx:1.27\n    ports: [\"127.0.{}.{}:8080:80\"]\n",
            i / 250 % 250,
            i % 250
        );
    });
    out.push(("ports-80000", "compose.yaml", s));
    // 42,000 ignore comments (2.5 MB).
    let mut s = String::from("services:\n");
    (0..42_000).for_each(|i| {
        let _ = write!(
            s,
            "  s{i}:\n    image: nginx # shipshape: ignore[image-tag]\n"
        );
    });
    out.push(("ignores-42000", "compose.yaml", s));
    // 10,000 jobs each needing the 50 before it (3.8 MB).
    let mut s = String::from("stages: [a, b]\n");
    for i in 0..10_000 {
        let _ = write!(s, "j{i}:\n  stage: b\n  script: [x]\n");
        if i >= 50 {
            let needs: Vec<String> = (i - 50..i).map(|k| format!("j{k}")).collect();
            let _ = writeln!(s, "  needs: [{}]", needs.join(", "));
        }
    }
    out.push(("needs-10000", ".gitlab-ci.yml", s));
    out
}

/// Hostile inputs of issue 16 item 12 made of many files, written under `dir`: each is
/// (directory name, what it is). `small-files-100000`: 100,000 small files (50,000
/// directories in 500 groups, each a two-service `compose.yaml` and a two-job
/// `.gitlab-ci.yml` that runs it). `services-3000x200`: 3,000 Compose files of 200
/// services each (one directory each; every file has an obsolete `version:` for `--fix`,
/// and its services a variable, a port and a dependency).
pub fn hostile_trees(dir: &Path) -> Vec<(&'static str, &'static str)> {
    let small = dir.join("small-files-100000");
    let compose_text = "services:\n  web:\n    image: nginx:1.27\n    depends_on: [db]\n    environment:\n      DB_URL: postgres://db:5432/app\n  db:\n    image: postgres:16\n";
    let pipeline_text = "stages: [test]\ntest:\n  stage: test\n  script:\n    - docker compose run --rm web true\nlint:\n  stage: test\n  script: [echo lint]\n";
    for d in 0..50_000 {
        let sub = small.join(format!("g{:03}/d{d:05}", d / 100));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("compose.yaml"), compose_text).unwrap();
        std::fs::write(sub.join(".gitlab-ci.yml"), pipeline_text).unwrap();
    }
    let services = dir.join("services-3000x200");
    let mut text = String::from("version: \"3.8\"\nservices:\n");
    for i in 0..200 {
        writeln!(
            text,
            "  s{i}:\n    image: registry.example.com/s{i}:1.{i}\n    ports:\n      - \"{}:80\"\n    environment:\n      LEVEL: ${{LEVEL:-info}}",
            10000 + i
        )
        .unwrap();
        if i > 0 {
            writeln!(text, "    depends_on: [s{}]", i - 1).unwrap();
        }
    }
    for f in 0..3_000 {
        let sub = services.join(format!("p{f:04}"));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join("compose.yaml"), &text).unwrap();
    }
    vec![
        (
            "small-files-100000",
            "100,000 files: 50,000 directories of a compose.yaml and a .gitlab-ci.yml",
        ),
        ("services-3000x200", "3,000 Compose files of 200 services"),
    ]
}
