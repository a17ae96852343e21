#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What an extracted tree holds on disk, to hold against the extractor's own summary.
public struct TreeCensus: Equatable {
    public var files = 0
    public var directories = 0
    public var symlinks = 0
    /// Content bytes, each inode counted once (hard links share theirs).
    public var bytes: Int64 = 0
    /// Symlinks whose target exists outside the tree.
    public var escapingSymlinks: [String] = []

    /// Walks `root` without following symlinks.
    public init(root: String) {
        let resolvedRoot = Self.realPath(root) ?? root
        var inodes = Set<UInt64>()
        walk(root, resolvedRoot: resolvedRoot, inodes: &inodes)
    }

    private mutating func walk(_ directory: String, resolvedRoot: String, inodes: inout Set<UInt64>) {
        for name in ScratchDirectory.names(in: directory) {
            let path = directory + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                directories += 1
                walk(path, resolvedRoot: resolvedRoot, inodes: &inodes)
            case S_IFREG:
                files += 1
                if inodes.insert(UInt64(info.st_ino)).inserted { bytes += Int64(info.st_size) }
            case S_IFLNK:
                symlinks += 1
                // A dangling link resolves nowhere yet; one that resolves must stay inside.
                if let target = Self.realPath(path), target != resolvedRoot, !target.hasPrefix(resolvedRoot + "/") {
                    escapingSymlinks.append(path)
                }
            default:
                files += 1_000_000  // a device or FIFO: never expected, always reported
            }
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
