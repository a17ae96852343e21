/// How `ArchivePacker` encodes the tar.
public struct PackOptions: Sendable {
    /// gzip level 1–9, or nil to send the plain tar.
    public var gzipLevel: Int?

    public init(gzipLevel: Int? = nil) {
        self.gzipLevel = gzipLevel
    }
}

/// Tar plus optional gzip: the bytes a push serves.
public enum ArchivePacker {
    /// Writes the manifest's tar, gzipped if `options.gzipLevel` is set, to `output` in chunks.
    /// Returns the number of bytes handed to `output`.
    public static func pack(
        _ manifest: ArchiveManifest, options: PackOptions, to output: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int64 {
        var written: Int64 = 0
        guard let level = options.gzipLevel else {
            try TarWriter.write(manifest) { chunk in
                written += Int64(chunk.count)
                try output(chunk)
            }
            return written
        }
        let compressor = try GzipCompressor(level: level)
        func counted(_ chunk: UnsafeRawBufferPointer) throws {
            written += Int64(chunk.count)
            try output(chunk)
        }
        try TarWriter.write(manifest) { chunk in
            try compressor.compress(chunk, to: counted)
        }
        try compressor.finish(to: counted)
        return written
    }
}
