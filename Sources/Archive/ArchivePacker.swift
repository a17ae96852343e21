/// How `ArchivePacker` encodes the tar.
public struct PackOptions: Sendable {
    public var compression: ArchiveCompression

    public init(compression: ArchiveCompression = .none) {
        self.compression = compression
    }
}

/// Tar plus optional compression: the bytes a push serves.
public enum ArchivePacker {
    /// Writes the manifest's tar, compressed as `options` say, to `output` in chunks.
    /// Returns the number of bytes handed to `output`.
    public static func pack(
        _ manifest: ArchiveManifest, options: PackOptions, to output: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int64 {
        var written: Int64 = 0
        func counted(_ chunk: UnsafeRawBufferPointer) throws {
            written += Int64(chunk.count)
            try output(chunk)
        }
        guard let compressor = try options.compression.compressor() else {
            try TarWriter.write(manifest, to: counted)
            return written
        }
        try TarWriter.write(manifest) { chunk in
            try compressor.compress(chunk, to: counted)
        }
        try compressor.finish(to: counted)
        return written
    }
}
