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
