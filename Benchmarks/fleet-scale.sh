#!/usr/bin/env bash
# What one controller spends per host: a sandbox of N hosts (one sshd each, private /srv and
# home) is brought up, then `swarmdeploy push` sends a tiny tree to all of them, twice: cold
# (the peer program reaches every host, from the controller or from other hosts) and warm.
# Reports the sandbox's start-up time, each push's wall time, and the controller's CPU
# seconds, peak RSS, and peak open descriptors and threads, in all and per host.
#
# Usage: Benchmarks/fleet-scale.sh [--rate RATE] [COUNT ...]   (default 1gbit; 64 256)
# Writes Benchmarks/results/fleet-scale.md and prints it. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/sandbox-hosts.sh

rate=1gbit
counts=()
while (($# > 0)); do
    case "$1" in
        --rate) rate=${2:?--rate needs a value}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) counts+=("$1"); shift ;;
    esac
done
((${#counts[@]} > 0)) || counts=(64 256)

name=fleetscale
subnet=10.94
sandbox_dir=/run/swarmdeploy-sandbox-$name
swift build -c release --product swarmdeploy >/dev/null
bin=$(swift build -c release --show-bin-path)/swarmdeploy
peer=$(scripts/build-peer.sh | tail -n 1)
work=$(mktemp -d /var/tmp/swarmdeploy-fleet-scale.XXXXXX)
trap 'scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/tree"
echo "version $(date +%s)" >"$work/tree/VERSION"
head -c 65536 /dev/urandom >"$work/tree/blob.bin"
chmod -R a+rX "$work"

# push LABEL: runs the push under GNU time, sampling the controller's descriptors and
# threads; prints one JSON line.
push() {
    local label=$1 count=$2
    scripts/sandbox.sh controller --name "$name" -- /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
        env SWARMDEPLOY_PEER="$peer" "$bin" push "$work/tree" to /srv/app on "$sandbox_dir/hosts.txt" \
        --identity "$sandbox_dir/id_ed25519" --known-hosts "$sandbox_dir/known_hosts" \
        --seed-grace 2s --ssh-parallel 64 --json >"$work/report.json" 2>"$work/push.err" &
    local runner=$! fds=0 threads=0 pid=
    while kill -0 "$runner" 2>/dev/null; do
        pid=${pid:-$(pgrep -f "^$bin push" | head -n 1 || true)}
        if [[ -n "$pid" && -d /proc/$pid ]]; then
            local now
            now=$(ls /proc/"$pid"/fd 2>/dev/null | wc -l)
            ((now > fds)) && fds=$now
            now=$(awk '/^Threads/ {print $2}' /proc/"$pid"/status 2>/dev/null || echo 0)
            ((now > threads)) && threads=$now
        fi
        sleep 0.1
    done
    wait "$runner" || { echo "push failed:"; tail -5 "$work/push.err"; exit 1; }
    read -r wall user system rss <"$work/time"
    python3 - "$label" "$count" "$wall" "$user" "$system" "$rss" "$fds" "$threads" "$work/report.json" <<'PY'
import json, sys
label, count, wall, user, system, rss, fds, threads, report = sys.argv[1:]
totals = json.load(open(report))["totals"]
print(json.dumps({"push": label, "hosts": int(count), "wall": float(wall), "cpu": float(user) + float(system),
                  "rss_kib": int(rss), "fds": int(fds), "threads": int(threads), "succeeded": totals["succeeded"],
                  "program_bytes": totals.get("peer_program_bytes_sent", 0)}))
PY
}

rows=()
for count in "${counts[@]}"; do
    scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
    started=$(date +%s.%N)
    scripts/sandbox.sh up "$count" --name "$name" --subnet "$subnet" --rate "$rate" --disk 64m >/dev/null
    up=$(python3 -c "import time; print(round(time.time() - $started, 1))")
    echo "$count hosts up in $up s"
    for label in cold warm; do
        row=$(push "$label" "$count")
        echo "$row"
        rows+=("$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r["sandbox_up"]=float(sys.argv[2]); print(json.dumps(r))' "$row" "$up")")
    done
    scripts/sandbox.sh down --name "$name" >/dev/null
done

mkdir -p Benchmarks/results
printf '%s\n' "${rows[@]}" >"$work/rows.jsonl"
python3 - "$work/rows.jsonl" "$rate" >Benchmarks/results/fleet-scale.md <<'PY'
import json, os, subprocess, sys
rows = [json.loads(line) for line in open(sys.argv.pop(1)) if line.strip()]
rate = sys.argv[1]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print("# One controller, many hosts\n")
print(f"A tiny tree (64 KiB) pushed to every host of a sandbox with {rate} links, cold (no host has the peer program)")
print(f"then warm. Machine: {os.cpu_count()} cores, {cpu}; every host's sshd and peer share them with the controller.\n")
print("| hosts | sandbox up | push | wall | controller CPU | per host | peak RSS | per host | peak fds | peak threads | programs sent by the controller |")
print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    n = r["hosts"]
    print(f"| {n} | {r['sandbox_up']:.0f} s | {r['push']} | {r['wall']:.1f} s | {r['cpu']:.1f} s | {1000 * r['cpu'] / n:.0f} ms | "
          f"{r['rss_kib'] / 1024:.0f} MiB | {r['rss_kib'] / n:.0f} KiB | {r['fds']} | {r['threads']} | {r['program_bytes'] / 2**20:.1f} MiB |")
print("\nReproduce: `Benchmarks/fleet-scale.sh " + " ".join(sorted({str(r['hosts']) for r in rows}, key=int)) + "`")
PY
cat Benchmarks/results/fleet-scale.md
