#!/usr/bin/env bash
# Installs what swarmdeploy needs, builds it, and shows it on the bundled example app:
# packs Examples/webapp into a tarball and torrent, then previews a push to the example
# hosts with --dry-run (which contacts nothing).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build -c release --product swarmdeploy
bin=$(swift build -c release --show-bin-path)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo
echo "\$ swarmdeploy pack Examples/webapp -o $out/webapp"
"$bin/swarmdeploy" pack Examples/webapp -o "$out/webapp"
echo
echo "\$ swarmdeploy push Examples/webapp to /opt/webapp on Examples/hosts.txt --dry-run"
"$bin/swarmdeploy" push Examples/webapp to /opt/webapp on Examples/hosts.txt --dry-run
