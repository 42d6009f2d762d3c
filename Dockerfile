# shipshape in a small image, for CI jobs and for a run without a Rust toolchain:
#
#   docker build -t shipshape .
#   docker run --rm -v "$PWD:/project" shipshape                # check the current directory
#   docker run --rm -v "$PWD:/project" shipshape graph > graph.mmd
#
# With `--fix`, add `--user "$(id -u):$(id -g)"`: the files it rewrites stay yours.

# The build: the toolchain with its C compiler (mimalloc is C). Bookworm, as the final
# stage: the binary links against glibc and must not need a newer one than it finds there.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
# What `cargo build` reads, and no more (a change elsewhere keeps the build cached): the
# manifest and lockfile, the crates (the binary's source is crates/shipshape/src), the
# rules' READMEs (compiled in: the text of `shipshape rule`), and benches/ (the root
# manifest names its bench targets, and cargo wants their files to exist).
COPY Cargo.toml Cargo.lock ./
COPY crates/ crates/
COPY rules/ rules/
COPY benches/ benches/
RUN cargo build --release --locked --bin shipshape \
    && cp target/release/shipshape /usr/local/bin/shipshape

# The image: debian:bookworm-slim, not gcr.io/distroless/cc. GitLab runs a job's `script:`
# with the image's shell, and distroless has no shell; the slim image adds about 50 MB
# for one. No CA certificates or other packages: shipshape never uses the network.
FROM debian:bookworm-slim
COPY --from=build /usr/local/bin/shipshape /usr/local/bin/shipshape
# Not root: a linter reads files, and writes only what `--fix` or `--output-file` asks
# for. GitLab's Docker executor lets the image's user write to the checkout (it clones
# with umask 0000, or, with FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR, chowns it to the user
# that `id` names here).
RUN useradd --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin shipshape
USER 10001:10001
WORKDIR /project
ENTRYPOINT ["/usr/local/bin/shipshape"]
CMD ["check"]
