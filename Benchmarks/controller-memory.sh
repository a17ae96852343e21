#!/usr/bin/env bash
# The controller's memory while pushing a tree far larger than it: GIB GiB of files (sparse,
# so the source costs no disk) pushed to COUNT sandbox hosts. The seeder reads pieces from
# the files, so the controller's memory should not grow with the tree. The hosts keep what
# they receive in their tmpfs /srv, so the push is stopped (SIGINT) after SECONDS of
# transfer: memory is the point, not the transfer's end. Samples the controller's RSS every
# half second and reports its peak (VmHWM) while hashing and while serving.
#
# Usage: Benchmarks/controller-memory.sh [--gib 20] [--hosts 8] [--rate 100mbit] [--seconds 60]
# Writes Benchmarks/results/controller-memory.md and prints it. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."

gib=20
hosts=8
rate=100mbit
seconds=60
while (($# > 0)); do
    case "$1" in
        --gib) gib=${2:?}; shift 2 ;;
        --hosts) hosts=${2:?}; shift 2 ;;
        --rate) rate=${2:?}; shift 2 ;;
        --seconds) seconds=${2:?}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument $1" >&2; exit 64 ;;
    esac
done

name=ctlmem
sandbox_dir=/run/swarmdeploy-sandbox-$name
swift build -c release --product swarmdeploy >/dev/null
bin=$(swift build -c release --show-bin-path)/swarmdeploy
peer=$(scripts/build-peer.sh | tail -n 1)
work=$(mktemp -d /var/tmp/swarmdeploy-controller-memory.XXXXXX)
trap 'scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# GIB files of 1 GiB, holes only: read as zeros, stored nowhere.
mkdir -p "$work/tree"
for ((i = 0; i < gib; i++)); do truncate -s 1G "$work/tree/part-$i.bin"; done
chmod -R a+rX "$work"
scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
# The hosts' free-space check needs room for the archive and the tree; tmpfs takes only what is written.
scripts/sandbox.sh up "$hosts" --name "$name" --subnet 10.95 --rate "$rate" --disk "$((gib * 2 + 2))g" >/dev/null

scripts/sandbox.sh controller --name "$name" -- env SWARMDEPLOY_PEER="$peer" "$bin" push "$work/tree" to /srv/big \
    on "$sandbox_dir/hosts.txt" --identity "$sandbox_dir/id_ed25519" --known-hosts "$sandbox_dir/known_hosts" \
    --timeout 2h >"$work/push.log" 2>&1 &
runner=$!
pid=
for _ in $(seq 100); do pid=$(pgrep -f "^$bin push" | head -n 1 || true); [[ -n "$pid" ]] && break; sleep 0.1; done
[[ -n "$pid" ]] || { echo "the push did not start: $(cat "$work/push.log")"; exit 1; }

started=$(date +%s)
hashing_peak=0 serving_peak=0 serving_since=
: >"$work/samples"
while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS/ {print $2}' /proc/"$pid"/status 2>/dev/null || echo 0)
    now=$(($(date +%s) - started))
    echo "$now $rss" >>"$work/samples"
    if grep -q "downloading" "$work/push.log"; then
        serving_since=${serving_since:-$now}
        ((rss > serving_peak)) && serving_peak=$rss
        ((now - serving_since >= seconds)) && break
    else
        ((rss > hashing_peak)) && hashing_peak=$rss
    fi
    sleep 0.5
done
hwm=$(awk '/^VmHWM/ {print $2}' /proc/"$pid"/status 2>/dev/null || echo 0)
# Before the stop: interrupted peers remove their staging files.
received=$(for ((i = 1; i <= hosts; i++)); do scripts/sandbox.sh host "$i" --name "$name" -- sh -c 'du -sB1 /srv 2>/dev/null | cut -f1'; done | awk '{s += $1} END {printf "%d\n", s}')
kill -INT "$pid" 2>/dev/null || true
wait "$runner" 2>/dev/null || true

mkdir -p Benchmarks/results
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
    echo "# The controller's memory while pushing a ${gib} GiB tree"
    echo
    echo "\`swarmdeploy push\` of ${gib} files of 1 GiB (sparse) to ${hosts} sandbox hosts at ${rate}; stopped after ${seconds} s of transfer."
    echo "Machine: $(nproc) cores, ${cpu}."
    echo
    echo "| phase | controller peak RSS |"
    echo "|---|---:|"
    echo "| hashing the tree ($((gib)) GiB, one pass) | $((hashing_peak / 1024)) MiB |"
    echo "| serving (first ${seconds} s of transfer) | $((serving_peak / 1024)) MiB |"
    echo "| whole run (VmHWM) | $((hwm / 1024)) MiB |"
    echo
    echo "The hosts' /srv held $((received / 1048576)) MiB in all (downloaded tarball and extracted files) when the push was stopped."
    echo
    echo "Reproduce: \`Benchmarks/controller-memory.sh --gib ${gib} --hosts ${hosts} --rate ${rate} --seconds ${seconds}\`"
} >Benchmarks/results/controller-memory.md
cat Benchmarks/results/controller-memory.md
