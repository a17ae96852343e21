/// What a tarball made elsewhere (`swarmdeploy pack`) holds, read as a stream without
/// extracting: the length of its tar stream and the bytes of its files, which a push tells
/// each host for the free-space check and the extraction limit. Plain, gzip and zstd
/// tarballs are told apart by their magic bytes, as on extraction.
public final class ArchiveMeasurement {
    /// What the tarball holds.
    public struct Tally: Sendable, Equatable {
        /// The tar stream's length, unpacked.
        public var tarBytes: Int64 = 0
        /// Bytes of regular files.
        public var fileBytes: Int64 = 0
        public var files = 0
        public var directories = 0
        public var symlinks = 0

        public init() {}
    }

    private var pipeline: ExtractionPipeline!
    private var tally = Tally()

    /// `limits` bound what a lying archive can make this read (the tar stream's length and
    /// one entry's size); the defaults are the extractor's.
    public init(limits: ExtractionLimits = ExtractionLimits()) throws {
        pipeline = try ExtractionPipeline(limits: limits) { [unowned self] event in
            guard case .entry(let header) = event else { return }
            switch header.kind {
            case .file, .hardLink:
                tally.files += 1
                tally.fileBytes += header.size
            case .directory: tally.directories += 1
            case .symlink: tally.symlinks += 1
            case .unsupported: break
            }
        }
    }

    /// The next bytes of the tarball, as they are in the file.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws {
        try pipeline.feed(bytes)
    }

    /// Ends the stream: throws when the archive is cut short or malformed.
    public func finish() throws -> Tally {
        try pipeline.finish()
        tally.tarBytes = pipeline.tarBytes
        return tally
    }
}
