#!/usr/bin/env python3
"""Where one push's time went, from its --json report: one line of KEY=VALUE words.

    push-breakdown.py REPORT

prepared: packing and hashing the tree, before the push contacts any host;
connected, started: when the last host's SSH session was up and its peer in the swarm;
downloaded_first/_median/_last: when hosts held every piece, verified (the swarm's part);
install_lag: the most any host took from holding every piece to its tree switched;
installed: the last switch; wall: the whole command; after: wall - installed (the end of
the command: reports, stopping the seeder and the peers). Seconds since the command started.
copies: payload copies the controller sent; web_copies: copies the hosts fetched from web
seeds; duplicate_mib: bytes received twice, all hosts.
cpu_per_gib: the peers' CPU seconds (user + system, each peer's own accounting) per GiB
they received; received_gib: what they received, duplicates included.
"""
import json, statistics, sys

report = json.load(open(sys.argv[1]))
hosts = report['hosts']
# The timelines count from the end of the preparation; shift them to the command's start.
prepared = report['totals'].get('prepared_seconds', 0)
line = lambda key: [prepared + h['timeline'][key] for h in hosts if h.get('timeline', {}).get(key) is not None]
downloaded = sorted(line('downloaded'))
lags = [h['timeline']['installed'] - h['timeline']['downloaded'] for h in hosts
        if h.get('timeline', {}).get('installed') is not None and h['timeline'].get('downloaded') is not None]
received = sum(h.get('bytes_from_seeder', 0) + h.get('bytes_from_peers', 0) + h.get('bytes_from_web_seeds', 0) for h in hosts)
cpu = sum(h.get('cpu_seconds') or 0 for h in hosts)
totals = report['totals']
words = {
    'prepared': prepared,
    'connected': max(line('connected'), default=0),
    'started': max(line('started'), default=0),
    'downloaded_first': downloaded[0] if downloaded else 0,
    'downloaded_median': statistics.median(downloaded) if downloaded else 0,
    'downloaded_last': downloaded[-1] if downloaded else 0,
    'install_lag': max(lags, default=0),
    'installed': max(line('installed'), default=0),
    'wall': totals['wall_seconds'],
    'copies': totals['seeder_copies'],
    'web_copies': totals.get('web_seed_copies', 0),
    'duplicate_mib': sum(h.get('bytes_duplicate', 0) for h in hosts) / 2**20,
    'cpu_per_gib': cpu / (received / 2**30) if received else 0,
    'received_gib': received / 2**30,
}
words['after'] = words['wall'] - words['installed']
print(' '.join(f'{key}={value:.3f}' for key, value in words.items()))
