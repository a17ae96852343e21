/// One unit of the peer wire stream: the handshake, then messages. The decoder
/// produces these and the encoders consume them.
public enum PeerWireEvent: Hashable, Sendable {
    case handshake(Handshake)
    case message(PeerMessage)
}
