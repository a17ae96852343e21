#!/usr/bin/env bash
# Rack-aware peer selection against random peers on the sandbox with racks: `swarmdeploy push`
# of a SIZE MiB tree to COUNT hosts in RACKS racks whose uplinks are oversubscribed
# (--oversubscription 4 means a rack's uplink carries a quarter of its hosts' links), peer
# cache warm, each --peer-selection of SELECTIONS (default: random and rack) taking turns,
# REPEATS runs each. Reported:
# the whole command's seconds, the bytes that crossed rack uplinks (from the hosts' own
# accounts in the report) and the most copies any rack took in, medians and every run; and,
# to validate the simulator, the transfer's seconds (first peer downloading to last install)
# next to `swarmdeploy simulate` of the same fleet, archive and selection (time the last host
# had the payload, and its cross-rack bytes). `--racks 1 --oversubscription 1` is a flat fleet.
#
# Usage: Benchmarks/push-racks.sh [--rate 25mbit] [--racks 4] [--oversubscription 4]
#        [--size 50] [--repeats 3] [--selections "random rack rack:1,1,1"] [COUNT]   (default 16 hosts)
# Prints a Markdown table. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/sandbox-hosts.sh

rate=25mbit
racks=4
oversubscription=4
size_mib=50
repeats=3
count=16
selections="random rack"
while (($# > 0)); do
    case "$1" in
        --rate) rate=${2:?}; shift 2 ;;
        --racks) racks=${2:?}; shift 2 ;;
        --oversubscription) oversubscription=${2:?}; shift 2 ;;
        --size) size_mib=${2:?}; shift 2 ;;
        --repeats) repeats=${2:?}; shift 2 ;;
        --selections) selections=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) count=$1; shift ;;
    esac
done

name=pushrack
subnet=10.93
sandbox_dir=/run/swarmdeploy-sandbox-$name
per_rack=$(((count + racks - 1) / racks))
uplink="$(($(bits_per_second "$rate") * per_rack / oversubscription))bit"
build_binaries
work=$(mktemp -d /var/tmp/swarmdeploy-push-racks.XXXXXX)
trap 'scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
scripts/sandbox.sh up "$count" --name "$name" --subnet "$subnet" --rate "$rate" --racks "$racks" --rack-uplink "$uplink" \
    --disk $((size_mib * 3 + 200))m >/dev/null
python3 Benchmarks/generate-tree.py "$work/tree" "$size_mib"
chmod 755 "$work"

# run SELECTION: wipes /srv, pushes, prints
# "seconds cross_rack_bytes max_rack_copies transfer_seconds archive_bytes".
run() {
    local start
    wipe_hosts "$name" "$count"
    start=$(date +%s.%N)
    scripts/sandbox.sh controller --name "$name" -- "$binary" push "$work/tree" to /srv/app on "$sandbox_dir/hosts.txt" \
        --identity "$sandbox_dir/id_ed25519" --known-hosts "$sandbox_dir/known_hosts" --peer-binary "$peer" \
        --seed-grace 5s --peer-selection "$1" --json >"$work/report.json" 2>"$work/push.log" ||
        { echo "the push with --peer-selection $1 failed:" >&2; failed_hosts "$work/report.json" >&2; exit 1; }
    python3 - "$start" "$work/report.json" <<'PY'
import json, sys, time
start, path = float(sys.argv[1]), sys.argv[2]
report = json.load(open(path))
racks, totals = report["racks"], report["totals"]
print(f"{time.time() - start:.2f} {racks['cross_rack_bytes']} {max(r['copies_in'] for r in racks['racks']):.2f} "
      f"{totals['transfer_seconds']:.2f} {totals['archive_bytes']}")
PY
}

read -r -a choices <<<"$selections"
run "${choices[0]}" >/dev/null # warms the hosts' peer cache
declare -A results
for ((i = 1; i <= repeats; i++)); do
    line="run $i:"
    for choice in "${choices[@]}"; do
        result=$(run "$choice")
        results[$choice]+="$result;"
        line+=" $choice $result;"
    done
    echo "$line" >&2
done
# The simulator on the same fleet, archive and selection (its seed fixed: one run each).
archive_bytes=$(echo "${results[${choices[0]}]}" | cut -d';' -f1 | awk '{print $5}')
declare -A simulated
for choice in "${choices[@]}"; do
    simulated[$choice]=$("$binary" simulate --hosts "$count" --racks "$racks" --host-rate "$rate" --rack-uplink "$uplink" \
        --size "$archive_bytes" --peer-selection "$choice" --json 2>/dev/null |
        python3 -c 'import json, sys; r = json.load(sys.stdin); print("%.2f %d" % (r["last"] or 0, r["cross_rack_bytes"]))')
done
arguments=()
for choice in "${choices[@]}"; do arguments+=("$choice" "${results[$choice]}" "${simulated[$choice]}"); done
python3 - "$count" "$racks" "$rate" "$uplink" "$oversubscription" "$size_mib" "${arguments[@]}" <<'PY'
import statistics, sys
count, racks, rate, uplink, over, size = sys.argv[1:7]
triples = sys.argv[7:]
pairs = [x for i in range(0, len(triples), 3) for x in triples[i:i + 2]]
simulated = {triples[i]: [float(x) for x in triples[i + 2].split()] for i in range(0, len(triples), 3)}
def parse(text):
    return [tuple(float(x) for x in run.split()) for run in text.split(";") if run.strip()]
rows = {pairs[i]: parse(pairs[i + 1]) for i in range(0, len(pairs), 2)}
mib = 1 << 20
runs = len(next(iter(rows.values())))
print(f"`swarmdeploy push` of a {size} MiB tree to {count} sandbox hosts at {rate} in {racks} racks, "
      f"uplinks {uplink} ({over}:1 oversubscribed), peer cache warm; medians of {runs} runs taken in turns.\n")
print("| --peer-selection | median s | cross-rack MiB (median) | most copies into one rack | every run (s / cross-rack MiB) |")
print("|---|---:|---:|---:|---|")
for name, runs in rows.items():
    seconds = statistics.median(r[0] for r in runs)
    cross = statistics.median(r[1] for r in runs) / mib
    copies = statistics.median(r[2] for r in runs)
    every = ", ".join(f"{r[0]:.1f} / {r[1] / mib:.0f}" for r in runs)
    print(f"| {name} | {seconds:.1f} | {cross:.0f} | {copies:.2f} | {every} |")
print(f"\nThe least that must cross: one copy into each rack, {racks} × the archive.")
print("\nThe simulator against the transfer (first peer downloading to last install), medians:\n")
print("| --peer-selection | measured transfer s | simulated s | simulated / measured | measured cross-rack MiB | simulated cross-rack MiB |")
print("|---|---:|---:|---:|---:|---:|")
for name, runs in rows.items():
    transfer = statistics.median(r[3] for r in runs)
    cross = statistics.median(r[1] for r in runs) / mib
    sim_seconds, sim_cross = simulated[name]
    print(f"| {name} | {transfer:.1f} | {sim_seconds:.1f} | {sim_seconds / transfer:.2f} | {cross:.0f} | {sim_cross / mib:.0f} |")
PY
