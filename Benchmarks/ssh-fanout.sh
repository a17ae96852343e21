#!/usr/bin/env bash
# SSH fan-out: connect, verify the host key, authenticate with a key and run `true` on N
# hosts, `swarmdeploy exec` against `parallel-ssh` (Debian's pssh, one OpenSSH client
# process per host), in one run, on N OpenSSH sshd instances on loopback ports.
# parallel-ssh runs twice: with OpenSSH's default key exchange (sntrup761x25519-sha512, a
# post-quantum hybrid that costs more CPU) and pinned to curve25519-sha256, the one
# libssh2 negotiates, so the table separates the client's cost from the algorithm's.
#
# Both contenders get the same servers, key, known_hosts (strict checking) and parallelism,
# and neither reads the user's ~/.ssh or asks an agent. The servers set SHLVL=2 so that
# Debian's bash does not source the login user's ~/.bashrc for each command: that start-up
# is the same for both contenders and would only add noise.
#
# Usage: Benchmarks/ssh-fanout.sh [COUNT ...]   (default: 1 16 64)
# Each contender runs 3 times per count; the median is reported.
# Writes Benchmarks/results/ssh-fanout.md and prints it. Needs: openssh-server, pssh, root
# (sshd must switch to the login user).
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 16 64)
repeats=3
user=$(id -un)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

for tool in /usr/sbin/sshd /usr/bin/parallel-ssh /usr/bin/ssh-keygen; do
    [ -x "$tool" ] || { echo "missing $tool (apt-get install openssh-server openssh-client pssh)" >&2; exit 1; }
done

swift build -c release --product swarmdeploy >/dev/null
bin=$(swift build -c release --show-bin-path)
work=$(mktemp -d /var/tmp/swarmdeploy-ssh-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# Arithmetic on decimals without bc.
calc() { awk "BEGIN { print $* }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- servers: one sshd per host, each with its own host key; one client key for all.
max=0
for count in "${counts[@]}"; do [ "$count" -gt "$max" ] && max=$count; done
mkdir -p "$work/home" /run/sshd
ssh-keygen -q -t ed25519 -N "" -C bench-client -f "$work/client_ed25519"
cp "$work/client_ed25519.pub" "$work/authorized_keys"
: > "$work/known_hosts"
ports=()
for index in $(seq 1 "$max"); do
    ssh-keygen -q -t ed25519 -N "" -C "bench-host-$index" -f "$work/host_$index"
    port=$(free_port)
    cat > "$work/sshd_$index.conf" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $work/host_$index
AuthorizedKeysFile $work/authorized_keys
PidFile none
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
LogLevel ERROR
SetEnv SHLVL=2
EOF
    /usr/sbin/sshd -D -e -f "$work/sshd_$index.conf" 2>> "$work/sshd.log" &
    pids+=($!)
    ports+=("$port")
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/host_$index.pub")" >> "$work/known_hosts"
done
for port in "${ports[@]}"; do
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.05
    done
done

# The contenders, each without an agent and with an empty HOME.
run_ours() {
    env -u SSH_AUTH_SOCK HOME="$work/home" "$bin/swarmdeploy" exec --on "$1" --user "$user" \
        -i "$work/client_ed25519" --known-hosts "$work/known_hosts" --ssh-parallel "$2" --quiet -- true
}
# $3: extra ssh options (the key exchange pin), may be empty.
run_pssh() {
    env -u SSH_AUTH_SOCK HOME="$work/home" parallel-ssh -h "$1" -l "$user" -p "$2" -t 60 \
        -x "-F /dev/null -i $work/client_ed25519 -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=$work/known_hosts -o StrictHostKeyChecking=yes $3" \
        true
}
timed() {
    local start end
    start=$(date +%s.%N)
    "$@" > "$work/last.log" 2>&1 || { echo "failed: $*" >&2; cat "$work/last.log" >&2; exit 1; }
    end=$(date +%s.%N)
    calc "$end - $start"
}

rows=()
for count in "${counts[@]}"; do
    printf '127.0.0.1:%s\n' "${ports[@]:0:$count}" > "$work/hosts_$count.txt"
    ours=(); theirs=(); pinned=()
    # Alternate the contenders so that drift in machine load hits all alike.
    for _ in $(seq 1 $repeats); do
        ours+=("$(timed run_ours "$work/hosts_$count.txt" "$count")")
        theirs+=("$(timed run_pssh "$work/hosts_$count.txt" "$count" "")")
        pinned+=("$(timed run_pssh "$work/hosts_$count.txt" "$count" "-o KexAlgorithms=curve25519-sha256")")
    done
    rows+=("$count $(median "${ours[@]}") $(median "${theirs[@]}") $(median "${pinned[@]}")")
    echo "$count hosts: swarmdeploy ${ours[*]}; parallel-ssh ${theirs[*]}; parallel-ssh curve25519 ${pinned[*]}" >&2
done

mkdir -p Benchmarks/results
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
libssh2=$(dpkg-query -W -f '${Version}' libssh2-1 2>/dev/null || echo unknown)
openssh=$(ssh -V 2>&1 | cut -d, -f1)
{
    echo "# SSH fan-out: connect, authenticate and run \`true\` on every host"
    echo
    echo "Hosts are OpenSSH sshd instances on loopback ports of the same machine (each with its own"
    echo "ed25519 host key), so the servers' key exchanges compete with the client for the CPU."
    echo "Every run uses one ed25519 client key, strict host-key checking against the same"
    echo "known_hosts, no agent, and as many hosts at once as there are hosts."
    echo "Machine: $(nproc) cores, $cpu. Client libraries: libssh2 $libssh2 (swarmdeploy), $openssh (parallel-ssh)."
    echo "Median of $repeats runs, wall-clock seconds. Load average before the run: $load_before."
    echo
    echo "| hosts | swarmdeploy exec | parallel-ssh | ratio | parallel-ssh, curve25519 kex | ratio |"
    echo "|---:|---:|---:|---:|---:|---:|"
    for row in "${rows[@]}"; do
        read -r count ours theirs pinned <<< "$row"
        echo "| $count | $(printf %.2f "$ours") | $(printf %.2f "$theirs") | $(printf %.2f "$(calc "$ours / $theirs")")" \
            "| $(printf %.2f "$pinned") | $(printf %.2f "$(calc "$ours / $pinned")") |"
    done
    echo
    echo "Ratio: swarmdeploy's time over parallel-ssh's; below 1 means swarmdeploy is faster."
    echo "Key exchange: swarmdeploy (libssh2) negotiates curve25519-sha256; parallel-ssh's OpenSSH"
    echo "client prefers sntrup761x25519-sha512, whose post-quantum half costs both ends more CPU;"
    echo "the last two columns pin parallel-ssh to curve25519-sha256 to compare like with like."
    echo
    echo "Reproduce: \`Benchmarks/ssh-fanout.sh ${counts[*]}\`"
} > Benchmarks/results/ssh-fanout.md
cat Benchmarks/results/ssh-fanout.md
