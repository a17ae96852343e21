#!/usr/bin/env bash
# What one bad host costs the others: pushes to COUNT sandbox hosts, each faulted case next to
# a healthy push in the same run.
#
#   healthy        no fault
#   frozen         host 3's peer stopped with SIGSTOP at 30 % of the healthy push's time
#   link-down      host 3's link taken down at 30 %
#   slow           host 3's link at a tenth of the rate from the start (it must succeed)
#   three-frozen   hosts 3, 7 and 11 frozen at 30 %
#   corrupt        host 3's peer corrupts every block it serves, from the start (the others
#                  must ban it; it gets its own copy from the seeder)
#
# For each: when the last healthy host installed (against the healthy push), when the push
# exited and with which code, and what the report says of the bad hosts. The push runs with
# --max-failures 3 and the default --stall-timeout (30 s) unless --stall-timeout is given.
#
# Usage: Benchmarks/push-faults.sh [--rate RATE] [--size MIB] [--stall-timeout DURATION]
#                                  [--cases "healthy slow ..."] [COUNT]
#        (defaults: 25mbit, 100 MiB, 30s, every case, 16 hosts; healthy always runs first)
# Writes Benchmarks/results/push-faults-RATE-COUNT.md and prints it. Needs root and what
# scripts/install-deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/sandbox-hosts.sh

rate=25mbit
size_mib=100
stall=30s
cases="frozen link-down three-frozen corrupt slow"
count=16
while (($# > 0)); do
    case "$1" in
        --rate) rate=${2:?--rate needs a value}; shift 2 ;;
        --size) size_mib=${2:?--size needs a value}; shift 2 ;;
        --stall-timeout) stall=${2:?--stall-timeout needs a value}; shift 2 ;;
        --cases) cases=${2:?--cases needs a value}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) count=$1; shift ;;
    esac
done
[[ "$count" =~ ^[1-9][0-9]*$ ]] && ((count >= 11)) ||
    { echo "COUNT must be a number of hosts, at least 11 (hosts 3, 7 and 11 are faulted), not '$count'" >&2; exit 64; }

name=pushfaults
subnet=10.93
sandbox_dir=/run/swarmdeploy-sandbox-$name
results=Benchmarks/results/push-faults-$rate-$count.md

swift build -c release --product swarmdeploy >/dev/null
bin=$(swift build -c release --show-bin-path)
peer=$(scripts/build-peer.sh | tail -n 1)

work=$(mktemp -d /var/tmp/swarmdeploy-push-faults.XXXXXX)
cleanup() {
    for ns in $(ip netns list | awk -v n="$name-h" 'index($1, n) == 1 { print $1 }'); do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -CONT "$p" 2>/dev/null || true; done
    done
    scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fresh_sandbox "$name" "$subnet" "$count" "$rate" "$size_mib" "$work"
mkdir -p "$work/small" && echo warm >"$work/small/VERSION"

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }

push() {
    scripts/sandbox.sh controller --name "$name" -- "$bin/swarmdeploy" push "$1" to /srv/app \
        on "$sandbox_dir/hosts.txt" --identity "$sandbox_dir/id_ed25519" \
        --known-hosts "$sandbox_dir/known_hosts" --peer-binary "$peer" --link-rate "$rate" \
        --seed-grace 5s --json --max-failures 3 --stall-timeout "$stall"
}

peers_of() {
    local p
    for p in $(ip netns pids "$name-h$1"); do
        grep -q 'peer-' "/proc/$p/cmdline" 2>/dev/null && echo "$p"
    done
    return 0
}
freeze() { local h; for h in "$@"; do peers_of "$h" | xargs -r kill -STOP; done; }
thaw() { local h; for h in "$@"; do peers_of "$h" | xargs -r kill -CONT; done; }
link() { ip -n "$name-h$1" link set eth0 "$2"; }
# corrupting on|off: host 3's peer corrupts what it serves (read by its sshd at each login).
corrupting() {
    local script='rm -f /root/.ssh/environment'
    [[ "$1" == on ]] && script='echo SWARMDEPLOY_PEER_CORRUPT_UPLOADS=1 >/root/.ssh/environment'
    scripts/sandbox.sh host 3 --name "$name" -- sh -c "$script"
}
# bits RATE: "25mbit" to 25000000.
bits() {
    awk -v r="$1" 'BEGIN { n = r + 0; u = tolower(substr(r, length(n "") + 1, 1));
        printf "%d", n * (u == "k" ? 1e3 : u == "m" ? 1e6 : u == "g" ? 1e9 : 1) }'
}
# Both ends of host 3's link at RATE.
host_rate() { scripts/sandbox.sh link 3 --name "$name" --rate "$1" >/dev/null; }

# Every host caches the peer first. Uploading it to every host at once through the
# controller's shaped link can time out on some hosts (their SFTP writes wait on a TCP stall
# for longer than the SSH operation timeout); those are simply uploaded to again.
for attempt in 1 2 3 4; do
    if push "$work/small" >/dev/null 2>&1; then break; fi
    ((attempt < 4)) || { echo "cannot get the peer onto every host" >&2; exit 1; }
done
healthy_seconds=
healthy_last=

# faulted_lines CASE: the numbers of the hosts CASE strikes (h3 is the report's third host), as a JSON array.
faulted_lines() {
    case $1 in
        healthy) echo '[]' ;;
        three-frozen) echo '[3, 7, 11]' ;;
        *) echo '[3]' ;;
    esac
}

rows=()
# run CASE: one push, faulted as CASE says; adds its table row to `rows`.
run() {
    local case=$1 start end delay report=$work/$1.json fault_pid= h i
    # A peer cut off by the case before learns only now that its push is over: let it leave.
    for ((i = 0; i < 120; i++)); do
        [[ -z "$(for ((h = 1; h <= count; h++)); do peers_of "$h"; done)" ]] && break
        sleep 0.5
    done
    wipe_hosts "$name" "$count"
    find "$work/tree" -type f -exec cat {} + >/dev/null
    delay=$(calc "${healthy_seconds:-0} * 0.3")
    case $case in
        frozen) { sleep "$delay"; freeze 3; } & fault_pid=$! ;;
        link-down) { sleep "$delay"; link 3 down; } & fault_pid=$! ;;
        three-frozen) { sleep "$delay"; freeze 3 7 11; } & fault_pid=$! ;;
        slow) host_rate "$(($(bits "$rate") / 10))bit" ;;
        corrupt) corrupting on ;;
    esac
    start=$(now)
    local status=0
    push "$work/tree" >"$report" 2>"$work/$case.log" || status=$?
    end=$(now)
    [[ -z "$fault_pid" ]] || wait "$fault_pid" || true
    case $case in
        frozen) thaw 3 ;;
        link-down) link 3 up ;;
        three-frozen) thaw 3 7 11 ;;
        slow) host_rate "$rate" ;;
        corrupt) corrupting off ;;
    esac
    local wall last bad
    wall=$(calc "$end - $start")
    # The last install of a host no fault touched, from the push's start (its report's seconds).
    last=$(jq --argjson bad "$(faulted_lines "$case")" \
        '[.hosts | to_entries[] | select(.value.status == "succeeded" and ((.key + 1) as $h | $bad | index($h) | not))
            | .value.seconds] | max' "$report")
    bad=$(jq -r '[.hosts[] | (.name | sub("root@"; "") | sub(":22"; "")) as $n
        | (select(.status != "succeeded") | "\($n) \(.stage) \((.verified_fraction * 100) | floor) %: \(.error)"),
          (select(.banned_by | length > 0) | "\($n) \(.status), banned by \(.banned_by | length) hosts")] | join("; ")' "$report")
    [[ "$case" == healthy ]] && healthy_seconds=$wall && healthy_last=$last
    rows+=("$(printf '| %s | %s | %.1f (%.2f×) | %.1f | %.1f | %s |' "$case" "$status" "$last" \
        "$(calc "$last / $healthy_last")" "$wall" "$(calc "$wall - $last")" "${bad:--}")")
}

run healthy
for case in $cases; do
    [[ "$case" == healthy ]] || run "$case"
done

{
    echo "# One bad host among $count: $rate links, a $size_mib MiB tree, peer cached"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')),"
    echo "\`--stall-timeout $stall --max-failures 3\`. Faults strike host 3 (and 7, 11) at 30 % of the healthy push's time."
    echo
    echo "| case | exit | last install of the other hosts s (× healthy) | push exited s | after that install s | bad hosts (stage, verified, reason) |"
    echo "|---|---:|---:|---:|---:|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Reproduce: \`Benchmarks/push-faults.sh --rate $rate --size $size_mib --stall-timeout $stall $count\`"
} >"$results"
cat "$results"
