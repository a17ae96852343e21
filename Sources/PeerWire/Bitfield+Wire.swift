extension Bitfield {
    /// Reads a bitfield payload received from a peer.
    ///
    /// BEP 3: "Spare bits at the end are set to zero." A payload of the wrong
    /// size or with spare bits set comes from a broken or hostile peer; BEP 3
    /// clients drop such connections, and so do we.
    public init<Bytes: Collection<UInt8>>(pieceCount: Int, wireBytes: Bytes) throws(PeerWireError) {
        precondition(pieceCount >= 0, "piece count \(pieceCount) is negative")
        let expected = Self.byteCount(pieceCount: pieceCount)
        guard wireBytes.count == expected else {
            throw PeerWireError(
                .invalidBitfield,
                "bitfield is \(wireBytes.count) byte(s), but \(pieceCount) piece(s) need exactly \(expected)"
            )
        }
        let bytes = Array(wireBytes)
        let spareBits = expected * 8 - pieceCount
        if spareBits > 0 {
            let spareMask = UInt8((1 << spareBits) - 1)
            guard bytes[expected - 1] & spareMask == 0 else {
                throw PeerWireError(
                    .invalidBitfield,
                    "bitfield has spare bits set after the last of \(pieceCount) piece(s) (last byte 0x\(String(bytes[expected - 1], radix: 16)))"
                )
            }
        }
        self.init(pieceCount: pieceCount, checkedBytes: bytes)
    }
}
