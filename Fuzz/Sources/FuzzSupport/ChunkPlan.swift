/// Cuts a stream into consecutive chunk lengths, the way the network or a growing file hands
/// bytes over, so a streaming parser meets every boundary. The same seed gives the same cuts.
public enum ChunkPlan {
    /// Lengths adding up to `total`: mostly small (1...16), sometimes up to `maximum`.
    public static func lengths(total: Int, seed: UInt64, maximum: Int = 4096) -> [Int] {
        var generator = SplitMix64(seed: seed)
        var lengths: [Int] = []
        var left = total
        while left > 0 {
            let draw = generator.next()
            let limit = draw & 3 == 0 ? maximum : 16
            let length = min(left, 1 + Int((draw >> 8) % UInt64(limit)))
            lengths.append(length)
            left -= length
        }
        return lengths
    }

    /// FNV-1a of `bytes`: a seed for inputs whose every byte belongs to the format.
    public static func seed(of bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// A small, fast pseudo-random generator (Steele, Lea and Flood's SplitMix64).
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
