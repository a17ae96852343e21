#!/usr/bin/env bash
# A fleet push on the local sandbox: `swarmdeploy push` of a 100 MiB tree to N hosts next to
# two ways of doing the same job without it, and next to the ideal (one copy through one
# link: size / rate). Every machine's link, the controller's included, is shaped to --rate.
#
#   swarmdeploy   `swarmdeploy push TREE to /srv/app on HOSTS` from the controller, with the
#                 hosts' peer cache warm (the cold first push is reported apart).
#   parallel scp  one OpenSSH scp of the tarball per host, all at once, each followed by
#                 `ssh HOST tar -xf` into /srv/app.
#   libtorrent    python3-libtorrent: a seeder on the controller, opentracker as the tracker,
#                 and on every host, started over ssh at once, a downloader that saves to /srv,
#                 extracts into /srv/app when it has every piece and seeds on until all are done.
#
# All three move the same uncompressed tarball (the one `swarmdeploy pack` makes of the tree)
# and end with the tree in /srv/app on every host. See the results file for what each time
# includes. A sampler records how busy the machine's cores are during each run, to show
# whether the CPU, rather than the links, limited a contender.
#
# Besides the times, it shows where push's time goes (from its report's per-host timeline),
# how the links were used (a sampler reads every link's counters ten times a second), the
# CPU each peer spent per GiB it received next to a libtorrent peer's, and draws two
# pictures with gnuplot: time against N for every contender and the ideal, and one push's
# link throughput over time.
#
# Usage: Benchmarks/push-fleet.sh [--rate RATE] [--size MIB] [--repeats R] [--max-rate CAP]
#                                 [--piece-size SIZE] [--contenders LIST] [--out NAME] [COUNT ...]
#        (defaults: 100mbit, 100 MiB, 1 run, no cap, push's own piece size,
#        push,scp,libtorrent, counts 1 4 8 16; the median of R runs is reported). --max-rate
#        caps push (--max-rate) and libtorrent (its rate limits) and measures the ideal at the
#        cap; --piece-size is given to push and to the torrent libtorrent uses; LIST names the
#        contenders to run.
# Writes Benchmarks/results/push-fleet[-RATE][-capCAP][-pieceSIZE].md (or NAME.md) and its
# pictures, and prints it.
# Needs root and what scripts/install-deps.sh installs (python3-libtorrent, opentracker, gnuplot).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/sandbox-hosts.sh

rate=100mbit
size_mib=100
repeats=1
max_rate=
piece_size=
contenders=push,scp,libtorrent
out=
counts=()
while (($# > 0)); do
    case "$1" in
        --rate) rate=${2:?--rate needs a value}; shift 2 ;;
        --size) size_mib=${2:?--size needs a value}; shift 2 ;;
        --repeats) repeats=${2:?--repeats needs a value}; shift 2 ;;
        --max-rate) max_rate=${2:?--max-rate needs a value}; shift 2 ;;
        --piece-size) piece_size=${2:?--piece-size needs a value}; shift 2 ;;
        --contenders) contenders=${2:?--contenders needs a value}; shift 2 ;;
        --out) out=${2:?--out needs a value}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) counts+=("$1"); shift ;;
    esac
done
((${#counts[@]} > 0)) || counts=(1 4 8 16)
max=0
for count in "${counts[@]}"; do ((count > max)) && max=$count; done

python=/usr/bin/python3 # Debian's python3-libtorrent is built for this interpreter only.
for tool in /usr/bin/opentracker /usr/bin/scp /usr/bin/ssh /usr/bin/jq /usr/bin/gnuplot; do
    [[ -x "$tool" ]] || { echo "missing $tool (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
runs_contender() { [[ ",$contenders," == *",$1,"* ]]; }
"$python" -c 'import libtorrent' 2>/dev/null || { echo "missing python3-libtorrent for $python" >&2; exit 1; }

name=pushfleet
subnet=10.93
sandbox_dir=/run/swarmdeploy-sandbox-$name
controller=$subnet.0.1
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
stem=Benchmarks/results/push-fleet
[[ "$rate" == 100mbit ]] || stem=$stem-$rate
[[ -z "$max_rate" ]] || stem=$stem-cap$max_rate
[[ -z "$piece_size" ]] || stem=$stem-piece$piece_size
[[ -z "$out" ]] || stem=Benchmarks/results/$out
results=$stem.md

swift build -c release --product swarmdeploy >/dev/null
bin=$(swift build -c release --show-bin-path)
peer=$(scripts/build-peer.sh | tail -n 1)

work=$(mktemp -d /var/tmp/swarmdeploy-push-fleet.XXXXXX)
sampler_pid=
# The benchmark's own CPU time, apart from whatever else runs on the machine: this script
# moves itself into a cpuacct cgroup (v1) of its own, which everything it starts inherits,
# the sandbox's sshd and every session and peer they run included.
cgroup=/sys/fs/cgroup/cpuacct/swarmdeploy-push-fleet-$$
if mkdir "$cgroup" 2>/dev/null && echo $$ >"$cgroup/cgroup.procs" 2>/dev/null; then
    own_cpu() { awk '{ printf "%.3f\n", $1 / 1e9 }' "$cgroup/cpuacct.usage"; }
else
    rmdir "$cgroup" 2>/dev/null || true
    cgroup=
    own_cpu() { echo 0; }
fi
link_sampler_pid=
cleanup() {
    [[ -z "$sampler_pid" ]] || kill "$sampler_pid" 2>/dev/null || true
    [[ -z "$link_sampler_pid" ]] || kill "$link_sampler_pid" 2>/dev/null || true
    # Stops everything started in the sandbox's namespaces: sshd sessions, peers, the
    # libtorrent seeder and opentracker.
    scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
    rm -rf "$work"
    if [[ -n "$cgroup" ]]; then
        echo $$ >"${cgroup%/*}/cgroup.procs" 2>/dev/null || true
        rmdir "$cgroup" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Arithmetic on decimals without bc.
calc() { awk "BEGIN { print $* }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }

# --- the sandbox, the tree, the tarball and the torrent
scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
# /srv holds the tarball, the extracted tree and what a contender keeps beside them.
scripts/sandbox.sh up "$max" --name "$name" --subnet "$subnet" --rate "$rate" \
    --disk $((size_mib * 3 + 200))m >/dev/null
rate_bits=$(bits_per_second "$rate")
# The rate a host may use: the links', or the cap where lower.
use_bits=$rate_bits
[[ -z "$max_rate" ]] || use_bits=$(( $(bits_per_second "$max_rate") < rate_bits ? $(bits_per_second "$max_rate") : rate_bits ))
# Every link's counters, from the bridge's namespace, for the whole benchmark.
ip netns exec "$name-net" python3 Benchmarks/tools/link-sampler.py "$work/links.log" &
link_sampler_pid=$!
mapfile -t addresses < <(awk '/^root@/ { sub(/^root@/, "", $1); print $1 }' "$sandbox_dir/hosts.txt")
for count in "${counts[@]}"; do
    { echo "# the first $count hosts"; grep '^root@' "$sandbox_dir/hosts.txt" | head -n "$count"; } \
        >"$work/hosts-$count.txt"
done

ctl() { scripts/sandbox.sh controller --name "$name" -- "$@"; }
ssh_options=(-F /dev/null -i "$sandbox_dir/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes
    -o UserKnownHostsFile="$sandbox_dir/known_hosts" -o StrictHostKeyChecking=yes)

"$python" Benchmarks/generate-tree.py "$work/tree" "$size_mib"
# Packing is untimed for the alternatives (push packs as part of its own time); its time is
# reported on its own.
chmod 755 "$work"
# The alternatives get the torrent push would make (its piece size too); the dry run contacts nothing.
piece_length=$("$bin/swarmdeploy" push "$work/tree" to /srv/app on "$work/hosts-$max.txt" --listen "$controller" \
    --dry-run --json ${piece_size:+--piece-size "$piece_size"} | jq -r .torrent.piece_length)
pack_start=$(now)
"$bin/swarmdeploy" pack "$work/tree" -o "$work/release" --piece-size "$piece_length" \
    --tracker "http://$controller:6969/announce" >/dev/null
pack_seconds=$(calc "$(now) - $pack_start")
archive_bytes=$(stat -c %s "$work/release.tar")
ideal=$(calc "$archive_bytes * 8 / $use_bits")
info_hash=$("$python" -c 'import sys, libtorrent; print(libtorrent.torrent_info(sys.argv[1]).info_hash())' \
    "$work/release.torrent")

# Empties every host's /srv between runs.
wipe() { wipe_hosts "$name" "$max"; }

# Core use: one line per half second, "UNIX-TIME BUSY-FRACTION STEAL-FRACTION" over both
# cores. Steal is time a hypervisor gave this virtual machine's cores to others: counted as
# busy (the benchmark could not use it), and reported on its own.
"$python" Benchmarks/tools/cpu-sampler.py "$work/cpu.log" &
sampler_pid=$!
# cpu_between START END OWN0 OWN1: "OWN-CORES MEAN-BUSY% PEAK-BUSY% MEAN-STEAL%": the cores
# the benchmark itself kept busy on average, the machine's busy share (all load) in that
# window, and the share the hypervisor stole.
cpu_between() {
    awk -v a="$1" -v b="$2" -v own="$(calc "($4 - $3) / ($2 - $1)")" \
        '$1 >= a && $1 <= b + 0.5 { s += $2; st += $3; n++; if ($2 > m) m = $2 }
        END { if (n) printf "%.2f %d %d %d\n", own, 100 * s / n, 100 * m, 100 * st / n; else printf "%.2f - - -\n", own }' "$work/cpu.log"
}

# --- swarmdeploy
push() {
    local hosts=$1
    shift
    ctl "$bin/swarmdeploy" push "$work/tree" to /srv/app on "$hosts" \
        --identity "$sandbox_dir/id_ed25519" --known-hosts "$sandbox_dir/known_hosts" \
        --peer-binary "$peer" --link-rate "$rate" --seed-grace 5s --json ${max_rate:+--max-rate "$max_rate"} \
        --piece-size "$piece_length" "$@"
}

# push_failure BASE: what push said, and each failed host's stage and error from its report.
push_failure() {
    cat "$1.log" >&2
    jq -r '.hosts[] | select(.status != "succeeded") | "\(.name): \(.stage): \(.error)"' "$1.json" >&2 || true
}

# The cold push: every host receives the peer binary first. It also warms the cache.
wipe
cold_start=$(now)
push "$work/hosts-$max.txt" >"$work/push-cold.json" 2>"$work/push-cold.log" ||
    { echo "the cold push failed" >&2; push_failure "$work/push-cold"; exit 1; }
cold_seconds=$(calc "$(now) - $cold_start")
cold_uploads=$(jq '[.hosts[] | select(.peer_binary == "uploaded")] | length' "$work/push-cold.json")

# warm: read the inputs once, untimed, so that every run starts with them in the page cache,
# as just after a build (the kernel may have evicted them during the other contenders' runs).
warm() {
    find "$work/tree" -type f -exec cat {} + >/dev/null
    cat "$work/release.tar" "$bin/swarmdeploy" "$peer" >/dev/null
}

# run_push COUNT RUN: prints wall seconds; keeps the JSON report.
run_push() {
    local start report=$work/push-$1-$2.json
    wipe
    warm
    start=$(now)
    push "$work/hosts-$1.txt" >"$report" 2>"$work/push-$1-$2.log" ||
        { echo "push to $1 hosts failed" >&2; push_failure "$work/push-$1-$2"; exit 1; }
    echo "$start $(now)" >"$work/push-$1-$2.window"
    calc "$(now) - $start"
}

# --- parallel scp: runs inside the controller's namespace.

run_scp() {
    local start
    wipe
    warm
    start=$(now)
    ctl bash "$PWD/Benchmarks/tools/scp-all.sh" "$work/hosts-$1.txt" "$work/release.tar" "${ssh_options[@]}" ||
        { echo "parallel scp to $1 hosts failed" >&2; exit 1; }
    calc "$(now) - $start"
}

# --- libtorrent: one script for the seeder and the host downloaders.
# The hosts read it from the work directory: their /root and /srv are their own.
cp Benchmarks/tools/libtorrent-peer.py "$work/lt.py"
chmod 644 "$work/lt.py" "$work/release.torrent"

# The tracker and the seeder stay up for all libtorrent runs.
mkdir -p "$work/jail" "$work/lt-seed"
echo "$info_hash" >"$work/jail/whitelist"
chmod 755 "$work/jail"
chmod 644 "$work/jail/whitelist"
ctl /usr/bin/opentracker -i "$controller" -p 6969 -d "$work/jail" -u nobody -w whitelist \
    >"$work/opentracker.log" 2>&1 &
cp "$work/release.tar" "$work/lt-seed/"
# libtorrent's rate limits count payload bytes; push's cap counts the wire: the cap less 5 %.
lt_cap=
[[ -z "$max_rate" ]] || lt_cap=$(calc "int($use_bits / 8 * 0.95)")
if runs_contender libtorrent; then
ctl "$python" "$work/lt.py" seed "$work/release.torrent" "$work/lt-seed" "$controller" $lt_cap \
    >"$work/lt-seed.log" 2>&1 &
for _ in $(seq 1 600); do grep -q ready "$work/lt-seed.log" && break; sleep 0.1; done
grep -q ready "$work/lt-seed.log" || { echo "libtorrent seeder never got ready:" >&2; cat "$work/lt-seed.log" >&2; exit 1; }
fi

# run_libtorrent COUNT RUN: prints seconds from launch to the last host's extracted tree.
run_libtorrent() {
    local start end pid pids=() i marks=$work/lt-$1-$2
    wipe
    warm
    mkdir -p "$marks"
    start=$(now)
    for ((i = 0; i < $1; i++)); do
        ctl ssh "${ssh_options[@]}" "root@${addresses[i]}" \
            "exec $python $work/lt.py peer $work/release.torrent /srv/lt 0.0.0.0 /srv/app $marks/h$((i + 1)) $marks/stop $lt_cap" \
            >"$marks/h$((i + 1)).log" 2>&1 &
        pids+=($!)
    done
    for _ in $(seq 1 9000); do
        (($(find "$marks" -name 'h*' ! -name '*.*' | wc -l) == $1)) && break
        sleep 0.1
    done
    touch "$marks/stop"
    for pid in "${pids[@]}"; do wait "$pid" || { echo "libtorrent on $1 hosts failed:" >&2; cat "$marks"/*.log >&2; exit 1; }; done
    end=$(for ((i = 1; i <= $1; i++)); do cat "$marks/h$i"; done | sort -g | tail -n 1)
    # CPU seconds per GiB received, all peers together.
    cat "$marks"/h*.cpu | awk '{ cpu += $1; bytes += $2 } END { printf "%.3f\n", bytes ? cpu / (bytes / 2^30) : 0 }' \
        >"$work/lt-$1-$2.cpu"
    calc "$end - $start"
}

# --- the runs; the contenders take turns so drift in machine load hits all alike.
rows=() breakdowns=() links=() lt_gib=() last_series=
for count in "${counts[@]}"; do
    ours=() scps=() lts=() ours_cpu=() scp_cpu=() lt_cpu=() lt_per_gib=()
    for run in $(seq 1 "$repeats"); do
        start=$(now) own=$(own_cpu); ours+=("$(run_push "$count" "$run")")
        ours_cpu+=("$(cpu_between "$start" "$(now)" "$own" "$(own_cpu)")")
        if runs_contender scp; then
            start=$(now) own=$(own_cpu); scps+=("$(run_scp "$count")")
            scp_cpu+=("$(cpu_between "$start" "$(now)" "$own" "$(own_cpu)")")
        else
            scps+=(0) scp_cpu+=("- - - -")
        fi
        if runs_contender libtorrent; then
            start=$(now) own=$(own_cpu); lts+=("$(run_libtorrent "$count" "$run")")
            lt_cpu+=("$(cpu_between "$start" "$(now)" "$own" "$(own_cpu)")")
            lt_per_gib+=("$(cat "$work/lt-$count-$run.cpu")")
        else
            lts+=(0) lt_cpu+=("- - - -") lt_per_gib+=(0)
        fi
    done
    echo "$count hosts: swarmdeploy ${ours[*]} (cpu ${ours_cpu[*]}); scp ${scps[*]} (cpu ${scp_cpu[*]});" \
        "libtorrent ${lts[*]} (cpu ${lt_cpu[*]})" >&2
    # The swarmdeploy report of the median run.
    best=1
    for run in $(seq 1 "$repeats"); do
        [[ "${ours[run - 1]}" == "$(median "${ours[@]}")" ]] && best=$run
    done
    report=$work/push-$count-$best.json
    summary=$(jq -r '[.totals.transfer_seconds, .totals.seeder_copies,
        ([.hosts[].bytes_duplicate] | add), ([.hosts[].bytes_from_seeder] | max),
        ([.hosts[].bytes_from_seeder] | min)] | map(tostring) | join(" ")' "$report")
    row="$count $(median "${ours[@]}") $(median "${scps[@]}") $(median "${lts[@]}") $summary"
    # Every run's push time, slowest first, so the table shows the spread as well as the median.
    runs=$(printf '%.1f\n' "${ours[@]}" | sort -gr | paste -sd, -)
    rows+=("$row ${ours_cpu[best - 1]} ${scp_cpu[0]} ${lt_cpu[0]} $runs")
    # Where the median push's time went, how its links were used, and CPU per GiB.
    read -r window_start window_end <"$work/push-$count-$best.window"
    breakdowns+=("$count $(python3 Benchmarks/tools/push-breakdown.py "$report")")
    links+=("$count $(python3 Benchmarks/tools/link-report.py "$work/links.log" "$window_start" "$window_end" \
        "$use_bits" "$work/links-$count.dat")")
    lt_gib+=("$count $(median "${lt_per_gib[@]}")")
    last_series=$work/links-$count.dat
done

# --- the results
mkdir -p Benchmarks/results
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
lt_version=$("$python" -c 'import libtorrent; print(libtorrent.__version__)')
openssh=$(ssh -V 2>&1 | cut -d, -f1)
eff() { printf '%.2f' "$(calc "$ideal / $1")"; }
# cell SECONDS: "S (EFF)", or a dash for a contender not run.
cell() { if [[ "$1" == 0 ]]; then echo "–"; else echo "$(printf %.1f "$1") ($(eff "$1"))"; fi; }
word() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
# The pictures: time against N, and the largest N's push links over time.
picture_time=$stem-time.svg
picture_links=$stem-links.svg
for row in "${rows[@]}"; do
    read -r count ours scp lt _ <<<"$row"
    echo "$count $ideal $ours $scp $lt"
done >"$work/times.dat"
gnuplot <<PLOT
set terminal svg size 720,420 dynamic font 'sans,12'
set output '$picture_time'
set title 'Push a ${size_mib} MiB tree to N hosts, ${max_rate:-$rate} links'
set xlabel 'hosts (N)'
set ylabel 'seconds'
set key top left
set grid
set logscale x 2
set yrange [0:*]
plot '$work/times.dat' using 1:2 with lines dashtype 2 lw 2 title 'ideal (one copy through one link)', \
     '' using 1:3 with linespoints lw 2 pt 7 title 'swarmdeploy push'$(
    runs_contender libtorrent && echo ", '' using 1:5 with linespoints lw 2 pt 5 title 'libtorrent swarm'")$(
    runs_contender scp && echo ", '' using 1:4 with linespoints lw 2 pt 9 title 'parallel scp'")
PLOT
gnuplot <<PLOT
set terminal svg size 720,420 dynamic font 'sans,12'
set output '$picture_links'
set title 'One push to ${counts[-1]} hosts: what the links carried (half-second means)'
set xlabel 'seconds since the command started'
set ylabel 'Mbit/s'
set key bottom center
set grid
set yrange [0:$(calc "$rate_bits / 1e6 * 1.1")]
plot '$last_series' using 1:2 with steps lw 2 title 'controller upload', \
     '' using 1:3 with steps lw 2 title 'hosts download (mean)', \
     '' using 1:4 with steps lw 2 title 'hosts upload (mean)', \
     $(calc "$use_bits / 1e6") with lines dashtype 2 title '$( [[ -n "$max_rate" ]] && echo "cap" || echo "link rate")'
PLOT
mib() { printf '%.1f' "$(calc "$1 / 1048576")"; }
{
    echo "# Push to a fleet: swarmdeploy next to parallel scp and a libtorrent swarm"
    echo
    echo "A $size_mib MiB tree ($(mib "$archive_bytes") MiB as an uncompressed tarball; 70 % random"
    echo "bytes in large files, 30 % small text files, from \`generate-tree.py\`) to N hosts of the local"
    echo "sandbox (\`scripts/sandbox.sh\`): network namespaces on one machine, every machine's link,"
    echo "the controller's included, shaped to $rate each way. Machine: $(nproc) cores, $cpu_model"
    echo "(load average before the run: $load_before)."
    echo "libtorrent $lt_version, $openssh. $repeats run(s) per cell$( ((repeats > 1)) && echo ", median")."
    echo
    echo "| N | ideal s | swarmdeploy s (eff) | parallel scp s (eff) | libtorrent s (eff) | notes |"
    echo "|---:|---:|---:|---:|---:|---|"
    for row in "${rows[@]}"; do
        read -r count ours scp lt transfer _ <<<"$row"
        runs=${row##* }
        spread=
        ((repeats > 1)) && spread="; push runs ${runs//,/, } s (slowest $(eff "${runs%%,*}"))"
        echo "| $count | $(printf %.1f "$ideal") | $(cell "$ours")" \
            "| $(cell "$scp") | $(cell "$lt")" \
            "| push's own transfer time $(printf %.1f "$transfer") s ($(eff "$transfer"))$spread |"
    done
    echo
    echo "Inside the push (its JSON report) and the machine's cores during each run:"
    echo
    echo "| N | seeder sent (copies) | from seeder per host, MiB | duplicate MiB, all hosts | cores used / machine busy mean, peak (steal): push | scp | libtorrent |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    for row in "${rows[@]}"; do
        read -r count _ _ _ _ copies duplicate seeder_max seeder_min \
            ours_own ours_mean ours_peak ours_steal scp_own scp_mean scp_peak scp_steal \
            lt_own lt_mean lt_peak lt_steal _ <<<"$row"
        echo "| $count | $(printf %.2f "$copies") | $(mib "$seeder_min")–$(mib "$seeder_max") | $(mib "$duplicate")" \
            "| $ours_own / $ours_mean %, $ours_peak % ($ours_steal %) | $scp_own / $scp_mean %, $scp_peak % ($scp_steal %)" \
            "| $lt_own / $lt_mean %, $lt_peak % ($lt_steal %) |"
    done
    echo
    echo "Where push's time went (the median run's report; seconds since the command started):"
    echo
    echo "| N | packed | last host connected | last peer in the swarm | first / median / last host holds every piece | most from that to installed | last installed | command ended | controller sent (copies) | duplicate MiB |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for breakdown in "${breakdowns[@]}"; do
        read -r count words <<<"$breakdown"
        f() { printf "%.${2:-1}f" "$(word "$1" "$words")"; }
        echo "| $count | $(f prepared) | $(f connected) | $(f started) | $(f downloaded_first) / $(f downloaded_median) / $(f downloaded_last)" \
            "| $(f install_lag 2) | $(f installed) | $(f wall) | $(f copies 3) | $(f duplicate_mib) |"
    done
    echo
    echo "The links during that run (every link's kernel counters, headers included, sampled ten"
    echo "times a second), and the CPU each peer spent per GiB it received (user + system, the"
    echo "peer's own accounting: receiving, hashing, writing, extracting, serving):"
    echo
    echo "| N | busiest link in any second, Mbit/s | controller uplink: mean use, s under 50 %, s idle | push CPU s / GiB | libtorrent CPU s / GiB |"
    echo "|---:|---:|---:|---:|---:|"
    for i in "${!links[@]}"; do
        read -r count words <<<"${links[i]}"
        read -r _ breakdown <<<"${breakdowns[i]}"
        read -r _ lt_per <<<"${lt_gib[i]}"
        echo "| $count | $(word peak_mbit "$words") ($(word peak_link "$words"))" \
            "| $(printf %.0f "$(calc "$(word controller_mean "$words") * 100")") %, $(word controller_half_s "$words") s, $(word controller_idle_s "$words") s" \
            "| $(printf %.2f "$(word cpu_per_gib "$breakdown")") | $( [[ "$lt_per" == 0 ]] && echo "–" || printf %.2f "$lt_per") |"
    done
    echo
    echo "![time against N]($(basename "$picture_time"))"
    echo
    echo "![one push's links over time]($(basename "$picture_links"))"
    echo
    if [[ -n "$max_rate" ]]; then
        echo "Capped: \`--max-rate $max_rate\` for push; libtorrent's upload and download rate limits at"
        echo "$lt_cap bytes/s of payload (the cap less 5 % for headers) on every peer and its seeder."
        echo "The ideal is taken at the cap."
        echo
    fi
    echo "Efficiency = ideal / time; ideal = tarball bytes × 8 / ${max_rate:-$rate}, one copy through one link"
    echo "(the controller's or a host's). TCP/IP and Ethernet headers take about 4 % of the shaped"
    echo "rate, so 0.96 is the most any contender can reach."
    echo
    echo "What each time includes:"
    echo
    echo "Before every run the hosts' /srv is emptied and the inputs (tree, tarball, binaries) are read"
    echo "once, untimed, so each run starts with them in the page cache, as just after a build."
    echo
    echo "- **swarmdeploy**: the wall clock of \`swarmdeploy push\` run on the controller: packing and"
    echo "  hashing the tree ($(printf %.1f "$pack_seconds") s on its own with \`swarmdeploy pack\`), SSH to"
    echo "  every host, starting the peers (binary already cached on the hosts), the swarm, extraction"
    echo "  and the atomic switch of /srv/app, until the last host reports. \`--seed-grace 5s\` does not"
    echo "  add to it: peers stop as soon as every host is done. \"push transfer\" is push's own"
    echo "  \`transfer_seconds\`, first peer start to last host installed."
    echo "- **parallel scp**: for every host at once, OpenSSH \`scp\` of the tarball to /srv, then"
    echo "  \`ssh HOST tar -xf\` into /srv/app; until the last host is done. The tarball and torrent"
    echo "  were made beforehand and are not in the time (nor in libtorrent's)."
    echo "- **libtorrent**: a python3-libtorrent seeder on the controller and opentracker, both"
    echo "  started and announced beforehand (not timed); the time runs from launching, over ssh and"
    echo "  all at once, a libtorrent downloader on every host until the last host has every piece"
    echo "  verified and the tarball extracted into /srv/app. Finished hosts seed on until all are done."
    echo "  Settings: DHT, LSD, UPnP and NAT-PMP off, TCP only (no uTP, which yields to other"
    echo "  traffic), no rate limits; choking, piece picking, connection limits and unchoke slots"
    echo "  (8) at libtorrent's defaults; super-seeding off. Same torrent as push's ($((piece_length / 1024)) KiB pieces)."
    echo
    echo "The cold first push to all $max hosts, which uploads the $(mib "$(stat -c %s "$peer")") MiB peer"
    echo "binary to each ($cold_uploads uploaded), took $(printf %.1f "$cold_seconds") s;" \
        "the table's pushes found it cached."
    echo
    echo "Cores used: the CPU seconds of everything the benchmark started (controller tools, every"
    echo "host's sshd sessions, peers, tar), from a cpuacct cgroup, over the run's wall time; out of"
    echo "$(nproc). Machine busy: the share of all cores in use, other load on the machine included,"
    echo "mean and peak of half-second samples. Kernel work in softirq context (the shaped veths and"
    echo "the bridge) is in the second figure only. Near 100 % the cores, not the links, set the pace."
    echo "Steal: the mean share of the cores a hypervisor gave to other machines (counted as busy)."
    echo
    echo "Reproduce: \`Benchmarks/push-fleet.sh --rate $rate --size $size_mib --repeats $repeats${max_rate:+ --max-rate $max_rate}${piece_size:+ --piece-size $piece_size} --contenders $contenders${out:+ --out $out} ${counts[*]}\`"
} >"$results"
cat "$results"
