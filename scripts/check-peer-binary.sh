#!/usr/bin/env bash
# Builds the peer as it is shipped to hosts (release, Swift runtime linked statically) and
# checks that it depends only on glibc's libraries and zlib: no libssh2, no Swift toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release --product swarmdeploy-peer --static-swift-stdlib
binary=$(swift build -c release --product swarmdeploy-peer --static-swift-stdlib --show-bin-path)/swarmdeploy-peer

# glibc's own libraries, the kernel's vDSO, the dynamic loader, and zlib.
allowed='^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|libutil\.so\.1|libz\.so\.1|/lib64/ld-linux-x86-64\.so\.2|/lib/ld-linux-aarch64\.so\.1)$'
libraries=$(ldd "$binary" | awk '{print $1}')
unexpected=$(grep -Ev "$allowed" <<<"$libraries" || true)

"$binary" version >/dev/null
size=$(stat -c %s "$binary")
stripped=$(strip -o /dev/stdout "$binary" | wc -c)
echo "peer: $binary"
echo "peer: $((size / 1024 / 1024)) MiB, $((stripped / 1024 / 1024)) MiB stripped; links: $(tr '\n' ' ' <<<"$libraries")"
if [[ -n "$unexpected" ]]; then
    echo "peer: FAILED: links libraries a target host may lack: $(tr '\n' ' ' <<<"$unexpected")" >&2
    exit 1
fi
echo "peer: OK"
