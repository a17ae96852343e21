/// Hard limits for extracting an archive that came from the network.
public struct ExtractionLimits: Sendable {
    /// Cap on the uncompressed tar stream (headers, data and padding). Pass the
    /// length the torrent declares; gzip input expanding beyond it is refused.
    public var maxBytes: Int64
    /// Cap on the number of entries.
    public var maxEntries: Int
    /// Keep setuid/setgid bits; otherwise they are cleared on extraction.
    public var allowSetuid: Bool
    /// Cap on decompressed/compressed size for gzip input, checked once the output
    /// passes 1 MiB. nil disables it: deflate cannot exceed about 1032:1, so this
    /// only matters below that, where legitimate files of zeros also live.
    public var maxCompressionRatio: Int?
    /// Cap on the extension data (pax records, GNU long names) before one entry. A
    /// piece-aligned archive pads headers with up to a piece of pax comment: raise it to
    /// `extensionBytes(forPieceLength:)` for one.
    public var maxExtensionBytes: Int = 1 << 20

    /// The extension cap for an archive aligned to `pieceLength`: a piece of padding plus
    /// the usual room for long names.
    public static func extensionBytes(forPieceLength pieceLength: Int) -> Int {
        max(1 << 20, pieceLength + (1 << 20))
    }

    public init(
        maxBytes: Int64 = 64 << 30, maxEntries: Int = 1_000_000, allowSetuid: Bool = false,
        maxCompressionRatio: Int? = nil
    ) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        self.allowSetuid = allowSetuid
        self.maxCompressionRatio = maxCompressionRatio
    }
}

/// What an extraction produced.
public struct ExtractionSummary: Sendable, Equatable {
    /// Regular files, hard links included.
    public var files: Int
    public var directories: Int
    public var symlinks: Int
    /// File content bytes written.
    public var bytes: Int64

    public init(files: Int = 0, directories: Int = 0, symlinks: Int = 0, bytes: Int64 = 0) {
        self.files = files
        self.directories = directories
        self.symlinks = symlinks
        self.bytes = bytes
    }
}
