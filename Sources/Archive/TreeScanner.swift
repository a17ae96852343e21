#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Walks a directory tree without following symlinks and describes it as an
/// `ArchiveManifest`, including the exact tar length, before anything is written.
public enum TreeScanner {
    public static func scan(root: String) throws -> ArchiveManifest {
        var info = stat()
        guard stat(root, &info) == 0 else { throw POSIX.error("stat", path: root) }
        guard POSIX.fileType(info) == S_IFDIR else {
            throw ArchiveError(.unsupportedFileType, path: root, "is not a directory; pass the directory to archive")
        }
        var entries: [ArchiveEntry] = []
        try walk(directory: root, relative: "", into: &entries)
        // Byte order of the UTF-8 path, not String's Unicode order, so the result does
        // not depend on normalization rules and parents precede their contents.
        entries.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return try ArchiveManifest(root: root, entries: entries)
    }

    private static func walk(directory: String, relative: String, into entries: inout [ArchiveEntry]) throws {
        for name in try listDirectory(directory) {
            let absolute = directory + "/" + name
            let path = relative.isEmpty ? name : relative + "/" + name
            let info = try POSIX.lstatus(absolute)
            let kind: ArchiveEntry.Kind
            switch POSIX.fileType(info) {
            case S_IFREG:
                kind = .file
            case S_IFDIR:
                kind = .directory
            case S_IFLNK:
                kind = .symlink(target: try POSIX.readLink(absolute))
            default:
                throw ArchiveError(
                    .unsupportedFileType, path: absolute,
                    "is a \(describe(POSIX.fileType(info))), which cannot be archived; remove it or archive a directory without it")
            }
            entries.append(
                ArchiveEntry(
                    path: path, kind: kind, mode: UInt32(info.st_mode & 0o7777), mtime: Int64(info.st_mtim.tv_sec),
                    uid: UInt32(info.st_uid), gid: UInt32(info.st_gid), size: Int64(info.st_size)))
            if kind == .directory {
                try walk(directory: absolute, relative: path, into: &entries)
            }
        }
    }

    private static func listDirectory(_ path: String) throws -> [String] {
        guard let stream = opendir(path) else { throw POSIX.error("opendir", path: path) }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw POSIX.error("readdir", path: path) }
                return names
            }
            let name = try withUnsafeBytes(of: &entry.pointee.d_name) { raw -> String? in
                let length = strnlen(raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
                let bytes = UnsafeRawBufferPointer(rebasing: raw[..<length])
                if length == 1 && bytes[0] == UInt8(ascii: ".") { return nil }
                if length == 2 && bytes[0] == UInt8(ascii: ".") && bytes[1] == UInt8(ascii: ".") { return nil }
                guard let name = String(validating: bytes, as: UTF8.self) else {
                    throw ArchiveError(
                        .unsupportedFileType, path: path + "/" + String(decoding: bytes, as: UTF8.self),
                        "file name is not valid UTF-8; rename it")
                }
                return name
            }
            if let name { names.append(name) }
        }
    }

    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFSOCK: "socket"
        case S_IFIFO: "FIFO"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "special file"
        }
    }
}
