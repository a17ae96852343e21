import NIOCore

/// The rate cap (`SwarmConfiguration.rateCap`), kept in the engine rather than by the kernel's
/// shaper. Blocks leave only while the upload bucket allows (see `TokenBucket`); blocks are
/// requested only while the downlink's last second has room for them (see `DownlinkBudget`):
/// what arrives is what was asked for, so pacing the requests paces the downlink without
/// dropping a byte that already crossed it. Peers that must wait queue in the order they
/// started waiting and are served in turn, so a capped link is shared evenly.
extension TorrentSession {
    /// Whether a block may leave for `peer` now; if not, the peer waits for the bucket.
    func mayUpload(to peer: PeerConnection) -> Bool {
        guard uploadBucket != nil else { return true }
        let delay = uploadBucket!.delay(at: now)
        guard delay > .zero else { return true }
        wait(peer, in: &waitingToUpload)
        scheduleUploadWake(after: delay)
        return false
    }

    /// Counts `bytes` that something else sends over this node's uplink, and returns how long
    /// the sender must wait before they leave: until the bucket has paid for them (see
    /// `SwarmNode.reserveUpload`). Blocks wait as long, so the link carries the bytes in the
    /// time the cap gives them, not on top of what it already carries.
    func reserveUpload(_ bytes: Int) -> Duration {
        guard uploadBucket != nil else { return .zero }
        uploadBucket!.spend(RateCap.wireBytes(ofStream: bytes), at: now)
        return uploadBucket!.delay(at: now)
    }

    /// A block of `length` bytes left: the uplink carries it, the downlink its
    /// acknowledgements and the request that asked for it.
    func uploaded(_ length: Int) {
        let now = self.now
        uploadBucket?.spend(RateCap.wireBytes(ofBlock: length), at: now)
        downlink?.arrived(RateCap.acknowledgementBytes(ofBlock: length) + RateCap.requestBytes, at: now)
    }

    /// A block of `length` bytes arrived: the downlink carried it.
    func downloaded(_ length: Int) {
        downlink?.arrived(RateCap.wireBytes(ofBlock: length), at: now)
    }

    /// How many more requests `peer` may be sent now: its pipeline's free slots, fewer if the
    /// download cap says so (the peer then waits for room).
    func requestsAllowed(to peer: PeerConnection, outstanding: Int) -> Int {
        let free = peer.pipeline.blocks - outstanding
        guard free > 0, downlink != nil else { return max(free, 0) }
        let cost = RateCap.wireBytes(ofBlock: layout.blockLength)
        let allowed = downlink!.requestsAllowed(cost: cost, outstanding: downlinkOutstanding, at: now)
        if allowed < free {
            wait(peer, in: &waitingToRequest)
            scheduleRequestWake()
        }
        return min(free, allowed)
    }

    /// Whether a web seed may ask for a range of `bytes` now. A range longer than a second of
    /// the cap waits for a whole second's room (`webSeedRequestBytes` keeps ranges shorter
    /// when capped). The seed waits for the next slot otherwise.
    func mayRequestFromWebSeed(_ bytes: Int64) -> Bool {
        guard downlink != nil else { return true }
        let cost = min(RateCap.wireBytes(ofStream: Int(bytes)), Int(downlink!.bytesPerSecond))
        guard downlink!.requestsAllowed(cost: cost, outstanding: downlinkOutstanding, at: now) == 0 else { return true }
        scheduleRequestWake()
        return false
    }

    /// `bytes` of a web seed's response arrived: the downlink carried them, the uplink their
    /// acknowledgements.
    func downloadedFromWebSeed(_ bytes: Int) {
        let now = self.now
        downlink?.arrived(RateCap.wireBytes(ofStream: bytes), at: now)
        uploadBucket?.spend(RateCap.acknowledgementBytes(ofStream: bytes), at: now)
    }

    /// Wire bytes asked for and not here yet: blocks requested of peers, and what is left of
    /// each web seed's range in flight.
    private var downlinkOutstanding: Int {
        let blocks = peers.keys.reduce(0) { $0 + picker.outstandingRequests(of: $1).count }
        let ranges = webSeeds.reduce(0) { $0 + ($1.run == nil ? 0 : RateCap.wireBytes(ofStream: Int($1.runEnd - $1.nextByte))) }
        return blocks * RateCap.wireBytes(ofBlock: layout.blockLength) + ranges
    }

    /// `blocks` were requested of `peer`: the uplink carries their acknowledgements.
    func requested(_ blocks: [BlockSpec]) {
        guard uploadBucket != nil else { return }
        let now = self.now
        for block in blocks {
            uploadBucket!.spend(RateCap.acknowledgementBytes(ofBlock: block.length) + RateCap.requestBytes, at: now)
        }
    }

    private func wait(_ peer: PeerConnection, in queue: inout [PeerKey]) {
        if !queue.contains(peer.key) { queue.append(peer.key) }
    }

    private func scheduleUploadWake(after delay: Duration) {
        guard !uploadWakeScheduled else { return }
        uploadWakeScheduled = true
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: Self.wakeDelay(delay)) {
            let session = session.value
            session.uploadWakeScheduled = false
            var waiting: [PeerKey] = []
            swap(&waiting, &session.waitingToUpload)
            for key in waiting {
                guard let peer = session.peers[key] else { continue }
                session.serve(peer)
            }
        }
    }

    /// Room frees up as the oldest slot of the downlink's second leaves it.
    func scheduleRequestWake() {
        guard !requestWakeScheduled, let downlink else { return }
        requestWakeScheduled = true
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: Self.wakeDelay(downlink.untilNextSlot(at: now))) {
            let session = session.value
            session.requestWakeScheduled = false
            var waiting: [PeerKey] = []
            swap(&waiting, &session.waitingToRequest)
            for key in waiting {
                guard let peer = session.peers[key] else { continue }
                session.requestMore(from: peer)
                session.flushSoon(peer)
            }
            session.pumpWebSeeds()
        }
    }

    /// At least a millisecond: at high caps many short waits would cost more than they pace.
    private static func wakeDelay(_ delay: Duration) -> TimeAmount {
        TimeAmount(max(delay, .milliseconds(1)))
    }
}
