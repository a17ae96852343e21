/// A fixed buffer that batches small writes (headers, small files) into large
/// chunks for the output closure, and lets file reads land directly in it.
final class OutputBuffer {
    static let defaultCapacity = 1 << 20

    private let storage: UnsafeMutableRawBufferPointer
    private var filled = 0
    private(set) var totalFlushed: Int64 = 0

    init(capacity: Int = OutputBuffer.defaultCapacity) {
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    var totalWritten: Int64 { totalFlushed + Int64(filled) }

    func append(_ bytes: UnsafeRawBufferPointer, flushingTo output: (UnsafeRawBufferPointer) throws -> Void) throws {
        var offset = 0
        while offset < bytes.count {
            if filled == storage.count { try flush(to: output) }
            let count = min(bytes.count - offset, storage.count - filled)
            (storage.baseAddress! + filled).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            filled += count
            offset += count
        }
    }

    func append(_ bytes: [UInt8], flushingTo output: (UnsafeRawBufferPointer) throws -> Void) throws {
        try bytes.withUnsafeBytes { try append($0, flushingTo: output) }
    }

    func appendZeros(_ count: Int, flushingTo output: (UnsafeRawBufferPointer) throws -> Void) throws {
        var remaining = count
        while remaining > 0 {
            if filled == storage.count { try flush(to: output) }
            let chunk = min(remaining, storage.count - filled)
            (storage.baseAddress! + filled).initializeMemory(as: UInt8.self, repeating: 0, count: chunk)
            filled += chunk
            remaining -= chunk
        }
    }

    /// Lets `fill` write up to the free space directly into the buffer; it returns how many bytes it wrote.
    func fill(
        upTo limit: Int, flushingTo output: (UnsafeRawBufferPointer) throws -> Void,
        _ fill: (UnsafeMutableRawPointer, Int) throws -> Int
    ) throws -> Int {
        if filled == storage.count { try flush(to: output) }
        let count = try fill(storage.baseAddress! + filled, min(limit, storage.count - filled))
        filled += count
        return count
    }

    func flush(to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard filled > 0 else { return }
        try output(UnsafeRawBufferPointer(rebasing: storage[..<filled]))
        totalFlushed += Int64(filled)
        filled = 0
    }
}
