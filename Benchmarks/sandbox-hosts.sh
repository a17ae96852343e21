# Sourced by the benchmarks that run on the local sandbox (scripts/sandbox.sh).

# wipe_hosts NAME COUNT: empties /srv on hosts 1..COUNT of sandbox NAME, all at once. The
# peer cache is in each host's /root and stays.
wipe_hosts() {
    local name=$1 count=$2 i pids=()
    for ((i = 1; i <= count; i++)); do
        scripts/sandbox.sh host "$i" --name "$name" -- sh -c 'rm -rf /srv/* /srv/.[!.]*' &
        pids+=($!)
    done
    wait "${pids[@]}"
}

# build_binaries: builds the release swarmdeploy and the peer as shipped; sets $binary and $peer.
build_binaries() {
    binary=$(swift build -c release --product swarmdeploy --show-bin-path)/swarmdeploy
    swift build -c release --product swarmdeploy >/dev/null
    peer=$(scripts/build-peer.sh | tail -n 1)
}

# fresh_sandbox NAME SUBNET COUNT RATE SIZE_MIB WORK: a sandbox of COUNT hosts (replacing one
# of the same name left by an interrupted run), with room for a SIZE_MIB tree, and that tree
# generated in WORK/tree.
fresh_sandbox() {
    local name=$1 subnet=$2 count=$3 rate=$4 size_mib=$5 work=$6
    scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
    scripts/sandbox.sh up "$count" --name "$name" --subnet "$subnet" --rate "$rate" \
        --disk $((size_mib * 3 + 200))m >/dev/null
    python3 Benchmarks/generate-tree.py "$work/tree" "$size_mib"
    chmod 755 "$work"
}

# bits_per_second RATE: a tc rate such as 100mbit, 1gbit or 500kbit in bits per second.
bits_per_second() {
    case "$1" in
        *gbit) echo $((${1%gbit} * 1000000000)) ;;
        *mbit) echo $((${1%mbit} * 1000000)) ;;
        *kbit) echo $((${1%kbit} * 1000)) ;;
        *) echo "${1%bit}" ;;
    esac
}

# failed_hosts REPORT: one line per host that did not succeed in a push's --json report (its
# stage and error), so a failed benchmark run says why before its files are removed.
failed_hosts() {
    python3 - "$1" <<'PY'
import json, sys
try:
    report = json.load(open(sys.argv[1]))
except (OSError, ValueError) as error:
    sys.exit(f"no report: {error}")
for host in report.get("hosts", []):
    if host.get("status") != "succeeded":
        print(f"  {host.get('name')}: {host.get('status')} at {host.get('stage')}: {host.get('error')}")
PY
}

