#!/usr/bin/env bash
# A fleet of fake hosts on one Linux machine, for the demo, the system tests and
# the benchmarks: network namespaces joined by a bridge, every link shaped like a
# datacenter NIC, and one real OpenSSH sshd per host with its own /srv and /root.
# Nothing is routed out of the namespaces. See docs/sandbox.md and --help.

# "test && test || fail" is meant (fail exits); single-quoted scripts run in
# another shell and expand there.
# shellcheck disable=SC2015,SC2016
set -euo pipefail

usage() {
    cat <<'EOF'
Usage:
  sandbox.sh up N [--rate 100mbit] [--delay 0ms] [--disk 256m] [--unreachable K]
                  [--ipv6] [--user NAME] [--bastion] [--racks R --rack-uplink RATE]
                  [--name sd] [--subnet 10.77] [--dir DIR]
  sandbox.sh down [--name sd] [--dir DIR]
  sandbox.sh status [--name sd] [--dir DIR]
  sandbox.sh controller [--name sd] -- CMD ARGS...
  sandbox.sh host I [--name sd] -- CMD ARGS...
  sandbox.sh link I|ctl --rate RATE [--name sd]

Builds N fake hosts in network namespaces on this machine, each with its own
sshd on port 22, a private tmpfs on /srv and a private /root, all behind one
bridge. A controller namespace stands for the machine swarmdeploy runs on.
No namespace has a default route: no traffic leaves the sandbox.

Commands:
  up N          Create the controller and hosts h1..hN. Fails if a sandbox of
                that name exists (run down first). On failure, removes what it made.
  down          Kill everything running in the sandbox, delete its namespaces
                and DIR. Works after a crash and when nothing is left.
  status        Show the namespaces and sshd processes; exit 0 if the sandbox is
                up and every sshd runs, 1 if there is no sandbox, 2 if it is broken.
  controller    Run CMD inside the controller's network namespace (exec; its exit
                status is returned).
  host I        Run CMD inside host I's network and mount namespaces: it sees the
                host's private /srv and /root.
  link I        Reshape host I's link to --rate, both directions, while the
                sandbox runs (a slow host among fast ones); the rest keep theirs.
                'link ctl' reshapes the controller's (a slow CI runner).

Options:
  --name NAME       Prefix of the namespaces (default sd): NAME-net holds the bridge,
                    NAME-ctl is the controller, NAME-h1.. the hosts, NAME-u1.. the
                    unreachable hosts.
  --dir DIR         Where keys, configs and the hosts file go
                    (default /run/swarmdeploy-sandbox-NAME).
  --subnet A.B      The /16 to use (default 10.77): controller A.B.0.1, host I at
                    A.B.0.(10+I) for I <= 240, then A.B.1.1, A.B.1.2, ...
  --rate RATE       Each machine's link speed, both directions (default 100mbit;
                    units bit, kbit, mbit, gbit).
  --delay TIME      Extra one-way latency per link, e.g. 5ms (default 0ms; needs
                    the kernel's sch_netem).
  --disk SIZE       Size of each host's /srv tmpfs (default 256m).
  --disk-dir DIR    Give each host a directory DIR/hI on this machine's disk as /srv
                    instead of a tmpfs (no size limit; --disk is ignored): for payloads
                    that the hosts together could not hold in memory. down removes them.
  --unreachable K   Also make K hosts that have an address but never answer: a TCP
                    connect to them hangs. Listed in DIR/unreachable.txt only.
  --ipv6            Also give the controller and every host an IPv6 address,
                    fd00:A:B::1 and fd00:A:B::(100+I in hex), and list the hosts in
                    hosts.txt by those (root@[ADDR6]); sshd listens on both.
  --user NAME       Also give every host an unprivileged login user NAME (home
                    /home/NAME, the same key as root) who may run anything as root
                    through sudo without a password, and list the hosts in hosts.txt
                    as NAME@ADDR. Each host has its own /etc/passwd, /etc/group,
                    /etc/shadow, /etc/sudoers.d and /home, so a test can take the
                    rights away on one host (rm /etc/sudoers.d/sandbox-user there).
  --racks R         Put the hosts in R racks (contiguous blocks: h1.. in r1, then r2, ...):
                    one bridge per rack, joined to the spine bridge (where the controller,
                    the bastion and unreachable hosts sit, a rack of their own) by one
                    link shaped to --rack-uplink each way, as a top-of-rack switch's
                    uplink. hosts.txt labels each host rack=rK.
  --rack-uplink RATE  The rack uplinks' rate (default: the sum of the rack's host links,
                    no oversubscription); e.g. a quarter of that for 4:1.
  --bastion         Also make a bastion h0 at A.B.0.10 (an sshd, not in hosts.txt) and
                    let the controller reach no other host's SSH port: its packets to
                    port 22 of the hosts are refused, as a firewall would, while every
                    other port (the swarm's) stays open both ways. DIR/ssh_config names
                    the hosts h1..hN with 'ProxyJump bastion'; DIR/hosts-by-name.txt
                    lists them by those names.

Files written by up (in DIR):
  hosts.txt        root@ADDR name=hI, one line per host
  unreachable.txt  the unreachable hosts, same format
  id_ed25519       the client key every host accepts (and id_ed25519.pub)
  known_hosts      every host's key, for strict host key checking
  env              SANDBOX_* variables, for `source DIR/env`

Examples:
  sudo scripts/sandbox.sh up 16 --rate 1gbit
  source /run/swarmdeploy-sandbox-sd/env
  scripts/sandbox.sh controller -- ssh -F /dev/null -i "$SANDBOX_KEY" \
      -o UserKnownHostsFile="$SANDBOX_KNOWN_HOSTS" root@10.77.0.11 hostname
  scripts/sandbox.sh controller -- swarmdeploy push ./site to /srv/site on "$SANDBOX_HOSTS" \
      --identity "$SANDBOX_KEY" --known-hosts "$SANDBOX_KNOWN_HOSTS"
  scripts/sandbox.sh host 3 -- ls -l /srv
  scripts/sandbox.sh link 3 --rate 10mbit
  scripts/sandbox.sh down
EOF
}

fail() {
    echo "sandbox: $*" >&2
    exit 1
}

note() {
    echo "sandbox: $*"
}

# ---------------------------------------------------------------------------
# Arguments

command=${1:-}
[[ -n "$command" ]] || { usage >&2; exit 2; }
shift

name=sd
dir=
dir_given=0
subnet=10.77
rate=100mbit
rate_given=0
delay=0ms
disk=256m
disk_dir=
count=
unreachable=0
ipv6=0
login_user=
bastion=0
racks=0
rack_uplink=
host_index=
run_args=()

while (($# > 0)); do
    case "$1" in
        --name) name=${2:?--name needs a value}; shift 2 ;;
        --dir) dir=${2:?--dir needs a value}; dir_given=1; shift 2 ;;
        --subnet) subnet=${2:?--subnet needs a value}; shift 2 ;;
        --rate) rate=${2:?--rate needs a value}; rate_given=1; shift 2 ;;
        --delay) delay=${2:?--delay needs a value}; shift 2 ;;
        --disk) disk=${2:?--disk needs a value}; shift 2 ;;
        --disk-dir) disk_dir=${2:?--disk-dir needs a value}; shift 2 ;;
        --unreachable) unreachable=${2:?--unreachable needs a value}; shift 2 ;;
        --ipv6) ipv6=1; shift ;;
        --user) login_user=${2:?--user needs a value}; shift 2 ;;
        --bastion) bastion=1; shift ;;
        --racks) racks=${2:?--racks needs a value}; shift 2 ;;
        --rack-uplink) rack_uplink=${2:?--rack-uplink needs a value}; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        --) shift; run_args=("$@"); break ;;
        -*) fail "unknown option $1 (see --help)" ;;
        *)
            case "$command" in
                up) [[ -z "$count" ]] || fail "unexpected argument $1"; count=$1; shift ;;
                host | link) [[ -z "$host_index" ]] || fail "unexpected argument $1"; host_index=$1; shift ;;
                *) fail "unexpected argument $1 (put the command after --)" ;;
            esac
            ;;
    esac
done

[[ "$command" == -h || "$command" == --help || "$command" == help ]] && { usage; exit 0; }

[[ "$name" =~ ^[a-z][a-z0-9]{0,11}$ ]] ||
    fail "--name must be a lowercase letter and up to 11 more letters or digits, not '$name'"
[[ -n "$dir" ]] || dir=/run/swarmdeploy-sandbox-$name

# Every namespace of this sandbox, and nothing of another one: sd-h1 but not sdx-h1.
namespace_pattern="^${name}-(net|ctl|h[0-9]+|u[0-9]+)\$"
bridge_ns=$name-net
controller_ns=$name-ctl
# The marker that makes DIR ours to remove.
marker=.swarmdeploy-sandbox

# ---------------------------------------------------------------------------
# Checks

require_root_and_tools() {
    [[ $(id -u) -eq 0 ]] || fail "needs root (network namespaces, bridges and tc): run it with sudo"
    local missing=() tool
    for tool in ip:iproute2 tc:iproute2 ssh-keygen:openssh-client ssh:openssh-client \
        unshare:util-linux nsenter:util-linux setsid:util-linux timeout:coreutils; do
        command -v "${tool%%:*}" >/dev/null || missing+=("${tool%%:*} (Debian package ${tool#*:})")
    done
    [[ -x /usr/sbin/sshd ]] || missing+=("/usr/sbin/sshd (Debian package openssh-server)")
    ((${#missing[@]} == 0)) ||
        fail "missing: ${missing[*]}; install them with scripts/install-deps.sh"
    ip netns list >/dev/null 2>&1 || fail "'ip netns' does not work here (is /run writable? is this a container without CAP_SYS_ADMIN?)"
}

sandbox_namespaces() {
    ip netns list 2>/dev/null | awk '{print $1}' | grep -E "$namespace_pattern" || true
}

# ---------------------------------------------------------------------------
# Addresses: host slot S (1-based, hosts first, then unreachable hosts) is at
# A.B.0.(10+S) for S <= 240, then A.B.1.1 .. A.B.1.254, A.B.2.1, ...

max_slots=1000

address_of() {
    local slot=$1
    if ((slot <= 240)); then
        echo "$subnet.0.$((10 + slot))"
    else
        local rest=$((slot - 241))
        echo "$subnet.$((1 + rest / 254)).$((1 + rest % 254))"
    fi
}

controller_address() { echo "$subnet.0.1"; }

# With --ipv6: the same machines in fd00:A:B::/64.
address6_of() { echo "fd00:${subnet/./:}::$(printf '%x' $((0x100 + $1)))"; }
controller_address6() { echo "fd00:${subnet/./:}::1"; }

# The address a host is listed and logged in by.
login_address_of() {
    if ((ipv6)); then address6_of "$1"; else address_of "$1"; fi
}

# add_ipv6 NAMESPACE ADDRESS6: no duplicate address detection, so it works at once.
add_ipv6() {
    ip -n "$1" -6 addr add "$2/64" dev eth0 nodad
}

# ---------------------------------------------------------------------------
# Shaping
#
# Every veth gets a token bucket (tbf) on each end's egress: the machine's side
# limits what it sends (upload), the bridge's side what it receives (download).
# So each machine's own link is the bottleneck, as with a NIC into a
# non-blocking datacenter switch.
#
# burst: the bucket must hold at least one GSO super-packet (64 KiB; veth
#   hands tbf segments that large), or tbf would cut them up on every send; and
#   about 1 ms of traffic at high rates so timer granularity never caps the
#   rate. max(64 KiB, rate x 1 ms): 64 KiB up to 500mbit, 125 KB at 1gbit,
#   1.25 MB at 10gbit. At 10mbit, 64 KiB is 52 ms of line rate: idle links may
#   burst briefly, but bulk transfers run at the rate.
# latency 20ms: the queue in front of the bucket, like a switch port buffer.
#   Deep enough for many peers sending to one host at once (BitTorrent) without
#   drops on every burst; shallow enough not to add more than 20 ms of
#   queueing delay to a saturated link.

rate_bits_per_second() {
    local value unit
    [[ "$1" =~ ^([0-9]+)([a-zA-Z]+)$ ]] || return 1
    value=${BASH_REMATCH[1]}
    unit=${BASH_REMATCH[2],,}
    case "$unit" in
        bit) echo "$value" ;;
        kbit) echo $((value * 1000)) ;;
        mbit) echo $((value * 1000000)) ;;
        gbit) echo $((value * 1000000000)) ;;
        *) return 1 ;;
    esac
}

delay_is_zero() {
    [[ "$delay" =~ ^0+(\.0*)?(us|ms|s)?$ ]]
}

# check_rate: --rate is valid; sets rate_bits and the token bucket's burst_bytes.
check_rate() {
    rate_bits=$(rate_bits_per_second "$rate") && ((rate_bits > 0)) ||
        fail "--rate must be a number and bit, kbit, mbit or gbit, like 100mbit, not '$rate'"
    burst_bytes=$((rate_bits / 8 / 1000))
    ((burst_bytes >= 65536)) || burst_bytes=65536
}

# shape NAMESPACE DEVICE [netem]: the egress qdisc of one end of a link.
shape() {
    local ns=$1 device=$2 with_delay=${3:-}
    if [[ -n "$with_delay" ]] && ! delay_is_zero; then
        tc -n "$ns" qdisc add dev "$device" root handle 1: netem delay "$delay" limit 100000
        tc -n "$ns" qdisc add dev "$device" parent 1:1 handle 10: \
            tbf rate "$rate" burst "$burst_bytes" latency 20ms
    else
        tc -n "$ns" qdisc add dev "$device" root tbf rate "$rate" burst "$burst_bytes" latency 20ms
    fi
}

# reshape NAMESPACE DEVICE: a new rate for a shaped end, under netem's delay if it has one.
reshape() {
    local ns=$1 device=$2
    if tc -n "$ns" qdisc show dev "$device" | grep -q '^qdisc netem'; then
        tc -n "$ns" qdisc change dev "$device" parent 1:1 handle 10: \
            tbf rate "$rate" burst "$burst_bytes" latency 20ms
    else
        tc -n "$ns" qdisc change dev "$device" root tbf rate "$rate" burst "$burst_bytes" latency 20ms
    fi
}

check_netem() {
    delay_is_zero && return 0
    local probe=$name-netem-probe
    ip netns add "$probe"
    if ! tc -n "$probe" qdisc add dev lo root netem delay "$delay" 2>/dev/null; then
        ip netns del "$probe"
        fail "--delay $delay needs the kernel's netem qdisc (sch_netem), which this kernel lacks: try 'modprobe sch_netem' or leave --delay at 0ms"
    fi
    ip netns del "$probe"
}

# ---------------------------------------------------------------------------
# Processes

# The pids of everything running in the sandbox's namespaces.
sandbox_pids() {
    local ns
    for ns in $(sandbox_namespaces); do
        ip netns pids "$ns" 2>/dev/null || true
    done
}

# The listening sshd of a host namespace, not its per-connection children.
# sshd rewrites its command line: "sshd: /usr/sbin/sshd -D -f ... [listener] ...";
# a child is briefly "/usr/sbin/sshd -D -f ... -R", then "sshd: root@notty".
listener_pid() {
    local pid line
    for pid in $(ip netns pids "$1" 2>/dev/null); do
        line=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
        if [[ "$line" == *"/usr/sbin/sshd -D -f "* && "$line" != *" -R"* ]]; then
            echo "$pid"
            return 0
        fi
    done
    return 1
}

# Without --dir, a running sandbox tells where its directory is: its sshd
# command lines name their configs in DIR/hosts/hI/.
discover_dir() {
    ((dir_given == 0)) || return 0
    local ns pid line
    for ns in $(sandbox_namespaces); do
        [[ "$ns" == "$name"-h* ]] || continue
        pid=$(listener_pid "$ns") || continue
        line=$(tr '\0' ' ' <"/proc/$pid/cmdline")
        if [[ "$line" =~ -f\ (.*)/hosts/h[0-9]+/sshd_config ]]; then
            dir=${BASH_REMATCH[1]}
            return 0
        fi
    done
}

# ---------------------------------------------------------------------------
# down

cmd_down() {
    require_root_and_tools
    discover_dir
    local namespaces pids pid
    namespaces=$(sandbox_namespaces)

    # Stop everything inside first: a namespace with a process in it outlives
    # 'ip netns del', and sshd keeps DIR's files open. Also any sshd started
    # from DIR whose namespace is gone already (a crash halfway through down).
    pids=$(sandbox_pids)
    if [[ -d "$dir/hosts" ]]; then
        for pid in $(pgrep -f "/usr/sbin/sshd -D -f $dir/hosts/" || true); do
            pids+=" $pid"
        done
    fi
    if [[ -n "${pids// /}" ]]; then
        # shellcheck disable=SC2086
        kill -TERM $pids 2>/dev/null || true
        for _ in $(seq 30); do
            # shellcheck disable=SC2086
            kill -0 $pids 2>/dev/null || break
            sleep 0.1
        done
        # shellcheck disable=SC2086
        kill -KILL $pids 2>/dev/null || true
    fi

    # Deleting a namespace deletes its veth ends (and with them the peers) and,
    # for NAME-net, the bridge.
    local ns deleted=0
    for ns in $namespaces; do
        ip netns del "$ns" 2>/dev/null && deleted=$((deleted + 1))
    done

    local srv
    if [[ -f "$dir/disk-dirs" ]]; then
        while read -r srv; do
            [[ "$srv" == /*/h[0-9]* ]] && rm -rf -- "$srv"
        done <"$dir/disk-dirs"
    fi

    if [[ -f "$dir/$marker" ]]; then
        rm -rf -- "$dir"
        note "down: removed $deleted namespaces and $dir"
    elif [[ -d "$dir" ]] && [[ -z "$(ls -A -- "$dir")" ]]; then
        rmdir -- "$dir"
        note "down: removed $deleted namespaces and $dir"
    elif [[ -e "$dir" ]]; then
        note "down: removed $deleted namespaces; left $dir alone (not made by this script)"
    else
        note "down: removed $deleted namespaces"
    fi
}

# ---------------------------------------------------------------------------
# up

validate_up_arguments() {
    [[ "$count" =~ ^[0-9]+$ ]] && ((count >= 1)) || fail "up needs a host count N >= 1 (see --help)"
    [[ "$unreachable" =~ ^[0-9]+$ ]] || fail "--unreachable needs a count, not '$unreachable'"
    ((count + unreachable <= max_slots)) ||
        fail "at most $max_slots hosts in all (asked for $count + $unreachable unreachable)"
    [[ "$subnet" =~ ^([0-9]{1,3})\.([0-9]{1,3})$ ]] &&
        ((BASH_REMATCH[1] <= 255 && BASH_REMATCH[2] <= 255)) ||
        fail "--subnet must be the first two bytes of a /16, like 10.77, not '$subnet'"
    check_rate
    [[ "$delay" =~ ^[0-9]+(\.[0-9]+)?(us|ms|s)$ ]] ||
        fail "--delay must be a time like 0ms or 5ms, not '$delay'"
    [[ "$disk" =~ ^[0-9]+[kmgKMG]?$ ]] || fail "--disk must be a size like 256m or 1g, not '$disk'"
    [[ -z "$disk_dir" || ( "$disk_dir" == /* && -d "$disk_dir" ) ]] ||
        fail "--disk-dir must be an existing directory given by its absolute path, not '$disk_dir'"
    ((bastion == 0 || ipv6 == 0)) || fail "--bastion works with IPv4 only; drop --ipv6 or --bastion"
    [[ "$racks" =~ ^[0-9]+$ ]] && ((racks <= count)) || fail "--racks must be a number from 1 to the host count ($count), not '$racks'"
    if ((racks > 0)); then
        if [[ -z "$rack_uplink" ]]; then
            # No oversubscription: the largest rack's hosts at full rate.
            rack_uplink="$(( $(rate_bits_per_second "$rate") * ((count + racks - 1) / racks) ))bit"
        fi
        uplink_bits=$(rate_bits_per_second "$rack_uplink") && ((uplink_bits > 0)) ||
            fail "--rack-uplink must be a number and bit, kbit, mbit or gbit, like 1gbit, not '$rack_uplink'"
        uplink_burst=$((uplink_bits / 8 / 1000))
        ((uplink_burst >= 65536)) || uplink_burst=65536
    else
        [[ -z "$rack_uplink" ]] || fail "--rack-uplink needs --racks"
    fi
    if [[ -n "$login_user" ]]; then
        [[ "$login_user" =~ ^[a-z_][a-z0-9_-]{0,30}$ ]] ||
            fail "--user must be a lowercase login name like deploy, not '$login_user'"
        ! grep -q "^$login_user:" /etc/passwd ||
            fail "--user $login_user: this machine has that user already; choose a name it lacks"
        command -v sudo >/dev/null || fail "--user needs sudo installed (apt-get install sudo)"
    fi
    case "$dir" in
        /root | /root/* | /srv | /srv/*) fail "--dir cannot be under /root or /srv: the hosts mount over those" ;;
        /*) ;;
        *) dir=$(pwd)/$dir ;;
    esac
}

refuse_existing_sandbox() {
    local existing
    existing=$(sandbox_namespaces | tr '\n' ' ')
    [[ -z "$existing" ]] ||
        fail "a sandbox named '$name' exists (namespaces: $existing); run 'scripts/sandbox.sh down --name $name' first"
    [[ ! -f "$dir/$marker" ]] ||
        fail "$dir holds a sandbox's files; run 'scripts/sandbox.sh down --name $name --dir $dir' first"
    if [[ -e "$dir" ]] && [[ -n "$(ls -A -- "$dir")" ]]; then
        fail "$dir exists and is not empty; choose another --dir"
    fi
}

# Removes whatever a failed or interrupted up made.
undo_up() {
    local status=$?
    trap - EXIT INT TERM
    echo "sandbox: up failed; removing what it made" >&2
    ( cmd_down >/dev/null 2>&1 ) || true
    exit $((status == 0 ? 1 : status))
}

make_bridge_and_controller() {
    ip netns add "$bridge_ns"
    ip -n "$bridge_ns" link set lo up
    ip -n "$bridge_ns" link add br0 type bridge ||
        fail "cannot create a bridge (does the kernel have bridge support?)"
    ip -n "$bridge_ns" link set br0 up
    # Where br_netfilter is loaded (Docker loads it), every bridged packet would also run
    # through iptables, costing the shared cores work no datacenter switch does. The
    # setting is per namespace: this turns it off for the sandbox's bridge only.
    ip netns exec "$bridge_ns" sh -c \
        'for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ -e "$f" ] && echo 0 >"$f"; done; true'

    ip netns add "$controller_ns"
    ip -n "$controller_ns" link set lo up
    attach "$controller_ns" ctl "$(controller_address)"
    ((ipv6 == 0)) || add_ipv6 "$controller_ns" "$(controller_address6)"
    shape "$controller_ns" eth0 netem
    shape "$bridge_ns" ctl
}

# attach NAMESPACE PORT ADDRESS [noprefixroute]: a veth from the namespace's
# eth0 to bridge port PORT (on the bridge $attach_bridge, the spine br0 unless a
# host goes into a rack), with ADDRESS/16 on eth0. No default route.
attach_bridge=br0
attach() {
    local ns=$1 port=$2 address=$3 flags=${4:-}
    ip -n "$bridge_ns" link add "$port" type veth peer name eth0 netns "$ns"
    ip -n "$bridge_ns" link set "$port" master "$attach_bridge" up
    # shellcheck disable=SC2086
    ip -n "$ns" addr add "$address/16" dev eth0 $flags
    ip -n "$ns" link set eth0 up
}

write_host_files() {
    local i=$1 address=$2 host_dir=$dir/hosts/h$1
    mkdir -p "$host_dir/home/.ssh" "$host_dir/home/.cache"
    cp "$dir/id_ed25519.pub" "$host_dir/home/.ssh/authorized_keys"
    chmod 700 "$host_dir/home/.ssh"
    # Root's real dotfiles may start slow or chatty tools for every ssh command.
    cat >"$host_dir/home/.bashrc" <<EOF
# Sandbox host h$i ($address).
PS1='root@h$i:\w\\$ '
EOF
    cat >"$host_dir/home/.profile" <<'EOF'
[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"
EOF
    ssh-keygen -q -t ed25519 -N '' -C "sandbox-h$i" -f "$host_dir/ssh_host_ed25519_key"
    cat >"$host_dir/sshd_config" <<EOF
# sshd of sandbox host h$i, run in its own network and mount namespaces.
ListenAddress $address
$( ((ipv6 == 0)) || echo "ListenAddress $(address6_of "$i")")
Port 22
HostKey $host_dir/ssh_host_ed25519_key
PidFile $host_dir/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
MaxStartups 1000:30:1000
MaxSessions 100
Subsystem sftp internal-sftp
# The fault tests make one host's peer misbehave through /root/.ssh/environment.
PermitUserEnvironment SWARMDEPLOY_PEER_*
EOF
    [[ -z "$login_user" ]] || write_login_user "$host_dir"
    local names=$address
    ((ipv6 == 0)) || names="$address,$(address6_of "$i")"
    echo "$names $(cut -d' ' -f1,2 "$host_dir/ssh_host_ed25519_key.pub")" >>"$dir/known_hosts"
}

# The --user account on one host: account files that are this machine's plus the user
# (password field "*": no password, yet not locked, so key logins work), a sudoers rule, and
# a home with the sandbox key. Bound over the real ones in the host's mount namespace.
write_login_user() {
    local host_dir=$1 uid=2000 home
    while cut -d: -f3 /etc/passwd | grep -qx "$uid" || cut -d: -f3 /etc/group | grep -qx "$uid"; do
        uid=$((uid + 1))
    done
    mkdir -p "$host_dir/etc/sudoers.d"
    { cat /etc/passwd; echo "$login_user:x:$uid:$uid::/home/$login_user:/bin/bash"; } >"$host_dir/etc/passwd"
    { cat /etc/group; echo "$login_user:x:$uid:"; } >"$host_dir/etc/group"
    { cat /etc/shadow; echo "$login_user:*:19000:0:99999:7:::"; } >"$host_dir/etc/shadow"
    chmod 644 "$host_dir/etc/passwd" "$host_dir/etc/group"
    chmod 640 "$host_dir/etc/shadow"
    if [[ -d /etc/sudoers.d ]]; then cp -a /etc/sudoers.d/. "$host_dir/etc/sudoers.d/"; fi
    echo "$login_user ALL=(ALL:ALL) NOPASSWD: ALL" >"$host_dir/etc/sudoers.d/sandbox-user"
    chmod 440 "$host_dir/etc/sudoers.d/sandbox-user"
    home=$host_dir/users/$login_user
    mkdir -p "$home/.ssh" "$home/.cache"
    cp "$dir/id_ed25519.pub" "$home/.ssh/authorized_keys"
    printf '# Sandbox login user.\n' >"$home/.bashrc"
    cp "$host_dir/home/.profile" "$home/.profile"
    chmod 700 "$home/.ssh"
    chown -R "$uid:$uid" "$home"
}

# Starts host I's sshd in its namespace, in a mount namespace of its own where
# /srv is a private tmpfs and /root is the host's home directory (and, with --user, the
# account files, sudoers.d and /home are the host's own).
start_sshd() {
    local i=$1 host_dir=$dir/hosts/h$1 srv=
    if [[ -n "$disk_dir" ]]; then
        srv=$disk_dir/h$i
        mkdir -p "$srv"
        chmod 755 "$srv"
        # down removes what it finds listed here.
        echo "$srv" >>"$dir/disk-dirs"
    fi
    setsid ip netns exec "$name-h$i" unshare --mount --propagation private /bin/sh -c '
        set -e
        if [ -n "$3" ]; then
            mount --bind "$3" /srv
        else
            mount -t tmpfs -o "size=$1,mode=0755" sandbox-srv /srv
        fi
        mount --bind "$2/home" /root
        if [ -d "$2/etc" ]; then
            for file in passwd group shadow; do mount --bind "$2/etc/$file" "/etc/$file"; done
            mount --bind "$2/etc/sudoers.d" /etc/sudoers.d
            mount --bind "$2/users" /home
        fi
        mkdir -p /run/sshd
        exec /usr/sbin/sshd -D -f "$2/sshd_config" -E "$2/sshd.log"
    ' sh "$disk" "$host_dir" "$srv" </dev/null >>"$host_dir/sshd.log" 2>&1 &
    # setsid, ip netns exec, unshare and sh each exec the next: this is sshd's pid.
    echo $! >"$host_dir/sshd.launcher-pid"
}

# The racks: bridge rK per rack, joined to the spine br0 by veth upK (rack side) / spK
# (spine side), each end shaped to the uplink rate: upK's egress is what the rack sends
# out, spK's what comes into it. One L2 domain still, so addresses and routes stay as they are.
make_racks() {
    local k
    for ((k = 1; k <= racks; k++)); do
        ip -n "$bridge_ns" link add "r$k" type bridge
        ip -n "$bridge_ns" link set "r$k" up
        ip -n "$bridge_ns" link add "up$k" type veth peer name "sp$k"
        ip -n "$bridge_ns" link set "up$k" master "r$k" up
        ip -n "$bridge_ns" link set "sp$k" master br0 up
        tc -n "$bridge_ns" qdisc add dev "up$k" root tbf rate "$rack_uplink" burst "$uplink_burst" latency 20ms
        tc -n "$bridge_ns" qdisc add dev "sp$k" root tbf rate "$rack_uplink" burst "$uplink_burst" latency 20ms
    done
    # New bridges in this namespace skip the host firewall too (see make_bridge_and_controller).
    ip netns exec "$bridge_ns" sh -c \
        'for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ -e "$f" ] && echo 0 >"$f"; done; true'
}

# rack_of I: the rack of host I, contiguous blocks of about count/racks hosts.
rack_of() { echo $(( ($1 - 1) * racks / count + 1 )); }

make_host() {
    local i=$1 ns=$name-h$1 address labels=""
    address=$(address_of "$i")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    if ((racks > 0)); then
        attach_bridge=r$(rack_of "$i")
        labels=" rack=r$(rack_of "$i")"
    fi
    attach "$ns" "h$i" "$address"
    attach_bridge=br0
    ((ipv6 == 0)) || add_ipv6 "$ns" "$(address6_of "$i")"
    shape "$ns" eth0 netem
    shape "$bridge_ns" "h$i"
    write_host_files "$i" "$address"
    if ((ipv6)); then
        echo "${login_user:-root}@[$(address6_of "$i")] name=h$i$labels" >>"$dir/hosts.txt"
    else
        echo "${login_user:-root}@$address name=h$i$labels" >>"$dir/hosts.txt"
    fi
    start_sshd "$i"
}

# The bastion: host slot 0 (namespace NAME-h0, A.B.0.10), an sshd like the hosts' but
# not listed in hosts.txt.
make_bastion() {
    local ns=$name-h0 address
    address=$(address_of 0)
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    attach "$ns" h0 "$address"
    shape "$ns" eth0 netem
    shape "$bridge_ns" h0
    write_host_files 0 "$address"
    start_sshd 0
}

# From the controller, only the bastion's SSH port is reachable; connections to any other
# host's port 22 are refused (policy rules, no firewall needed). Then the ssh_config and the
# hosts file by name that go through the bastion.
fence_behind_bastion() {
    local i
    ip -n "$controller_ns" rule add pref 100 to "$(address_of 0)/32" ipproto tcp dport 22 lookup main
    ip -n "$controller_ns" rule add pref 101 to "$subnet.0.0/16" ipproto tcp dport 22 prohibit
    {
        echo "# Sandbox '$name': its hosts by name, through the bastion (ssh -F $dir/ssh_config h1)."
        echo "Host bastion"
        echo "    HostName $(address_of 0)"
        echo "    User root"
        echo "Host h*"
        echo "    ProxyJump bastion"
        for ((i = 1; i <= count; i++)); do
            echo "Host h$i"
            echo "    HostName $(address_of "$i")"
        done
        echo "Host *"
        echo "    User ${login_user:-root}"
        echo "    IdentityFile $dir/id_ed25519"
        echo "    UserKnownHostsFile $dir/known_hosts"
        echo "    StrictHostKeyChecking yes"
    } >"$dir/ssh_config"
    {
        echo "# Sandbox '$name': the hosts by their names in $dir/ssh_config."
        for ((i = 1; i <= count; i++)); do echo "h$i"; done
    } >"$dir/hosts-by-name.txt"
}

# A host that answers ARP (its link is up and it owns its address) but drops
# every packet it would send: all its routes lead to a blackhole, so a SYN to
# it gets no SYN-ACK, no RST and no ICMP error. The connecting side just waits.
make_unreachable() {
    local k=$1 ns=$name-u$1 address
    address=$(address_of $((count + k)))
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    attach "$ns" "u$k" "$address" noprefixroute
    ip -n "$ns" route add blackhole "$subnet.0.0/16"
    echo "root@$address name=u$k" >>"$dir/unreachable.txt"
}

# A connect to the first unreachable host must time out, not be refused. ssh's
# own connect timeout, not timeout(1): a caller may block the signals it uses.
check_unreachable() {
    local address output
    address=$(address_of $((count + 1)))
    output=$(ip netns exec "$controller_ns" ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=1 \
        "root@$address" true 2>&1) || true
    [[ "$output" == *"timed out"* ]] ||
        fail "unreachable host $address did not just stay silent: $output"
}

# Waits until every host's sshd accepts TCP connections, probing all pending
# addresses from the controller in one go per round.
wait_for_sshd() {
    local pending=() ready i deadline=$((SECONDS + 20 + count / 10))
    for ((i = 1 - bastion; i <= count; i++)); do pending+=("$i"); done
    while ((${#pending[@]} > 0)); do
        for i in "${pending[@]}"; do
            if ! kill -0 "$(cat "$dir/hosts/h$i/sshd.launcher-pid")" 2>/dev/null; then
                echo "sandbox: sshd of host h$i exited; its log ($dir/hosts/h$i/sshd.log):" >&2
                sed 's/^/  /' "$dir/hosts/h$i/sshd.log" >&2 || true
                return 1
            fi
        done
        local addresses=()
        for i in "${pending[@]}"; do addresses+=("$i=$(address_of "$i")"); done
        ready=$(ip netns exec "$controller_ns" bash -c '
            for entry; do
                (exec 3<>"/dev/tcp/${entry#*=}/22") 2>/dev/null && echo "${entry%%=*}"
            done; true' probe "${addresses[@]}")
        local still=()
        for i in "${pending[@]}"; do
            grep -qx "$i" <<<"$ready" || still+=("$i")
        done
        pending=("${still[@]+"${still[@]}"}")
        ((${#pending[@]} == 0)) && break
        if ((SECONDS > deadline)); then
            i=${pending[0]}
            echo "sandbox: sshd of host h$i does not accept connections on $(address_of "$i"):22; its log:" >&2
            sed 's/^/  /' "$dir/hosts/h$i/sshd.log" >&2 || true
            return 1
        fi
        sleep 0.1
    done
}

# One real login with the written key and known_hosts, strict, from the controller.
check_login() {
    local address=$1
    ip netns exec "$controller_ns" ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=5 \
        -o UserKnownHostsFile="$dir/known_hosts" -o StrictHostKeyChecking=yes \
        -i "$dir/id_ed25519" "root@$address" true ||
        fail "cannot log in to $address with $dir/id_ed25519 and $dir/known_hosts"
}

write_env() {
    local variable
    {
        echo "# Sandbox '$name': source this file."
        for variable in "SANDBOX_NAME=$name" "SANDBOX_DIR=$dir" "SANDBOX_HOSTS=$dir/hosts.txt" \
            "SANDBOX_UNREACHABLE=$dir/unreachable.txt" "SANDBOX_KEY=$dir/id_ed25519" \
            "SANDBOX_KNOWN_HOSTS=$dir/known_hosts" "SANDBOX_CONTROLLER_ADDR=$(controller_address)" \
            "SANDBOX_CONTROLLER_NETNS=$controller_ns" "SANDBOX_SUBNET=$subnet" \
            "SANDBOX_RATE=$rate" "SANDBOX_DELAY=$delay" "SANDBOX_DISK=$disk" \
            "SANDBOX_COUNT=$count" "SANDBOX_UNREACHABLE_COUNT=$unreachable" "SANDBOX_USER=${login_user:-root}" \
            "SANDBOX_BASTION_ADDR=$( ((bastion)) && address_of 0)" "SANDBOX_SSH_CONFIG=$( ((bastion)) && echo "$dir/ssh_config")" \
            "SANDBOX_RACKS=$racks" "SANDBOX_RACK_UPLINK=$rack_uplink"; do
            printf 'export %s=%q\n' "${variable%%=*}" "${variable#*=}"
        done
    } >"$dir/env"
}

# The kernel's neighbour (ARP) table is shared by every network namespace and holds at most
# gc_thresh3 entries (1024 by default). Hundreds of hosts that each talk to the controller and
# to their peers overflow it ("neighbor table overflow" in the kernel log) and connections
# stall. Raise the limits when this sandbox needs more; never lower them (other namespaces
# may rely on them). They are the machine's own settings and last until it reboots.
size_neighbour_tables() {
    local machines=$((count + unreachable + 1)) peers need current
    peers=$((machines < 256 ? machines : 256))
    need=$((machines * peers * 2))
    current=$(sysctl -n net.ipv4.neigh.default.gc_thresh3)
    ((need > current)) || return 0
    sysctl -q -w net.ipv4.neigh.default.gc_thresh1=$((need / 8)) \
        net.ipv4.neigh.default.gc_thresh2=$((need / 2)) net.ipv4.neigh.default.gc_thresh3="$need"
    echo "sandbox: raised the kernel's neighbour table limit from $current to $need entries for $machines machines"
}

cmd_up() {
    require_root_and_tools
    validate_up_arguments
    refuse_existing_sandbox
    check_netem

    trap undo_up EXIT
    trap 'exit 130' INT TERM

    mkdir -p "$dir"
    echo "$name" >"$dir/$marker"
    ssh-keygen -q -t ed25519 -N '' -C "swarmdeploy-sandbox-$name" -f "$dir/id_ed25519"
    chmod 600 "$dir/id_ed25519"
    : >"$dir/known_hosts"
    echo "# Sandbox '$name': $count hosts, reachable from its controller namespace $controller_ns." >"$dir/hosts.txt"
    echo "# Sandbox '$name': hosts that never answer (no sshd, every packet dropped)." >"$dir/unreachable.txt"

    size_neighbour_tables
    make_bridge_and_controller
    ((racks == 0)) || make_racks
    local i
    for ((i = 1; i <= count; i++)); do make_host "$i"; done
    for ((i = 1; i <= unreachable; i++)); do make_unreachable "$i"; done
    ((bastion == 0)) || make_bastion
    wait_for_sshd
    ((unreachable == 0)) || check_unreachable
    check_login "$(login_address_of 1)"
    ((count == 1)) || check_login "$(login_address_of "$count")"
    ((bastion == 0)) || fence_behind_bastion
    write_env

    trap - EXIT INT TERM
    local delay_text=""
    delay_is_zero || delay_text=", +$delay one way"
    local srv_text="tmpfs of $disk per host"
    [[ -z "$disk_dir" ]] || srv_text="$disk_dir/hI on disk"
    cat <<EOF
sandbox '$name' is up: $count hosts ($(address_of 1)..$(address_of "$count")), controller $(controller_address)
  links: $rate each way per machine$delay_text; /srv: $srv_text
  hosts file:  $dir/hosts.txt
  client key:  $dir/id_ed25519    known hosts: $dir/known_hosts
  variables:   source $dir/env
EOF
    ((unreachable == 0)) || echo "  unreachable: $dir/unreachable.txt ($unreachable hosts that never answer)"
    [[ -z "$login_user" ]] || echo "  login user:  $login_user on every host, passwordless sudo"
    ((racks == 0)) || echo "  racks:       $racks (rack=r1..r$racks in hosts.txt), uplinks $rack_uplink each way"
    ((bastion == 0)) || echo "  bastion:     h0 at $(address_of 0), the only way to the hosts' SSH port: $dir/ssh_config, $dir/hosts-by-name.txt"
    cat <<EOF
Use it:
  scripts/sandbox.sh controller --name $name -- swarmdeploy push DIR to /srv/app on $dir/hosts.txt \\
      --identity $dir/id_ed25519 --known-hosts $dir/known_hosts
  scripts/sandbox.sh host 1 --name $name -- ls /srv
  scripts/sandbox.sh down --name $name
EOF
}

# ---------------------------------------------------------------------------
# status, controller, host

cmd_status() {
    require_root_and_tools
    discover_dir
    local namespaces ns hosts=0 running=0 unreachable_count=0 down_hosts=()
    namespaces=$(sandbox_namespaces)
    if [[ -z "$namespaces" ]]; then
        echo "sandbox '$name': not up"
        return 1
    fi
    for ns in $namespaces; do
        case "$ns" in
            "$name"-h*)
                hosts=$((hosts + 1))
                if listener_pid "$ns" >/dev/null; then
                    running=$((running + 1))
                else
                    down_hosts+=("${ns#"$name"-}")
                fi
                ;;
            "$name"-u*) unreachable_count=$((unreachable_count + 1)) ;;
        esac
    done
    echo "sandbox '$name': $hosts hosts, sshd running on $running, $unreachable_count unreachable"
    echo "  directory: $dir"
    [[ -f "$dir/env" ]] && sed -n 's/^export /  /p' "$dir/env"
    for ns in "$bridge_ns" "$controller_ns"; do
        grep -qx "$ns" <<<"$namespaces" || { echo "  missing namespace $ns"; return 2; }
    done
    if ((${#down_hosts[@]} > 0)); then
        echo "  no sshd on: ${down_hosts[*]}"
        return 2
    fi
}

cmd_controller() {
    require_root_and_tools
    ((${#run_args[@]} > 0)) || fail "controller needs a command after -- (see --help)"
    [[ -e "/run/netns/$controller_ns" ]] || fail "no sandbox '$name' (no namespace $controller_ns); run up first"
    exec ip netns exec "$controller_ns" "${run_args[@]}"
}

cmd_host() {
    require_root_and_tools
    [[ "$host_index" =~ ^[0-9]+$ ]] || fail "host needs a host number I >= 1, or 0 for the bastion (see --help)"
    ((${#run_args[@]} > 0)) || fail "host needs a command after -- (see --help)"
    local ns=$name-h$host_index pid
    [[ -e "/run/netns/$ns" ]] || fail "no host h$host_index in sandbox '$name' (no namespace $ns)"
    pid=$(listener_pid "$ns") || fail "sshd of host h$host_index does not run; its /srv and /root are gone"
    # Entering a mount namespace moves to its root directory; come back to the
    # caller's directory when the host can see it.
    exec nsenter --target "$pid" --net --mount -- \
        /bin/sh -c 'cd "$0" 2>/dev/null || cd /; exec "$@"' "$PWD" "${run_args[@]}"
}

cmd_link() {
    require_root_and_tools
    [[ "$host_index" =~ ^([1-9][0-9]*|ctl)$ ]] || fail "link needs a host number I >= 1, or ctl for the controller (see --help)"
    [[ "$rate_given" == 1 ]] || fail "link needs the new --rate, e.g. link $host_index --rate 10mbit"
    check_rate
    local ns=$name-h$host_index port=h$host_index who=h$host_index
    [[ "$host_index" != ctl ]] || { ns=$controller_ns port=ctl who=the\ controller; }
    [[ -e "/run/netns/$ns" ]] || fail "no $who in sandbox '$name' (no namespace $ns)"
    reshape "$ns" eth0
    reshape "$bridge_ns" "$port"
    note "$who's link now runs at $rate each way"
}

case "$command" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    controller) cmd_controller ;;
    host) cmd_host ;;
    link) cmd_link ;;
    *) fail "unknown command '$command' (see --help)" ;;
esac
