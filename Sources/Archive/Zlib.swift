import CZlib

/// Facts about the zlib this build links against.
public enum Zlib {
    /// The runtime zlib version, e.g. "1.3".
    public static var version: String {
        String(cString: zlibVersion())
    }

    /// windowBits for deflateInit2/inflateInit2: a 32 KiB window (15) plus 16 selects
    /// the gzip wrapper (RFC 1952) instead of the zlib one.
    static let gzipWindowBits: Int32 = 15 + 16

    static func error(_ operation: String, code: Int32, stream: UnsafeMutablePointer<z_stream>) -> ArchiveError {
        let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(code)"
        return ArchiveError(.compression, "\(operation) failed: \(detail)")
    }
}
