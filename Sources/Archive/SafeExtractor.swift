#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Extracts a .tar or .tar.gz into a fresh directory, refusing anything that
/// could land outside it or surprise the host.
///
/// Refused: absolute paths, `..` components, symlinks resolving outside the
/// destination, writes through an extracted symlink, hard links to anything but
/// an earlier regular file, devices/FIFOs/sparse files, duplicate entries, and
/// input beyond the limits. Modes (setuid/setgid cleared unless allowed) and
/// mtimes are restored; ownership is not. After a refusal the destination holds
/// a partial tree; remove it before retrying.
public struct SafeExtractor: Sendable {
    public let destination: String
    public let limits: ExtractionLimits

    public init(destination: String, limits: ExtractionLimits) {
        self.destination = destination
        self.limits = limits
    }

    /// Reads a .tar, .tar.gz or .tar.zst (told apart by their magic bytes) from a file path and extracts it.
    public func extract(archiveAt path: String) throws -> ExtractionSummary {
        let descriptor = try POSIX.openFile(path, flags: O_RDONLY)
        defer { close(descriptor) }
        let session = try ExtractionSession(destination: destination, limits: limits)
        let pipeline = try ExtractionPipeline(limits: limits, handle: session.handle)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = try POSIX.read(descriptor, into: chunk.baseAddress!, count: chunk.count, path: path)
            if count == 0 { break }
            try pipeline.feed(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
        }
        try pipeline.finish()
        return try session.finish()
    }

    /// Extracts an archive of `length` bytes while it is still being written, reading only
    /// what `readableEnd` allows: called with the bytes consumed so far, it blocks until more
    /// are ready and returns how many are (from the start of the file), or throws to abandon
    /// the extraction. A deployment extracts as its download arrives, so what is left once the
    /// last piece is in is only the tail.
    public func extract(
        growingArchiveAt path: String, length: Int64, readableEnd: (_ consumed: Int64) throws -> Int64
    ) throws -> ExtractionSummary {
        let descriptor = try POSIX.openFile(path, flags: O_RDONLY)
        defer { close(descriptor) }
        let session = try ExtractionSession(destination: destination, limits: limits)
        let pipeline = try ExtractionPipeline(limits: limits, handle: session.handle)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var consumed: Int64 = 0
        while consumed < length {
            let end = min(try readableEnd(consumed), length)
            while consumed < end {
                let wanted = Int(min(Int64(chunk.count), end - consumed))
                let count = try POSIX.read(descriptor, into: chunk.baseAddress!, count: wanted, path: path)
                guard count > 0 else {
                    throw ArchiveError(.io, path: path, "the file ends at byte \(consumed) although \(length) were promised; was it truncated?")
                }
                try pipeline.feed(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
                consumed += Int64(count)
            }
        }
        try pipeline.finish()
        return try session.finish()
    }

    /// Same, from an in-memory buffer.
    public func extract(bytes: [UInt8]) throws -> ExtractionSummary {
        let session = try ExtractionSession(destination: destination, limits: limits)
        let pipeline = try ExtractionPipeline(limits: limits, handle: session.handle)
        try bytes.withUnsafeBytes { try pipeline.feed($0) }
        try pipeline.finish()
        return try session.finish()
    }
}

/// Raw input → optional gunzip or zstd decoding → tar reader → `handle` (an extraction
/// session, or a measurement).
final class ExtractionPipeline {
    private static let gzipMagic: [UInt8] = [0x1f, 0x8b]
    /// A zstd frame's magic number, 0xFD2FB528 little-endian (RFC 8878, section 3.1.1).
    private static let zstdMagic: [UInt8] = [0x28, 0xb5, 0x2f, 0xfd]

    private let limits: ExtractionLimits
    private let handle: (TarEvent) throws -> Void
    private var reader: TarReader
    private var decompressor: (any StreamDecompressor)?
    /// The first bytes, held until there are enough to recognize gzip.
    private var head: [UInt8] = []
    private var decided = false
    /// Bytes of the tar stream so far (after decompression).
    private(set) var tarBytes: Int64 = 0
    private var rawBytes: Int64 = 0

    init(limits: ExtractionLimits, handle: @escaping (TarEvent) throws -> Void) throws {
        self.limits = limits
        self.handle = handle
        reader = TarReader(limits: .init(maxEntrySize: limits.maxBytes, maxExtensionBytes: limits.maxExtensionBytes))
    }

    func feed(_ input: UnsafeRawBufferPointer) throws {
        rawBytes += Int64(input.count)
        if !decided {
            head.append(contentsOf: input)
            guard head.count >= Self.zstdMagic.count else { return }
            decided = true
            if Array(head.prefix(2)) == Self.gzipMagic {
                decompressor = try GzipDecompressor(maxOutputBytes: limits.maxBytes)
            } else if Array(head.prefix(4)) == Self.zstdMagic {
                decompressor = try ZstdDecompressor(maxOutputBytes: limits.maxBytes)
            }
            let buffered = head
            head = []
            try buffered.withUnsafeBytes { try route($0) }
            return
        }
        try route(input)
    }

    func finish() throws {
        if !decided {
            try head.withUnsafeBytes { try tar($0) }
        }
        try decompressor?.finish { try tar($0) }
        try reader.finish()
    }

    private func route(_ input: UnsafeRawBufferPointer) throws {
        if let decompressor {
            try decompressor.decompress(input) { try tar($0) }
        } else {
            try tar(input)
        }
    }

    /// Feeds the tar reader in slices so limits trip close to where the input crosses
    /// them, and a header declaring too much is seen before its data is counted.
    private func tar(_ bytes: UnsafeRawBufferPointer) throws {
        let slice = 1 << 20
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + slice, bytes.count)
            try tarSlice(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
            offset = end
        }
    }

    private func tarSlice(_ bytes: UnsafeRawBufferPointer) throws {
        tarBytes += Int64(bytes.count)
        guard tarBytes <= limits.maxBytes else {
            throw ArchiveError(
                .limitExceeded,
                "tar stream exceeds the limit of \(limits.maxBytes) bytes; raise the limit only if the archive is trusted")
        }
        if decompressor != nil, let ratio = limits.maxCompressionRatio, tarBytes > 1 << 20,
            tarBytes > rawBytes * Int64(ratio)
        {
            throw ArchiveError(
                .limitExceeded,
                "compressed data expands more than \(ratio):1 (possible decompression bomb); raise the limit only if the archive is trusted")
        }
        try reader.feed(bytes, handle)
    }
}
