#!/usr/bin/env bash
# Parallel scp, the baseline push-fleet.sh compares with: copies TARBALL to every root@ host
# of HOSTS at once and extracts it to /srv/app there. Runs inside the controller's
# namespace; the remaining arguments are ssh options. Exits with the number of hosts that failed.
#
#   scp-all.sh HOSTS TARBALL [SSH-OPTION...]
set -u
hosts=$1 tarball=$2
shift 2
pids=()
for address in $(awk '/^root@/ { sub(/^root@/, "", $1); print $1 }' "$hosts"); do
    { scp -q "$@" "$tarball" "root@$address:/srv/release.tar" &&
        ssh "$@" "root@$address" 'mkdir -p /srv/app && tar -xf /srv/release.tar -C /srv/app'; } &
    pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
exit "$failed"
