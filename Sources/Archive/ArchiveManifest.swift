/// A scanned tree: its entries in archive order plus the totals a caller needs
/// before writing anything (for progress, piece layout and the torrent length).
public struct ArchiveManifest: Sendable {
    /// The directory the entry paths are relative to.
    public private(set) var root: String
    /// Entries sorted by the bytes of their UTF-8 path.
    public let entries: [ArchiveEntry]

    public private(set) var fileCount: Int
    public private(set) var directoryCount: Int
    public private(set) var symlinkCount: Int
    /// Sum of regular file sizes.
    public private(set) var payloadBytes: Int64
    /// Exact length of the uncompressed tar `TarWriter` produces for this manifest.
    public private(set) var tarLength: Int64
    /// The header length of each entry whose header is padded so its data starts at a
    /// chosen offset, by entry index (see `aligningFiles(toPieceLength:)`); other entries
    /// have their natural header.
    public let paddedHeaders: [Int: Int]
    /// Bytes the padded headers add to the archive.
    public private(set) var paddingBytes: Int64 = 0
    /// Each entry's header length in the archive, padded ones included: encoded once here,
    /// so laying the archive out does not encode every header again.
    public private(set) var headerLengths: [Int] = []

    /// Validates the entries (relative, normalized, unique, sorted) and computes the totals.
    /// `paddedHeaders` must give whole blocks, no shorter than a padded header can be.
    public init(root: String, entries: [ArchiveEntry], paddedHeaders: [Int: Int] = [:]) throws {
        self.root = root
        self.entries = entries
        self.paddedHeaders = paddedHeaders
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
            tarLength += TarFormat.paddedLength(entry.size)
        }
        headerLengths.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            let natural = try TarHeaderEncoder.headerBlocks(for: entry).count
            guard let padded = paddedHeaders[index] else {
                headerLengths.append(natural)
                tarLength += Int64(natural)
                continue
            }
            if padded != natural {
                guard padded % TarFormat.blockSize == 0, padded >= (try TarHeaderEncoder.shortestPaddedLength(for: entry)) else {
                    throw ArchiveError(.invalidEntry, path: entry.path, "invalid manifest entry: a header of \(padded) bytes cannot be made for it")
                }
            }
            headerLengths.append(padded)
            tarLength += Int64(padded)
            paddingBytes += Int64(padded - natural)
        }
        guard paddedHeaders.keys.allSatisfy(entries.indices.contains) else {
            throw ArchiveError(.invalidEntry, path: root, "invalid manifest: a padded header names no entry")
        }
        tarLength += Int64(TarFormat.endOfArchiveLength)
    }

    /// The same entries and layout under another root: one index read once serves a host's
    /// tree before its switch and after it.
    public func rooted(at root: String) -> ArchiveManifest {
        var copy = self
        copy.root = root
        return copy
    }

    /// The header blocks of entry `index`, padded when the manifest says so.
    public func headerBlocks(ofEntry index: Int) throws -> [UInt8] {
        try TarHeaderEncoder.headerBlocks(for: entries[index], length: paddedHeaders[index])
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
