#!/usr/bin/env bash
# Builds swarmdeploy-peer as it is shipped to hosts — fully static (Swift runtime, glibc,
# zlib linked in), so it runs on hosts without a Swift toolchain, libssh2 or a recent glibc
# — and writes a stripped copy to .build-peer/swarmdeploy-peer (the file push uploads:
# about a third the size, and hosts cache it by content).
#
# The peer must not rely on NSS (user/group names, DNS), which a static glibc cannot load;
# it is given IP addresses. It has its own build directory because these flags differ from
# an ordinary release build. Prints the stripped binary's path on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT
build=(swift build -c release --product swarmdeploy-peer --scratch-path .build-peer
       --static-swift-stdlib -Xswiftc -static-executable)
if ! "${build[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
fi
# Static glibc warns about the NSS functions (user/group lookups) it cannot link in; the
# peer looks up no users or host names, so those warnings are filtered from the log.
grep -v "statically linked applications requires at runtime" "$log" >&2 || true
binary=$("${build[@]}" --show-bin-path)/swarmdeploy-peer
strip -o .build-peer/swarmdeploy-peer.tmp "$binary"
mv -f .build-peer/swarmdeploy-peer.tmp .build-peer/swarmdeploy-peer
echo "$PWD/.build-peer/swarmdeploy-peer"
