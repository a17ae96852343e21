extension SplitMix64 {
    /// The next `count` bytes: each 64-bit word in little-endian order.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            // Whole words at a time: tests ask for tens of MiB, in debug builds.
            while offset + 8 <= count {
                buffer.storeBytes(of: next().littleEndian, toByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            guard offset < count else { return }
            var word = next()
            while offset < count {
                buffer[offset] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                offset += 1
            }
        }
        return bytes
    }

    /// `count` pseudo-random bytes determined by `seed`: test data that is the same on every
    /// run, so a failing case can be replayed, and that no compressor shrinks.
    public static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return generator.bytes(count)
    }
}
