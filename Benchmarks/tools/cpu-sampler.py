#!/usr/bin/env python3
"""Samples how busy this machine's cores are, every half second, until killed.

Writes one line per sample to the file named by the first argument:
"UNIX-TIME BUSY-FRACTION STEAL-FRACTION" over all cores. Steal is time a hypervisor gave
this virtual machine's cores to others: counted as busy (the benchmark could not use it),
and reported on its own.
"""
import sys, time
def sample():
    fields = [int(v) for v in open('/proc/stat').readline().split()[1:]]
    return sum(fields[:8]), fields[3] + fields[4], fields[7]
with open(sys.argv[1], 'w', buffering=1) as out:
    total0, idle0, steal0 = sample()
    while True:
        time.sleep(0.5)
        total, idle, steal = sample()
        span = max(1, total - total0)
        out.write(f'{time.time():.2f} {1 - (idle - idle0) / span:.3f} {(steal - steal0) / span:.3f}\n')
        total0, idle0, steal0 = total, idle, steal
