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
