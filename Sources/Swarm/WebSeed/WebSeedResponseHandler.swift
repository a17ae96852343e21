import NIOCore
import NIOHTTP1

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
        finish(String(describing: error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(nil)
        context.fireChannelInactive()
    }

    private func finish(_ error: String?) {
        guard !closed else { return }
        closed = true
        deliver(.closed(error))
    }
}
