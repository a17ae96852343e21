#!/usr/bin/env bash
# Seeder → one peer over loopback: swarmdeploy (seed + swarmdeploy-peer download) against
# libtorrent → libtorrent on the same payload, in one run. Reports MB/s and the CPU seconds
# both processes spent per GiB moved.
#
# Usage: Benchmarks/swarm-loopback.sh [SIZE_MIB]   (default 1024)
# Writes Benchmarks/results/swarm-loopback.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}

swift build -c release --product swarmdeploy >/dev/null
swift build -c release --product swarmdeploy-peer >/dev/null
bin=$(swift build -c release --show-bin-path)
python=/usr/bin/python3
work=$(mktemp -d /var/tmp/swarmdeploy-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/tree" "$work/lt-seed" "$work/lt-leech"
head -c $((size_mib << 20)) /dev/urandom > "$work/tree/payload.bin"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin/swarmdeploy" pack "$work/tree" -o "$work/release" --tracker "http://127.0.0.1:$port/announce" >/dev/null
cp "$work/release.tar" "$work/lt-seed/release.tar"
"$bin/swarmdeploy" tracker --listen "127.0.0.1:$port" --torrent "$work/release.torrent" > "$work/tracker.log" 2>&1 &
pids+=($!)
sleep 0.5

# The peer's CPU time comes from bash's `time` (user and system seconds).
TIMEFORMAT='%U %S'

# Arithmetic on decimals without bc.
calc() { awk "BEGIN { print $* }"; }

# CPU seconds (user + system) a process has used so far, from /proc.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }

# --- swarmdeploy seeder → swarmdeploy peer
"$bin/swarmdeploy" seed "$work/release.torrent" "$work/release.tar" --listen 127.0.0.1:0 --memory-budget 4GiB > "$work/seed.log" 2>&1 &
seed_pid=$!; pids+=($seed_pid)
until grep -q "listening on port" "$work/seed.log"; do sleep 0.1; done
seed_cpu0=$(cpu_of $seed_pid)
start=$(date +%s.%N)
{ time "$bin/swarmdeploy-peer" download "$work/release.torrent" --out "$work/ours.tar" --seed-grace 0 > "$work/peer.log" 2>&1; } 2> "$work/peer.time"
end=$(date +%s.%N)
seed_cpu1=$(cpu_of $seed_pid)
kill -INT $seed_pid; wait $seed_pid 2>/dev/null || true
cmp -s "$work/ours.tar" "$work/release.tar" || { echo "swarmdeploy download differs" >&2; exit 1; }
ours_seconds=$(calc "$end - $start")
ours_cpu=$(calc "$(awk '{print $1 + $2}' "$work/peer.time") + $seed_cpu1 - $seed_cpu0")
rm -f "$work/ours.tar"

# --- libtorrent seeder → libtorrent peer (the same torrent and tracker)
cat > "$work/lt.py" <<'PY'
import sys, time
import libtorrent as lt
role, torrent, directory = sys.argv[1:4]
settings = {'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
            'listen_interfaces': '127.0.0.1:0', 'allow_multiple_connections_per_ip': True, 'ssrf_mitigation': False,
            # TCP only, as swarmdeploy: libtorrent's default uTP paces itself to yield to other traffic.
            'enable_outgoing_utp': False, 'enable_incoming_utp': False}
session = lt.session(settings)
handle = session.add_torrent({'ti': lt.torrent_info(torrent), 'save_path': directory})
while True:
    status = handle.status()
    if role == 'seed':
        print('state', status.state, flush=True)
    elif status.is_seeding:
        print('complete', flush=True)
        sys.exit(0)
    time.sleep(0.05)
PY
"$python" "$work/lt.py" seed "$work/release.torrent" "$work/lt-seed" > "$work/lt-seed.log" 2>&1 &
lt_seed_pid=$!; pids+=($lt_seed_pid)
until grep -q "seeding" "$work/lt-seed.log"; do sleep 0.1; done
lt_seed_cpu0=$(cpu_of $lt_seed_pid)
start=$(date +%s.%N)
{ time "$python" "$work/lt.py" leech "$work/release.torrent" "$work/lt-leech" > "$work/lt-leech.log" 2>&1; } 2> "$work/lt-peer.time"
end=$(date +%s.%N)
lt_seed_cpu1=$(cpu_of $lt_seed_pid)
cmp -s "$work/lt-leech/release.tar" "$work/release.tar" || { echo "libtorrent download differs" >&2; exit 1; }
lt_seconds=$(calc "$end - $start")
lt_cpu=$(calc "$(awk '{print $1 + $2}' "$work/lt-peer.time") + $lt_seed_cpu1 - $lt_seed_cpu0")

mkdir -p Benchmarks/results
python3 - "$size_mib" "$ours_seconds" "$ours_cpu" "$lt_seconds" "$lt_cpu" > Benchmarks/results/swarm-loopback.md <<'PY'
import os, subprocess, sys
size_mib, ours_s, ours_cpu, lt_s, lt_cpu = int(sys.argv[1]), *map(float, sys.argv[2:6])
gib = size_mib / 1024
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print("# Seeder → one peer over loopback\n")
print(f"Payload: {size_mib} MiB of random data, one torrent, one tracker (`swarmdeploy tracker`). "
      f"Machine: {os.cpu_count()} cores, {cpu}. Time from the peer's start to its verified payload; "
      "CPU is user + system of seeder and peer together during the transfer.\n")
print("| contender | seconds | MB/s | CPU seconds per GiB |")
print("|---|---:|---:|---:|")
for name, s, c in (("swarmdeploy seed → swarmdeploy-peer download", ours_s, ours_cpu), ("libtorrent → libtorrent (python3-libtorrent)", lt_s, lt_cpu)):
    print(f"| {name} | {s:.2f} | {size_mib * 1048576 / s / 1e6:.0f} | {c / gib:.2f} |")
print(f"\nReproduce: `Benchmarks/swarm-loopback.sh {size_mib}`")
PY
cat Benchmarks/results/swarm-loopback.md
