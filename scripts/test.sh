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
swift test --skip-build

echo "== peer binary"
scripts/check-peer-binary.sh
