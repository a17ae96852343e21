#!/usr/bin/env bash
# Installs the Debian packages swarmdeploy needs to build, test and benchmark.
# Safe to run again: apt-get skips what is already installed.
# Set SWARMDEPLOY_SKIP_APT=1 to skip (e.g. on a machine you prepared yourself).
set -euo pipefail

packages=(
    # Build: the system libraries and pkg-config to find them.
    libssh2-1-dev libssl-dev zlib1g-dev libzstd-dev pkg-config
    # Interoperability tests: standard BitTorrent clients and a torrent maker, GNU tar.
    python3-libtorrent aria2 transmission-cli mktorrent tar gzip zstd
    # Web seeds (BEP 19): an HTTP server as an artifact store would run, and the system's
    # certificate store that https ones are checked against.
    nginx-light ca-certificates
    # Test hosts and benchmarks: OpenSSH, namespaces and traffic shaping, a standard tracker.
    openssh-server openssh-client iproute2 opentracker pssh procps
    # Benchmark pictures.
    gnuplot-nox
    # Test hosts that log in as an unprivileged user and escalate (--sudo).
    sudo
    # The namespace sandbox (scripts/sandbox.sh): unshare, nsenter, setsid.
    util-linux
)

if [[ "${SWARMDEPLOY_SKIP_APT:-0}" == 1 ]]; then
    echo "install-deps: skipped (SWARMDEPLOY_SKIP_APT=1)"
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
else
    echo "install-deps: needs root (or sudo) to install: ${packages[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-deps: apt-get update"
"${sudo[@]}" apt-get update -qq
echo "install-deps: apt-get install ${packages[*]}"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-deps: done"
