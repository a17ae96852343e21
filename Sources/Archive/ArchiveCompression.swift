/// How a tarball is compressed: not at all, gzip (RFC 1952, through zlib) or zstd (RFC 8878,
/// through libzstd), each at a level.
public enum ArchiveCompression: Sendable, Hashable, CustomStringConvertible {
    case none
    case gzip(level: Int)
    case zstd(level: Int)

    /// The tarball's file name ending.
    public var fileExtension: String {
        switch self {
        case .none: ".tar"
        case .gzip: ".tar.gz"
        case .zstd: ".tar.zst"
        }
    }

    /// "none", "gzip=L" or "zstd=L", as `--compress` takes it.
    public var description: String {
        switch self {
        case .none: "none"
        case .gzip(let level): "gzip=\(level)"
        case .zstd(let level): "zstd=\(level)"
        }
    }

    /// The stream compressor for this setting; nil for `.none`.
    func compressor() throws -> (any StreamCompressor)? {
        switch self {
        case .none: nil
        case .gzip(let level): try GzipCompressor(level: level)
        case .zstd(let level): try ZstdCompressor(level: level)
        }
    }
}

/// A streaming compressor: chunks in, compressed chunks out, then `finish`.
protocol StreamCompressor: AnyObject {
    func compress(_ input: UnsafeRawBufferPointer, to output: (UnsafeRawBufferPointer) throws -> Void) throws
    func finish(to output: (UnsafeRawBufferPointer) throws -> Void) throws
}

/// A streaming decompressor with a cap on what it produces.
public protocol StreamDecompressor: AnyObject {
    func decompress(_ input: UnsafeRawBufferPointer, to output: (UnsafeRawBufferPointer) throws -> Void) throws
    func finish(to output: (UnsafeRawBufferPointer) throws -> Void) throws
}

extension GzipCompressor: StreamCompressor {}
extension ZstdCompressor: StreamCompressor {}
extension GzipDecompressor: StreamDecompressor {}
