#!/usr/bin/env bash
# Two builds of the controller side by side: `swarmdeploy push` of a SIZE MiB tree to N
# sandbox hosts (peer cache warm, the same peer program for both), build A and build B taking
# turns, R runs each; reported: the medians, every run and B ÷ A. For a change whose cost is
# the question (seeding from the source tree against the in-memory tarball, say): build the
# earlier commit in a worktree (`swift build -c release --product swarmdeploy`) and pass its
# binary as A.
#
# Usage: Benchmarks/push-ab.sh --a BIN --b BIN [--label-a NAME] [--label-b NAME]
#        [--rate 100mbit] [--size 100] [--repeats 3] [COUNT]   (default 16 hosts)
# Prints a Markdown table. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/sandbox-hosts.sh

rate=100mbit
size_mib=100
repeats=3
count=16
a= b= label_a=A label_b=B
while (($# > 0)); do
    case "$1" in
        --a) a=${2:?}; shift 2 ;;
        --b) b=${2:?}; shift 2 ;;
        --label-a) label_a=${2:?}; shift 2 ;;
        --label-b) label_b=${2:?}; shift 2 ;;
        --rate) rate=${2:?}; shift 2 ;;
        --size) size_mib=${2:?}; shift 2 ;;
        --repeats) repeats=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) count=$1; shift ;;
    esac
done
[[ -x "$a" && -x "$b" ]] || { echo "--a and --b must name swarmdeploy binaries" >&2; exit 2; }

name=pushab
subnet=10.95
sandbox_dir=/run/swarmdeploy-sandbox-$name
peer=$(scripts/build-peer.sh | tail -n 1)
work=$(mktemp -d /var/tmp/swarmdeploy-push-ab.XXXXXX)
trap 'scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
fresh_sandbox "$name" "$subnet" "$count" "$rate" "$size_mib" "$work"

# run BIN: wipes /srv, pushes with BIN, prints the whole command's seconds.
run() {
    local start
    wipe_hosts "$name" "$count"
    find "$work/tree" -type f -exec cat {} + >/dev/null
    start=$(date +%s.%N)
    scripts/sandbox.sh controller --name "$name" -- "$1" push "$work/tree" to /srv/app on "$sandbox_dir/hosts.txt" \
        --identity "$sandbox_dir/id_ed25519" --known-hosts "$sandbox_dir/known_hosts" --peer-binary "$peer" \
        --seed-grace 5s >"$work/push.log" 2>&1 || { echo "the push with $1 failed:" >&2; tail -5 "$work/push.log" >&2; exit 1; }
    python3 -c "import time; print(round(time.time() - $start, 2))"
}

run "$b" >/dev/null # warms the hosts' peer cache
times_a=() times_b=()
for ((i = 1; i <= repeats; i++)); do
    times_a+=("$(run "$a")")
    times_b+=("$(run "$b")")
    echo "run $i: $label_a ${times_a[-1]} s, $label_b ${times_b[-1]} s" >&2
done
python3 - "$label_a" "$label_b" "$count" "$rate" "$size_mib" "${times_a[*]}" "${times_b[*]}" <<'PY'
import statistics, sys
label_a, label_b, count, rate, size, a, b = sys.argv[1:]
a, b = [float(x) for x in a.split()], [float(x) for x in b.split()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"`swarmdeploy push` of a {size} MiB tree to {count} sandbox hosts at {rate}, peer cache warm; medians of {len(a)} runs taken in turns.\n")
print(f"| build | median s | every run |\n|---|---:|---|")
print(f"| {label_a} | {ma:.1f} | {', '.join(f'{x:.1f}' for x in a)} |")
print(f"| {label_b} | {mb:.1f} | {', '.join(f'{x:.1f}' for x in b)} |")
print(f"\n{label_b} ÷ {label_a}: {mb / ma:.2f}")
PY
