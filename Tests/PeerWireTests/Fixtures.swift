import NIOCore
import PeerWire
import TorrentMetainfo

/// Shared values and helpers for the codec tests.
enum Fixtures {
    static let infoHash = InfoHash(bytes: Array(0x01...0x14))
    static let peerID = PeerID(bytes: Array("-SD0100-abcdefghijkl".utf8))

    /// The handshake of `infoHash` and `peerID` with all reserved bits zero,
    /// written out byte by byte from BEP 3's description.
    static let handshakeBytes: [UInt8] =
        [19] + Array("BitTorrent protocol".utf8) + [0, 0, 0, 0, 0, 0, 0, 0] + Array(0x01...0x14)
        + Array("-SD0100-abcdefghijkl".utf8)

    /// `handshakeBytes` with the BEP 6 bit set.
    static let fastHandshakeBytes: [UInt8] = {
        var bytes = handshakeBytes
        bytes[1 + 19 + 7] |= 0x04
        return bytes
    }()

    static var fastHandshake: Handshake {
        var handshake = Handshake(infoHash: infoHash, peerID: peerID)
        handshake.supportsFastExtension = true
        return handshake
    }

    static func encode(_ event: PeerWireEvent) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writePeerWireEvent(event)
        return Array(buffer.readableBytesView)
    }

    /// Decodes everything in `bytes`, handed to the decoder in pieces of
    /// `chunkSize` bytes the way `ByteToMessageHandler` accumulates input.
    /// `fastExtension` says whether we advertise BEP 6. Returns the events
    /// decoded before any error, the error, and the bytes left undecoded.
    static func decode(
        _ bytes: [UInt8],
        limits: PeerWireLimits,
        expectsHandshake: Bool = true,
        expectedInfoHash: InfoHash? = nil,
        fastExtension: Bool = true,
        chunkSize: Int? = nil
    ) -> (events: [PeerWireEvent], error: PeerWireError?, leftover: Int) {
        var decoder = PeerWireDecoder(
            limits: limits,
            expectsHandshake: expectsHandshake,
            expectedInfoHash: expectedInfoHash,
            advertisesFastExtension: fastExtension,
            advertisesAuthentication: true
        )
        var pending = ByteBuffer()
        var events: [PeerWireEvent] = []
        let step = max(chunkSize ?? bytes.count, 1)
        var start = 0
        repeat {
            let end = min(start + step, bytes.count)
            pending.writeBytes(bytes[start..<end])
            start = end
            do {
                while let event = try decoder.decodeEvent(from: &pending) {
                    events.append(event)
                }
            } catch {
                return (events, error, pending.readableBytes)
            }
        } while start < bytes.count
        return (events, nil, pending.readableBytes)
    }
}
