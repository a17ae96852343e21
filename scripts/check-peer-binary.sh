#!/usr/bin/env bash
# Builds the peer as it is shipped to hosts and checks that it depends on no shared library
# beyond glibc's own and zlib: no libssh2, no Swift runtime, so it runs on hosts without them.
#
# The shipped peer is linked fully statically (Swift runtime, C++ runtime, glibc, zlib), so it
# also runs on hosts with an older glibc than the build machine's. It must not rely on NSS
# (user/group names, DNS names), which a static glibc cannot load; it is given IP addresses.
# It has its own build directory because these flags differ from an ordinary release build.
set -euo pipefail
cd "$(dirname "$0")/.."

# Static glibc warns about the NSS functions (user/group lookups) it cannot link in; the
# peer looks up no users or host names, so those warnings are filtered from the log.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
build=(swift build -c release --product swarmdeploy-peer --scratch-path .build-peer
       --static-swift-stdlib -Xswiftc -static-executable)
if ! "${build[@]}" >"$log" 2>&1; then
    cat "$log"
    exit 1
fi
grep -v "statically linked applications requires at runtime" "$log" || true
binary=$("${build[@]}" --show-bin-path)/swarmdeploy-peer

# glibc's own libraries, the kernel's vDSO, the dynamic loader, and zlib.
allowed='^(\(none: statically linked\)|linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libutil\.so\.1|libz\.so\.1|/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1)$'
if ldd "$binary" >/dev/null 2>&1; then
    libraries=$(ldd "$binary" | awk '{print $1}')
else
    libraries="(none: statically linked)"
fi
unexpected=$(grep -Ev "$allowed" <<<"$libraries" || true)

"$binary" version >/dev/null
size=$(stat -c %s "$binary")
stripped_copy=$(mktemp); strip -o "$stripped_copy" "$binary"; stripped=$(stat -c %s "$stripped_copy"); gzipped=$(gzip -c "$stripped_copy" | wc -c); rm -f "$stripped_copy"
echo "peer: $binary"
echo "peer: $((size / 1024 / 1024)) MiB, $((stripped / 1024 / 1024)) MiB stripped, $((gzipped / 1024 / 1024)) MiB stripped+gzipped; links: $(tr '\n' ' ' <<<"$libraries")"
if [[ -n "$unexpected" ]]; then
    echo "peer: FAILED: links libraries a target host may lack: $(tr '\n' ' ' <<<"$unexpected")" >&2
    exit 1
fi
echo "peer: OK"
