import TorrentMetainfo
import Tracker

/// A node and its tracker announces, started together and leaving together: the one way a
/// seeder or downloader joins a swarm, so no caller has to unwind a half-started pair.
public final class SwarmMember: Sendable {
    public let node: SwarmNode
    /// Nil for a node that has no tracker and fetches from web seeds alone.
    private let announcer: TrackerAnnouncer?

    private init(node: SwarmNode, announcer: TrackerAnnouncer?) {
        self.node = node
        self.announcer = announcer
    }

    /// Starts a node and announces it to `tiers` (BEP 12 order; nil: the torrent's own
    /// trackers). When announcing cannot start, the node is shut down before the error leaves.
    public static func join(
        metainfo: Metainfo,
        storage: any PieceStorage,
        role: SwarmNode.Role,
        configuration: SwarmConfiguration = SwarmConfiguration(),
        verifiedPrefix: VerifiedPrefix? = nil,
        having held: PieceSet? = nil,
        holdingBlocks heldBlocks: [Int: [Int]] = [:],
        tiers: [[String]]?
    ) async throws -> SwarmMember {
        let node = try await SwarmNode.start(
            metainfo: metainfo, storage: storage, role: role, configuration: configuration, verifiedPrefix: verifiedPrefix,
            having: held, holdingBlocks: heldBlocks
        )
        do {
            // Web seeds alone can bring the whole payload: no tracker is needed then.
            if (tiers ?? metainfo.trackerTiers).isEmpty, !configuration.webSeeds.isEmpty {
                return SwarmMember(node: node, announcer: nil)
            }
            return SwarmMember(node: node, announcer: try TrackerAnnouncer(node: node, metainfo: metainfo, tiers: tiers))
        } catch {
            await node.shutdown()
            throw error
        }
    }

    /// Leaves the swarm: tells the trackers (`stopped`), then closes every connection and the
    /// listener. Returns the node's last progress (nil if it could not be read).
    @discardableResult
    public func leave() async -> SwarmProgress? {
        await announcer?.stop()
        let progress = try? await node.progress
        await node.shutdown()
        return progress
    }
}

extension SwarmMember {
    /// The local address that faces the tracker at `announceURL`: a node of a push listens
    /// there only, since its tracker hands that address (the one its announces come from) to
    /// the other peers.
    public static func addressFacing(tracker announceURL: String) throws -> String {
        let url = try TrackerURL(announceURL)
        do {
            return try AddressLookup.source(towards: url.host, port: url.port).description
        } catch {
            throw SwarmNodeError("cannot find this host's address towards the tracker \(url.host): \(error)")
        }
    }
}
