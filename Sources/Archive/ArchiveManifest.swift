/// A scanned tree: its entries in archive order plus the totals a caller needs
/// before writing anything (for progress, piece layout and the torrent length).
public struct ArchiveManifest: Sendable {
    /// The directory the entry paths are relative to.
    public let root: String
    /// Entries sorted by the bytes of their UTF-8 path.
    public let entries: [ArchiveEntry]

    public private(set) var fileCount: Int
    public private(set) var directoryCount: Int
    public private(set) var symlinkCount: Int
    /// Sum of regular file sizes.
    public private(set) var payloadBytes: Int64
    /// Exact length of the uncompressed tar `TarWriter` produces for this manifest.
    public private(set) var tarLength: Int64

    /// Validates the entries (relative, normalized, unique, sorted) and computes the totals.
    public init(root: String, entries: [ArchiveEntry]) throws {
        self.root = root
        self.entries = entries
        fileCount = 0
        directoryCount = 0
        symlinkCount = 0
        payloadBytes = 0
        tarLength = 0

        var previous: String.UTF8View?
        for entry in entries {
            try Self.validate(entry)
            if let previous, !previous.lexicographicallyPrecedes(entry.path.utf8) {
                throw ArchiveError(
                    .invalidEntry, path: entry.path,
                    "entries must be unique and sorted by their UTF-8 path bytes; build the manifest with TreeScanner.scan")
            }
            previous = entry.path.utf8

            switch entry.kind {
            case .file:
                fileCount += 1
                payloadBytes += entry.size
            case .directory:
                directoryCount += 1
            case .symlink:
                symlinkCount += 1
            }
            tarLength += Int64(try TarHeaderEncoder.headerBlocks(for: entry).count)
            tarLength += TarFormat.paddedLength(entry.size)
        }
        tarLength += Int64(TarFormat.endOfArchiveLength)
    }

    private static func validate(_ entry: ArchiveEntry) throws {
        let path = entry.path
        func invalid(_ why: String) -> ArchiveError {
            ArchiveError(.invalidEntry, path: path, "invalid manifest entry: \(why)")
        }
        if path.isEmpty { throw invalid("empty path") }
        if path.utf8.contains(0) { throw invalid("path contains a NUL byte") }
        if path.hasPrefix("/") { throw invalid("path must be relative") }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty || component == "." || component == ".." {
                throw invalid("path has an empty, '.' or '..' component")
            }
        }
        if entry.size < 0 { throw invalid("negative size") }
        if case .symlink(let target) = entry.kind {
            if target.isEmpty { throw invalid("empty symlink target") }
            if target.utf8.contains(0) { throw invalid("symlink target contains a NUL byte") }
        }
    }
}
