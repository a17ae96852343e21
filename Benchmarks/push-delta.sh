#!/usr/bin/env bash
# Delta pushes: `swarmdeploy push` of a SIZE MiB tree (Benchmarks/generate-tree.py) to COUNT
# sandbox hosts at RATE, then of the next release with PERCENT % of its bytes changed
# (Benchmarks/change-tree.py: small files rewritten, a large file edited in the middle, a few
# files added and removed), for each PERCENT of CHANGES; REPEATS rounds, each on wiped hosts
# with the peer cache warm. With --compare, each round also pushes the changed release with
# --no-reuse onto the first release once more.
#
# Reported per run: the first push's seconds (whole command), the second push's seconds and
# its share of the first, what the controller sent (payload bytes, % of the archive), what
# the hosts built from the trees they held (% of the archive, mean per host) and received.
# Each host's /srv is a directory on this machine's disk (sandbox --disk-dir): COUNT hosts
# hold three trees each at the peak, more than memory would.
#
# Usage: Benchmarks/push-delta.sh [--rate 100mbit] [--size 1024] [--changes "1 10"]
#        [--repeats 2] [--compare] [COUNT]   (default 8 hosts)
# Prints a Markdown table. Needs root and about COUNT × 3 × SIZE MiB of disk in /var/tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/sandbox-hosts.sh

rate=100mbit
size_mib=1024
changes="1 10"
repeats=2
compare=0
count=8
while (($# > 0)); do
    case "$1" in
        --rate) rate=${2:?}; shift 2 ;;
        --size) size_mib=${2:?}; shift 2 ;;
        --changes) changes=${2:?}; shift 2 ;;
        --repeats) repeats=${2:?}; shift 2 ;;
        --compare) compare=1; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) count=$1; shift ;;
    esac
done

name=pushdelta
subnet=10.94
sandbox_dir=/run/swarmdeploy-sandbox-$name
build_binaries
work=$(mktemp -d /var/tmp/swarmdeploy-push-delta.XXXXXX)
trap 'scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/srv"
scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
scripts/sandbox.sh up "$count" --name "$name" --subnet "$subnet" --rate "$rate" --disk-dir "$work/srv" >/dev/null
python3 Benchmarks/generate-tree.py "$work/v0" "$size_mib"
chmod 755 "$work"

# push TREE [FLAGS...]: pushes TREE to /srv/app, prints "seconds seeder_bytes archive_bytes
# reused_bytes received_bytes connected started downloaded installed job_bytes" (received: all
# hosts together; connected..installed: when the last host got there, in seconds since the push
# started; job_bytes: what the controller sent each host over SSH, the archive's index included).
push() {
    local tree=$1 start
    shift
    start=$(date +%s.%N)
    scripts/sandbox.sh controller --name "$name" -- "$binary" push "$tree" to /srv/app on "$sandbox_dir/hosts.txt" \
        --identity "$sandbox_dir/id_ed25519" --known-hosts "$sandbox_dir/known_hosts" --peer-binary "$peer" \
        --seed-grace 2s --no-keep-previous --link-rate "$rate" --json "$@" >"$work/report.json" 2>"$work/push.log" ||
        { echo "the push of $tree failed:" >&2; failed_hosts "$work/report.json" >&2; tail -5 "$work/push.log" >&2; exit 1; }
    python3 - "$start" "$work/report.json" <<'PY'
import json, sys, time
start, path = float(sys.argv[1]), sys.argv[2]
report = json.load(open(path))
totals, hosts = report["totals"], report["hosts"]
received = sum(h["bytes_from_seeder"] + h["bytes_from_peers"] for h in hosts)
last = [max(h["timeline"].get(key, 0) for h in hosts) for key in ("connected", "started", "downloaded", "installed")]
print(f"{time.time() - start:.2f} {totals['seeder_bytes_sent']} {totals['archive_bytes']} {totals['bytes_reused']} {received} "
      + " ".join(f"{t:.2f}" for t in last) + f" {totals.get('job_bytes', 0)}")
PY
}

wipe_hosts "$name" "$count"
push "$work/v0" >/dev/null # warms the hosts' peer cache
rows=()
for ((round = 1; round <= repeats; round++)); do
    for percent in $changes; do
        rm -rf "$work/v1"
        cp -a "$work/v0" "$work/v1"
        described=$(python3 Benchmarks/change-tree.py "$work/v1" "$percent" "$round")
        wipe_hosts "$name" "$count"
        first=$(push "$work/v0")
        second=$(push "$work/v1")
        line="$percent|$first|$second"
        if ((compare)); then
            push "$work/v0" --no-reuse >/dev/null
            line+="|$(push "$work/v1" --no-reuse)"
        fi
        rows+=("$line")
        echo "round $round, $percent %: $described; first: $first; second: $second" >&2
    done
done
python3 - "$count" "$rate" "$size_mib" "$compare" "${rows[@]}" <<'PY'
import statistics, sys
count, rate, size, compare = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
runs = {}
for row in sys.argv[5:]:
    parts = row.split("|")
    runs.setdefault(parts[0], []).append([[float(x) for x in part.split()] for part in parts[1:]])
mib = 1 << 20
print(f"`swarmdeploy push` of a {size} MiB tree to {count} sandbox hosts at {rate}, then of the next release "
      f"with a share of its bytes changed; peer cache warm, medians of {len(next(iter(runs.values())))} rounds.\n")
header = "| changed | first push s | second push s | second / first | controller sent (% of archive) | built on hosts (% per host) | received by hosts MiB |"
if compare:
    header += " second without reuse s |"
print(header)
print("|" + "---|" * (header.count("|") - 1))
for percent, rounds in runs.items():
    first = statistics.median(r[0][0] for r in rounds)
    second = statistics.median(r[1][0] for r in rounds)
    archive = rounds[0][1][2]
    sent = statistics.median(r[1][1] for r in rounds) / archive * 100
    built = statistics.median(r[1][3] for r in rounds) / int(count) / archive * 100
    received = statistics.median(r[1][4] for r in rounds) / mib
    line = (f"| {percent} % | {first:.1f} | {second:.1f} | {second / first:.3f} | {sent:.2f} % | {built:.1f} % | {received:.0f} |")
    if compare:
        line += f" {statistics.median(r[2][0] for r in rounds):.1f} |"
    print(line)
print("\nEvery run (first s / second s / controller sent MiB):")
for percent, rounds in runs.items():
    print(f"- {percent} %: " + ", ".join(f"{r[0][0]:.1f} / {r[1][0]:.1f} / {r[1][1] / mib:.1f}" for r in rounds))
print("\nWhere the second push's time goes (medians; seconds since the push started at which the last host "
      "had connected, had built what it could and joined the swarm, held the verified payload, had installed; then the whole command):")
for percent, rounds in runs.items():
    marks = [statistics.median(r[1][index] for r in rounds) for index in range(5, 9)]
    print(f"- {percent} %: connected {marks[0]:.1f}, started {marks[1]:.1f}, downloaded {marks[2]:.1f}, installed {marks[3]:.1f}, "
          f"command {statistics.median(r[1][0] for r in rounds):.1f}")
print("\nWhat the controller sent in the second push, the jobs (with the archive's index) included:")
for percent, rounds in runs.items():
    job = statistics.median(r[1][9] for r in rounds)
    archive = rounds[0][1][2]
    total = statistics.median(r[1][1] + r[1][9] * int(count) for r in rounds)
    print(f"- {percent} %: each host's job {job / 1024:.0f} KiB; payload and jobs {total / mib:.1f} MiB, {total / archive * 100:.2f} % of the archive")
PY
