#!/usr/bin/env bash
# Builds the peer as it is shipped to hosts (scripts/build-peer.sh) and checks that it
# depends on no shared library beyond glibc's own and zlib: no libssh2, no Swift runtime,
# so it runs on hosts without them. Prints its size as uploaded.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=$(scripts/build-peer.sh | tail -n 1)
unstripped=$(swift build -c release --product swarmdeploy-peer --scratch-path .build-peer \
    --static-swift-stdlib -Xswiftc -static-executable --show-bin-path)/swarmdeploy-peer

# glibc's own libraries, the kernel's vDSO, the dynamic loader, and zlib.
allowed='^(\(none: statically linked\)|linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libutil\.so\.1|libz\.so\.1|/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1)$'
if ldd "$binary" >/dev/null 2>&1; then
    libraries=$(ldd "$binary" | awk '{print $1}')
else
    libraries="(none: statically linked)"
fi
unexpected=$(grep -Ev "$allowed" <<<"$libraries" || true)

"$binary" version >/dev/null
size=$(stat -c %s "$unstripped")
stripped=$(stat -c %s "$binary")
gzipped=$(gzip -c "$binary" | wc -c)
echo "peer: $binary"
echo "peer: $((size / 1024 / 1024)) MiB, $((stripped / 1024 / 1024)) MiB stripped, $((gzipped / 1024 / 1024)) MiB stripped+gzipped; links: $(tr '\n' ' ' <<<"$libraries")"
if [[ -n "$unexpected" ]]; then
    echo "peer: FAILED: links libraries a target host may lack: $(tr '\n' ' ' <<<"$unexpected")" >&2
    exit 1
fi
echo "peer: OK"
