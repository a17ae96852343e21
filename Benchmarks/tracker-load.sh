#!/usr/bin/env bash
# The built-in tracker under load, on loopback: `swarmdeploy tracker` serving one torrent
# while Benchmarks/tools/tracker-load.py fills its swarm with N peers and keeps them
# re-announcing. Reports announces per second (filling, and steady), latency, and the
# tracker's peak memory. A swarm of N peers re-announcing every 10 s (the tracker's interval)
# needs N / 10 announces a second.
#
# Usage: Benchmarks/tracker-load.sh [--seconds S] [--repeats R] [PEERS ...]   (default 20 s, 3 runs, 1000 10000)
# Writes Benchmarks/results/tracker-load.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
repeats=3
counts=()
while (($# > 0)); do
    case "$1" in
        --seconds) seconds=${2:?--seconds needs a value}; shift 2 ;;
        --repeats) repeats=${2:?--repeats needs a value}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) counts+=("$1"); shift ;;
    esac
done
((${#counts[@]} > 0)) || counts=(1000 10000)

swift build -c release --product swarmdeploy >/dev/null
bin=$(swift build -c release --show-bin-path)/swarmdeploy
work=$(mktemp -d /var/tmp/swarmdeploy-tracker-load.XXXXXX)
tracker_pid=
cleanup() {
    [[ -n "$tracker_pid" ]] && kill "$tracker_pid" 2>/dev/null && wait "$tracker_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/tree"
head -c 1048576 /dev/urandom >"$work/tree/payload.bin"
"$bin" pack "$work/tree" -o "$work/release" --tracker http://127.0.0.1:1/announce --json >"$work/pack.json"
info_hash=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["info_hash"])' "$work/pack.json")

rows=()
for peers in "${counts[@]}"; do
    for ((run = 1; run <= repeats; run++)); do
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        "$bin" tracker --listen "127.0.0.1:$port" --torrent "$work/release.torrent" >"$work/tracker.log" 2>&1 &
        tracker_pid=$!
        for _ in $(seq 50); do grep -q "announce URL" "$work/tracker.log" && break; sleep 0.1; done
        result=$(python3 Benchmarks/tools/tracker-load.py "http://127.0.0.1:$port/announce" "$info_hash" \
            --peers "$peers" --seconds "$seconds")
        rss=$(awk '/VmHWM/ {print $2}' "/proc/$tracker_pid/status")
        cpu=$(awk '{print ($14 + $15) / 100}' "/proc/$tracker_pid/stat")
        kill "$tracker_pid"; wait "$tracker_pid" 2>/dev/null || true; tracker_pid=
        echo "$peers peers, run $run: $result, tracker peak RSS ${rss} KiB, CPU ${cpu} s"
        rows+=("$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r["rss_kib"]=int(sys.argv[2]); r["cpu_seconds"]=float(sys.argv[3]); print(json.dumps(r))' "$result" "$rss" "$cpu")")
    done
done

mkdir -p Benchmarks/results
printf '%s\n' "${rows[@]}" >"$work/rows.jsonl"
python3 - "$work/rows.jsonl" "$seconds" "$repeats" >Benchmarks/results/tracker-load.md <<'PY'
import json, os, statistics, subprocess, sys
rows = [json.loads(line) for line in open(sys.argv.pop(1)) if line.strip()]
seconds, repeats = sys.argv[1], int(sys.argv[2])
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print("# The built-in tracker under load\n")
print(f"`swarmdeploy tracker` on loopback; `Benchmarks/tools/tracker-load.py` fills one swarm, then re-announces")
print(f"random peers for {seconds} s over 64 keep-alive connections from 8 loopback addresses (numwant 50).")
print(f"Machine: {os.cpu_count()} cores, {cpu}; the load generator (Python) shares them with the tracker.")
print(f"Median of {repeats} runs; every run below.\n")
print("| peers | fill (announces/s) | steady (announces/s) | p50 ms | p99 ms | tracker peak RSS | errors |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for peers in sorted({r["peers"] for r in rows}):
    runs = [r for r in rows if r["peers"] == peers]
    m = lambda key: statistics.median(r[key] for r in runs)
    print(f"| {peers} | {m('fill_per_second'):.0f} | {m('steady_per_second'):.0f} | {m('latency_ms_p50'):.2f} | {m('latency_ms_p99'):.2f} | {m('rss_kib') / 1024:.0f} MiB | {sum(r['errors'] for r in runs)} |")
print("\nEvery run:\n")
for r in rows:
    print(f"- {r['peers']} peers: fill {r['fill_per_second']}/s, steady {r['steady_per_second']}/s, p50 {r['latency_ms_p50']} ms, p99 {r['latency_ms_p99']} ms, peak RSS {r['rss_kib']} KiB, tracker CPU {r['cpu_seconds']} s, errors {r['errors']}")
print(f"\nReproduce: `Benchmarks/tracker-load.sh --seconds {seconds} --repeats {repeats} " + " ".join(sorted({str(r['peers']) for r in rows}, key=int)) + "`")
PY
cat Benchmarks/results/tracker-load.md
