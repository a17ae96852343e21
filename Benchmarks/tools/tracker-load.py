#!/usr/bin/env python3
"""Load generator for an HTTP BitTorrent tracker on loopback.

Fills one swarm with PEERS peers (each announces `started` once), then keeps re-announcing
them for SECONDS over CONNECTIONS keep-alive connections from SOURCES loopback addresses
(127.0.1.1, 127.0.1.2, ...; each peer always announces from the same one), and prints one
JSON line: announces per second while filling and while steady, latency percentiles, errors.

Usage: tracker-load.py URL INFO_HASH_HEX [--peers N] [--seconds S] [--connections C] [--sources K]
"""
import asyncio
import json
import random
import sys
import time
import urllib.parse


def options(arguments):
    values = {"peers": 10000, "seconds": 20.0, "connections": 64, "sources": 8}
    positional = []
    index = 0
    while index < len(arguments):
        if arguments[index].startswith("--"):
            key = arguments[index][2:]
            values[key] = type(values[key])(arguments[index + 1])
            index += 2
        else:
            positional.append(arguments[index])
            index += 1
    if len(positional) != 2:
        sys.exit(__doc__)
    return positional[0], bytes.fromhex(positional[1]), values


class Connection:
    def __init__(self, host, port, path, source):
        self.host, self.port, self.path, self.source = host, port, path, source
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, local_addr=(self.source, 0))

    async def announce(self, info_hash, peer_id, port, left, event=None):
        query = "info_hash=%s&peer_id=%s&port=%d&uploaded=0&downloaded=0&left=%d&compact=1&numwant=50" % (
            urllib.parse.quote_from_bytes(info_hash), urllib.parse.quote_from_bytes(peer_id), port, left)
        if event:
            query += "&event=" + event
        self.writer.write(("GET %s?%s HTTP/1.1\r\nHost: tracker\r\n\r\n" % (self.path, query)).encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await self.reader.readexactly(length)
        status = head.split(b" ", 2)[1]
        return status == b"200" and b"failure reason" not in body


async def run(url, info_hash, values):
    parsed = urllib.parse.urlsplit(url)
    peers = values["peers"]
    connections = [
        Connection(parsed.hostname, parsed.port, parsed.path, "127.0.1.%d" % (1 + index % values["sources"]))
        for index in range(values["connections"])
    ]
    for connection in connections:
        await connection.open()
    # Peer i announces on connection i % C, so always from the same address.
    ids = [b"-LG0001-" + b"%012d" % index for index in range(peers)]
    errors = 0
    latencies = []

    async def fill(slot):
        nonlocal errors
        for index in range(slot, peers, len(connections)):
            if not await connections[slot].announce(info_hash, ids[index], 10000 + index % 50000, 1 << 20, "started"):
                errors += 1

    started = time.monotonic()
    await asyncio.gather(*(fill(slot) for slot in range(len(connections))))
    fill_seconds = time.monotonic() - started

    deadline = time.monotonic() + values["seconds"]
    count = 0

    async def steady(slot):
        nonlocal errors, count
        mine = list(range(slot, peers, len(connections)))
        generator = random.Random(slot)
        while time.monotonic() < deadline:
            index = generator.choice(mine)
            begun = time.monotonic()
            ok = await connections[slot].announce(info_hash, ids[index], 10000 + index % 50000, generator.choice([0, 1 << 20]))
            latencies.append(time.monotonic() - begun)
            count += 1
            if not ok:
                errors += 1

    begun = time.monotonic()
    await asyncio.gather(*(steady(slot) for slot in range(len(connections))))
    steady_seconds = time.monotonic() - begun
    latencies.sort()

    def percentile(p):
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2) if latencies else None

    print(json.dumps({
        "peers": peers, "connections": len(connections), "sources": values["sources"],
        "fill_seconds": round(fill_seconds, 2), "fill_per_second": round(peers / fill_seconds),
        "steady_announces": count, "steady_per_second": round(count / steady_seconds),
        "latency_ms_p50": percentile(0.5), "latency_ms_p99": percentile(0.99), "errors": errors,
    }))


if __name__ == "__main__":
    url, info_hash, values = options(sys.argv[1:])
    asyncio.run(run(url, info_hash, values))
