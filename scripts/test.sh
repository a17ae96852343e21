#!/usr/bin/env bash
# Installs what the tests need, builds swarmdeploy, and runs the whole test suite:
# unit tests, interoperability tests (libtorrent, opentracker, mktorrent, GNU tar), SSH
# tests against real sshd, CLI tests, push system tests on a sandbox of namespace hosts
# (needs root), and a check that the peer binary needs no Swift runtime and no libssh2.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== peer binary as shipped (static, stripped)"
# The push system tests upload this very file to the sandbox hosts.
SWARMDEPLOY_PEER=$(scripts/build-peer.sh | tail -n 1)
export SWARMDEPLOY_PEER

echo "== build (debug, with tests)"
swift build --build-tests

echo "== tests"
# One test at a time: several tests start real servers and tools (sshd, opentracker,
# libtorrent, GNU tar, a sandbox of namespace hosts) and wait on them with timeouts; run
# side by side on a 2-core machine they starve each other.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift test --skip-build --no-parallel 2>&1 | tee "$log"

echo "== peer binary"
scripts/check-peer-binary.sh

echo "== fuzzing (each target briefly)"
# Every parser fuzz target for 20 s on its seed corpus (docs/fuzzing.md); fails on any crash.
scripts/fuzz.sh --time 20

# One closing line for the whole run (every test is a swift-testing test; XCTest's own
# summary counts none of them). A failure has stopped the script before this line.
passed=$(grep -oE 'Test run with [0-9]+ tests' "$log" | tail -n 1 | grep -oE '[0-9]+')
echo "tests: ${passed:-0} passed, 0 failed"
