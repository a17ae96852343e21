#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one extraction: what has been created where, the file being
/// written, and the work deferred to the end (symlinks, directory metadata).
///
/// Invariant: every path below the destination that exists was created by this
/// session and is recorded in `created`, so a path's kind is known without
/// asking the file system, and nothing is ever opened through a symlink.
final class ExtractionSession {
    enum Node: Equatable {
        case file
        case directory
        case symlink(target: String)
    }

    struct OpenFile {
        let descriptor: Int32
        let path: String
        let header: TarEntryHeader
    }

    let destination: String
    let limits: ExtractionLimits
    /// Relative path (components joined by "/") → what was created there.
    var created: [String: Node] = [:]
    var symlinks: [(path: String, components: [Substring], header: TarEntryHeader)] = []
    var directories: [String: TarEntryHeader] = [:]
    var current: OpenFile?
    var entryCount = 0
    var summary = ExtractionSummary()

    init(destination: String, limits: ExtractionLimits) throws {
        self.destination = destination
        self.limits = limits
        try prepareDestination()
    }

    deinit {
        if let current { close(current.descriptor) }
    }

    func handle(_ event: TarEvent) throws {
        switch event {
        case .entry(let header):
            try begin(header)
        case .data(let bytes):
            guard let current else { return }
            try POSIX.writeAll(current.descriptor, bytes, path: current.path)
            summary.bytes += Int64(bytes.count)
        case .entryEnd:
            try endFile()
        case .endOfArchive:
            break
        }
    }

    /// Creates the deferred symlinks and applies directory modes and times, deepest first.
    func finish() throws -> ExtractionSummary {
        for link in symlinks {
            guard case .symlink(let target) = link.header.kind else { continue }
            // Checked again with every symlink of the archive known: a link that looked
            // contained may climb out through one that came later.
            try checkSymlinkTarget(target, of: link.components, header: link.header)
            let absolute = absolutePath(link.path)
            guard symlink(target, absolute) == 0 else { throw POSIX.error("symlink", path: absolute) }
            try POSIX.setTimes(absolute, mtime: link.header.mtime)
        }
        for path in directories.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).reversed() {
            let header = directories[path]!
            let absolute = absolutePath(path)
            guard chmod(absolute, mode_t(permittedMode(header.mode))) == 0 else {
                throw POSIX.error("chmod", path: absolute)
            }
            try POSIX.setTimes(absolute, mtime: header.mtime)
        }
        return summary
    }

    private func begin(_ header: TarEntryHeader) throws {
        entryCount += 1
        guard entryCount <= limits.maxEntries else {
            throw ArchiveError(
                .limitExceeded, path: header.path, offset: header.offset,
                "archive has more than \(limits.maxEntries) entries; raise the limit only if the archive is trusted")
        }
        let components = try normalizedComponents(header.path, header: header)
        if components.isEmpty {
            // "./" as GNU tar writes for `tar -C dir .`: the destination itself.
            guard header.kind == .directory else {
                throw ArchiveError.unsafe(header.path, offset: header.offset, "entry names the destination itself")
            }
            return
        }
        let path = components.joined(separator: "/")

        switch header.kind {
        case .unsupported(let typeflag):
            throw ArchiveError.unsafe(header.path, offset: header.offset, Self.describeUnsupported(typeflag))
        case .directory:
            try createParents(of: components, header: header)
            switch created[path] {
            case .directory:
                break
            case nil:
                // Owner-writable until finish() applies the real mode, so contents can be added.
                try makeDirectory(path, mode: 0o700)
                created[path] = .directory
            default:
                throw duplicate(header)
            }
            // A directory named twice (GNU tar writes it twice when given twice) is one directory.
            if directories.updateValue(header, forKey: path) == nil {
                summary.directories += 1
            }
        case .file:
            try createParents(of: components, header: header)
            guard created[path] == nil else { throw duplicate(header) }
            let absolute = absolutePath(path)
            // O_EXCL | O_NOFOLLOW: never reuse or follow anything already there.
            let descriptor = try POSIX.openFile(absolute, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
            created[path] = .file
            current = OpenFile(descriptor: descriptor, path: absolute, header: header)
            summary.files += 1
        case .symlink(let target):
            try checkSymlinkTarget(target, of: components, header: header)
            try createParents(of: components, header: header)
            guard created[path] == nil else { throw duplicate(header) }
            // Created at the end, so no later entry can be written through it.
            created[path] = .symlink(target: target)
            symlinks.append((path, components, header))
            summary.symlinks += 1
        case .hardLink(let target):
            let targetComponents = try normalizedComponents(target, header: header, what: "hard link target")
            let targetPath = targetComponents.joined(separator: "/")
            guard created[targetPath] == .file else {
                throw ArchiveError.unsafe(
                    header.path, offset: header.offset,
                    "hard link target '\(target)' is not a regular file extracted earlier from this archive")
            }
            try createParents(of: components, header: header)
            guard created[path] == nil else { throw duplicate(header) }
            let absolute = absolutePath(path)
            guard link(absolutePath(targetPath), absolute) == 0 else { throw POSIX.error("link", path: absolute) }
            created[path] = .file
            summary.files += 1
        }
    }

    private func endFile() throws {
        guard let file = current else { return }
        current = nil
        defer { close(file.descriptor) }
        guard fchmod(file.descriptor, mode_t(permittedMode(file.header.mode))) == 0 else {
            throw POSIX.error("fchmod", path: file.path)
        }
        let mtime = timespec(tv_sec: Int(file.header.mtime), tv_nsec: 0)
        let times = [mtime, mtime]
        guard futimens(file.descriptor, times) == 0 else { throw POSIX.error("futimens", path: file.path) }
    }

    private func permittedMode(_ mode: UInt32) -> UInt32 {
        limits.allowSetuid ? mode & 0o7777 : mode & 0o1777
    }

    private func duplicate(_ header: TarEntryHeader) -> ArchiveError {
        ArchiveError.unsafe(header.path, offset: header.offset, "the archive contains this path twice")
    }

    private static func describeUnsupported(_ typeflag: UInt8) -> String {
        switch typeflag {
        case TarFormat.TypeFlag.characterDevice: "character device entries are not allowed"
        case TarFormat.TypeFlag.blockDevice: "block device entries are not allowed"
        case TarFormat.TypeFlag.fifo: "FIFO entries are not allowed"
        case UInt8(ascii: "S"): "sparse file entries are not supported"
        default: "entry type '\(Character(Unicode.Scalar(typeflag)))' is not supported"
        }
    }
}
