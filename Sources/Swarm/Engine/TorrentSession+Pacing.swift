import NIOCore

/// The rate cap (`SwarmConfiguration.rateCap`), kept in the engine rather than by the kernel's
/// shaper: blocks leave only while the upload bucket allows, and blocks are requested only
/// while the download bucket allows — what arrives is what was asked for, so pacing the
/// requests paces the downlink without dropping a byte that already crossed it. Peers that
/// must wait queue in the order they started waiting and are served in turn when the
/// bucket has refilled, so a capped uplink is shared evenly.
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

    /// Counts `bytes` that something else sends over this node's uplink, once the bucket
    /// allows; otherwise returns how long to wait before asking again (see `SwarmNode.reserveUpload`).
    func reserveUpload(_ bytes: Int) -> Duration {
        guard uploadBucket != nil else { return .zero }
        let delay = uploadBucket!.delay(at: now)
        guard delay == .zero else { return delay }
        uploadBucket!.spend(RateCap.wireBytes(ofStream: bytes), at: now)
        return .zero
    }

    /// A block of `length` bytes left: the uplink carries it, the downlink its acknowledgements.
    func uploaded(_ length: Int) {
        let now = self.now
        uploadBucket?.spend(RateCap.wireBytes(ofBlock: length), at: now)
        downloadBucket?.spend(RateCap.acknowledgementBytes(ofBlock: length), at: now)
    }

    /// How many more requests `peer` may be sent now: its pipeline's free slots, fewer if the
    /// download cap says so (the peer then waits for the bucket).
    func requestsAllowed(to peer: PeerConnection, outstanding: Int) -> Int {
        let free = peer.pipeline.blocks - outstanding
        guard free > 0, downloadBucket != nil else { return max(free, 0) }
        let cost = RateCap.wireBytes(ofBlock: layout.blockLength)
        // Requests out but not yet answered may all arrive at once: keep them to a few
        // hundredths of a second of the cap, so no second carries much more than the cap.
        let backlog = peers.keys.reduce(0) { $0 + picker.outstandingRequests(of: $1).count }
        let budget = max(RateCap.minimumBacklogBlocks, Int(downloadBucket!.bytesPerSecond * RateCap.backlogSeconds) / cost)
        let affordable = min(downloadBucket!.affordable(cost: cost, at: now), max(0, budget - backlog))
        if affordable < free { wait(peer, in: &waitingToRequest) }
        if affordable == 0 { scheduleRequestWake() }
        return min(free, affordable)
    }

    /// `blocks` were requested of `peer`: the downlink will carry them, the uplink their
    /// acknowledgements. If the cap cut the request short, the peer is asked for more later.
    func requested(_ blocks: [BlockSpec], of peer: PeerConnection, allowed: Int, outstanding: Int) {
        guard !blocks.isEmpty, downloadBucket != nil || uploadBucket != nil else { return }
        let now = self.now
        for block in blocks {
            downloadBucket?.spend(RateCap.wireBytes(ofBlock: block.length), at: now)
            uploadBucket?.spend(RateCap.acknowledgementBytes(ofBlock: block.length), at: now)
        }
        if downloadBucket != nil, blocks.count == allowed, outstanding + allowed < peer.pipeline.blocks {
            scheduleRequestWake()
        }
    }

    /// A request the peer refused will bring no block: its cost goes back to the bucket.
    func requestRefused(_ block: BlockSpec) {
        downloadBucket?.refund(RateCap.wireBytes(ofBlock: block.length), at: now)
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

    private func scheduleRequestWake() {
        guard !requestWakeScheduled, downloadBucket != nil else { return }
        requestWakeScheduled = true
        // The balance is below zero here (the cap just cut a request short): wake when it is
        // not, so each wake requests at least one block.
        let delay = downloadBucket!.delay(at: now)
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: Self.wakeDelay(delay)) {
            let session = session.value
            session.requestWakeScheduled = false
            var waiting: [PeerKey] = []
            swap(&waiting, &session.waitingToRequest)
            for key in waiting {
                guard let peer = session.peers[key] else { continue }
                session.requestMore(from: peer)
                session.flushSoon(peer)
            }
        }
    }

    /// At least a millisecond: at high caps many short waits would cost more than they pace.
    private static func wakeDelay(_ delay: Duration) -> TimeAmount {
        TimeAmount(max(delay, .milliseconds(1)))
    }
}
