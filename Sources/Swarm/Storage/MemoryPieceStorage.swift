/// A read-only payload held in memory: the seeder serves the tarball it has just built
/// without touching the disk.
public final class MemoryPieceStorage: PieceStorage {
    private let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var length: Int64 { Int64(bytes.count) }

    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
        try checkRange(offset, buffer.count)
        bytes.withUnsafeBytes { source in
            let start = Int(offset)
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<(start + buffer.count)]))
        }
    }

    public func write(at offset: Int64, _ bytes: UnsafeRawBufferPointer) throws {
        throw StorageError(.readOnly, "the in-memory payload is read-only: it is the seeder's copy")
    }

    public func synchronize() throws {}
}
