#!/usr/bin/env python3
"""One row of piece-size.sh's table from a push-fleet.sh results file (push only, one count).

Usage: piece-size-row.py RESULTS.md SIZE HOSTS
Prints: | SIZE | median s (eff) | runs | first / last holds all | install trail | copies | CPU s/GiB |
        cores busy (steal) |
"""
import re
import sys


def table_row(lines, header_start, hosts):
    """The cells of the row for `hosts` in the table whose header begins with header_start."""
    for i, line in enumerate(lines):
        if line.startswith(header_start):
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                cells = [c.strip() for c in row.strip().strip("|").split("|")]
                if cells[0] == hosts:
                    return cells
    sys.exit(f"{sys.argv[1]}: no row for {hosts} hosts under '{header_start}'")


def main():
    path, size, hosts = sys.argv[1:4]
    lines = open(path).read().splitlines()
    times = table_row(lines, "| N | ideal s", hosts)
    runs = re.search(r"push runs ([0-9., ]+) s", times[5])
    breakdown = table_row(lines, "| N | packed", hosts)
    first, _, last = (part.strip() for part in breakdown[4].split("/"))
    links = table_row(lines, "| N | busiest link", hosts)
    # "1.40 / 82 %, 100 % (10 %)": cores used / machine busy mean, peak (hypervisor steal)
    cores = table_row(lines, "| N | seeder sent", hosts)[4]
    busy = re.match(r"[0-9.]+ / ([0-9]+ %), [0-9]+ % \(([0-9]+ %)\)", cores)
    print(f"| {size} | {times[2]} | {runs.group(1) if runs else times[2].split()[0]} | {first} / {last} "
          f"| {breakdown[5]} | {breakdown[8]} | {links[3]} | {busy.group(1) + ' (' + busy.group(2) + ')' if busy else cores} |")


main()
