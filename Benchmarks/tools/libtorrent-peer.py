#!/usr/bin/env python3
"""The libtorrent contender of push-fleet.sh: one script for the seeder and the hosts.

    libtorrent-peer.py seed TORRENT SAVE-DIR LISTEN-ADDRESS [RATE]
        Seeds the payload in SAVE-DIR; prints "ready" once the tracker knows it, then runs
        until killed.
    libtorrent-peer.py peer TORRENT SAVE-DIR LISTEN-ADDRESS DEST DONE-FILE STOP-FILE [RATE]
        Downloads, extracts into DEST with tar, writes the time into DONE-FILE, and seeds on
        until STOP-FILE exists; then writes "CPU-SECONDS RECEIVED-BYTES" into DONE-FILE.cpu:
        the CPU this process and its tar used (user + system), and the payload it received.
        RATE (bytes per second) caps its upload and download, as swarmdeploy's --max-rate.

Run with Debian's /usr/bin/python3, for which python3-libtorrent is built.
"""
import os, resource, subprocess, sys, time
import libtorrent as lt
role, torrent, save, listen = sys.argv[1:5]
# An optional last argument caps upload and download, in bytes per second.
cap_argument = {'peer': 8, 'seed': 5}[role]
cap = int(sys.argv[cap_argument]) if len(sys.argv) > cap_argument else 0
settings = {
    'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
    'listen_interfaces': listen + ':6881',
    # TCP only, as swarmdeploy: uTP paces itself to yield to other traffic.
    'enable_outgoing_utp': False, 'enable_incoming_utp': False,
    'ssrf_mitigation': False, 'announce_to_all_trackers': True,
    'upload_rate_limit': cap, 'download_rate_limit': cap,
    'alert_mask': lt.alert.category_t.tracker_notification | lt.alert.category_t.error_notification,
}
session = lt.session(settings)
if cap:
    # libtorrent exempts peers on the local network from its rate limits, and every peer in
    # the sandbox is local: put them all in the global class, which the limits apply to.
    everyone = lt.ip_filter()
    everyone.add_rule('0.0.0.0', '255.255.255.255', 1 << lt.session.global_peer_class_id)
    session.set_peer_class_filter(everyone)
info = lt.torrent_info(torrent)
handle = session.add_torrent({'ti': info, 'save_path': save})
deadline = time.time() + 900
while not handle.status().is_seeding:
    if time.time() > deadline:
        print('libtorrent: incomplete', handle.status().progress, flush=True)
        sys.exit(1)
    time.sleep(0.05)
if role == 'seed':
    # Ready once the tracker knows the seeder.
    handle.force_reannounce()
    announced = False
    while not announced and time.time() < deadline:
        session.wait_for_alert(500)
        announced = any(isinstance(a, lt.tracker_reply_alert) for a in session.pop_alerts())
    print('ready', flush=True)
    while True:
        time.sleep(1)
dest, done, stop = sys.argv[5:8]
os.makedirs(dest, exist_ok=True)
subprocess.run(['tar', '-xf', os.path.join(save, info.name()), '-C', dest], check=True)
with open(done + '.tmp', 'w') as out:
    out.write(f'{time.time():.3f}\n')
os.rename(done + '.tmp', done)
# Seed on, as a swarmdeploy peer does, until every host is done.
while not os.path.exists(stop) and time.time() < deadline:
    time.sleep(0.1)
used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
with open(done + '.cpu', 'w') as out:
    out.write(f'{sum(u.ru_utime + u.ru_stime for u in used):.3f} {handle.status().total_payload_download}\n')
