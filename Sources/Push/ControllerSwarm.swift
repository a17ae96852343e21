import NIOPosix
import Swarm
import TorrentMetainfo
import Tracker

/// The controller's side of the swarm: an in-memory seeder and a transient tracker whose
/// announce URL carries a per-push secret, both bound to the address the hosts reach us at.
/// Both stop listening in `shutdown`.
final class ControllerSwarm: Sendable {
    let seeder: SwarmNode
    let announceURL: String
    private let announcer: TrackerAnnouncer
    private let tracker: TrackerServer
    private let trackerGroup: MultiThreadedEventLoopGroup

    private init(seeder: SwarmNode, announcer: TrackerAnnouncer, tracker: TrackerServer, trackerGroup: MultiThreadedEventLoopGroup, announceURL: String) {
        self.seeder = seeder
        self.announcer = announcer
        self.tracker = tracker
        self.trackerGroup = trackerGroup
        self.announceURL = announceURL
    }

    /// Starts both on `listenHost`. The seeder announces to the built-in tracker first, then
    /// to `extraTrackers`, as the peers do.
    static func start(listenHost: String, metainfo: Metainfo, payload: [UInt8], extraTrackers: [String]) async throws -> ControllerSwarm {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let tracker: TrackerServer
        do {
            tracker = try await TrackerServer.start(
                host: listenHost, port: 0,
                configuration: .init(secret: TrackerServer.Configuration.randomSecret(), torrents: [metainfo.infoHash]),
                group: group
            )
        } catch {
            try? await group.shutdownGracefully()
            throw PushError(.controller, "cannot start the tracker on \(listenHost): \(error)", remedy: "check --listen")
        }
        let announceURL = tracker.announceURL(host: listenHost)
        let seeder: SwarmNode
        do {
            seeder = try await SwarmNode.start(
                metainfo: metainfo, storage: MemoryPieceStorage(payload), role: .seeder,
                configuration: SwarmConfiguration(listenHost: listenHost, listenPort: 0, superSeeding: true)
            )
        } catch {
            try? await tracker.shutdown()
            try? await group.shutdownGracefully()
            throw PushError(.controller, "cannot start the seeder on \(listenHost): \(error)", remedy: "check --listen")
        }
        let announcer: TrackerAnnouncer
        do {
            announcer = try TrackerAnnouncer(node: seeder, metainfo: metainfo, tiers: [[announceURL]] + extraTrackers.map { [$0] })
        } catch {
            await seeder.shutdown()
            try? await tracker.shutdown()
            try? await group.shutdownGracefully()
            throw PushError(.controller, "cannot announce the seeder: \(error)")
        }
        return ControllerSwarm(seeder: seeder, announcer: announcer, tracker: tracker, trackerGroup: group, announceURL: announceURL)
    }

    func shutdown() async {
        await announcer.stop()
        await seeder.shutdown()
        try? await tracker.shutdown()
        try? await trackerGroup.shutdownGracefully()
    }
}
