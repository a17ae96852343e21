/// Where a torrent's payload lives while the swarm runs: the seeder's tarball in memory or
/// on disk, a peer's download on disk.
///
/// Calls block (they may touch the disk): run them on a thread pool, never on an event loop.
/// Implementations must allow concurrent calls on disjoint ranges, which is all the swarm
/// makes: each block is written once, by the connection that received it.
public protocol PieceStorage: AnyObject, Sendable {
    /// The payload's length in bytes.
    var length: Int64 { get }

    /// Fills `buffer` with the payload bytes at `offset`; the range must lie inside the payload.
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws

    /// Stores `bytes` at `offset`; the range must lie inside the payload.
    func write(at offset: Int64, _ bytes: UnsafeRawBufferPointer) throws

    /// Makes every write so far durable.
    func synchronize() throws
}

extension PieceStorage {
    /// Reads `count` bytes at `offset` into a new array.
    public func read(at offset: Int64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { (buffer) in try read(at: offset, into: buffer) }
        return bytes
    }

    /// Throws `.outOfRange` unless `offset..<offset + count` lies inside the payload.
    public func checkRange(_ offset: Int64, _ count: Int) throws {
        guard offset >= 0, count >= 0, offset <= length - Int64(count) else {
            throw StorageError(.outOfRange, "bytes \(offset)..<\(offset + Int64(count)) lie outside the \(length)-byte payload")
        }
    }
}

/// What went wrong reading or writing a payload.
public struct StorageError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case io, outOfRange, readOnly
        /// A write found the file system full (or the user's quota used up).
        case noSpace
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
