#!/usr/bin/python3
"""A client that is not part of a push, for the sandbox security tests.

probe INFO_HASH HOST:PORT...
    Connects to each target, sends a plain BitTorrent handshake for INFO_HASH, "interested"
    and a request for the first block, and prints one JSON line per target: whether it
    connected, whether a handshake came back, the message ids received and whether the
    target closed the connection. A target that serves the payload sends 1 (unchoke) and 7
    (piece).

flood SECONDS COUNT HOST:PORT... [--handshake INFO_HASH]
    Keeps COUNT connections open to each target for SECONDS, opening a new one a second after
    the target closes one. They send nothing, or with --handshake a handshake that offers
    swarmdeploy's peer authentication, a challenge and a wrong proof. Prints one JSON line:
    connections opened and closed by the targets.
"""
import asyncio
import json
import os
import resource
import struct
import sys

PROTOCOL = b"\x13BitTorrent protocol"


def handshake(info_hash, authenticates=False):
    reserved = bytearray(8)
    if authenticates:
        reserved[3] |= 0x01
    return PROTOCOL + bytes(reserved) + info_hash + b"-XX0001-" + os.urandom(12)


def message(message_id, payload=b""):
    return struct.pack(">IB", 1 + len(payload), message_id) + payload


def target(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


async def probe_one(info_hash, host, port):
    result = {"target": f"{host}:{port}", "connected": False, "handshake": False, "ids": [], "closed": False}
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 3)
    except (OSError, asyncio.TimeoutError):
        return result
    result["connected"] = True
    writer.write(handshake(info_hash) + message(2) + message(6, struct.pack(">III", 0, 0, 16384)))
    received = b""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 4
    try:
        while loop.time() < deadline:
            chunk = await asyncio.wait_for(reader.read(65536), deadline - loop.time())
            if not chunk:
                result["closed"] = True
                break
            received += chunk
    except ConnectionError:
        # A close with our bytes unread arrives as a reset.
        result["closed"] = True
    except (OSError, asyncio.TimeoutError):
        pass
    writer.close()
    if len(received) >= 68 and received[:20] == PROTOCOL:
        result["handshake"] = True
        rest = received[68:]
        while len(rest) >= 4:
            (length,) = struct.unpack(">I", rest[:4])
            if length > 0 and len(rest) >= 5:
                result["ids"].append(rest[4])
            rest = rest[4 + length:]
    return result


async def probe(info_hash, targets):
    results = await asyncio.gather(*(probe_one(info_hash, host, port) for host, port in targets))
    for result in results:
        print(json.dumps(result), flush=True)


async def hold(host, port, seconds_left, hello, counts):
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds_left
    while loop.time() < end:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
        except (OSError, asyncio.TimeoutError):
            await asyncio.sleep(0.1)
            continue
        counts["opened"] += 1
        if hello:
            writer.write(hello)
        try:
            while loop.time() < end:
                chunk = await asyncio.wait_for(reader.read(4096), end - loop.time())
                if not chunk:
                    counts["closed"] += 1
                    break
        except ConnectionError:
            counts["closed"] += 1
        except (OSError, asyncio.TimeoutError):
            pass
        writer.close()
        # Each connection comes back a second after the target closed it.
        await asyncio.sleep(1)


async def flood(seconds, count, targets, info_hash):
    hello = None
    if info_hash:
        hello = handshake(info_hash, authenticates=True) + message(0xF0, os.urandom(16)) + message(0xF1, os.urandom(32))
    counts = {"opened": 0, "closed": 0}
    await asyncio.gather(*(hold(host, port, seconds, hello, counts) for host, port in targets for _ in range(count)))
    print(json.dumps(counts), flush=True)


def main(arguments):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if len(arguments) >= 3 and arguments[0] == "probe":
        asyncio.run(probe(bytes.fromhex(arguments[1]), [target(t) for t in arguments[2:]]))
    elif len(arguments) >= 4 and arguments[0] == "flood":
        info_hash = None
        if "--handshake" in arguments:
            at = arguments.index("--handshake")
            info_hash = bytes.fromhex(arguments[at + 1])
            arguments = arguments[:at] + arguments[at + 2:]
        asyncio.run(flood(float(arguments[1]), int(arguments[2]), [target(t) for t in arguments[3:]], info_hash))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
