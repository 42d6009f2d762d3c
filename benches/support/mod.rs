//! Generated inputs for the benchmarks: a pipeline of N jobs, a Compose file of N
//! services. Deterministic, and written the way the corpus is (templates, `extends`,
//! `needs`, `rules:if`, services, `docker compose` in scripts), so that every rule group
//! has work to do.
#![allow(dead_code)]

use std::fmt::Write;
use std::path::PathBuf;

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
                "    - docker compose run --rm app pytest tests/unit_{i}"
            )
            .unwrap();
        } else {
            writeln!(out, "    - pytest tests/unit_{i} --junitxml=report.xml").unwrap();
        }
        writeln!(out, "  artifacts:\n    reports:\n      junit: report.xml\n").unwrap();
    }
    out
}

/// A Compose file of `services` services, each with a build, ports, environment,
/// `depends_on` on the one before it and a healthcheck.
pub fn compose(services: usize) -> String {
    let mut out = String::from("services:\n");
    for i in 0..services {
        writeln!(out, "  svc-{i}:").unwrap();
        writeln!(out, "    image: registry.example.com/shop/svc-{i}:1.{i}").unwrap();
        writeln!(out, "    environment:").unwrap();
        writeln!(out, "      DATABASE_URL: postgres://db:5432/svc_{i}").unwrap();
        writeln!(out, "      LOG_LEVEL: ${{LOG_LEVEL:-info}}").unwrap();
        if i > 0 {
            writeln!(
                out,
                "    depends_on:\n      svc-{}:\n        condition: service_healthy",
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
    out
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
