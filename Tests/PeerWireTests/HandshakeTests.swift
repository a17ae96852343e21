import NIOCore
import PeerWire
import Testing
import TorrentMetainfo

@Suite struct HandshakeTests {
    static let limits = PeerWireLimits(pieceCount: 4)

    @Test func encoderWritesTheSpecBytes() {
        let handshake = Handshake(infoHash: Fixtures.infoHash, peerID: Fixtures.peerID)
        let bytes = Fixtures.encode(.handshake(handshake))
        #expect(bytes == Fixtures.handshakeBytes)
        #expect(bytes.count == 68)
        #expect(Handshake.byteCount == 68)
    }

    @Test func decoderReadsTheSpecBytes() {
        let result = Fixtures.decode(Fixtures.handshakeBytes, limits: Self.limits)
        let expected = Handshake(infoHash: Fixtures.infoHash, peerID: Fixtures.peerID)
        #expect(result.events == [.handshake(expected)])
        #expect(result.error == nil)
    }

    @Test func handshakeIsWaitedForUntilComplete() {
        let result = Fixtures.decode(Array(Fixtures.handshakeBytes.dropLast()), limits: Self.limits, chunkSize: 1)
        #expect(result.events.isEmpty)
        #expect(result.error == nil)
        #expect(result.leftover == 67)
    }

    @Test func reservedBitsFollowTheirBEPs() {
        var handshake = Handshake(infoHash: Fixtures.infoHash, peerID: Fixtures.peerID)
        handshake.supportsFastExtension = true
        #expect(handshake.reserved == [0, 0, 0, 0, 0, 0, 0, 0x04])
        handshake.supportsDHT = true
        handshake.supportsExtensionProtocol = true
        #expect(handshake.reserved == [0, 0, 0, 0, 0, 0x10, 0, 0x05])
        handshake.supportsFastExtension = false
        #expect(handshake.reserved == [0, 0, 0, 0, 0, 0x10, 0, 0x01])

        var bytes = Fixtures.handshakeBytes
        bytes[20 + 7] = 0x04
        let result = Fixtures.decode(bytes, limits: Self.limits)
        guard case .handshake(let decoded) = result.events.first else {
            Issue.record("no handshake decoded: \(result)")
            return
        }
        #expect(decoded.supportsFastExtension)
        #expect(!decoded.supportsDHT)
        #expect(!decoded.supportsExtensionProtocol)
    }

    @Test func messagesFollowTheHandshake() {
        let bytes = Fixtures.handshakeBytes + [0, 0, 0, 1, 2]
        let result = Fixtures.decode(bytes, limits: Self.limits)
        #expect(result.events.count == 2)
        #expect(result.events.last == .message(.interested))
    }
}

/// BEP 3: "If both sides don't send the same value, they sever the connection."
@Suite struct InfoHashCheckTests {
    @Test func matchingInfoHashIsAccepted() {
        let result = Fixtures.decode(
            Fixtures.handshakeBytes,
            limits: PeerWireLimits(pieceCount: 4),
            expectedInfoHash: Fixtures.infoHash
        )
        #expect(result.error == nil)
        #expect(result.events.count == 1)
    }

    @Test func otherTorrentIsRejectedBeforeThePeerIDArrives() {
        let other = InfoHash(bytes: Array(repeating: 0xAB, count: 20))
        let result = Fixtures.decode(
            Fixtures.handshakeBytes,
            limits: PeerWireLimits(pieceCount: 4),
            expectedInfoHash: other,
            chunkSize: 1
        )
        #expect(result.error?.kind == .infoHashMismatch)
        #expect(result.leftover == 48)
        #expect(result.error?.description.contains("0102030405060708090a0b0c0d0e0f1011121314") == true)
        #expect(result.error?.description.contains(other.hex) == true)
    }
}

/// BEP 6 messages need both handshakes to set its bit.
@Suite struct FastExtensionNegotiationTests {
    static let limits = PeerWireLimits(pieceCount: 4)
    static let haveAll: [UInt8] = [0, 0, 0, 1, 0x0E]

    @Test(arguments: [(true, true, true), (true, false, false), (false, true, false), (false, false, false)])
    func haveAllNeedsBothSides(weAdvertise: Bool, theyAdvertise: Bool, accepted: Bool) {
        let handshake = theyAdvertise ? Fixtures.fastHandshakeBytes : Fixtures.handshakeBytes
        let result = Fixtures.decode(handshake + Self.haveAll, limits: Self.limits, fastExtension: weAdvertise)
        if accepted {
            #expect(result.error == nil)
            #expect(result.events.last == .message(.haveAll))
        } else {
            #expect(result.error?.kind == .unexpectedMessage)
            #expect(result.error?.description.contains("Fast extension (BEP 6) was not negotiated") == true)
        }
    }

    @Test(arguments: [
        [UInt8]([0, 0, 0, 1, 0x0F]),
        [0, 0, 0, 5, 0x0D, 0, 0, 0, 1],
        [0, 0, 0, 5, 0x11, 0, 0, 0, 1],
    ])
    func fastOnlyMessagesAreRejectedWithoutIt(bytes: [UInt8]) {
        let result = Fixtures.decode(bytes, limits: Self.limits, expectsHandshake: false, fastExtension: false)
        #expect(result.error?.kind == .unexpectedMessage)
    }

    @Test func rejectIsAcceptedWithoutIt() {
        // BEP 3 lists "16 - reject" among its own messages.
        let bytes: [UInt8] = [0, 0, 0, 13, 0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0]
        let result = Fixtures.decode(bytes, limits: Self.limits, expectsHandshake: false, fastExtension: false)
        #expect(result.events == [.message(.rejectRequest(BlockRequest(piece: PieceIndex(1), offset: 0, length: 16_384)))])
    }
}

@Suite struct ReadHandshakeTests {
    @Test func readsAndConsumesExactlyTheHandshake() throws {
        var buffer = ByteBuffer(bytes: Fixtures.handshakeBytes + [0, 0, 0, 0])
        let handshake = try buffer.readHandshake()
        #expect(handshake == Handshake(infoHash: Fixtures.infoHash, peerID: Fixtures.peerID))
        #expect(buffer.readableBytes == 4)
    }

    @Test func incompleteHandshakeConsumesNothing() throws {
        var buffer = ByteBuffer(bytes: Array(Fixtures.handshakeBytes.prefix(67)))
        let handshake = try buffer.readHandshake(expectedInfoHash: Fixtures.infoHash)
        #expect(handshake == nil)
        #expect(buffer.readableBytes == 67)
    }
}
