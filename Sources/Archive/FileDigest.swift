import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a regular file holds, named: the first 16 bytes of the SHA-256 of its contents. The
/// archive index carries one per file (see `ArchiveIndex`), so a host can tell which files of
/// a new release it already holds, whatever their names, times or neighbours in the archive.
/// What a host builds from them is still checked (the pieces' SHA-1, the archive's SHA-256).
public struct FileDigest: Hashable, Sendable {
    public static let byteCount = 16

    public let high: UInt64
    public let low: UInt64

    /// The digest in `bytes` (at least `byteCount` of them; the rest are ignored).
    public init(bytes: some Sequence<UInt8>) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.prefix(Self.byteCount).enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.high = high
        self.low = low
    }

    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) } + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    /// The digest of the regular file at `path`, read in 1 MiB chunks. Anything else there (a
    /// symlink, a FIFO that would block the open) is an error.
    public static func ofFile(at path: String) throws -> FileDigest {
        let (descriptor, _) = try POSIX.openRegularFile(
            path, notRegular: ArchiveError(.unsupportedFileType, path: path, "is not a regular file"))
        defer { close(descriptor) }
        var digester = Digester()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try POSIX.read(descriptor, into: buffer.baseAddress!, count: buffer.count, path: path)
            if count == 0 { return digester.finish() }
            digester.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// A digest fed in parts.
    public struct Digester {
        private var hasher = SHA256()

        public init() {}

        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            hasher.update(bufferPointer: bytes)
        }

        public func finish() -> FileDigest {
            FileDigest(bytes: hasher.finalize())
        }
    }
}
