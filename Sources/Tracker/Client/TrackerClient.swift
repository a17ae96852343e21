import NIOCore
import NIOHTTP1
import NIOPosix

/// Announces to a torrent's trackers over HTTP, trying BEP 12 tiers in order.
///
/// An actor because the tier order changes as trackers answer; each
/// announce is one short HTTP/1.1 connection (trackers close them anyway,
/// and a peer announces every few seconds at most).
public actor TrackerClient {
    public struct Configuration: Hashable, Sendable {
        /// Connecting plus the whole exchange must finish within this.
        public var timeout: Duration
        /// BEP 12 shuffles each tier when first read; turn off for a fixed order.
        public var shuffleTiers: Bool
        public var userAgent: String

        public init(timeout: Duration = .seconds(10), shuffleTiers: Bool = true, userAgent: String = "swarmdeploy") {
            self.timeout = timeout
            self.shuffleTiers = shuffleTiers
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    private let group: any EventLoopGroup
    public private(set) var tiers: TrackerTiers

    /// `tiers` as in a torrent's `announce-list` (or `[[announce]]`).
    public init(
        tiers: [[String]],
        configuration: Configuration = Configuration(),
        group: any EventLoopGroup
    ) throws(TrackerError) {
        var parsed = try TrackerTiers(tiers)
        if configuration.shuffleTiers {
            var generator = SystemRandomNumberGenerator()
            parsed.shuffleWithinTiers(using: &generator)
        }
        self.tiers = parsed
        self.configuration = configuration
        self.group = group
    }

    /// Announces to the first tracker that answers, in BEP 12 order, and
    /// moves it to the front of its tier. A `failure reason` counts as a
    /// failure of that tracker, so the next one is tried. When all fail, the
    /// error lists each attempt; a single tracker's error is thrown as is.
    public func announce(_ request: AnnounceRequest) async throws(TrackerError) -> AnnounceResponse {
        var failures: [TrackerError] = []
        let urls = tiers.attemptOrder
        for url in urls {
            do {
                let response = try await Self.announce(
                    request, to: url, configuration: configuration, group: group)
                tiers.recordSuccess(url)
                return response
            } catch {
                failures.append(error)
            }
        }
        if failures.count == 1 {
            throw failures[0]
        }
        throw TrackerError(.allTrackersFailed(failures.map(\.description)))
    }

    /// One announce to one tracker.
    public static func announce(
        _ request: AnnounceRequest,
        to url: TrackerURL,
        configuration: Configuration = Configuration(),
        group: any EventLoopGroup
    ) async throws(TrackerError) -> AnnounceResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.hostHeader)
        headers.add(name: "User-Agent", value: configuration.userAgent)
        headers.add(name: "Accept", value: "*/*")
        headers.add(name: "Connection", value: "close")
        let head = HTTPRequestHead(
            version: .http1_1, method: .GET, uri: url.requestTarget(query: request.query), headers: headers)
        let result = try await get(head, url: url, timeout: configuration.timeout, group: group)
        guard result.status == 200 else {
            var reason: String?
            do {
                _ = try AnnounceResponse(bencoded: result.body, from: url.text)
            } catch {
                if case .trackerFailure(_, let text) = error.kind { reason = text }
            }
            throw TrackerError(.httpStatus(url: url.text, code: result.status, reason: reason))
        }
        return try AnnounceResponse(bencoded: result.body, from: url.text)
    }

    private static func get(
        _ head: HTTPRequestHead, url: TrackerURL, timeout: Duration, group: any EventLoopGroup
    ) async throws(TrackerError) -> HTTPGetResult {
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: HTTPGetResult.self)
        let timeAmount = TimeAmount(timeout)
        let maximumBodyLength = AnnounceResponse.maximumBodyLength
        let text = url.text
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeAmount)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        HTTPGetHandler(head: head, maximumBodyLength: maximumBodyLength, url: text, promise: promise))
                }
            }
        let timeoutTask = eventLoop.scheduleTask(in: timeAmount) {
            promise.fail(TrackerError(.timeout(url: text, seconds: Double(timeAmount.nanoseconds) / 1e9)))
        }
        defer { timeoutTask.cancel() }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            promise.fail(error)
            throw TrackerError(.connectionFailed(url: text, reason: "\(error)"))
        }
        do {
            // A cancelled task (a peer shutting down) stops waiting at once.
            let result = try await withTaskCancellationHandler {
                try await promise.futureResult.get()
            } onCancel: {
                promise.fail(CancellationError())
            }
            channel.close(promise: nil)
            return result
        } catch let error as TrackerError {
            channel.close(promise: nil)
            throw error
        } catch is CancellationError {
            channel.close(promise: nil)
            throw TrackerError(.cancelled(url: text))
        } catch {
            channel.close(promise: nil)
            throw TrackerError(.connectionFailed(url: text, reason: "\(error)"))
        }
    }
}
