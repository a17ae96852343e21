import NIOCore

extension ChannelPipeline.SynchronousOperations {
    /// Adds the peer wire codec: `decoder` turns inbound bytes into
    /// `PeerWireEvent`s, and outbound `PeerWireEvent`s become bytes, piece
    /// blocks uncopied.
    public func addPeerWireCodec(decoder: PeerWireDecoder) throws {
        try addHandler(ByteToMessageHandler(decoder))
        try addHandler(PeerWireEncodingHandler())
    }
}
