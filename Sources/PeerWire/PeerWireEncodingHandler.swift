import NIOCore

/// Writes handshakes and messages to the channel. A piece goes out as its
/// 13-byte header followed by the block buffer itself, so the block is never
/// copied on its way to the socket.
public final class PeerWireEncodingHandler: ChannelOutboundHandler, RemovableChannelHandler, Sendable {
    public typealias OutboundIn = PeerWireEvent
    public typealias OutboundOut = ByteBuffer

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let event = unwrapOutboundIn(data)
        if case .message(.piece(let piece, let offset, let block)) = event {
            var header = context.channel.allocator.buffer(capacity: 13)
            header.writePieceHeader(piece: piece, offset: offset, blockLength: block.readableBytes)
            context.write(wrapOutboundOut(header), promise: nil)
            context.write(wrapOutboundOut(block), promise: promise)
        } else {
            var buffer = context.channel.allocator.buffer(capacity: Self.capacity(for: event))
            buffer.writePeerWireEvent(event)
            context.write(wrapOutboundOut(buffer), promise: promise)
        }
    }

    private static func capacity(for event: PeerWireEvent) -> Int {
        switch event {
        case .handshake: Handshake.byteCount
        case .message(.bitfield(let bitfield)): 5 + bitfield.bytes.count
        case .message: 17
        }
    }
}
