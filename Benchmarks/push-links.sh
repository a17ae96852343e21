#!/usr/bin/env bash
# Where a fleet push's time goes: every machine's link, sampled ten times a second during
# one `swarmdeploy push` to N sandbox hosts, next to the push's own report.
#
# At the ideal, the seeder's link carries one copy of the payload and nothing else for the
# whole push, and every host's download keeps pace with it. This shows how close a push
# comes: how long the seeder's link was busy and how full, how far the hosts trailed it
# (what the seeder had sent so far next to what the hosts had received), how much of what
# the machines sent never arrived (dropped at a full download queue of the bridge, to be
# sent again), and the hosts' TCP retransmissions and timeouts.
#
# Usage: Benchmarks/push-links.sh [--rate RATE] [--size MIB] [COUNT]
#        (defaults: 50mbit, 100 MiB, 16 hosts)
# Writes Benchmarks/results/push-links-RATE-COUNT.md and prints it. Needs root and what
# scripts/install-deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/sandbox-hosts.sh

rate=50mbit
size_mib=100
count=16
while (($# > 0)); do
    case "$1" in
        --rate) rate=${2:?--rate needs a value}; shift 2 ;;
        --size) size_mib=${2:?--size needs a value}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) count=$1; shift ;;
    esac
done
[[ "$count" =~ ^[1-9][0-9]*$ ]] || { echo "COUNT must be a positive number of hosts, not '$count'" >&2; exit 64; }

name=pushlinks
subnet=10.92
sandbox_dir=/run/swarmdeploy-sandbox-$name
results=Benchmarks/results/push-links-$rate-$count.md
python=/usr/bin/python3

swift build -c release --product swarmdeploy >/dev/null
bin=$(swift build -c release --show-bin-path)
peer=$(scripts/build-peer.sh | tail -n 1)

work=$(mktemp -d /var/tmp/swarmdeploy-push-links.XXXXXX)
sampler_pid=
cleanup() {
    [[ -z "$sampler_pid" ]] || kill "$sampler_pid" 2>/dev/null || true
    scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fresh_sandbox "$name" "$subnet" "$count" "$rate" "$size_mib" "$work"

push() {
    scripts/sandbox.sh controller --name "$name" -- "$bin/swarmdeploy" push "$work/tree" to /srv/app \
        on "$sandbox_dir/hosts.txt" --identity "$sandbox_dir/id_ed25519" \
        --known-hosts "$sandbox_dir/known_hosts" --peer-binary "$peer" --link-rate "$rate" \
        --seed-grace 5s --json
}
# tcp_counters: the hosts' TCP counters, summed ("NAME VALUE" lines).
tcp_counters() {
    local i
    for ((i = 1; i <= count; i++)); do
        ip netns exec "$name-h$i" nstat -asz 2>/dev/null
    done | awk '$1 ~ /^Tcp/ { sum[$1] += $2 } END { for (k in sum) print k, sum[k] }' | sort
}

# The first push uploads the peer binary to every host; the measured one finds it cached.
push >"$work/cold.json" 2>"$work/cold.log" || { cat "$work/cold.log" >&2; echo "the first push failed" >&2; exit 1; }
wipe_hosts "$name" "$count"
tcp_counters >"$work/tcp-before"

# One line per sample, "TIME" then "SENT RECEIVED" per machine, the controller first: the
# bridge's end of a machine's veth receives what the machine sends and sends what it
# receives. Read inside the bridge's namespace, without a process per sample beyond sleep.
ports="ctl$(for ((i = 1; i <= count; i++)); do printf ' h%d' "$i"; done)"
ip netns exec "$name-net" bash -c '
    stop=$1; shift
    while [[ ! -e $stop ]]; do
        line=$EPOCHREALTIME
        for port in "$@"; do
            read -r sent <"/sys/class/net/$port/statistics/rx_bytes"
            read -r received <"/sys/class/net/$port/statistics/tx_bytes"
            line+=" $sent $received"
        done
        echo "$line"
        sleep 0.1
    done' sampler "$work/stop" $ports >"$work/links.log" &
sampler_pid=$!
sleep 0.5
push >"$work/push.json" 2>"$work/push.log" || { cat "$work/push.log" >&2; echo "the push failed" >&2; exit 1; }
sleep 0.5
touch "$work/stop"
wait "$sampler_pid" || true
sampler_pid=
tcp_counters >"$work/tcp-after"

mkdir -p Benchmarks/results
"$python" - "$work" "$rate" "$count" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
    >"$results" <<'PY'
import json, sys
work, rate, count, cores, cpu = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
report = json.load(open(f'{work}/push.json'))
totals = report['totals']
line_bits = totals['link_rate_bits_per_second']
rows = [[float(v) for v in line.split()] for line in open(f'{work}/links.log') if line.strip()]
machines = count + 1
sent = lambda row, m: row[1 + 2 * m]      # m = 0: the controller (seeder); 1...count: hosts
received = lambda row, m: row[2 + 2 * m]
first = rows[0]

def rate_between(a, b, column, m):
    return (column(b, m) - column(a, m)) * 8 / (b[0] - a[0])

# The seeder's link is busy from the first to the last sample in which it sends more than
# a tenth of the line rate.
busy = [i for i in range(1, len(rows)) if rate_between(rows[i - 1], rows[i], sent, 0) > line_bits / 10]
start, end = rows[busy[0] - 1], rows[busy[-1]]
seeder_bytes = sent(end, 0) - sent(start, 0)
busy_seconds = end[0] - start[0]

def mbit(bits_per_second):
    return f'{bits_per_second / 1e6:.1f}'

print(f'# Where a push\'s time goes: {count} hosts at {rate}')
print()
print(f'`swarmdeploy push` of a {totals["archive_bytes"] / 1048576:.1f} MiB tarball to {count} sandbox hosts, every')
print(f'link shaped to {rate}, the peer binary cached. Machine: {cores} cores, {cpu}.')
print(f'Ideal {totals["ideal_seconds"]:.1f} s; the push took {totals["wall_seconds"]:.1f} s'
      f' ({totals["ideal_seconds"] / totals["wall_seconds"]:.2f}), its transfer'
      f' {totals["transfer_seconds"]:.1f} s ({totals["efficiency"]:.2f}).')
print()
print(f'- The seeder\'s link was busy for {busy_seconds:.1f} s and carried {seeder_bytes / 1e6:.1f} MB, headers included'
      f' ({seeder_bytes * 8 / busy_seconds / line_bits * 100:.0f} % of the line over that time;'
      f' {totals["seeder_copies"]:.3f} copies of the payload by the push\'s count).')
into = sum(sent(end, m) - sent(start, m) for m in range(machines))
out = sum(received(end, m) - received(start, m) for m in range(machines))
print(f'- All machines sent {into / 1e6:.0f} MB into the bridge and {out / 1e6:.0f} MB came out: '
      f'{(into - out) / into * 100:.1f} % was dropped at full download queues and sent again.')
before = dict(line.split() for line in open(f'{work}/tcp-before'))
after = dict(line.split() for line in open(f'{work}/tcp-after'))
delta = lambda key: int(after.get(key, 0)) - int(before.get(key, 0))
print(f'- The hosts\' TCP: {delta("TcpOutSegs")} segments sent, {delta("TcpRetransSegs")} retransmissions'
      f' ({delta("TcpExtTCPRetransFail")} of them refused by the host\'s own full link queue and tried again),'
      f' {delta("TcpExtTCPTimeouts")} retransmission timeouts.')
print()
print('Each second: what the seeder and the hosts sent and received (Mbit/s, headers included), and')
print('how much the seeder and the hosts had sent and received so far (MB). A host receives from')
print('the seeder and from the other hosts, plus the acknowledgements of what it sends (about 2 %')
print('of its download); it keeps pace with the seeder when its total grows as fast.')
print()
print('| s | seeder sent | hosts sent, mean (min) | hosts received, mean (min) | seeder sent so far | hosts received so far, mean (min) |')
print('|---:|---:|---:|---:|---:|---:|')
# Until the last sample in which any host still received a tenth of the line rate.
active = [i for i in range(1, len(rows))
          if max(rate_between(rows[i - 1], rows[i], received, m) for m in range(1, machines)) > line_bits / 10]
last = rows[active[-1]] if active else end
marks = [rows.index(start)]
for i in range(marks[0] + 1, len(rows)):
    if rows[i][0] - rows[marks[-1]][0] >= 1 or rows[i] is last:
        marks.append(i)
    if rows[i] is last:
        break
for a, b in zip(marks, marks[1:]):
    a, b = rows[a], rows[b]
    up = [rate_between(a, b, sent, m) for m in range(1, machines)]
    down = [rate_between(a, b, received, m) for m in range(1, machines)]
    got = [(received(b, m) - received(start, m)) / 1e6 for m in range(1, machines)]
    print(f'| {b[0] - start[0]:.1f} | {mbit(rate_between(a, b, sent, 0))} | {mbit(sum(up) / count)} ({mbit(min(up))})'
          f' | {mbit(sum(down) / count)} ({mbit(min(down))}) | {(sent(b, 0) - sent(start, 0)) / 1e6:.1f}'
          f' | {sum(got) / count:.1f} ({min(got):.1f}) |')
print()
print(f'Reproduce: `Benchmarks/push-links.sh --rate {rate} {count}`')
PY
cat "$results"
