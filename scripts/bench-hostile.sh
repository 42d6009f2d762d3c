#!/usr/bin/env bash
# Times the release binary on the hostile inputs of issue 16 (benches/README.md "Hostile
# inputs") and prints a Markdown table: wall time, CPU time (user + system), peak RSS,
# exit code, and whether the run is within the budget of 5 s and 500 MB.
#
#   scripts/bench-hostile.sh [WORK_DIR]      (default: target/bench-hostile)
#
# Writes the inputs with `cargo bench --bench inputs -- WORK_DIR hostile`, then runs
# each command once in the input's directory under GNU time (`/usr/bin/time`, package
# `time`). `--fix` runs on a fresh copy. On a shared machine the wall time depends on
# the load (printed first); the CPU time less so.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$root/target/bench-hostile}
mkdir -p "$work"
work=$(cd "$work" && pwd)
budget_s=${BUDGET_SECONDS:-5}
budget_mb=${BUDGET_MB:-500}

[ -x /usr/bin/time ] || { echo "GNU time is needed: apt-get install time" >&2; exit 2; }

(cd "$root" && cargo build --release --quiet && cargo bench --quiet --bench inputs -- "$work" hostile >&2)
bin="$root/target/release/shipshape"
inputs="$work/hostile"
# The inputs were just written: their write-back to disk would run beside the first
# timings (seen: small-files-100000 at 7 s instead of 4.5).
sync

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; commit $(git -C "$root" rev-parse --short HEAD)" >&2
echo
echo "| input | command | wall | CPU | peak RSS | exit | within ${budget_s} s and ${budget_mb} MB |"
echo "| --- | --- | ---: | ---: | ---: | ---: | --- |"

# run INPUT DIR ARGS...: one row for `shipshape ARGS...` run in DIR.
run() {
    local name=$1 dir=$2
    shift 2
    local stats
    stats=$(mktemp)
    local code=0
    (cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$stats" "$bin" "$@" > /dev/null 2>&1) || code=$?
    # GNU time writes "Command exited with non-zero status N" first when the code is not 0.
    read -r wall user sys rss < <(tail -n 1 "$stats")
    rm -f "$stats"
    local cpu mb ok
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    mb=$((rss / 1024))
    ok=$(awk -v w="$wall" -v m="$mb" -v bs="$budget_s" -v bm="$budget_mb" \
        'BEGIN { if (w <= bs && m <= bm) print "yes"; else if (w > bs && m > bm) print "no: time and memory"; else if (w > bs) print "no: time"; else print "no: memory" }')
    echo "| $name | \`shipshape $*\` | ${wall} s | ${cpu} s | ${mb} MB | $code | $ok |"
}

for name in reference-breadth extends-breadth compose-extends-breadth services-80000 \
    volumes-40000 ports-80000 ignores-42000 needs-10000 small-files-100000 services-3000x200; do
    run "$name" "$inputs/$name" check .
done
run needs-10000 "$inputs/needs-10000" graph .
rm -rf "$work/fix-copy"
cp -a "$inputs/services-3000x200" "$work/fix-copy"
run services-3000x200 "$work/fix-copy" check --fix .
rm -rf "$work/fix-copy"
