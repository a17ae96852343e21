import NIOCore
import PeerWire

/// The thin channel handler between the peer wire codec and the session: it sends our
/// handshake at the right moment, proves and checks the push's key when the node has one
/// (see `AuthenticationExchange`), and forwards everything else.
final class PeerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = PeerWireEvent
    typealias OutboundOut = PeerWireEvent

    private let session: NIOLoopBound<TorrentSession>
    /// We opened the connection, so we speak first (BEP 3: the initiator sends its handshake
    /// and the recipient answers once it has read the info-hash).
    private let initiator: Bool
    private var key: PeerKey?
    /// Closes the connection if the handshake has not completed by then.
    private var handshakeDeadline: Scheduled<Void>?
    /// The address an inbound connection is counted under while its handshake is pending.
    private var pendingFrom: String?
    /// Until the remote peer proved it holds the push's key; nil without a key, or once proved.
    private var authentication: AuthenticationExchange?
    /// Kept until the peer may join the session (after its proof, with a key).
    private var remoteHandshake: Handshake?

    /// BEP 6, for `reject_request`: a request we will not serve is answered, not left to
    /// hold a place in the peer's pipeline until it gives up on us. Our handshake's bit and
    /// what the decoder accepts follow this one value.
    static let offersFastExtension = true

    init(session: NIOLoopBound<TorrentSession>, initiator: Bool) {
        self.session = session
        self.initiator = initiator
        let node = session.value
        authentication = node.configuration.authenticationKey.map { key in
            AuthenticationExchange(key: key, infoHash: node.metainfo.infoHash, localID: node.localID, isInitiator: initiator)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        if !initiator {
            let address = context.channel.remoteAddress?.ipAddress ?? "?"
            guard session.value.admits(address), session.value.handshakeStarted(from: address) else {
                context.close(promise: nil)
                return
            }
            pendingFrom = address
        }
        let channel = context.channel
        handshakeDeadline = context.eventLoop.scheduleTask(in: TimeAmount(session.value.configuration.handshakeTimeout)) {
            channel.close(promise: nil)
        }
        if initiator {
            context.writeAndFlush(wrapOutboundOut(.handshake(ourHandshake)), promise: nil)
        }
        context.fireChannelActive()
    }

    /// The handshake is over, one way or another: stop its clock and its count.
    private func handshakeOver() {
        handshakeDeadline?.cancel()
        handshakeDeadline = nil
        if let pendingFrom {
            session.value.handshakeEnded(from: pendingFrom)
            self.pendingFrom = nil
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .handshake(let handshake):
            if !initiator {
                context.write(wrapOutboundOut(.handshake(ourHandshake)), promise: nil)
            }
            remoteHandshake = handshake
            guard let step = authentication?.handshakeReceived(handshake) else {
                join(context: context)
                return
            }
            carryOut(step, context: context)
        case .message(let message):
            if let key {
                session.value.received(message, from: key)
            } else if let step = authentication?.received(message) {
                carryOut(step, context: context)
            }
        }
    }

    private func carryOut(_ step: AuthenticationExchange.Step, context: ChannelHandlerContext) {
        switch step {
        case .send(let message):
            context.writeAndFlush(wrapOutboundOut(.message(message)), promise: nil)
        case .authenticated:
            authentication = nil
            join(context: context)
        case .refuse(let reason):
            session.value.logger.debug("refused peer \(context.channel.remoteAddress?.description ?? "?"): \(reason)")
            context.close(promise: nil)
        }
    }

    /// The handshake (and the proof, with a key) is done: the peer joins the session.
    private func join(context: ChannelHandlerContext) {
        handshakeOver()
        guard let handshake = remoteHandshake,
            let key = session.value.peerReady(channel: context.channel, handshake: handshake)
        else {
            context.close(promise: nil)
            return
        }
        self.key = key
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let key, let peer = session.value.peers[key] {
            session.value.serve(peer)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeOver()
        if let key {
            session.value.peerClosed(key)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A protocol violation or a reset: this peer is done; the swarm carries on without it.
        session.value.logger.debug("connection to \(context.channel.remoteAddress?.description ?? "?") failed: \(error)")
        context.close(promise: nil)
    }

    private var ourHandshake: Handshake {
        var handshake = Handshake(infoHash: session.value.metainfo.infoHash, peerID: session.value.localID)
        handshake.supportsPeerAuthentication = session.value.configuration.authenticationKey != nil
        handshake.supportsFastExtension = Self.offersFastExtension
        return handshake
    }
}
