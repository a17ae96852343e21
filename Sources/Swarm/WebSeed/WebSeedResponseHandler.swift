import NIOCore
import NIOHTTP1
import NIOSSL

/// Hands each part of a web seed's HTTP responses, and the connection's end, to `deliver`
/// on the channel's event loop (the session's). Requests are written by the session.
final class WebSeedResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    enum Event {
        case head(HTTPResponseHead)
        case body(ByteBuffer)
        case end
        /// The connection closed, or failed with the error's text.
        case closed(String?)
        /// The TLS handshake failed (an untrusted certificate, a name that does not match):
        /// retrying would fail the same way.
        case handshakeFailed(String)
    }

    private let deliver: (Event) -> Void
    private var closed = false

    init(deliver: @escaping (Event) -> Void) {
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): deliver(.head(head))
        case .body(let buffer): deliver(.body(buffer))
        case .end: deliver(.end)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if Self.isHandshakeFailure(error), !closed {
            closed = true
            deliver(.handshakeFailed(String(describing: error)))
        } else {
            finish(String(describing: error))
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(nil)
        context.fireChannelInactive()
    }

    /// The certificate is not trusted, or does not name the host: no retry can help.
    private static func isHandshakeFailure(_ error: Error) -> Bool {
        if case NIOSSLError.handshakeFailed = error { return true }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname { return true }
        return false
    }

    private func finish(_ error: String?) {
        guard !closed else { return }
        closed = true
        deliver(.closed(error))
    }
}
