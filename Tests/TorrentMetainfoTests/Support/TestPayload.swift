import TorrentMetainfo
import TestSupport

enum TestPayload {
    static let kibibyte = 1024
    static let mebibyte = 1024 * 1024

    /// `count` pseudo-random bytes determined by `seed`.
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next().littleEndian) { bytes.append(contentsOf: $0) }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    static func hash(_ bytes: [UInt8], pieceLength: Int) -> HashedPayload {
        var hasher = PieceHasher(pieceLength: pieceLength)
        hasher.update(bytes)
        return hasher.finish()
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
