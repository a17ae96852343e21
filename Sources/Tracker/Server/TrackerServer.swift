import NIOCore
import NIOHTTP1
import NIOPosix
import TorrentMetainfo

/// The HTTP tracker: `GET /<secret>/announce?...` on NIOHTTP1, answered from
/// a `TrackerState`.
///
/// The state lives in an actor (`TrackerCore`): connections on any event
/// loop hop to it for each announce, and the controller queries it with
/// `await`. Announces are tiny, so one serial owner is plenty, and the HTTP
/// handlers stay thin: parse, hop, write.
public final class TrackerServer: Sendable {
    public struct Configuration: Sendable {
        /// The per-deploy token in the announce path, `/<secret>/announce`.
        /// Nil serves plain `/announce` (for debugging and open use).
        public var secret: String?
        public var state: TrackerState.Configuration
        /// Torrents served from the start; more with `register(_:)`.
        public var torrents: [InfoHash]
        /// Take the peer's address from the `ip` parameter when it is a
        /// literal address, instead of the connection. Off by default:
        /// anyone could point the swarm at a third host.
        public var honorsIPParameter: Bool
        /// Connections idle this long are closed.
        public var idleTimeout: Duration
        /// A request must arrive whole within this long (from the connection's start or the
        /// previous answer): a client dribbling one byte at a time keeps an idle timer from
        /// ever firing, not this one.
        public var requestTimeout: Duration
        /// Connections open at once; more are closed as they arrive. They share the
        /// controller's file descriptors with SSH and the seeder.
        public var maximumConnections: Int
        /// Connections open at once from one address: a push's hosts announce one at a time,
        /// so a flood from one address leaves the rest of the places to them.
        public var maximumConnectionsPerAddress: Int
        /// Longer request targets are refused with 414.
        public var maximumURILength: Int
        /// Requests with more header fields are refused.
        public var maximumHeaderCount: Int

        public init(
            secret: String?,
            state: TrackerState.Configuration = .init(),
            torrents: [InfoHash] = [],
            honorsIPParameter: Bool = false,
            idleTimeout: Duration = .seconds(30),
            requestTimeout: Duration = .seconds(10),
            maximumConnections: Int = 1024,
            maximumConnectionsPerAddress: Int = 32,
            maximumURILength: Int = 4096,
            maximumHeaderCount: Int = 64
        ) {
            self.secret = secret
            self.state = state
            self.torrents = torrents
            self.honorsIPParameter = honorsIPParameter
            self.idleTimeout = idleTimeout
            self.requestTimeout = requestTimeout
            self.maximumConnections = maximumConnections
            self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
            self.maximumURILength = maximumURILength
            self.maximumHeaderCount = maximumHeaderCount
        }

        /// A fresh secret: 32 hex digits from the system's random source.
        public static func randomSecret() -> String {
            Hex.encode(RandomBytes.make(16))
        }
    }

    /// The address the server listens on (with the real port when 0 was asked).
    public let localAddress: SocketAddress
    public let configuration: Configuration
    let core: TrackerCore
    let connections: ConnectionRegistry
    private let channel: any Channel

    private init(
        channel: any Channel, localAddress: SocketAddress, core: TrackerCore, connections: ConnectionRegistry,
        configuration: Configuration
    ) {
        self.channel = channel
        self.localAddress = localAddress
        self.core = core
        self.connections = connections
        self.configuration = configuration
    }

    /// Binds and starts serving. `port` 0 picks a free port; read it back
    /// from `localAddress` or `port`.
    public static func start(
        host: String,
        port: Int,
        configuration: Configuration,
        group: any EventLoopGroup
    ) async throws(TrackerError) -> TrackerServer {
        var state = TrackerState(configuration: configuration.state)
        for infoHash in configuration.torrents {
            state.register(infoHash)
        }
        let core = TrackerCore(state: state)
        let connections = ConnectionRegistry()
        let routes = TrackerRoutes(
            secret: configuration.secret,
            honorsIPParameter: configuration.honorsIPParameter,
            maximumURILength: configuration.maximumURILength,
            maximumHeaderCount: configuration.maximumHeaderCount)
        let limits = Self.decoderLimits(configuration)
        let idle = TimeAmount(configuration.idleTimeout)
        let requestTimeout = TimeAmount(configuration.requestTimeout)
        let maximumConnections = configuration.maximumConnections
        let maximumPerAddress = configuration.maximumConnectionsPerAddress
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard connections.admit(channel, limit: maximumConnections, perAddressLimit: maximumPerAddress) else {
                    return channel.close()
                }
                Task { await connections.add(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idle))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withPipeliningAssistance: true,
                        withErrorHandling: true,
                        withOutboundHeaderValidation: true,
                        withEncoderConfiguration: .init(),
                        withDecoderLimitConfiguration: limits)
                    try channel.pipeline.syncOperations.addHandler(
                        TrackerHTTPHandler(routes: routes, core: core, requestTimeout: requestTimeout))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw TrackerError(.serverStartFailed(host: host, port: port, reason: "\(error)"))
        }
        guard let localAddress = channel.localAddress else {
            channel.close(promise: nil)
            throw TrackerError(.serverStartFailed(host: host, port: port, reason: "the socket has no local address"))
        }
        return TrackerServer(
            channel: channel, localAddress: localAddress, core: core, connections: connections,
            configuration: configuration)
    }

    private static func decoderLimits(_ configuration: Configuration) -> NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        // The request line counts against the field size limit in NIO's
        // decoder, so this also bounds the URI before it is buffered whole.
        limits.maxHeaderFieldSize = max(8192, configuration.maximumURILength * 2)
        limits.maxHeaderListSize = 16384
        limits.maxHeaderFieldCount = configuration.maximumHeaderCount
        return limits
    }

    /// The port the server listens on.
    public var port: Int { localAddress.port ?? 0 }

    /// The announce URL peers should use, for `host` as they reach this machine.
    public func announceURL(host: String) -> String {
        let name = host.contains(":") ? "[\(host)]" : host
        let path = configuration.secret.map { "/\($0)/announce" } ?? "/announce"
        return "http://\(name):\(port)\(path)"
    }

    /// Stops listening and closes every open connection; the state stays
    /// readable. Calling it again does nothing.
    public func shutdown() async throws {
        do {
            try await channel.close()
        } catch ChannelError.alreadyClosed {
        }
        await connections.closeAll()
    }
}

extension TrackerServer {
    public func register(_ infoHash: InfoHash) async {
        await core.register(infoHash)
    }

    public func unregister(_ infoHash: InfoHash) async {
        await core.unregister(infoHash)
    }

    /// Every peer that has finished this torrent, including peers since gone.
    public func completedPeers(of infoHash: InfoHash) async -> [TrackerState.Completion] {
        await core.read { $0.completedPeers(of: infoHash) }
    }

    /// Live peers of this torrent (expired peers dropped first).
    public func peers(of infoHash: InfoHash) async -> [TrackerState.Peer] {
        await core.read { $0.peers(of: infoHash) }
    }

    public func peerCount(of infoHash: InfoHash) async -> Int {
        await core.read { $0.peerCount(of: infoHash) }
    }

    /// Whether every peer id in `expected` has finished this torrent.
    public func allComplete(of infoHash: InfoHash, expected: Set<PeerID>) async -> Bool {
        await core.read { $0.allComplete(of: infoHash, expected: expected) }
    }

    /// A copy of the whole state, for any other question.
    public func snapshot() async -> TrackerState {
        await core.read { $0 }
    }
}
