import NIOCore
import NIOPosix
import TorrentMetainfo
@testable import Tracker

/// Helpers for tests that run a real tracker on 127.0.0.1.
enum TrackerLoopback {
    static let group = MultiThreadedEventLoopGroup.singleton
    static let host = "127.0.0.1"
    static let secret = "0123456789abcdef0123456789abcdef"

    static func startServer(
        secret: String? = TrackerLoopback.secret,
        torrents: [InfoHash],
        idleTimeout: Duration = .seconds(30),
        requestTimeout: Duration = .seconds(10),
        maximumConnections: Int = 1024,
        maximumConnectionsPerAddress: Int = 32
    ) async throws -> TrackerServer {
        try await TrackerServer.start(
            host: host, port: 0,
            configuration: .init(
                secret: secret, torrents: torrents, idleTimeout: idleTimeout,
                requestTimeout: requestTimeout, maximumConnections: maximumConnections,
                maximumConnectionsPerAddress: maximumConnectionsPerAddress),
            group: group)
    }

    static func client(_ urls: [[String]], timeout: Duration = .seconds(30)) throws -> TrackerClient {
        try TrackerClient(
            tiers: urls, configuration: .init(timeout: timeout, shuffleTiers: false), group: group)
    }

    static func client(for server: TrackerServer) throws -> TrackerClient {
        try client([[server.announceURL(host: host)]])
    }

    static func endpoint(port: UInt16) -> PeerEndpoint {
        PeerEndpoint(address: .v4([127, 0, 0, 1]), port: port)
    }
}
