#!/usr/bin/env bash
# Which piece size a push should use: the same warm push (`push-fleet.sh --contenders push`)
# with each given --piece-size in turn, on a sandbox of N hosts, and one table of what
# changed with it: the whole command's time (median and every run), when the hosts held
# every piece, how long the install trailed that, the copies the controller sent, and the
# CPU the peers spent per GiB received.
#
# Smaller pieces pass through the swarm sooner (a host forwards a piece only once it holds
# and has checked all of it), larger ones cost less per byte (fewer hashes to start and
# finish, fewer `have` messages, fewer picker decisions); the table shows where that
# balance lies on the sandbox.
#
# Usage: Benchmarks/piece-size.sh [--rate RATE] [--size MIB] [--repeats R] [--hosts N]
#                                 [--keep SIZE] [SIZE ...]
#        (defaults: 25mbit, 100 MiB, 2 runs, 16 hosts, 32KiB 64KiB 128KiB 256KiB)
# Writes Benchmarks/results/piece-size-RATE-NHOSTS.md and prints it; push-fleet.sh's full
# results for the sizes named by --keep (repeatable) stay beside it, as
# piece-size-RATE-NHOSTS-SIZE.md and its pictures. Needs root and what
# scripts/install-deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

rate=25mbit
size_mib=100
repeats=2
hosts=16
keep=()
sizes=()
while (($# > 0)); do
    case "$1" in
        --rate) rate=${2:?--rate needs a value}; shift 2 ;;
        --size) size_mib=${2:?--size needs a value}; shift 2 ;;
        --repeats) repeats=${2:?--repeats needs a value}; shift 2 ;;
        --hosts) hosts=${2:?--hosts needs a value}; shift 2 ;;
        --keep) keep+=("${2:?--keep needs a value}"); shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) sizes+=("$1"); shift ;;
    esac
done
((${#sizes[@]} > 0)) || sizes=(32KiB 64KiB 128KiB 256KiB)

results=Benchmarks/results/piece-size-$rate-${hosts}hosts.md
rows=()
for size in "${sizes[@]}"; do
    echo "piece size $size: $hosts hosts at $rate, $size_mib MiB, $repeats run(s)" >&2
    # Named here rather than derived from push-fleet.sh's own naming.
    name=piece-size-$rate-${hosts}hosts-$size
    Benchmarks/push-fleet.sh --rate "$rate" --size "$size_mib" --repeats "$repeats" \
        --contenders push --piece-size "$size" --out "$name" "$hosts" >/dev/null
    stem=Benchmarks/results/$name
    # The per-size results hold the details; the summary keeps the figures that differ.
    rows+=("$(python3 Benchmarks/tools/piece-size-row.py "$stem.md" "$size" "$hosts")")
    [[ " ${keep[*]} " == *" $size "* ]] || rm -f "$stem.md" "$stem-time.svg" "$stem-links.svg"
done

{
    echo "# Piece size: the same push with each size"
    echo
    echo "$size_mib MiB tree, $hosts sandbox hosts, every link (the controller's included)"
    echo "shaped to $rate; the hosts' peer program cached. Machine: $(nproc) cores,"
    echo "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo). $repeats run(s) per size,"
    echo "median; every run's time listed."
    echo
    echo "| piece size | push s (eff) | runs s | hosts hold every piece (first / last) | install trails by | controller sent (copies) | peer CPU s / GiB | cores busy (steal) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Efficiency = ideal / time, ideal = tarball bytes × 8 / $rate. \"Install trails by\": the"
    echo "longest a host took from holding every piece to having installed (the rest of the"
    echo "extraction and the switch). Cores busy: the machine's mean over the run; steal, the share"
    echo "a hypervisor gave to other machines (a run with much of it is slower for that alone)."
    echo
    echo "Reproduce: \`Benchmarks/piece-size.sh --rate $rate --size $size_mib --repeats $repeats --hosts $hosts ${sizes[*]}\`;"
    echo "one size in full: \`Benchmarks/push-fleet.sh --rate $rate --size $size_mib --contenders push --piece-size SIZE $hosts\`."
} >"$results"
cat "$results"
