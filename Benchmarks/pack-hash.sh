#!/usr/bin/env bash
# Pack + hash throughput: `swarmdeploy pack` (tar + SHA-1 pieces + SHA-256, written to tmpfs)
# without and with gzip, next to `tar -c | sha1sum` on the same tree.
#
# Usage: Benchmarks/pack-hash.sh [SIZE_MIB]   (default 1024)
# Writes Benchmarks/results/pack-hash.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
runs=${RUNS:-3}

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
swift build -c release --product swarmdeploy >/dev/null
bin=$(swift build -c release --show-bin-path)/swarmdeploy

work=$(mktemp -d /var/tmp/swarmdeploy-bench.XXXXXX)
out=$(mktemp -d /dev/shm/swarmdeploy-bench.XXXXXX)
trap 'rm -rf "$work" "$out"' EXIT

echo "generating a ${size_mib} MiB tree (70% incompressible, 30% small text files) in $work"
python3 Benchmarks/generate-tree.py "$work/tree" "$size_mib" 0.7
tree_bytes=$(du -sb --apparent-size "$work/tree" | cut -f1)
files=$(find "$work/tree" -type f | wc -l)
tar -c -C "$work/tree" . >/dev/null   # warm the page cache for every contender alike

# Uncompressed contenders: the comparison that matters on a LAN, repeated for a median.
hyperfine --runs "$runs" --warmup 1 --export-json "$work/plain.json" \
    -n "tar -c | sha1sum" "tar -c -C $work/tree . | sha1sum" \
    -n "swarmdeploy pack" "$bin pack $work/tree -o $out/plain"
# gzip contenders take tens of seconds each: one run is enough to show the order of magnitude.
hyperfine --runs 1 --export-json "$work/gzip.json" \
    -n "swarmdeploy pack --gzip=1" "$bin pack $work/tree -o $out/gz1 --gzip=1" \
    -n "swarmdeploy pack --gzip=6" "$bin pack $work/tree -o $out/gz6 --gzip=6" \
    -n "tar -c | gzip -1 | sha1sum" "tar -c -C $work/tree . | gzip -1 | sha1sum"
python3 -c 'import json,sys; print(json.dumps({"results": json.load(open(sys.argv[1]))["results"] + json.load(open(sys.argv[2]))["results"]}))' \
    "$work/plain.json" "$work/gzip.json" > "$work/results.json"

mkdir -p Benchmarks/results
python3 - "$work/results.json" "$tree_bytes" "$files" "$size_mib" "$out" > Benchmarks/results/pack-hash.md <<'PY'
import json, os, subprocess, sys
results, tree_bytes, files, size_mib, out = json.load(open(sys.argv[1]))["results"], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"# Pack + hash throughput\n")
print(f"Tree: {tree_bytes / 2**20:.0f} MiB in {files} files (70 % incompressible 64 MiB files, 30 % 4–16 KiB text files).")
print(f"Machine: {os.cpu_count()} cores, {cpu}. Output to tmpfs; page cache warm. Uncompressed: median of {len(results[0]['times'])} runs; gzip: one run.\n")
print("| contender | seconds (median) | MB/s of source tree |")
print("|---|---:|---:|")
for r in results:
    print(f"| `{r['command'].replace('|', '\\|')}` | {r['median']:.2f} | {tree_bytes / r['median'] / 1e6:.0f} |")
sizes = {n: os.path.getsize(os.path.join(out, n)) for n in ("plain.tar", "gz1.tar.gz", "gz6.tar.gz") if os.path.exists(os.path.join(out, n))}
if sizes:
    print("\nArchive sizes: " + ", ".join(f"{n} {s / 2**20:.0f} MiB" for n, s in sizes.items()))
print(f"\nReproduce: `Benchmarks/pack-hash.sh {size_mib}`")
PY
cat Benchmarks/results/pack-hash.md
