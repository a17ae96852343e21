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

/// swarmdeploy's authentication messages exist only when both handshakes set its bit; to
/// everyone else their type bytes are an unknown extension, skipped.
@Suite struct AuthenticationNegotiationTests {
    static let limits = PeerWireLimits(pieceCount: 4)
    static let challenge: [UInt8] = [0, 0, 0, 17, 0xF0] + Array(1...16)

    static func handshake(authenticates: Bool) -> [UInt8] {
        var bytes = Fixtures.handshakeBytes
        if authenticates { bytes[1 + 19 + 3] |= 0x01 }
        return bytes
    }

    @Test(arguments: [(true, true, true), (true, false, false), (false, true, false), (false, false, false)])
    func theChallengeNeedsBothSides(weAdvertise: Bool, theyAdvertise: Bool, understood: Bool) {
        var decoder = PeerWireDecoder(limits: Self.limits, advertisesAuthentication: weAdvertise)
        var buffer = ByteBuffer(bytes: Self.handshake(authenticates: theyAdvertise) + Self.challenge)
        #expect(throws: Never.self) {
            guard case .handshake(let handshake) = try decoder.decodeEvent(from: &buffer) else {
                Issue.record("no handshake")
                return
            }
            #expect(handshake.supportsPeerAuthentication == theyAdvertise)
            let message = try decoder.decodeEvent(from: &buffer)
            #expect(message == .message(understood ? .authChallenge(Array(1...16)) : .unknown(id: 0xF0)))
            // An unknown message's payload is skipped as it is read on.
            #expect(try decoder.decodeEvent(from: &buffer) == nil)
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test func messagesOfTheWrongLengthAreErrors() {
        var decoder = PeerWireDecoder(limits: Self.limits, advertisesAuthentication: true)
        var buffer = ByteBuffer(bytes: Self.handshake(authenticates: true) + [0, 0, 0, 9, 0xF1] + Array(1...8))
        _ = try? decoder.decodeEvent(from: &buffer)
        #expect(throws: PeerWireError.self) { _ = try decoder.decodeEvent(from: &buffer) }
    }

    @Test func bothMessagesRoundTrip() {
        for message in [PeerMessage.authChallenge(Array(1...16)), .authProof(Array(1...32))] {
            let bytes = Fixtures.encode(.message(message))
            let result = Fixtures.decode(Self.handshake(authenticates: true) + bytes, limits: Self.limits)
            #expect(result.error == nil)
            #expect(result.events.last == .message(message))
        }
    }
}
