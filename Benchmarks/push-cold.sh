#!/usr/bin/env bash
# A cold push next to a warm one: `swarmdeploy push` of a SIZE MiB tree to N sandbox hosts
# when no host has the peer program in its cache (cold: the controller uploads it to a few
# hosts and the rest fetch it from each other) and when every host has it (warm). The two
# take turns, R times each; reported: medians, every run, the ratio, the peer-program bytes
# the controller sent, and the efficiency (one copy through one link ÷ the whole command).
#
# Usage: Benchmarks/push-cold.sh [--rate 100mbit] [--size 100] [--repeats 3] [COUNT ...]  (default 16)
# Writes Benchmarks/results/push-cold-RATE.md and prints it. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/sandbox-hosts.sh

rate=100mbit
size_mib=100
repeats=3
counts=()
while (($# > 0)); do
    case "$1" in
        --rate) rate=${2:?}; shift 2 ;;
        --size) size_mib=${2:?}; shift 2 ;;
        --repeats) repeats=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) counts+=("$1"); shift ;;
    esac
done
((${#counts[@]} > 0)) || counts=(16)

name=pushcold
subnet=10.96
sandbox_dir=/run/swarmdeploy-sandbox-$name
swift build -c release --product swarmdeploy >/dev/null
bin=$(swift build -c release --show-bin-path)/swarmdeploy
peer=$(scripts/build-peer.sh | tail -n 1)
work=$(mktemp -d /var/tmp/swarmdeploy-push-cold.XXXXXX)
trap 'scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
rate_bits=$(bits_per_second "$rate")

rows=()
for count in "${counts[@]}"; do
    fresh_sandbox "$name" "$subnet" "$count" "$rate" "$size_mib" "$work"
    # push LABEL RUN: wipes /srv (and the peer cache when cold), pushes, prints a JSON line.
    push() {
        local label=$1 run=$2 start
        wipe_hosts "$name" "$count"
        if [[ "$label" == cold ]]; then
            for ((i = 1; i <= count; i++)); do scripts/sandbox.sh host "$i" --name "$name" -- rm -rf /root/.cache/swarmdeploy & done
            wait
        fi
        find "$work/tree" -type f -exec cat {} + >/dev/null
        start=$(date +%s.%N)
        scripts/sandbox.sh controller --name "$name" -- "$bin" push "$work/tree" to /srv/app on "$sandbox_dir/hosts.txt" \
            --identity "$sandbox_dir/id_ed25519" --known-hosts "$sandbox_dir/known_hosts" --peer-binary "$peer" \
            --link-rate "$rate" --seed-grace 5s --json >"$work/$label-$run.json" 2>"$work/$label-$run.log" ||
            { echo "the $label push failed:" >&2; tail -5 "$work/$label-$run.log" >&2; failed_hosts "$work/$label-$run.json" >&2; exit 1; }
        python3 - "$label" "$count" "$start" "$(date +%s.%N)" "$work/$label-$run.json" <<'PY'
import json, sys
label, count, start, end, report = sys.argv[1:]
r = json.load(open(report))
origins = [h.get("peer_binary") or "" for h in r["hosts"]]
print(json.dumps({"push": label, "hosts": int(count), "seconds": float(end) - float(start),
                  "archive_bytes": r["totals"]["archive_bytes"], "program_bytes": r["totals"].get("peer_program_bytes_sent", 0),
                  "uploaded": origins.count("uploaded"), "fetched": sum(o.startswith("from ") for o in origins)}))
PY
    }
    for ((run = 1; run <= repeats; run++)); do
        for label in cold warm; do
            row=$(push "$label" "$run")
            echo "$row"
            rows+=("$row")
        done
    done
    scripts/sandbox.sh down --name "$name" >/dev/null
done

mkdir -p Benchmarks/results
results=Benchmarks/results/push-cold-$rate.md
printf '%s\n' "${rows[@]}" >"$work/rows.jsonl"
python3 - "$work/rows.jsonl" "$rate" "$rate_bits" "$size_mib" "$repeats" >"$results" <<'PY'
import json, os, statistics, subprocess, sys
rows = [json.loads(line) for line in open(sys.argv.pop(1)) if line.strip()]
rate, rate_bits, size_mib, repeats = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"# A cold push next to a warm one ({rate})\n")
print(f"`swarmdeploy push` of a {size_mib} MiB tree (`generate-tree.py`) to N sandbox hosts, every link shaped to {rate};")
print(f"cold: no host has the peer program; warm: every host has it. The two take turns, {repeats} runs each, median.")
print(f"Machine: {os.cpu_count()} cores, {cpu}. Time: the whole command, packing included.\n")
print("| N | ideal s | warm s (eff) | cold s (eff) | cold ÷ warm | programs from the controller | hosts that fetched it from hosts |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for n in sorted({r["hosts"] for r in rows}):
    warm = [r for r in rows if r["hosts"] == n and r["push"] == "warm"]
    cold = [r for r in rows if r["hosts"] == n and r["push"] == "cold"]
    ideal = warm[0]["archive_bytes"] * 8 / rate_bits
    w = statistics.median(r["seconds"] for r in warm)
    c = statistics.median(r["seconds"] for r in cold)
    program = statistics.median(r["program_bytes"] for r in cold) / 2**20
    fetched = statistics.median(r["fetched"] for r in cold)
    print(f"| {n} | {ideal:.1f} | {w:.1f} ({ideal / w:.2f}) | {c:.1f} ({ideal / c:.2f}) | {c / w:.2f} | {program:.1f} MiB | {fetched:.0f} of {n} |")
print("\nEvery run (seconds): " + "; ".join(
    f"{n} hosts {label} " + ", ".join(f"{r['seconds']:.1f}" for r in rows if r["hosts"] == n and r["push"] == label)
    for n in sorted({r["hosts"] for r in rows}) for label in ("warm", "cold")))
print(f"\nReproduce: `Benchmarks/push-cold.sh --rate {rate} --size {size_mib} --repeats {repeats} " + " ".join(sorted({str(r['hosts']) for r in rows}, key=int)) + "`")
PY
cat "$results"
