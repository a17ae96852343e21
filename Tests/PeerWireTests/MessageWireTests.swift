import NIOCore
import PeerWire
import Testing

/// Each message against bytes written by hand from BEP 3 / BEP 5 / BEP 6, so
/// the encoder and decoder are each checked against the spec, not only each other.
@Suite struct MessageWireTests {
    struct WireCase: Sendable, CustomTestStringConvertible {
        var name: String
        var message: PeerMessage
        var bytes: [UInt8]
        var testDescription: String { name }
    }

    static let limits = PeerWireLimits(pieceCount: 10)

    static let cases: [WireCase] = {
        var bitfield = Bitfield(pieceCount: 10)
        bitfield.insert(PieceIndex(0))
        bitfield.insert(PieceIndex(2))
        bitfield.insert(PieceIndex(9))
        let request = BlockRequest(piece: PieceIndex(3), offset: 16_384, length: 16_384)
        return [
            WireCase(name: "keep-alive", message: .keepAlive, bytes: [0, 0, 0, 0]),
            WireCase(name: "choke", message: .choke, bytes: [0, 0, 0, 1, 0]),
            WireCase(name: "unchoke", message: .unchoke, bytes: [0, 0, 0, 1, 1]),
            WireCase(name: "interested", message: .interested, bytes: [0, 0, 0, 1, 2]),
            WireCase(name: "not interested", message: .notInterested, bytes: [0, 0, 0, 1, 3]),
            WireCase(name: "have", message: .have(PieceIndex(7)), bytes: [0, 0, 0, 5, 4, 0, 0, 0, 7]),
            WireCase(
                name: "bitfield",
                message: .bitfield(bitfield),
                bytes: [0, 0, 0, 3, 5, 0b1010_0000, 0b0100_0000]
            ),
            WireCase(
                name: "request",
                message: .request(request),
                bytes: [0, 0, 0, 13, 6, 0, 0, 0, 3, 0, 0, 0x40, 0, 0, 0, 0x40, 0]
            ),
            WireCase(
                name: "piece",
                message: .piece(PieceIndex(9), offset: 0x0102_0304, block: ByteBuffer(bytes: [0xDE, 0xAD, 0xBE, 0xEF])),
                bytes: [0, 0, 0, 13, 7, 0, 0, 0, 9, 1, 2, 3, 4, 0xDE, 0xAD, 0xBE, 0xEF]
            ),
            WireCase(
                name: "cancel",
                message: .cancel(request),
                bytes: [0, 0, 0, 13, 8, 0, 0, 0, 3, 0, 0, 0x40, 0, 0, 0, 0x40, 0]
            ),
            WireCase(name: "port", message: .port(6881), bytes: [0, 0, 0, 3, 9, 0x1A, 0xE1]),
            WireCase(name: "suggest piece", message: .suggestPiece(PieceIndex(5)), bytes: [0, 0, 0, 5, 0x0D, 0, 0, 0, 5]),
            WireCase(name: "have all", message: .haveAll, bytes: [0, 0, 0, 1, 0x0E]),
            WireCase(name: "have none", message: .haveNone, bytes: [0, 0, 0, 1, 0x0F]),
            WireCase(
                name: "reject request",
                message: .rejectRequest(BlockRequest(piece: PieceIndex(1), offset: 0, length: 100)),
                bytes: [0, 0, 0, 13, 0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 100]
            ),
            WireCase(name: "allowed fast", message: .allowedFast(PieceIndex(8)), bytes: [0, 0, 0, 5, 0x11, 0, 0, 0, 8]),
        ]
    }()

    @Test(arguments: cases)
    func encoderWritesTheSpecBytes(_ wire: WireCase) {
        #expect(Fixtures.encode(.message(wire.message)) == wire.bytes)
    }

    @Test(arguments: cases)
    func decoderReadsTheSpecBytes(_ wire: WireCase) {
        let result = Fixtures.decode(wire.bytes, limits: Self.limits, expectsHandshake: false)
        #expect(result.error == nil)
        #expect(result.events == [.message(wire.message)])
        #expect(result.leftover == 0)
    }

    @Test(arguments: cases)
    func encodeThenDecodeRoundTrips(_ wire: WireCase) {
        let bytes = Fixtures.encode(.message(wire.message))
        let result = Fixtures.decode(bytes, limits: Self.limits, expectsHandshake: false, chunkSize: 1)
        #expect(result.events == [.message(wire.message)])
        #expect(result.error == nil)
    }

    @Test func decodedPieceBlockHoldsExactlyTheBlockBytes() throws {
        let bytes: [UInt8] = [0, 0, 0, 12, 7, 0, 0, 0, 2, 0, 0, 0, 8, 0xAA, 0xBB, 0xCC] + [0, 0, 0, 1, 1]
        let result = Fixtures.decode(bytes, limits: Self.limits, expectsHandshake: false)
        guard case .message(.piece(let piece, let offset, let block)) = result.events.first else {
            Issue.record("expected a piece, got \(result.events)")
            return
        }
        #expect(piece == PieceIndex(2))
        #expect(offset == 8)
        #expect(Array(block.readableBytesView) == [0xAA, 0xBB, 0xCC])
        #expect(result.events.dropFirst().first == .message(.unchoke))
    }

    @Test func largestBlockAndIndexValuesSurvive() {
        let limits = PeerWireLimits(pieceCount: 1 << 20, maxBlockLength: PeerWireLimits.largestMaxBlockLength)
        let request = BlockRequest(piece: PieceIndex((1 << 20) - 1), offset: Int(UInt32.max), length: 131_072)
        let bytes = Fixtures.encode(.message(.request(request)))
        #expect(bytes == [0, 0, 0, 13, 6, 0, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 2, 0, 0])
        let result = Fixtures.decode(bytes, limits: limits, expectsHandshake: false)
        #expect(result.events == [.message(.request(request))])
    }
}

@Suite struct DescriptionTests {
    @Test func piecesShowTheirSizeNotTheirBytes() {
        let piece = PeerMessage.piece(PieceIndex(3), offset: 16_384, block: ByteBuffer(repeating: 0x41, count: 16_384))
        #expect(piece.description == "piece 3 offset 16384 length 16384")
        #expect(PeerWireEvent.message(.have(PieceIndex(2))).description == "have 2")
        var bitfield = Bitfield(pieceCount: 5)
        bitfield.insert(PieceIndex(1))
        #expect(PeerMessage.bitfield(bitfield).description == "bitfield (1 of 5 pieces)")
        let request = BlockRequest(piece: PieceIndex(1), offset: 0, length: 100)
        #expect(PeerMessage.rejectRequest(request).description == "reject piece 1 offset 0 length 100")
    }

    @Test func handshakeNamesTorrentAndPeer() {
        let text = PeerWireEvent.handshake(Fixtures.fastHandshake).description
        #expect(text == "handshake for 0102030405060708090a0b0c0d0e0f1011121314 from -SD0100-abcdefghijkl (fast extension)")
    }
}
