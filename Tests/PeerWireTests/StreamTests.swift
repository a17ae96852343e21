import NIOCore
import NIOEmbedded
import PeerWire
import Testing

/// A whole conversation decodes to the same events however the bytes are cut.
@Suite struct StreamTests {
    static let limits = PeerWireLimits(pieceCount: 10)

    /// A handshake enabling BEP 6, then every message kind, with unknown extension messages
    /// (BEP 10's id 20 and an unassigned id) in between.
    static let conversation: (bytes: [UInt8], events: [PeerWireEvent]) = {
        var bitfield = Bitfield(pieceCount: 10)
        bitfield.insert(PieceIndex(4))
        let request = BlockRequest(piece: PieceIndex(4), offset: 0, length: 5)
        var bytes = Fixtures.fastHandshakeBytes
        bytes += [0, 0, 0, 3, 5, 0b0000_1000, 0]
        bytes += [0, 0, 0, 3, 9, 0x1A, 0xE1]
        bytes += [0, 0, 0, 6, 20, 0, 0x64, 0x65, 0x65, 0x65]
        bytes += [0, 0, 0, 0]
        bytes += [0, 0, 0, 1, 2]
        bytes += [0, 0, 0, 1, 1]
        bytes += [0, 0, 0, 13, 6, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5]
        bytes += [0, 0, 0, 14, 7, 0, 0, 0, 4, 0, 0, 0, 0, 1, 2, 3, 4, 5]
        bytes += [0, 0, 0, 1, 0xC8]
        bytes += [0, 0, 0, 5, 4, 0, 0, 0, 9]
        bytes += [0, 0, 0, 13, 8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5]
        bytes += [0, 0, 0, 13, 0x10, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5]
        bytes += [0, 0, 0, 5, 0x0D, 0, 0, 0, 3]
        bytes += [0, 0, 0, 5, 0x11, 0, 0, 0, 2]
        bytes += [0, 0, 0, 1, 3]
        bytes += [0, 0, 0, 1, 0]
        let events: [PeerWireEvent] = [
            .handshake(Fixtures.fastHandshake),
            .message(.bitfield(bitfield)),
            .message(.port(6881)),
            .message(.unknown(id: 20)),
            .message(.keepAlive),
            .message(.interested),
            .message(.unchoke),
            .message(.request(request)),
            .message(.piece(PieceIndex(4), offset: 0, block: ByteBuffer(bytes: [1, 2, 3, 4, 5]))),
            .message(.unknown(id: 0xC8)),
            .message(.have(PieceIndex(9))),
            .message(.cancel(request)),
            .message(.rejectRequest(request)),
            .message(.suggestPiece(PieceIndex(3))),
            .message(.allowedFast(PieceIndex(2))),
            .message(.notInterested),
            .message(.choke),
        ]
        return (bytes, events)
    }()

    @Test(arguments: [1, 2, 3, 7, 68, 69, 1000])
    func anyChunkingGivesTheSameEvents(chunkSize: Int) {
        let result = Fixtures.decode(Self.conversation.bytes, limits: Self.limits, chunkSize: chunkSize)
        #expect(result.error == nil)
        #expect(result.events == Self.conversation.events)
        #expect(result.leftover == 0)
    }

    /// aria2 sends its bitfield after other messages; BEP 6 clients may send have all late.
    /// Both are accepted (the session adds what they list).
    @Test(arguments: [1, nil] as [Int?])
    func lateBitfieldsAreAccepted(chunkSize: Int?) {
        let bytes: [UInt8] = [0, 0, 0, 5, 4, 0, 0, 0, 1] + [0, 0, 0, 1, 2] + [0, 0, 0, 3, 5, 0xFF, 0xC0] + [0, 0, 0, 1, 0x0E]
        let result = Fixtures.decode(bytes, limits: Self.limits, expectsHandshake: false, chunkSize: chunkSize)
        #expect(result.error == nil)
        #expect(result.events.count == 4)
        guard result.events.count == 4, case .message(.bitfield(let bitfield)) = result.events[2] else {
            Issue.record("no bitfield: \(result.events)")
            return
        }
        #expect(bitfield.count == 10)
        #expect(result.events[3] == .message(.haveAll))
    }

    @Test func oneByteAtATimeMatchesOneBulkBuffer() {
        let single = Fixtures.decode(Self.conversation.bytes, limits: Self.limits, chunkSize: 1)
        let bulk = Fixtures.decode(Self.conversation.bytes, limits: Self.limits)
        #expect(single.events == bulk.events)
        #expect(single.events.count == Self.conversation.events.count)
    }

    @Test func encoderReproducesTheConversation() {
        // Unknown messages are skipped on input, so only the known ones can be re-encoded.
        var bytes: [UInt8] = []
        for event in Self.conversation.events {
            if case .message(.unknown) = event { continue }
            bytes += Fixtures.encode(event)
        }
        let result = Fixtures.decode(bytes, limits: Self.limits, chunkSize: 5)
        let known = Self.conversation.events.filter {
            if case .message(.unknown) = $0 { return false }
            return true
        }
        #expect(result.events == known)
    }

    @Test func pipelineDecodesTheSameEventsAsTheValue() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PeerWireDecoder(limits: Self.limits, advertisesFastExtension: true)))
        for byte in Self.conversation.bytes {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
        }
        var events: [PeerWireEvent] = []
        while let event = try channel.readInbound(as: PeerWireEvent.self) {
            events.append(event)
        }
        #expect(events == Self.conversation.events)
        #expect(try channel.finish().isClean)
    }

    @Test func pipelineReportsDecodingErrors() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PeerWireDecoder(limits: Self.limits)))
        #expect(throws: PeerWireError.self) {
            try channel.writeInbound(ByteBuffer(bytes: Array("GET / HTTP/1.1\r\n".utf8)))
        }
        _ = try? channel.finish()
    }
}
