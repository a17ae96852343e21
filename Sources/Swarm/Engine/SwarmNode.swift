#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore
import NIOPosix
import PeerWire
import TorrentMetainfo

/// One participant in a swarm — a seeder or a downloader — with its listening socket, its
/// connections, and its disk threads.
///
/// All networking runs on one event loop, so the session's state needs no locks; hashing
/// and disk I/O run on a small thread pool.
public final class SwarmNode: Sendable {
    public enum Role: Sendable {
        case seeder
        case downloader
    }

    public let peerID: PeerID
    /// The configuration's logger, for what runs beside the node (its announces).
    let logger: Logger
    /// The port peers connect to.
    public let listenPort: Int
    /// Peers to ask each tracker announce for (`SwarmConfiguration.numwant`).
    public let numwant: Int

    /// The node's event loop, also used for its tracker announces.
    let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let listener: Channel
    private let session: NIOLoopBound<TorrentSession>
    private let completionFuture: EventLoopFuture<Void>

    /// Starts a node listening for peers. A downloader's `held` pieces are in `storage`
    /// already, checked by the caller against the torrent (e.g. built from the host's own
    /// tree): it offers them from the start and fetches only the rest. `heldBlocks` (block
    /// indices by piece) are in `storage` too, unchecked: of those pieces only the other blocks
    /// are fetched, and each is checked whole once complete (when it fails, all of it is
    /// fetched again).
    public static func start(
        metainfo: Metainfo,
        storage: any PieceStorage,
        role: Role,
        configuration: SwarmConfiguration = SwarmConfiguration(),
        peerID: PeerID = .generate(),
        verifiedPrefix: VerifiedPrefix? = nil,
        having held: PieceSet? = nil,
        holdingBlocks heldBlocks: [Int: [Int]] = [:]
    ) async throws -> SwarmNode {
        guard storage.length == metainfo.length else {
            throw SwarmNodeError("the storage holds \(storage.length) bytes but the torrent describes \(metainfo.length)")
        }
        guard held.map({ $0.pieceCount == metainfo.pieceCount }) ?? true else {
            throw SwarmNodeError("the pieces held are counted over \(held!.pieceCount) pieces, the torrent has \(metainfo.pieceCount)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let threadPool = NIOThreadPool(numberOfThreads: max(1, configuration.diskThreads))
        threadPool.start()
        let loop = group.next()
        do {
            let session = try await loop.submit {
                let bound = NIOLoopBound(
                    try TorrentSession(
                        metainfo: metainfo,
                        storage: storage,
                        role: role == .seeder ? .seeder : .downloader,
                        configuration: configuration,
                        localID: peerID,
                        eventLoop: loop,
                        threadPool: threadPool,
                        verifiedPrefix: verifiedPrefix,
                        having: held,
                        holdingBlocks: heldBlocks
                    ),
                    eventLoop: loop
                )
                bound.value.startTicking()
                bound.value.takeHeldPieces()
                bound.value.startWebSeeds()
                return bound
            }.get()
            let limits = PeerWireLimits(metainfo: metainfo)
            let infoHash = metainfo.infoHash
            let listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.recvAllocator, value: Self.receiveAllocator)
                .childChannelOption(.writeBufferWaterMark, value: Self.waterMark(configuration))
                .childChannelOption(Self.notSentLowWater, value: configuration.unsentBytesLimit)
                .childChannelOption(.socketOption(.so_keepalive), value: 1)
                .childChannelOption(Self.keepAliveIdle, value: Self.keepAliveIdleSeconds(configuration))
                .childChannelOption(Self.keepAliveInterval, value: 1)
                .childChannelOption(Self.keepAliveCount, value: 3)
                .childChannelOption(Self.userTimeout, value: Self.userTimeoutMilliseconds(configuration))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configure(channel, session: session, limits: limits, infoHash: infoHash, initiator: false)
                    }
                }
                .bind(host: configuration.listenHost, port: configuration.listenPort)
                .get()
            return SwarmNode(
                peerID: peerID,
                logger: configuration.logger,
                listenPort: listener.localAddress?.port ?? configuration.listenPort,
                numwant: configuration.numwant,
                group: group,
                threadPool: threadPool,
                listener: listener,
                session: session,
                completion: try await loop.submit { session.value.completion.futureResult }.get()
            )
        } catch {
            try? await threadPool.shutdownGracefully()
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private init(
        peerID: PeerID,
        logger: Logger,
        listenPort: Int,
        numwant: Int,
        group: MultiThreadedEventLoopGroup,
        threadPool: NIOThreadPool,
        listener: Channel,
        session: NIOLoopBound<TorrentSession>,
        completion: EventLoopFuture<Void>
    ) {
        self.peerID = peerID
        self.logger = logger
        self.listenPort = listenPort
        self.numwant = numwant
        self.group = group
        self.threadPool = threadPool
        self.listener = listener
        self.session = session
        self.completionFuture = completion
    }

    /// Connects to peers (e.g. from a tracker). Failures are ignored: another peer will do.
    public func connect(to peers: [(host: String, port: Int)]) {
        let session = self.session
        let loop = listener.eventLoop
        let setup = loop.submit { (session.value.metainfo, session.value.configuration) }
        for peer in peers {
            setup.whenSuccess { metainfo, configuration in
                session.value.admit(peer.host)
                let limits = PeerWireLimits(metainfo: metainfo)
                let infoHash = metainfo.infoHash
                _ = ClientBootstrap(group: loop)
                    .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                    .channelOption(.recvAllocator, value: Self.receiveAllocator)
                    .channelOption(.writeBufferWaterMark, value: Self.waterMark(configuration))
                    .channelOption(Self.notSentLowWater, value: configuration.unsentBytesLimit)
                    .channelOption(.socketOption(.so_keepalive), value: 1)
                    .channelOption(Self.keepAliveIdle, value: Self.keepAliveIdleSeconds(configuration))
                    .channelOption(Self.keepAliveInterval, value: 1)
                    .channelOption(Self.keepAliveCount, value: 3)
                    .channelOption(Self.userTimeout, value: Self.userTimeoutMilliseconds(configuration))
                    .connectTimeout(.seconds(5))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try Self.configure(channel, session: session, limits: limits, infoHash: infoHash, initiator: true)
                        }
                    }
                    .connect(host: peer.host, port: peer.port)
            }
        }
    }

    /// Returns when the whole payload is downloaded and verified (at once for a seeder).
    /// Cancelling the waiting task ends the wait (with `CancellationError`), not the download.
    public func waitUntilComplete() async throws {
        // Each waiter gets its own promise, so cancelling one wait leaves the download alone.
        let waiter = listener.eventLoop.makePromise(of: Void.self)
        completionFuture.cascade(to: waiter)
        try await withTaskCancellationHandler {
            try await waiter.futureResult.get()
        } onCancel: {
            waiter.fail(CancellationError())
        }
    }

    public var progress: SwarmProgress {
        get async throws {
            let session = self.session
            return try await listener.eventLoop.submit { session.value.progress }.get()
        }
    }

    /// Payload bytes this node has sent to each remote peer so far.
    public var uploadedByPeer: [PeerID: Int64] {
        get async throws {
            let session = self.session
            return try await listener.eventLoop.submit { session.value.uploadedByPeer }.get()
        }
    }

    /// Counts `bytes` against the upload cap (`SwarmConfiguration.rateCap`) and waits until the
    /// cap has paid for them, for what else the machine sends over the same link
    /// (the push's jobs and program uploads): the link then holds its cap with them, and the
    /// swarm's blocks wait for them. Returns at once without an upload cap.
    public func reserveUpload(_ bytes: Int) async {
        let session = self.session
        guard let delay = try? await listener.eventLoop.submit({ session.value.reserveUpload(bytes) }).get(), delay > .zero else { return }
        try? await Task.sleep(for: delay)
    }

    /// Stops sending blocks to other peers while `held` (their requests wait, and they may
    /// turn to other peers), and resumes when released; downloading goes on. For a host whose
    /// uplink carries something more urgent for a while: the peer program other hosts wait for.
    public func holdUploads(_ held: Bool) {
        let session = self.session
        listener.eventLoop.execute { session.value.holdUploads(held) }
    }

    /// Fails the download with `reason` (waiters get it as a `SwarmNodeError`) without closing
    /// anything: for a caller whose own use of the download failed. No effect once complete.
    public func abandon(_ reason: String) {
        let session = self.session
        listener.eventLoop.execute { session.value.fail(reason) }
    }

    /// Closes every connection and the listener, and stops the threads.
    public func shutdown() async {
        let session = self.session
        try? await listener.eventLoop.submit {
            session.value.shutDown(reason: "the swarm node was shut down before the download completed")
        }.get()
        try? await listener.close()
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    private static let receiveAllocator = AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 64 << 10, maximum: 1 << 20)
    /// The channel stops taking blocks at twice the kernel's unsent limit (see
    /// `SwarmConfiguration.unsentBytesLimit`) and takes more again at half of it.
    private static func waterMark(_ configuration: SwarmConfiguration) -> ChannelOptions.Types.WriteBufferWaterMark {
        let limit = max(configuration.unsentBytesLimit, 16 << 10)
        return .init(low: limit / 2, high: limit * 2)
    }

    /// TCP_NOTSENT_LOWAT: the socket takes no more once this much is queued and not yet sent.
    private static let notSentLowWater = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: CInt(TCP_NOTSENT_LOWAT)))

    // A host that lost its link or its power answers nothing, and TCP would retry for many
    // minutes before saying so: keep-alive probes after half the idle timeout, and
    // TCP_USER_TIMEOUT so data left unacknowledged for the idle timeout is an error.
    private static let keepAliveIdle = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: CInt(TCP_KEEPIDLE)))
    private static let keepAliveInterval = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: CInt(TCP_KEEPINTVL)))
    private static let keepAliveCount = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: CInt(TCP_KEEPCNT)))
    private static let userTimeout = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: CInt(TCP_USER_TIMEOUT)))

    private static func keepAliveIdleSeconds(_ configuration: SwarmConfiguration) -> Int {
        Int(max(1, configuration.liveness.idleTimeout.components.seconds / 2))
    }

    private static func userTimeoutMilliseconds(_ configuration: SwarmConfiguration) -> Int {
        Int(TimeAmount(configuration.liveness.idleTimeout).nanoseconds / 1_000_000)
    }

    private static func configure(
        _ channel: Channel,
        session: NIOLoopBound<TorrentSession>,
        limits: PeerWireLimits,
        infoHash: InfoHash,
        initiator: Bool
    ) throws {
        let decoder = PeerWireDecoder(
            limits: limits, expectsHandshake: true, expectedInfoHash: infoHash,
            advertisesFastExtension: PeerConnectionHandler.offersFastExtension,
            advertisesAuthentication: session.value.configuration.authenticationKey != nil
        )
        try channel.pipeline.syncOperations.addPeerWireCodec(decoder: decoder)
        try channel.pipeline.syncOperations.addHandler(PeerConnectionHandler(session: session, initiator: initiator))
    }
}
