#!/usr/bin/env bash
# Peak memory of a downloading peer: one seeder → `swarmdeploy-peer download` over loopback,
# for each payload size given, measured with GNU time's maximum resident set size. The peer
# writes to disk and assembles at most a fixed budget of pieces in memory, so its RSS must
# not grow with the payload.
#
# Usage: Benchmarks/peer-memory.sh [SIZE_MIB ...]   (default 256 2048)
# Writes Benchmarks/results/peer-memory.md and prints it. Needs /usr/bin/time (Debian "time").
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
((${#sizes[@]} > 0)) || sizes=(256 2048)

[[ -x /usr/bin/time ]] || apt-get install -y time >/dev/null
swift build -c release --product swarmdeploy >/dev/null
swift build -c release --product swarmdeploy-peer >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /var/tmp/swarmdeploy-memory.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

rows=()
for size in "${sizes[@]}"; do
    rm -rf "${work:?}"/*
    mkdir -p "$work/tree"
    head -c $((size << 20)) /dev/urandom > "$work/tree/payload.bin"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$bin/swarmdeploy" pack "$work/tree" -o "$work/release" --tracker "http://127.0.0.1:$port/announce" >/dev/null 2>&1
    rm -rf "$work/tree"
    "$bin/swarmdeploy" tracker --listen "127.0.0.1:$port" --torrent "$work/release.torrent" >"$work/tracker.log" 2>&1 &
    pids+=($!)
    # From the file, so the seeder's memory stays out of the way of the page cache.
    "$bin/swarmdeploy" seed "$work/release.torrent" "$work/release.tar" --listen 127.0.0.1:0 --memory-budget 0 >"$work/seed.log" 2>&1 &
    pids+=($!)
    sleep 1
    /usr/bin/time -f '%M %e' -o "$work/time.out" \
        "$bin/swarmdeploy-peer" download "$work/release.torrent" --out "$work/out.tar" --seed-grace 0 >/dev/null 2>&1
    cmp -s "$work/out.tar" "$work/release.tar" || { echo "peer-memory: download of $size MiB differs" >&2; exit 1; }
    read -r rss_kib seconds <"$work/time.out"
    piece=$(python3 - "$work/release.torrent" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
print(int(re.search(rb'12:piece lengthi(\d+)e', data).group(1)) // 1024)
PY
)
    rows+=("| $size MiB | $piece KiB | $seconds | $((rss_kib / 1024)) MiB |")
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    wait "${pids[@]}" 2>/dev/null || true
    pids=()
done

result=Benchmarks/results/peer-memory.md
{
    echo "# Peak memory of a downloading peer"
    echo
    echo "One seeder (\`swarmdeploy seed\`, serving from the file) → \`swarmdeploy-peer download\` over"
    echo "loopback; maximum resident set size of the peer process (GNU time). Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)."
    echo
    echo "| payload | piece size | seconds | peer max RSS |"
    echo "|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Reproduce with \`Benchmarks/peer-memory.sh ${sizes[*]}\`"
} >"$result"
cat "$result"
