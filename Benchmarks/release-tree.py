#!/usr/bin/env python3
"""Makes a release-like tree: executables, shared libraries and text, copied from this machine.

Usage: release-tree.py DIR TOTAL_MIB
About 40 % executables and 40 % libraries from the Swift toolchain that runs this script's
builds (found from `swift` on PATH), 20 % text (/usr/share/doc, /usr/include), each taken in
sorted path order up to its share, so the same machine always gives the same tree. Unlike
generate-tree.py's random blobs, these bytes compress about as real releases do.
"""
import os
import shutil
import sys


def files_under(root):
    for directory, names, files in sorted(os.walk(root)):
        names.sort()
        for name in sorted(files):
            path = os.path.join(directory, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            yield path


def main():
    target, total = sys.argv[1], int(sys.argv[2]) << 20
    swift = shutil.which("swift")
    if swift is None:
        sys.exit("release-tree.py: no swift on PATH to take executables and libraries from")
    toolchain = os.path.dirname(os.path.dirname(os.path.realpath(swift)))
    shares = [
        ("bin", [os.path.join(toolchain, "bin")], 0.4, lambda p: os.access(p, os.X_OK)),
        ("lib", [os.path.join(toolchain, "lib")], 0.4, lambda p: ".so" in os.path.basename(p)),
        ("share", ["/usr/share/doc", "/usr/include"], 0.2, lambda p: True),
    ]
    for name, roots, share, wanted in shares:
        budget = int(total * share)
        for root in roots:
            for path in files_under(root):
                size = os.path.getsize(path)
                if budget <= 0:
                    break
                if size == 0 or size > budget or size > 256 << 20 or not wanted(path):
                    continue
                destination = os.path.join(target, name, os.path.relpath(path, root))
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                shutil.copyfile(path, destination)
                shutil.copymode(path, destination)
                budget -= size


if __name__ == "__main__":
    main()
