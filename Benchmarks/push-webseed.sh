#!/usr/bin/env bash
# Seeding from where the artifact already is: a release packed once (as a CI build job
# would), its tarball on an HTTP server (nginx) on a machine of its own, pushed with
# `push --torrent` and a web seed from a controller on a slow link (a CI runner), next to
# today's push of the same tree from a controller whose link is as fast as the hosts'.
#
#   push      `swarmdeploy push TREE to /srv/app on HOSTS`; the controller's link at --rate.
#   webseed   `swarmdeploy push --torrent release.torrent to /srv/app on HOSTS` of the same tree
#             packed with `pack --web-seed URL`; the controller's link at --controller-rate.
#             Its seeder stands by for hosts the web seed leaves without.
#   webonly   the same with --no-local-seed: the controller seeds nothing at all.
#
# Hosts h1..hN are the push's; h(N+1) runs nginx serving the tarball, its link at --rate.
# Every run starts warm (the hosts' peer cache filled, the inputs in the page cache) with
# every host's /srv emptied; the contenders take turns, so drift in the machine's load hits
# all alike. Times are the whole command's, as a user waits for it; the report of each run
# gives what the controller and the web server sent (nginx's access log confirms the latter).
#
# Usage: Benchmarks/push-webseed.sh [--rate RATE] [--controller-rate RATE] [--size MIB]
#                                   [--hosts N] [--repeats R] [--contenders LIST] [--out NAME]
#        (defaults: 25mbit, 5mbit, 100 MiB, 16 hosts, 3 runs, push,webseed,webonly).
# Writes Benchmarks/results/push-webseed-RATE-NHOSTS.md (or NAME.md) and prints it.
# Needs root and what scripts/install-deps.sh installs (nginx-light, jq).
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/sandbox-hosts.sh

rate=25mbit
controller_rate=5mbit
size_mib=100
hosts=16
repeats=3
contenders=push,webseed,webonly
out=
while (($# > 0)); do
    case "$1" in
        --rate) rate=${2:?--rate needs a value}; shift 2 ;;
        --controller-rate) controller_rate=${2:?--controller-rate needs a value}; shift 2 ;;
        --size) size_mib=${2:?--size needs a value}; shift 2 ;;
        --hosts) hosts=${2:?--hosts needs a value}; shift 2 ;;
        --repeats) repeats=${2:?--repeats needs a value}; shift 2 ;;
        --contenders) contenders=${2:?--contenders needs a value}; shift 2 ;;
        --out) out=${2:?--out needs a value}; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unexpected argument $1 (see --help)" >&2; exit 64 ;;
    esac
done
for tool in /usr/sbin/nginx /usr/bin/jq; do
    [[ -x "$tool" ]] || { echo "missing $tool (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
runs_contender() { [[ ",$contenders," == *",$1,"* ]]; }

name=pushweb
subnet=10.92
sandbox_dir=/run/swarmdeploy-sandbox-$name
controller=$subnet.0.1
server_host=$((hosts + 1))
results=Benchmarks/results/${out:-push-webseed-$rate-${hosts}hosts}.md

build_binaries
work=$(mktemp -d /var/tmp/swarmdeploy-push-webseed.XXXXXX)
cleanup() {
    # Stops everything started in the sandbox's namespaces, nginx included.
    scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

calc() { awk "BEGIN { print $* }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }

fresh_sandbox "$name" "$subnet" "$server_host" "$rate" "$size_mib" "$work"
server=$(awk '/^root@/ { sub(/^root@/, "", $1); print $1 }' "$sandbox_dir/hosts.txt" | sed -n "${server_host}p")
{ echo "# the push's hosts"; grep '^root@' "$sandbox_dir/hosts.txt" | head -n "$hosts"; } >"$work/hosts.txt"
ctl() { scripts/sandbox.sh controller --name "$name" -- "$@"; }
controller_link() { scripts/sandbox.sh link ctl --name "$name" --rate "$1" >/dev/null; }

# The release as CI packs it, with the piece size push itself would choose.
piece_length=$("$binary" push "$work/tree" to /srv/app on "$work/hosts.txt" --listen "$controller" --dry-run --json |
    jq -r .torrent.piece_length)
mkdir -p "$work/www" "$work/nginx"
"$binary" pack "$work/tree" -o "$work/www/release" --piece-size "$piece_length" --web-seed "http://$server:8080/" >/dev/null
archive_bytes=$(stat -c %s "$work/www/release.tar")
ideal=$(calc "$archive_bytes * 8 / $(bits_per_second "$rate")")

cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
user root;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    log_format sent '\$status \$body_bytes_sent';
    access_log $work/nginx/access.log sent;
    client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
    sendfile on;
    keepalive_requests 100000;
    server { listen $server:8080; root $work/www; }
}
CONF
chmod -R a+rX "$work"
scripts/sandbox.sh host "$server_host" --name "$name" -- /usr/sbin/nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" \
    >"$work/nginx/stdout.log" 2>&1 &
for _ in $(seq 1 100); do [[ -s "$work/nginx/nginx.pid" ]] && break; sleep 0.1; done
[[ -s "$work/nginx/nginx.pid" ]] || { echo "nginx did not start:" >&2; cat "$work/nginx/"*.log >&2; exit 1; }
served_bytes() { awk '$1 == 200 || $1 == 206 { s += $2 } END { print s + 0 }' "$work/nginx/access.log"; }

push_args=(on "$work/hosts.txt" --identity "$sandbox_dir/id_ed25519" --known-hosts "$sandbox_dir/known_hosts"
    --peer-binary "$peer" --link-rate "$rate" --seed-grace 5s --json)
# run CONTENDER RUN: one push, warm; prints its wall seconds and keeps its report.
run() {
    local start report=$work/$1-$2.json source=("$work/tree")
    wipe_hosts "$name" "$hosts"
    find "$work/tree" -type f -exec cat {} + >/dev/null
    cat "$work/www/release.tar" "$binary" "$peer" >/dev/null
    local extra=()
    case "$1" in
        push) controller_link "$rate" ;;
        webseed | webonly)
            controller_link "$controller_rate"
            source=(--torrent "$work/www/release.torrent")
            [[ "$1" == webonly ]] && extra=(--no-local-seed) ;;
    esac
    : >"$work/nginx/access.log"
    start=$(now)
    ctl "$binary" push "${source[@]}" to /srv/app "${push_args[@]}" "${extra[@]}" >"$report" 2>"$work/$1-$2.log" ||
        { echo "$1 run $2 failed:" >&2; tail -n 5 "$work/$1-$2.log" >&2; failed_hosts "$report" >&2; exit 1; }
    calc "$(now) - $start"
    served_bytes >"$work/$1-$2.served"
}

# Fills every host's peer cache (untimed).
controller_link "$rate"
ctl "$binary" push "$work/tree" to /srv/app "${push_args[@]}" >/dev/null 2>"$work/cold.log" ||
    { echo "the cold push failed:" >&2; tail -n 5 "$work/cold.log" >&2; exit 1; }

declare -A times
for run_index in $(seq 1 "$repeats"); do
    for contender in push webseed webonly; do
        runs_contender "$contender" || continue
        seconds=$(run "$contender" "$run_index")
        times[$contender]="${times[$contender]:-} $seconds"
        echo "$contender run $run_index: $seconds s" >&2
    done
done
controller_link "$rate"

# --- the results
mib() { printf '%.1f' "$(calc "$1 / 1048576")"; }
word() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
nginx_version=$(/usr/sbin/nginx -v 2>&1 | cut -d/ -f2)
push_median=
{
    echo "# A packed release pushed from its web seed, $hosts hosts at $rate"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores ($cpu_model), $(uname -r), nginx $nginx_version. A $size_mib MiB tree"
    echo "($(mib "$archive_bytes") MiB tarball, pieces of $((piece_length / 1024)) KiB) to $hosts sandbox hosts, every"
    echo "host's link and the web server's at $rate; the controller's at $rate for **push** and at $controller_rate"
    echo "for the web seed runs. Ideal: one copy through one $rate link, $(printf %.1f "$ideal") s. $repeats runs each, taking turns."
    echo
    echo "| contender | controller link | median s (ideal / s) | every run, s | controller sent | web server sent | hosts holding all (first/median/last) |"
    echo "|---|---|---:|---|---:|---:|---|"
    for contender in push webseed webonly; do
        runs_contender "$contender" || continue
        read -ra values <<<"${times[$contender]}"
        middle=$(median "${values[@]}")
        [[ "$contender" == push ]] && push_median=$middle
        best=1
        for index in $(seq 1 "$repeats"); do [[ "${values[index - 1]}" == "$middle" ]] && best=$index; done
        report=$work/$contender-$best.json
        breakdown=$(python3 Benchmarks/tools/push-breakdown.py "$report")
        sent=$(jq -r '.totals.seeder_bytes_sent' "$report")
        served=$(cat "$work/$contender-$best.served")
        link=$rate
        [[ "$contender" == push ]] || link=$controller_rate
        echo "| $contender | $link | $(printf %.1f "$middle") ($(printf %.2f "$(calc "$ideal / $middle")")) |" \
            "$(printf '%.1f\n' "${values[@]}" | paste -sd, - | sed 's/,/, /g') |" \
            "$(mib "$sent") MiB ($(printf %.2f "$(calc "100 * $sent / $archive_bytes")") %) |" \
            "$(printf %.3f "$(calc "$served / $archive_bytes")") copies |" \
            "$(word downloaded_first "$breakdown")/$(word downloaded_median "$breakdown")/$(word downloaded_last "$breakdown") s |"
    done
    echo
    if [[ -n "$push_median" ]]; then
        for contender in webseed webonly; do
            runs_contender "$contender" || continue
            read -ra values <<<"${times[$contender]}"
            echo "- $contender / push: $(printf %.2f "$(calc "$(median "${values[@]}") / $push_median")") (median over median)."
        done
        echo
    fi
    echo "\"web server sent\" is nginx's access log (body bytes of every 200 and 206), in copies of the tarball;"
    echo "\"controller sent\" is the seeder's payload bytes from the push's report (the peer program and jobs not"
    echo "counted: the hosts' cache was warm). Times are the whole command, from start to exit."
    echo
    echo "Reproduce: \`Benchmarks/push-webseed.sh --rate $rate --controller-rate $controller_rate --size $size_mib --hosts $hosts --repeats $repeats --contenders $contenders${out:+ --out $out}\`"
} >"$results"
cat "$results"
