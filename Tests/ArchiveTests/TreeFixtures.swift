import Foundation
import Glibc
import Testing
import TestSupport

// Trees for the archive tests to pack, and a way to compare them after a round trip.

// MARK: - Building trees

func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    chmod(path, mode)
}

func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
    try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    chmod(path, mode)
}

func writeFile(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
    try writeFile(path, Array(text.utf8), mode: mode)
}

func makeSymlink(_ path: String, target: String) throws {
    guard symlink(target, path) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
}

func setMtime(_ path: String, _ seconds: Int) {
    let time = timespec(tv_sec: seconds, tv_nsec: 0)
    _ = utimensat(AT_FDCWD, path, [time, time], AT_SYMLINK_NOFOLLOW)
}

let longDirectory = "a-fairly-long-directory-name-number-one/another-fairly-long-directory-name-number-two"
/// Over 100 bytes but splittable into ustar prefix/name.
let path150 = longDirectory + "/file-with-a-name-that-pushes-the-path-past-one-hundred.txt"
/// Over 255 bytes: only pax (or GNU 'L') can hold it.
let path300 =
    longDirectory + "/" + String(repeating: "nested-level-", count: 8) + "x/"
    + String(repeating: "deeper-still-", count: 6) + "y/final-file-name.bin"
let longLinkTarget = path150

/// A tree exercising everything the format must carry. `ustarOnly` leaves out what
/// plain ustar cannot store (paths over 255 bytes, link targets over 100 bytes).
func makeSampleTree(at root: String, ustarOnly: Bool = false, reverseOrder: Bool = false) throws {
    var steps: [() throws -> Void] = [
        { try writeFile(root + "/bin/run.sh", "#!/bin/sh\necho hello\n", mode: 0o755) },
        { try writeFile(root + "/docs/readme.txt", "Read me.\n", mode: 0o644) },
        { try writeFile(root + "/docs/private.txt", "secret\n", mode: 0o600) },
        { try writeFile(root + "/docs/ünïcødé-名前.txt", "utf-8 name\n", mode: 0o640) },
        { try writeFile(root + "/empty-file", [UInt8](), mode: 0o644) },
        { try writeFile(root + "/data/blob.bin", SplitMix64.bytes(count: 3 << 20 + 123, seed: 7), mode: 0o644) },
        { try makeDirectory(root + "/data/empty-dir", mode: 0o700) },
        { try writeFile(root + "/" + path150, "long path\n") },
        { try makeSymlink(root + "/link-to-readme", target: "docs/readme.txt") },
        { try makeSymlink(root + "/dangling", target: "docs/not-there") },
    ]
    if !ustarOnly {
        steps += [
            { try writeFile(root + "/" + path300, SplitMix64.bytes(count: 1000, seed: 3)) },
            { try makeSymlink(root + "/long-link", target: longLinkTarget) },
        ]
    }
    try makeDirectory(root)
    for step in reverseOrder ? steps.reversed() : steps {
        try step()
    }
    try stampTimes(root)
}

/// Gives every entry a distinct, known mtime; directories last, deepest first, so
/// creating their contents does not change them again.
func stampTimes(_ root: String) throws {
    let all = (FileManager.default.subpaths(atPath: root) ?? []).sorted()
    for (index, relative) in all.enumerated() {
        setMtime(root + "/" + relative, 1_600_000_000 + index * 1000)
    }
    for (index, relative) in all.enumerated().reversed() where isDirectory(root + "/" + relative) {
        setMtime(root + "/" + relative, 1_600_000_000 + index * 1000)
    }
}

func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

// MARK: - Comparing trees

struct TreeNode: Equatable, CustomStringConvertible {
    var kind: String
    var mode: UInt32
    var mtime: Int
    var contents: [UInt8]?
    var target: String?

    var description: String {
        "\(kind) mode=\(String(mode, radix: 8)) mtime=\(mtime) bytes=\(contents?.count ?? -1) target=\(target ?? "-")"
    }
}

/// Every entry below `root` with its kind, mode, mtime, contents or link target.
func snapshot(_ root: String, symlinkTimes: Bool = true) throws -> [String: TreeNode] {
    var result: [String: TreeNode] = [:]
    for relative in FileManager.default.subpaths(atPath: root) ?? [] {
        let full = root + "/" + relative
        var info = stat()
        guard lstat(full, &info) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
        var node = TreeNode(kind: "?", mode: UInt32(info.st_mode & 0o7777), mtime: info.st_mtim.tv_sec)
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            node.kind = "file"
            node.contents = Array(try Data(contentsOf: URL(fileURLWithPath: full)))
        case S_IFDIR:
            node.kind = "dir"
        case S_IFLNK:
            node.kind = "symlink"
            node.target = try FileManager.default.destinationOfSymbolicLink(atPath: full)
            node.mode = 0  // Linux symlink modes are always 0777 and not restorable.
            if !symlinkTimes { node.mtime = 0 }
        default:
            node.kind = "other"
        }
        result[relative] = node
    }
    return result
}

func expectSameTree(_ expected: [String: TreeNode], _ actual: [String: TreeNode], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Set(expected.keys) == Set(actual.keys), sourceLocation: sourceLocation)
    for (path, node) in expected {
        #expect(actual[path] == node, "\(path): expected \(node), got \(actual[path].map(\.description) ?? "nothing")", sourceLocation: sourceLocation)
    }
}

func readBytes(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeBytes(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
