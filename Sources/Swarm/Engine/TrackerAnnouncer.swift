import Logging
import NIOCore
import PeerWire
import TorrentMetainfo
import Tracker

/// Keeps a node announced to its torrent's trackers: `started` at once, then on the tracker's
/// interval (backing off while trackers fail), `completed` the moment the download verifies,
/// and `stopped` on the way out. Every peer a tracker returns is handed to the node.
public final class TrackerAnnouncer: Sendable {
    private let task: Task<Void, Never>
    private let node: SwarmNode
    private let client: TrackerClient
    private let request: AnnounceRequest

    /// Starts announcing. `tiers` defaults to the torrent's own trackers (BEP 12 order).
    public init(node: SwarmNode, metainfo: Metainfo, tiers: [[String]]? = nil) throws {
        let tiers = tiers ?? metainfo.trackerTiers
        guard !tiers.isEmpty else {
            throw SwarmNodeError("the torrent names no tracker: give one with --tracker")
        }
        let client = try TrackerClient(tiers: tiers, group: node.group)
        let request = AnnounceRequest(
            infoHash: metainfo.infoHash,
            peerID: node.peerID,
            port: UInt16(node.listenPort),
            left: metainfo.length,
            numwant: node.numwant
        )
        self.node = node
        self.client = client
        self.request = request
        let logger = node.logger
        task = Task { await Self.run(node: node, client: client, request: request, logger: logger) }
    }

    /// Stops announcing and tells the tracker this peer is leaving (best effort).
    public func stop() async {
        task.cancel()
        await task.value
        var last = request
        last.event = .stopped
        last.numwant = 0
        _ = try? await client.announce(last)
    }

    private static func run(node: SwarmNode, client: TrackerClient, request: AnnounceRequest, logger: Logger) async {
        var schedule = AnnounceSchedule(start: .now)
        var event = AnnounceRequest.Event.started
        var reportedComplete = false
        while !Task.isCancelled {
            var current = request
            current.event = event
            let progress = try? await node.progress
            let complete = progress?.isComplete ?? false
            current.uploaded = progress?.bytesUploaded ?? 0
            current.downloaded = progress?.bytesDownloaded ?? 0
            if complete {
                current.left = 0
                if !reportedComplete, event != .started { current.event = .completed }
            }
            do {
                let response = try await client.announce(current)
                schedule.recordSuccess(response, at: .now)
                logger.debug("announced \(current.event): \(response.peers.count) peers")
                reportedComplete = reportedComplete || complete
                event = .none
                node.connect(to: response.peers.map { (host: $0.endpoint.address.description, port: Int($0.endpoint.port)) })
            } catch {
                logger.warning("announce failed: \(error)")
                schedule.recordFailure(at: .now)
            }
            // Sleep until the next announce; while downloading, wake early on completion so the
            // tracker (and through it the controller) learns at once.
            await sleep(until: schedule.nextAnnounce, orCompletionOf: complete ? nil : node)
        }
    }

    private static func sleep(until deadline: ContinuousClock.Instant, orCompletionOf node: SwarmNode?) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            if let node {
                group.addTask { try? await node.waitUntilComplete() }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
