import NIOCore
import NIOEmbedded
import PeerWire
import Testing

@Suite struct EncodingHandlerTests {
    @Test func pieceGoesOutAsHeaderThenTheBlockUncopied() throws {
        let channel = EmbeddedChannel(handler: PeerWireEncodingHandler())
        var block = channel.allocator.buffer(capacity: 16_384)
        block.writeRepeatingByte(0x5A, count: 16_384)
        try channel.writeOutbound(PeerWireEvent.message(.piece(PieceIndex(3), offset: 32_768, block: block)))

        let header = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(header.readableBytesView) == [0, 0, 0x40, 0x09, 7, 0, 0, 0, 3, 0, 0, 0x80, 0])
        let sent = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(sent == block)
        let sentAddress = sent.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let blockAddress = block.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(sentAddress == blockAddress, "the block was copied")
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        #expect(try channel.finish().isClean)
    }

    @Test func otherEventsGoOutAsOneBufferOfTheSpecBytes() throws {
        let channel = EmbeddedChannel(handler: PeerWireEncodingHandler())
        let handshake = Handshake(infoHash: Fixtures.infoHash, peerID: Fixtures.peerID)
        try channel.writeOutbound(PeerWireEvent.handshake(handshake))
        try channel.writeOutbound(PeerWireEvent.message(.have(PieceIndex(1))))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: Fixtures.handshakeBytes))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0, 0, 0, 5, 4, 0, 0, 0, 1]))
        #expect(try channel.finish().isClean)
    }

    @Test func messageToByteEncoderWritesTheSameBytes() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(PeerWireEncoder()))
        let piece = PeerMessage.piece(PieceIndex(0), offset: 4, block: ByteBuffer(bytes: [9, 8, 7]))
        try channel.writeOutbound(PeerWireEvent.message(piece))
        let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(Array(written.readableBytesView) == [0, 0, 0, 12, 7, 0, 0, 0, 0, 0, 0, 0, 4, 9, 8, 7])
        #expect(try channel.finish().isClean)
    }
}
