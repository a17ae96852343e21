#!/usr/bin/env bash
# Installs what swarmdeploy needs, builds it, starts a local sandbox of 8 hosts (network
# namespaces on this machine, each with its own sshd and private /srv, links shaped to
# 100 Mbit/s), pushes Examples/ to /srv/examples on every host, shows the result, pushes
# again (the hosts' peer cache is warm now), and removes the sandbox. Needs root.
#
#   scripts/demo.sh [HOSTS]      (default 8)
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-8}
name=sddemo
dir=/run/swarmdeploy-sandbox-$name

scripts/install-deps.sh
echo "== building swarmdeploy (release) and the peer it uploads"
swift build -c release --product swarmdeploy 2>&1 | tail -n 1
bin=$(swift build -c release --show-bin-path)
peer=$(scripts/build-peer.sh | tail -n 1)

echo "== starting a sandbox of $hosts hosts"
scripts/sandbox.sh down --name "$name" >/dev/null 2>&1 || true
trap 'echo "== removing the sandbox"; scripts/sandbox.sh down --name "$name" >/dev/null' EXIT
scripts/sandbox.sh up "$hosts" --name "$name" --rate 100mbit

push() {
    echo
    echo "\$ swarmdeploy push Examples to /srv/examples on $dir/hosts.txt --link-rate 100mbit $*"
    scripts/sandbox.sh controller --name "$name" -- "$bin/swarmdeploy" push Examples to /srv/examples \
        on "$dir/hosts.txt" --identity "$dir/id_ed25519" --known-hosts "$dir/known_hosts" \
        --peer-binary "$peer" --link-rate 100mbit --seed-grace 5s "$@"
}

push
echo
echo "\$ ls -l /srv/examples /srv/examples/webapp    # on host h1"
scripts/sandbox.sh host 1 --name "$name" -- ls -l /srv/examples /srv/examples/webapp
push --quiet
echo
echo "\$ ls -A /srv    # on host h$hosts: the new tree, and the one it replaced"
scripts/sandbox.sh host "$hosts" --name "$name" -- ls -A /srv
