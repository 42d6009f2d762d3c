#!/usr/bin/env bash
# Runs one cargo-fuzz target for a while, its corpus seeded from the repository's own
# YAML (rule cases, examples) and ../shared/corpus when it is there.
#
#   scripts/fuzz.sh TARGET [SECONDS]      targets: yaml compose pipeline rules_if interpolation shell
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). A crash is
# saved under fuzz/artifacts/TARGET/; replay it with
#   cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...
# and turn it into a regression test (tests/adversarial.rs, or the crate's unit tests).
set -euo pipefail
target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}
seconds=${2:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
corpus="$root/fuzz/corpus/$target"
mkdir -p "$corpus"

yaml_files() {
    find "$root/tests/cases" "$root/examples" "$root/../shared/corpus" "$root/../shared/seeds" \
        -type f \( -name '*.yml' -o -name '*.yaml' \) -size -64k 2>/dev/null || true
}

# One seed per line the target's parser reads, written to a file named by its hash.
seed_lines() {
    local pattern=$1 strip=$2
    # grep finds nothing in some files and head closes the pipe early: neither is an error.
    set +o pipefail
    yaml_files | xargs -r grep -h -E "$pattern" 2>/dev/null | sed -E "$strip" | sort -u | head -5000 |
        while IFS= read -r line; do
            printf '%s' "$line" > "$corpus/$(printf '%s' "$line" | sha1sum | cut -c1-16)"
        done
    set -o pipefail
}

if [ -z "$(ls -A "$corpus")" ]; then
    case $target in
    yaml | compose | pipeline)
        yaml_files | while IFS= read -r f; do cp "$f" "$corpus/$(sha1sum < "$f" | cut -c1-16)"; done ;;
    rules_if) seed_lines '^\s*-?\s*if:' 's/^\s*-?\s*if:\s*//; s/^["'"'"']//; s/["'"'"']$//' ;;
    interpolation) seed_lines '\$' 's/^\s*-?\s*[A-Za-z0-9_.-]*:\s*//' ;;
    shell) seed_lines '^\s*- ' 's/^\s*- //' ;;
    *) echo "unknown target: $target" >&2; exit 2 ;;
    esac
fi
echo "$target: $(ls "$corpus" | wc -l) inputs in the corpus, fuzzing for ${seconds}s"
cd "$root"
exec cargo +nightly fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048
