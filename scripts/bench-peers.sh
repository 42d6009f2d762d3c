#!/usr/bin/env bash
# Times shipshape against its peers on the same files, with hyperfine, and prints a
# Markdown table (the one in the README's "Speed" section).
#
#   scripts/bench-peers.sh [WORK_DIR]       (default: a new temporary directory)
#
# Installs the peers into WORK_DIR from the registries, never globally: dclint (npm),
# check-jsonschema, gitlab-ci-verify-bin and yamllint (PyPI, one virtualenv). Needs
# hyperfine (`apt-get install hyperfine`; installed here when run as root), GNU time
# (`/usr/bin/time`, package `time`), node/npm, python3 and cargo.
#
# Inputs: the Compose and GitLab files of ../shared/corpus (when present), and the
# generated ones of `cargo bench --bench inputs` (2,000-service Compose file, 1,000-job
# pipeline project, 10,000-file monorepo). Every tool gets the whole set in one
# invocation where it can take several files; gitlab-ci-verify reads one pipeline per
# run, so it runs once per file in a loop (the loop is what it costs a user). Each tool
# checks what it can: dclint Compose files only, gitlab-ci-verify GitLab ones only;
# check-jsonschema validates each file against the official schema; yamllint checks YAML
# style. shipshape runs with every rule.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d -t shipshape-peers-XXXXXX)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
runs=${BENCH_RUNS:-3}
say() { printf '\n== %s\n' "$*" >&2; }

if ! command -v hyperfine > /dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y hyperfine > /dev/null; else
        echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 2; fi
fi
[ -x /usr/bin/time ] || { [ "$(id -u)" = 0 ] && apt-get install -y time > /dev/null; }

say "installing the peers into $work"
if [ ! -x "$work/npm/node_modules/.bin/dclint" ]; then
    npm install --silent --prefix "$work/npm" dclint@3 > /dev/null
fi
if [ ! -x "$work/venv/bin/yamllint" ]; then
    python3 -m venv "$work/venv"
    "$work/venv/bin/pip" install --quiet check-jsonschema gitlab-ci-verify-bin yamllint
fi
dclint="$work/npm/node_modules/.bin/dclint"
cjs="$work/venv/bin/check-jsonschema"
verify="$work/venv/bin/gitlab-ci-verify"
yamllint="$work/venv/bin/yamllint"

say "building shipshape and the generated inputs"
(cd "$root" && cargo build --release --quiet && cargo bench --quiet --bench inputs -- "$work/inputs" >&2)
shipshape="$root/target/release/shipshape"

# The corpus, by kind, one directory per file under the name each tool looks for (the
# originals' names vary and some hold spaces): NNNN/compose.yaml, NNNN/.gitlab-ci.yml.
corpus="$root/../shared/corpus"
sets="$work/sets"
rm -rf "$sets"
mkdir -p "$sets/corpus-compose" "$sets/corpus-gitlab"
if [ -d "$corpus" ]; then
    i=0
    while IFS= read -r -d '' f; do
        i=$((i + 1)); d="$sets/corpus-compose/$(printf %04d $i)"; mkdir "$d"; cp "$f" "$d/compose.yaml"
    done < <(find "$corpus/compose" -type f -print0 | sort -z)
    i=0
    while IFS= read -r -d '' f; do
        i=$((i + 1)); d="$sets/corpus-gitlab/$(printf %04d $i)"; mkdir "$d"; cp "$f" "$d/.gitlab-ci.yml"
    done < <(find "$corpus/gitlab-ci" -type f -print0 | sort -z)
else
    echo "corpus: skipped, $corpus is not there" >&2
fi

results="$work/results"
rm -rf "$results"
mkdir -p "$results"

# bench NAME WORKLOAD DIR COMMAND: times COMMAND run in DIR; records mean and peak RSS.
bench() {
    local name=$1 workload=$2 dir=$3 command=$4
    local out="$results/$workload--$name"
    say "$workload: $name"
    (cd "$dir" && hyperfine --ignore-failure --warmup 1 --runs "$runs" --style none \
        --export-json "$out.json" --command-name "$name" "$command" > /dev/null)
    (cd "$dir" && /usr/bin/time -f %M -o "$out.rss" bash -c "$command" > /dev/null 2>&1 || true)
}

cc="$sets/corpus-compose"
cg="$sets/corpus-gitlab"
c2k="$work/inputs/compose-2000"
p1k="$work/inputs/pipeline-1000"
mono="$work/inputs/monorepo-10000"

if [ -n "$(ls -A "$cc")" ]; then
    n=$(ls "$cc" | wc -l)
    w="corpus-compose ($n files)"
    bench shipshape "$w" "$cc" "$shipshape check . --format concise"
    bench dclint "$w" "$cc" "$dclint -f compact */compose.yaml"
    bench check-jsonschema "$w" "$cc" "$cjs --builtin-schema vendor.compose-spec */compose.yaml"
    bench yamllint "$w" "$cc" "$yamllint -f parsable */compose.yaml"
    n=$(ls "$cg" | wc -l)
    w="corpus-gitlab ($n files)"
    bench shipshape "$w" "$cg" "$shipshape check . --format concise"
    bench check-jsonschema "$w" "$cg" "$cjs --builtin-schema vendor.gitlab-ci --data-transform gitlab-ci */.gitlab-ci.yml"
    bench gitlab-ci-verify "$w" "$cg" "for d in */; do (cd \$d && $verify --no-lint-api -f json > /dev/null); done"
    bench yamllint "$w" "$cg" "$yamllint -f parsable */.gitlab-ci.yml"
fi

w="compose-2000 (1 file, 2,000 services)"
bench shipshape "$w" "$c2k" "$shipshape check compose.yaml --format concise"
bench dclint "$w" "$c2k" "$dclint -f compact compose.yaml"
bench check-jsonschema "$w" "$c2k" "$cjs --builtin-schema vendor.compose-spec compose.yaml"
bench yamllint "$w" "$c2k" "$yamllint -f parsable compose.yaml"

w="pipeline-1000 (13 files, 1,000 jobs)"
bench shipshape "$w" "$p1k" "$shipshape check . --format concise"
bench check-jsonschema "$w" "$p1k" "$cjs --builtin-schema vendor.gitlab-ci --data-transform gitlab-ci .gitlab-ci.yml ci/*.yml"
bench gitlab-ci-verify "$w" "$p1k" "$verify --no-lint-api -f json"
bench yamllint "$w" "$p1k" "$yamllint -f parsable .gitlab-ci.yml ci/*.yml compose.yaml"

w="monorepo-10000 (10,000 files)"
bench shipshape "$w" "$mono" "$shipshape check . --format concise"

python3 - "$results" "$work" <<'EOF'
import json, os, sys, collections
results, work = sys.argv[1], sys.argv[2]
rows = collections.OrderedDict()
for name in sorted(os.listdir(results), key=lambda n: os.path.getmtime(os.path.join(results, n))):
    if not name.endswith(".json"):
        continue
    workload, tool = name[:-5].split("--")
    try:
        r = json.load(open(os.path.join(results, name)))["results"][0]
    except (ValueError, KeyError, IndexError):
        continue  # a run still going, or one hyperfine could not finish
    rss_path = os.path.join(results, name[:-5] + ".rss")
    try:
        rss = int(open(rss_path).read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        rss = float("nan")
    rows.setdefault(workload, []).append((tool, r["mean"], r["stddev"] or 0.0, rss))

print("| input | tool | wall (mean ± σ) | peak RSS | shipshape is |")
print("| --- | --- | --- | --- | --- |")
for workload, tools in rows.items():
    ours = dict((t, m) for t, m, _, _ in tools).get("shipshape")
    for tool, mean, sd, rss in tools:
        if tool == "shipshape" or ours is None:
            ratio = "—"
        else:
            ratio = f"{mean / ours:,.0f}x faster" if mean / ours >= 10 else f"{mean / ours:,.1f}x faster"
        wall = f"{mean * 1000:,.0f} ms ± {sd * 1000:,.0f}" if mean < 10 else f"{mean:,.1f} s ± {sd:,.1f}"
        print(f"| {workload} | {tool} | {wall} | {rss:,.0f} MB | {ratio} |")
EOF
