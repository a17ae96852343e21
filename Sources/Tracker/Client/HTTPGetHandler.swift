import NIOCore
import NIOHTTP1

/// The answer to one HTTP GET: status and body.
struct HTTPGetResult: Sendable {
    var status: Int
    var body: [UInt8]
}

/// Sends one GET when the connection opens and collects the response,
/// refusing a body larger than `maximumBodyLength`. The promise is completed
/// exactly once: by the response's end, an error, or the connection closing.
final class HTTPGetHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        case waitingForHead
        case readingBody(status: Int, body: [UInt8])
        case done
    }

    private let head: HTTPRequestHead
    private let maximumBodyLength: Int
    private let promise: EventLoopPromise<HTTPGetResult>
    private let url: String
    private var state = State.waitingForHead

    init(head: HTTPRequestHead, maximumBodyLength: Int, url: String, promise: EventLoopPromise<HTTPGetResult>) {
        self.head = head
        self.maximumBodyLength = maximumBodyLength
        self.url = url
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let response), .waitingForHead):
            state = .readingBody(status: Int(response.status.code), body: [])
        case (.body(let buffer), .readingBody(let status, var body)):
            guard body.count + buffer.readableBytes <= maximumBodyLength else {
                fail(context: context, reason: "the response body exceeds \(maximumBodyLength) bytes")
                return
            }
            body += buffer.readableBytesView
            state = .readingBody(status: status, body: body)
        case (.end, .readingBody(let status, let body)):
            state = .done
            promise.succeed(HTTPGetResult(status: status, body: body))
            context.close(promise: nil)
        case (_, .done):
            break
        default:
            fail(context: context, reason: "the HTTP response is out of order")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(context: context, reason: "\(error)")
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .done = state {
        } else {
            state = .done
            promise.fail(TrackerError(.connectionFailed(url: url, reason: "the connection closed before the response ended")))
        }
        context.fireChannelInactive()
    }

    private func fail(context: ChannelHandlerContext, reason: String) {
        if case .done = state { return }
        state = .done
        promise.fail(TrackerError(.connectionFailed(url: url, reason: reason)))
        context.close(promise: nil)
    }
}
