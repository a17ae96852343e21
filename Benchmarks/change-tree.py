#!/usr/bin/env python3
"""Changes a benchmark tree (see generate-tree.py) as a new release would.

Usage: change-tree.py DIR PERCENT [SEED]
About PERCENT % of the tree's bytes change, spread over about twice that share of its files:
small files rewritten, one large file edited in the middle (more when the share is large), a
few files added and a few removed. The same arguments on the same tree give the same result.
Prints what changed.
"""
import os
import random
import sys


def main():
    root, percent = sys.argv[1], float(sys.argv[2])
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    files = sorted(os.path.join(d, f) for d, _, names in os.walk(root) for f in names)
    sizes = {path: os.path.getsize(path) for path in files}
    total = sum(sizes.values())
    budget = int(total * percent / 100)
    large = [path for path in files if sizes[path] >= 1 << 20]
    small = [path for path in files if sizes[path] < 1 << 20]

    # Small files: about 2 × PERCENT % of all files are rewritten with new words.
    chosen = rng.sample(small, min(len(small), int(len(files) * 2 * percent / 100)))
    changed_small = 0
    for path in chosen:
        size = sizes[path]
        text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz \n") for _ in range(size)).encode()
        with open(path, "wb") as f:
            f.write(text)
        changed_small += size
    # A few files added and removed.
    for index in range(5):
        path = os.path.join(root, "src", f"added-{percent:g}-{index}.txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(rng.randbytes(8 << 10))
    rest = [path for path in small if path not in set(chosen)]
    for path in rng.sample(rest, min(5, len(rest))):
        os.remove(path)
    # The rest of the budget: large files edited in the middle, at most half of each.
    left = max(0, budget - changed_small)
    edited = []
    for path in rng.sample(large, len(large)):
        if left <= 0:
            break
        count = min(left, sizes[path] // 2)
        with open(path, "r+b") as f:
            f.seek(sizes[path] // 2 - count // 2)
            f.write(rng.randbytes(count))
        edited.append(f"{os.path.relpath(path, root)} ({count >> 20} MiB)")
        left -= count
    print(f"changed {changed_small >> 20} MiB in {len(chosen)} small files, edited {', '.join(edited) or 'no large file'}, "
          f"added 5 files and removed 5, of {total >> 20} MiB in {len(files)} files")


if __name__ == "__main__":
    main()
