#!/usr/bin/env python3
"""Samples every link of the sandbox's bridge, ten times a second, until killed.

Run inside the bridge's network namespace (`ip netns exec NAME-net`), where each machine's
link ends in a port named after it (ctl for the controller, h1, h2, ... for the hosts).
Writes one line per sample to the file named by the first argument:
"BEFORE AFTER PORT RX-BYTES TX-BYTES ..." with the counters of every port, read between the
two clock readings (UNIX time). A port receives what its machine sends (the machine's
upload) and transmits what it receives (its download). The counters are the kernel's, so
headers are included, as on the wire.
"""
import sys, time

def counters():
    ports = []
    with open('/proc/net/dev') as dev:
        for line in dev.readlines()[2:]:
            name, fields = line.split(':', 1)
            name = name.strip()
            if name == 'lo' or name.startswith('br'):
                continue
            values = fields.split()
            ports.append(f'{name} {values[0]} {values[8]}')
    return ports

with open(sys.argv[1], 'w', buffering=1 << 16) as out:
    next_sample = time.time()
    while True:
        before = time.time()
        ports = counters()
        out.write(f'{before:.3f} {time.time():.3f} ' + ' '.join(ports) + '\n')
        out.flush()
        next_sample += 0.1
        time.sleep(max(0.0, next_sample - time.time()))
