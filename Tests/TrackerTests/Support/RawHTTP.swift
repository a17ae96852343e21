import NIOCore
import NIOPosix

/// Sends raw bytes to a server and returns everything it sends back until
/// it closes the connection: for testing HTTP framing without our client.
enum RawHTTP {
    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private var received: [UInt8] = []
        private let promise: EventLoopPromise<[UInt8]>

        init(promise: EventLoopPromise<[UInt8]>) {
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += unwrapInboundIn(data).readableBytesView
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.completeWith(.success(received))
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            promise.fail(error)
            context.close(promise: nil)
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        let seconds: Int64
        var description: String { "the server kept the connection open for \(seconds) s" }
    }

    /// Sends `request` and returns everything the server sent until it closed the connection;
    /// throws `TimedOut` if it has not closed within `timeout`.
    /// `source` is another loopback address to send from (e.g. 127.0.0.2), as another host.
    static func exchange(port: Int, _ request: String, from source: String? = nil, timeout: TimeAmount = .seconds(5)) async throws -> String {
        let eventLoop = TrackerLoopback.group.next()
        let promise = eventLoop.makePromise(of: [UInt8].self)
        var bootstrap = ClientBootstrap(group: eventLoop)
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        let channel = try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(promise: promise))
                }
            }
            .connect(host: TrackerLoopback.host, port: port).get()
        let watchdog = eventLoop.scheduleTask(in: timeout) {
            // The server did not close in time: that is the test's failure, not a reply.
            promise.fail(TimedOut(seconds: timeout.nanoseconds / 1_000_000_000))
            channel.close(promise: nil)
        }
        defer { watchdog.cancel() }
        try await channel.writeAndFlush(ByteBuffer(string: request))
        return String(decoding: try await promise.futureResult.get(), as: UTF8.self)
    }
}
