/// Choosing and checking the piece length (BEP 3 "piece length": "the number
/// of bytes in each piece the file is split into").
public enum PieceLength {
    /// Peers request 16 KiB blocks; a smaller piece could not hold one.
    public static let minimum = PieceGeometry.blockLength
    /// Larger pieces make a single bad block cost too much to re-fetch, and
    /// a piece is held in memory while it is assembled.
    public static let maximum = 64 * 1024 * 1024

    /// Bounds for `automatic(forPayloadLength:)`.
    public static let automaticMinimum = 256 * 1024
    public static let automaticMaximum = 16 * 1024 * 1024

    /// The `automatic` choice keeps the piece count at or below this.
    static let targetMaximumPieceCount: Int64 = 4000

    /// Power of two from 256 KiB to 16 MiB giving roughly 1,000–4,000 pieces (clamped at the ends).
    ///
    /// The smallest such length with at most 4,000 pieces is taken: small
    /// pieces spread through a swarm sooner, while the piece count (and with
    /// it the torrent size, 20 bytes a piece) stays small.
    ///
    /// `minimum` lowers the floor for swarms that live only as long as one deployment, where
    /// nothing but our own peers reads the torrent: a host can pass on a piece only once it
    /// has all of it and checked it, so every host trails the seeder by a few pieces per hop,
    /// and with a few hundred 256 KiB pieces that trail was a tenth of a 100 MiB push.
    public static func automatic(forPayloadLength length: Int64, minimum: Int = automaticMinimum) -> Int {
        var pieceLength = minimum
        while pieceLength < automaticMaximum,
            PieceGeometry.pieceCount(length: max(length, 0), pieceLength: pieceLength) > targetMaximumPieceCount
        {
            pieceLength *= 2
        }
        return pieceLength
    }

    /// Throws `MetainfoError.invalidPieceLength` unless `pieceLength` is a
    /// power of two from `minimum` (16 KiB) to `maximum` (64 MiB).
    public static func validate(_ pieceLength: Int) throws(MetainfoError) {
        guard pieceLength > 0, pieceLength & (pieceLength - 1) == 0 else {
            throw .invalidPieceLength(pieceLength, reason: "it is not a power of two")
        }
        guard pieceLength >= minimum else {
            throw .invalidPieceLength(pieceLength, reason: "it is smaller than one 16 KiB block")
        }
        guard pieceLength <= maximum else {
            throw .invalidPieceLength(pieceLength, reason: "it is larger than 64 MiB")
        }
    }
}
