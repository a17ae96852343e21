import NIOCore

/// Encodes handshakes and messages for `MessageToByteHandler`. Simple, but it
/// copies piece blocks into the output; `PeerWireEncodingHandler` does not.
public struct PeerWireEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = PeerWireEvent

    public init() {}

    public func encode(data: PeerWireEvent, out: inout ByteBuffer) throws {
        out.writePeerWireEvent(data)
    }
}
