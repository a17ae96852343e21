#!/usr/bin/env bash
# Installs what the tests need, builds swarmdeploy, and runs the whole test suite:
# unit tests, interoperability tests (libtorrent, mktorrent, GNU tar), CLI tests,
# and a check that the peer binary needs no Swift runtime and no libssh2 on a host.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== build (debug, with tests)"
swift build --build-tests

echo "== tests"
# One test at a time: several tests start real servers and tools (sshd, opentracker,
# libtorrent, GNU tar) and wait on them with timeouts; run side by side on a 2-core
# machine they starve each other. Serially the whole suite takes well under a minute.
swift test --skip-build --no-parallel

echo "== peer binary"
scripts/check-peer-binary.sh
