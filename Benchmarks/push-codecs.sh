#!/usr/bin/env bash
# Compression end to end: `swarmdeploy push --compress CODEC` of a tree to COUNT sandbox hosts,
# for each CODEC of CODECS taking turns, at each link rate of RATES, REPEATS runs each, on
# wiped hosts with the peer cache warm. The whole command is timed: packing (and compressing)
# on the controller, the transfer, extracting (and decompressing) on the hosts.
#
# --tree release: a release-like tree (Benchmarks/release-tree.py: executables, libraries and
# text from this machine, which compress); --tree bench: the benchmark tree
# (Benchmarks/generate-tree.py: mostly random blobs, which do not).
#
# Usage: Benchmarks/push-codecs.sh [--tree release|bench] [--size 512] [--rates "100mbit 1gbit"]
#        [--codecs "none gzip=1 zstd=1 zstd=3"] [--repeats 2] [COUNT]   (default 8 hosts)
# Prints a Markdown table. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/sandbox-hosts.sh

tree=release
size_mib=512
rates="100mbit 1gbit"
codecs="none gzip=1 zstd=1 zstd=3"
repeats=2
count=8
while (($# > 0)); do
    case "$1" in
        --tree) tree=${2:?}; shift 2 ;;
        --size) size_mib=${2:?}; shift 2 ;;
        --rates) rates=${2:?}; shift 2 ;;
        --codecs) codecs=${2:?}; shift 2 ;;
        --repeats) repeats=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) count=$1; shift ;;
    esac
done
[[ "$tree" == release || "$tree" == bench ]] || { echo "--tree must be release or bench" >&2; exit 64; }

name=pushcodec
subnet=10.95
sandbox_dir=/run/swarmdeploy-sandbox-$name
build_binaries
work=$(mktemp -d /var/tmp/swarmdeploy-push-codecs.XXXXXX)
trap 'scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
if [[ "$tree" == release ]]; then
    python3 Benchmarks/release-tree.py "$work/tree" "$size_mib"
else
    python3 Benchmarks/generate-tree.py "$work/tree" "$size_mib"
fi
chmod 755 "$work"

# run CODEC: wipes /srv, pushes, prints "seconds archive_bytes".
run() {
    local start
    wipe_hosts "$name" "$count"
    start=$(date +%s.%N)
    scripts/sandbox.sh controller --name "$name" -- "$binary" push "$work/tree" to /srv/app on "$sandbox_dir/hosts.txt" \
        --identity "$sandbox_dir/id_ed25519" --known-hosts "$sandbox_dir/known_hosts" --peer-binary "$peer" \
        --seed-grace 2s --compress "$1" --json >"$work/report.json" 2>"$work/push.log" ||
        { echo "the push with --compress $1 failed:" >&2; failed_hosts "$work/report.json" >&2; exit 1; }
    python3 - "$start" "$work/report.json" <<'PY'
import json, sys, time
start, path = float(sys.argv[1]), sys.argv[2]
print(f"{time.time() - start:.2f} {json.load(open(path))['totals']['archive_bytes']}")
PY
}

read -r -a choices <<<"$codecs"
arguments=()
for rate in $rates; do
    scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
    scripts/sandbox.sh up "$count" --name "$name" --subnet "$subnet" --rate "$rate" --disk $((size_mib * 3 + 200))m >/dev/null
    run "${choices[0]}" >/dev/null # warms the hosts' peer cache
    declare -A results=()
    for ((i = 1; i <= repeats; i++)); do
        line="$rate run $i:"
        for choice in "${choices[@]}"; do
            result=$(run "$choice")
            results[$choice]+="$result;"
            line+=" $choice $result;"
        done
        echo "$line" >&2
    done
    for choice in "${choices[@]}"; do arguments+=("$rate" "$choice" "${results[$choice]}"); done
    unset results
done
python3 - "$count" "$tree" "$size_mib" "${arguments[@]}" <<'PY'
import statistics, sys
count, tree, size = sys.argv[1:4]
rest = sys.argv[4:]
rows = [(rest[i], rest[i + 1], [tuple(float(x) for x in run.split()) for run in rest[i + 2].split(";") if run.strip()])
        for i in range(0, len(rest), 3)]
mib = 1 << 20
kind = "release-like tree (executables, libraries, text)" if tree == "release" else "benchmark tree (mostly random blobs)"
print(f"`swarmdeploy push --compress CODEC` of a {size} MiB {kind} to {count} sandbox hosts, whole command, "
      f"peer cache warm; medians of {len(rows[0][2])} runs taken in turns.\n")
print("| link | --compress | archive MiB | median s | vs none | every run (s) |")
print("|---|---|---:|---:|---:|---|")
base = {}
for rate, codec, runs in rows:
    median = statistics.median(r[0] for r in runs)
    if codec == "none":
        base[rate] = median
    ratio = f"{median / base[rate]:.2f}" if rate in base else "-"
    every = ", ".join(f"{r[0]:.1f}" for r in runs)
    print(f"| {rate} | {codec} | {runs[0][1] / mib:.0f} | {median:.1f} | {ratio} | {every} |")
PY
