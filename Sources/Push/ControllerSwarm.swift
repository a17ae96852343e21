import Logging
import NIOPosix
import Swarm
import TorrentMetainfo
import Tracker

/// The controller's side of the swarm: a seeder (of `PackedPayload.storage`) and a transient tracker whose
/// announce URL carries a per-push secret, both bound to the address the hosts reach us at.
/// The seeder serves only peers that prove they hold the push's key, from the push's
/// addresses. Both stop listening in `shutdown`.
final class ControllerSwarm: Sendable {
    /// Nil when the push seeds from web seeds only (`--no-local-seed`).
    let seeder: SwarmMember?
    /// The built-in tracker's announce URL; nil when the push runs without it.
    let announceURL: String?
    private let tracker: TrackerServer?
    private let trackerGroup: MultiThreadedEventLoopGroup

    private init(seeder: SwarmMember?, tracker: TrackerServer?, trackerGroup: MultiThreadedEventLoopGroup, announceURL: String?) {
        self.seeder = seeder
        self.tracker = tracker
        self.trackerGroup = trackerGroup
        self.announceURL = announceURL
    }

    /// Starts both on `listenHost` (the tracker unless `builtinTracker` is false; the seeder
    /// unless `seeding` is false). The seeder announces to `tiers(announceURL)`: the built-in
    /// tracker's URL first, then whatever else the peers announce to. `standby`: web seeds
    /// serve the hosts, the seeder only those they leave without (see `SuperSeedPlanner`).
    static func start(
        listenHost: String, metainfo: Metainfo, storage: (any PieceStorage)?, key: PeerAuthenticationKey, admitting addresses: [String],
        builtinTracker: Bool = true, seeding: Bool = true, standby: Bool = false, locality: PeerLocality? = nil, uploadCap: Double? = nil,
        logger: Logger = .disabled, tiers: (_ announceURL: String?) -> [[String]]
    ) async throws(PushError) -> ControllerSwarm {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var tracker: TrackerServer?
        if builtinTracker {
            do {
                tracker = try await TrackerServer.start(
                    host: listenHost, port: 0,
                    configuration: .init(
                        secret: TrackerServer.Configuration.randomSecret(), state: .init(locality: locality), torrents: [metainfo.infoHash]),
                    group: group
                )
            } catch {
                try? await group.shutdownGracefully()
                throw PushError(.controller, "cannot start the tracker on \(listenHost): \(error)", remedy: "check --listen")
            }
        }
        let announceURL = tracker?.announceURL(host: listenHost)
        guard seeding, let storage else {
            return ControllerSwarm(seeder: nil, tracker: tracker, trackerGroup: group, announceURL: announceURL)
        }
        var configuration = SwarmConfiguration(listenHost: listenHost, listenPort: 0, superSeeding: true)
        configuration.authenticationKey = key
        configuration.admittedAddresses = addresses
        configuration.rateCap = RateCap(uploadBitsPerSecond: uploadCap)
        configuration.seederStandby = standby
        // Beside web seeds a host in the tail may wait a few seconds for the last pieces of
        // another's share, which its owner is fetching; with 2 s of patience the standby
        // seeder sent them (1.7 % of the payload at 16 hosts).
        if standby { configuration.starvationPatience = .seconds(5) }
        configuration.logger = logger
        do {
            let seeder = try await SwarmMember.join(
                metainfo: metainfo, storage: storage, role: .seeder,
                configuration: configuration,
                tiers: tiers(announceURL)
            )
            return ControllerSwarm(seeder: seeder, tracker: tracker, trackerGroup: group, announceURL: announceURL)
        } catch {
            try? await tracker?.shutdown()
            try? await group.shutdownGracefully()
            throw PushError(.controller, "cannot start the seeder on \(listenHost): \(error)", remedy: "check --listen")
        }
    }

    func shutdown() async {
        await seeder?.leave()
        try? await tracker?.shutdown()
        try? await trackerGroup.shutdownGracefully()
    }
}
