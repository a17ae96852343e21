#!/usr/bin/env python3
"""Reads a link-sampler.py log for one run and says how the links were used.

    link-report.py LOG START END RATE-BITS SERIES-FILE

START and END are the run's wall-clock bounds (UNIX time). Prints one line of words
and numbers for the benchmark script:

    peak_mbit=P peak_link=NAME controller_mean=F controller_idle_s=S controller_half_s=H

peak: the most any one link carried in any one-second window (sliding by a tenth), in
either direction, in Mbit/s, headers included; each window is taken as long as it can have
been (from the clock before the first sample's read to the clock after the last's), so a
sampler the machine delayed cannot make a link look faster than it was. controller_mean: the controller's uplink
use over the run as a share of RATE; controller_idle_s and controller_half_s: seconds of
the run in which it carried under 5 % and under 50 % of RATE, from its first byte sent to
its last. Writes SERIES-FILE for plotting, one line per half second: seconds since START,
the controller's upload, the hosts' mean download and mean upload, in Mbit/s.
"""
import sys

log, start, end, rate, series = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
samples = []  # (time, {port: (rx, tx)}, before, after)
with open(log) as lines:
    for line in lines:
        words = line.split()
        if len(words) < 5 or (len(words) - 2) % 3:
            continue  # a line cut by the sampler's end
        before, after = float(words[0]), float(words[1])
        t = (before + after) / 2
        if t < start - 1 or t > end + 1:
            continue
        ports = {words[i]: (int(words[i + 1]), int(words[i + 2])) for i in range(2, len(words), 3)}
        samples.append((t, ports, before, after))
if len(samples) < 2:
    sys.exit('link-report: fewer than two samples in the run')

names = sorted(samples[0][1])
# Peak over one-second windows: for each sample, the one at least a second later.
peak, peak_link = 0.0, '-'
j = 0
for i, (t, ports, before, after) in enumerate(samples):
    while j < len(samples) and samples[j][2] - after < 1.0:
        j += 1
    if j == len(samples):
        break
    later, span = samples[j][1], samples[j][3] - before
    for name in names:
        if name not in later or name not in ports:
            continue
        for k, direction in ((0, 'up'), (1, 'down')):
            mbit = (later[name][k] - ports[name][k]) * 8 / span / 1e6
            if mbit > peak:
                peak, peak_link = mbit, f'{name}-{direction}'

# The controller's uplink: what its bridge port received.
def controller(ports):
    return ports.get('ctl', (0, 0))[0]
first = next((t for t, p, *_ in samples if controller(p) > controller(samples[0][1]) + 100_000), None)
last_bytes = controller(samples[-1][1])
last = next((t for t, p, *_ in samples if controller(p) >= last_bytes - 100_000), None)
idle = half = 0.0
if first is not None and last is not None and last > first:
    for (t, p, *_), (t2, p2, *_) in zip(samples, samples[1:]):
        # Two samples can carry the same clock reading when the sampler falls behind.
        if t < first or t2 > last or t2 <= t:
            continue
        share = (controller(p2) - controller(p)) * 8 / (t2 - t) / rate
        if share < 0.05:
            idle += t2 - t
        if share < 0.5:
            half += t2 - t
span = samples[-1][0] - samples[0][0]
mean = (controller(samples[-1][1]) - controller(samples[0][1])) * 8 / span / rate
print(f'peak_mbit={peak:.2f} peak_link={peak_link} controller_mean={mean:.3f} controller_idle_s={idle:.1f} controller_half_s={half:.1f}')

hosts = [name for name in names if name.startswith('h')]
with open(series, 'w') as out:
    out.write('# seconds controller_up host_down_mean host_up_mean (Mbit/s)\n')
    i = 0
    while i < len(samples):
        j = i
        while j < len(samples) and samples[j][0] - samples[i][0] < 0.5:
            j += 1
        if j == len(samples):
            break
        (t, p), (t2, p2) = samples[i][:2], samples[j][:2]
        if t < start - 0.25:
            i = j
            continue
        per = lambda bytes: bytes * 8 / (t2 - t) / 1e6
        down = sum(per(p2[h][1] - p[h][1]) for h in hosts if h in p and h in p2) / max(1, len(hosts))
        up = sum(per(p2[h][0] - p[h][0]) for h in hosts if h in p and h in p2) / max(1, len(hosts))
        out.write(f'{t - start:.2f} {per(controller(p2) - controller(p)):.2f} {down:.2f} {up:.2f}\n')
        i = j
