import PeerWire
import Testing

/// Hostile or broken input must end in a `PeerWireError`, whether the bytes
/// arrive one at a time or all at once.
@Suite struct RejectionTests {
    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        var pieceCount = 10
        var expectsHandshake = false
        var bytes: [UInt8]
        var kind: PeerWireError.Kind
        var says: String
        var testDescription: String { name }
    }

    static let handshake = Fixtures.handshakeBytes

    static let inputs: [BadInput] = [
        BadInput(
            name: "handshake length byte 18",
            expectsHandshake: true,
            bytes: [18] + Array(handshake.dropFirst()),
            kind: .invalidHandshake,
            says: "length byte 18, expected 19"
        ),
        BadInput(
            name: "HTTP instead of BitTorrent",
            expectsHandshake: true,
            bytes: Array("GET /announce HTTP/1.1\r\n\r\n".utf8),
            kind: .invalidHandshake,
            says: "length byte 71"
        ),
        BadInput(
            name: "wrong protocol string",
            expectsHandshake: true,
            bytes: [19] + Array("BitTorrent protocoL".utf8) + Array(handshake.dropFirst(20)),
            kind: .invalidHandshake,
            says: "protocol string"
        ),
        BadInput(
            name: "length prefix over the limit",
            bytes: [0, 0, 0x40, 0x0A, 7],
            kind: .messageTooLong,
            says: "message length 16394 exceeds the 16393-byte limit"
        ),
        BadInput(
            name: "length prefix of 4 GiB",
            bytes: [0xFF, 0xFF, 0xFF, 0xFF],
            kind: .messageTooLong,
            says: "message length 4294967295"
        ),
        BadInput(
            name: "unknown id with an oversize payload",
            bytes: [0, 0x10, 0, 0, 20],
            kind: .messageTooLong,
            says: "message length 1048576"
        ),
        BadInput(
            name: "have of length 6",
            bytes: [0, 0, 0, 6, 4, 0, 0, 0, 1, 0],
            kind: .invalidMessageLength,
            says: "have message has length 6, but its length is always 5"
        ),
        BadInput(name: "choke of length 2", bytes: [0, 0, 0, 2, 0, 0], kind: .invalidMessageLength, says: "choke"),
        BadInput(
            name: "request of length 12",
            bytes: [0, 0, 0, 12, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40],
            kind: .invalidMessageLength,
            says: "request message has length 12"
        ),
        BadInput(name: "port of length 5", bytes: [0, 0, 0, 5, 9, 0, 0, 0x1A, 0xE1], kind: .invalidMessageLength, says: "port"),
        BadInput(name: "have all of length 2", bytes: [0, 0, 0, 2, 0x0E, 0], kind: .invalidMessageLength, says: "have all"),
        BadInput(
            name: "piece shorter than its header",
            bytes: [0, 0, 0, 5, 7, 0, 0, 0, 1],
            kind: .invalidMessageLength,
            says: "shorter than its 9-byte header"
        ),
        BadInput(
            name: "bitfield one byte too long",
            bytes: [0, 0, 0, 4, 5, 0xFF, 0xC0, 0x00],
            kind: .invalidBitfield,
            says: "is 3 byte(s), but 10 piece(s) need exactly 2"
        ),
        BadInput(
            name: "bitfield one byte too short",
            bytes: [0, 0, 0, 2, 5, 0xFF],
            kind: .invalidBitfield,
            says: "need exactly 2"
        ),
        BadInput(
            name: "bitfield with spare bits set",
            bytes: [0, 0, 0, 3, 5, 0xFF, 0xE0],
            kind: .invalidBitfield,
            says: "spare bits"
        ),
        BadInput(
            name: "request over the block limit",
            bytes: [0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0],
            kind: .invalidBlockLength,
            says: "request length 65536 exceeds the 16384-byte block limit"
        ),
        BadInput(
            name: "cancel of length zero",
            bytes: [0, 0, 0, 13, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
            kind: .invalidBlockLength,
            says: "cancel length is 0"
        ),
        BadInput(
            name: "piece block over the limit when a large bitfield raises the message limit",
            pieceCount: 1_000_000,
            bytes: [0, 0, 0x40, 0x0A, 7, 0, 0, 0, 1, 0, 0, 0, 0] + Array(repeating: 0xAB, count: 16_385),
            kind: .invalidBlockLength,
            says: "piece length 16385 exceeds the 16384-byte block limit"
        ),
        BadInput(
            name: "have of a piece past the end",
            bytes: [0, 0, 0, 5, 4, 0, 0, 0, 10],
            kind: .pieceIndexOutOfRange,
            says: "piece index 10 is out of range; the torrent has 10 piece(s)"
        ),
        BadInput(
            name: "request of a piece past the end",
            bytes: [0, 0, 0, 13, 6, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0x40, 0],
            kind: .pieceIndexOutOfRange,
            says: "piece index 4294967295"
        ),
        BadInput(
            name: "piece of a piece past the end",
            bytes: [0, 0, 0, 10, 7, 0, 0, 0, 11, 0, 0, 0, 0, 0xAB],
            kind: .pieceIndexOutOfRange,
            says: "piece index 11"
        ),
    ]

    @Test(arguments: inputs, [1, nil])
    func badInputIsRejected(_ input: BadInput, chunkSize: Int?) {
        let limits = PeerWireLimits(pieceCount: input.pieceCount)
        let result = Fixtures.decode(
            input.bytes,
            limits: limits,
            expectsHandshake: input.expectsHandshake,
            chunkSize: chunkSize
        )
        guard let error = result.error else {
            Issue.record("accepted: \(result.events)")
            return
        }
        #expect(error.kind == input.kind)
        #expect(error.description.contains(input.says), "\(error)")
    }

    @Test func handshakeGarbageIsRejectedAtTheFirstWrongByte() {
        let bytes = [19] + Array("BitTorrent protoXol".utf8)
        let result = Fixtures.decode(bytes, limits: PeerWireLimits(pieceCount: 1), chunkSize: 1)
        #expect(result.error?.kind == .invalidHandshake)
        // The length byte, "BitTorrent proto" and "X": 18 bytes, and no more were waited for.
        #expect(result.leftover == 18)
    }

    @Test func oversizeLengthIsRejectedBeforeItsPayloadArrives() {
        let result = Fixtures.decode(
            [0, 1, 0, 0],
            limits: PeerWireLimits(pieceCount: 10),
            expectsHandshake: false,
            chunkSize: 1
        )
        #expect(result.error?.kind == .messageTooLong)
    }

    @Test func errorsSayWhereInTheStreamTheyHappened() {
        let bytes = Fixtures.handshakeBytes + [0, 0, 0, 1, 1] + [0, 0, 0, 5, 4, 0, 0, 0, 99]
        let result = Fixtures.decode(bytes, limits: PeerWireLimits(pieceCount: 10), chunkSize: 3)
        #expect(result.events.count == 2)
        #expect(result.error?.streamOffset == 73)
        #expect(result.error?.description.contains("at byte 73") == true)
    }

    @Test func largerBlockLimitAcceptsLargerRequests() {
        let bytes: [UInt8] = [0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0]
        let limits = PeerWireLimits(pieceCount: 10, maxBlockLength: 131_072)
        let result = Fixtures.decode(bytes, limits: limits, expectsHandshake: false)
        #expect(result.error == nil)
        #expect(result.events == [.message(.request(BlockRequest(piece: PieceIndex(1), offset: 0, length: 65_536)))])
    }

    @Test func messageLimitCoversTheLargerOfBlockAndBitfield() {
        #expect(PeerWireLimits(pieceCount: 10).maxMessageLength == 16_393)
        #expect(PeerWireLimits(pieceCount: 10, maxBlockLength: 131_072).maxMessageLength == 131_081)
        #expect(PeerWireLimits(pieceCount: 1_000_000).maxMessageLength == 125_001)
    }

    @Test func pieceIndexValidation() throws {
        #expect(try PieceIndex(validating: 9, pieceCount: 10) == PieceIndex(9))
        #expect(throws: PeerWireError.self) { try PieceIndex(validating: 10, pieceCount: 10) }
        #expect(throws: PeerWireError.self) { try PieceIndex(validating: -1, pieceCount: 10) }
    }
}
