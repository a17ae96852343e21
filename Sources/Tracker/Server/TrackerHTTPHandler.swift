import NIOCore
import NIOHTTP1

/// The thin HTTP adapter: one request in, one bencoded response out.
/// NIO's pipelining helper holds later requests until this one is answered,
/// so responses keep their order even though announces hop to the actor.
final class TrackerHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: TrackerRoutes
    private let core: TrackerCore
    private let requestTimeout: TimeAmount
    private var pending: HTTPRequestHead?
    /// Closes the connection unless the next request has arrived whole by then.
    private var deadline: Scheduled<Void>?

    init(routes: TrackerRoutes, core: TrackerCore, requestTimeout: TimeAmount) {
        self.routes = routes
        self.core = core
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        awaitNextRequest(context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            pending = head
        case .body:
            // An announce has no body; whatever comes is dropped unbuffered.
            break
        case .end:
            guard let head = pending else { return }
            pending = nil
            deadline?.cancel()
            deadline = nil
            handle(head, context: context)
        }
    }

    /// The next request has `requestTimeout` to arrive whole.
    private func awaitNextRequest(context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: requestTimeout) { channel.close(promise: nil) }
    }

    /// A malformed request (NIO's error handler has already answered 400)
    /// or a broken socket: either way the connection is done.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let decision = routes.decide(
            method: head.method.rawValue,
            uri: head.uri,
            headerCount: head.headers.count,
            remoteAddress: context.remoteAddress.flatMap(IPAddress.init(socketAddress:)))
        switch decision {
        case .respond(let status, let body):
            respond(to: head, status: status, body: body, context: context)
        case .announce(let request, let address):
            let core = self.core
            context.eventLoop.makeFutureWithTask {
                await core.announce(request, from: address)
            }.assumeIsolated().whenSuccess { result in
                let body: [UInt8]
                switch result {
                case .success(let response):
                    body = response.bencoded(compact: request.compact, includePeerIDs: !request.noPeerID)
                case .failure(let error):
                    body = AnnounceResponse.failureBody(reason: error.description)
                }
                self.respond(to: head, status: 200, body: body, context: context)
            }
        case .scrape(let request):
            let core = self.core
            context.eventLoop.makeFutureWithTask {
                await core.read { $0.scrape(request) }
            }.assumeIsolated().whenSuccess { files in
                self.respond(to: head, status: 200, body: ScrapeCounts.bencoded(files), context: context)
            }
        }
    }

    private func respond(to request: HTTPRequestHead, status: Int, body: [UInt8], context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain")
        headers.add(name: "Content-Length", value: String(body.count))
        let keepAlive = request.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(
            version: request.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            awaitNextRequest(context: context)
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}

extension IPAddress {
    /// The address of a socket peer; nil for Unix sockets.
    init?(socketAddress: SocketAddress) {
        switch socketAddress {
        case .v4(let address):
            var raw = address.address.sin_addr
            self = .v4(withUnsafeBytes(of: &raw) { Array($0) })
        case .v6(let address):
            var raw = address.address.sin6_addr
            self.init(v6Bytes: withUnsafeBytes(of: &raw) { Array($0) })
        case .unixDomainSocket:
            return nil
        }
    }
}
