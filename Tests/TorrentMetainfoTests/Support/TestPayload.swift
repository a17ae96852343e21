import TorrentMetainfo
import TestSupport

enum TestPayload {
    static let kibibyte = 1024
    static let mebibyte = 1024 * 1024

    static func hash(_ bytes: [UInt8], pieceLength: Int) -> HashedPayload {
        var hasher = PieceHasher(pieceLength: pieceLength)
        hasher.update(bytes)
        return hasher.finish()
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
