#!/usr/bin/env python3
"""Generates a benchmark tree: a share of large incompressible files and many small text files.

Usage: generate-tree.py DIR TOTAL_MIB [LARGE_SHARE]
The same arguments always give the same tree (fixed seeds), so runs are comparable.
"""
import os
import random
import sys

def main():
    root, total_mib = sys.argv[1], int(sys.argv[2])
    large_share = float(sys.argv[3]) if len(sys.argv) > 3 else 0.7
    total = total_mib << 20
    large_total = int(total * large_share)
    rng = random.Random(42)

    # Large files: 64 MiB each, random bytes (incompressible, like compiled artifacts or images).
    os.makedirs(os.path.join(root, "blobs"), exist_ok=True)
    written, index = 0, 0
    while written < large_total:
        size = min(64 << 20, large_total - written)
        with open(os.path.join(root, "blobs", f"blob-{index:03d}.bin"), "wb") as f:
            f.write(rng.randbytes(size))
        written += size
        index += 1

    # Small text files: 4–16 KiB of words, in a few hundred nested directories (like sources and configs).
    words = [("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10)))) for _ in range(2000)]
    small_total = total - large_total
    written, index = 0, 0
    while written < small_total:
        directory = os.path.join(root, "src", f"pkg{index % 37:02d}", f"mod{index % 11:02d}")
        os.makedirs(directory, exist_ok=True)
        target = min(rng.randint(4 << 10, 16 << 10), small_total - written)
        parts, length = [], 0
        while length < target:
            line = " ".join(rng.choice(words) for _ in range(12)) + "\n"
            parts.append(line)
            length += len(line)
        data = "".join(parts).encode()[:target]
        with open(os.path.join(directory, f"file{index:06d}.txt"), "wb") as f:
            f.write(data)
        written += len(data)
        index += 1

if __name__ == "__main__":
    main()
