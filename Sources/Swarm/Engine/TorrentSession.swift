import Logging
import NIOCore
import NIOPosix
import PeerWire
import TorrentMetainfo
import Tracker

/// The state of one torrent on one node: which peers are connected, what they have, what we
/// asked of them and owe them. It is bound to a single event loop, which every peer channel
/// of the node also uses, so no locks are needed; disk work goes to a thread pool and comes
/// back to the loop.
///
/// Decisions are delegated to the pure types: `PiecePicker` (what to request), `Choker` (whom
/// to serve), `SuperSeedPlanner` (what a seeder advertises). This class only wires them to the
/// wire protocol and the storage.
final class TorrentSession {
    enum Role {
        /// Has the whole payload from the start.
        case seeder
        /// Downloads the payload, serving what it has to others meanwhile.
        case downloader
    }

    let metainfo: Metainfo
    let layout: PieceLayout
    let storage: any PieceStorage
    let role: Role
    let configuration: SwarmConfiguration
    let localID: PeerID
    let eventLoop: EventLoop
    let threadPool: NIOThreadPool

    var picker: PiecePicker
    var planner: SuperSeedPlanner?
    var choker: Choker
    var peers: [PeerKey: PeerConnection] = [:]
    var nextKey: UInt64 = 1
    var random = SystemRandomNumberGenerator()
    let started = ContinuousClock.now

    /// Where each piece in flight stands, from its blocks arriving to its SHA-1 check.
    var intake: PieceIntake
    /// The buffers of pieces `intake` has in memory (see `assemble`).
    var assembling: [Int: ByteBuffer] = [:]
    /// Pieces verified lately, kept to serve uploads without reading the disk.
    var recentPieces: RecentPieces<ByteBuffer>
    /// The payload's SHA-256 so far, over the pieces `digest` says (see `advanceDigest`).
    let payloadDigest = PayloadDigest()
    var digest: DigestSchedule
    /// Published for a reader following the download (see `VerifiedPrefix`).
    let verifiedPrefix: VerifiedPrefix?
    /// Pieces `0..<prefixPieces` are verified.
    var prefixPieces = 0
    var bannedIDs: Set<PeerID> = []
    /// Addresses inbound connections are accepted from; nil for any (see
    /// `SwarmConfiguration.admittedAddresses`).
    var admittedAddresses: Set<IPAddress>?
    /// Inbound connections still in their handshake, by remote address.
    var pendingHandshakes: [String: Int] = [:]
    var pendingHandshakeCount = 0
    /// For a super-seeder: the moment every piece had left was logged and announced to the peers.
    var everyPieceLeftLogged = false
    /// For a super-seeder: bytes of pieces it had sent whole before, sent again while other
    /// pieces had not left yet (the uplink's only waste that costs time).
    var bytesSentAgainEarly: Int64 = 0
    var strikes: [PeerID: Int] = [:]
    /// Every peer that ever connected, so blame reaches peers that have since left.
    var knownIDs: [PeerKey: PeerID] = [:]
    var bytesDownloaded: Int64 = 0
    /// Received blocks that were already here (endgame races): downlink spent for nothing.
    var bytesDuplicate: Int64 = 0
    var bytesUploaded: Int64 = 0
    /// No block is sent while set (`holdUploads`).
    var uploadsHeld = false
    /// The rate cap's two directions (see `TorrentSession+Pacing`); nil where uncapped.
    var uploadBucket: TokenBucket?
    var downlink: DownlinkBudget?
    /// Peers waiting for the cap to let them send, or to let us request, in the order they
    /// started waiting; each is served in turn when the bucket refills.
    var waitingToUpload: [PeerKey] = []
    var waitingToRequest: [PeerKey] = []
    var uploadWakeScheduled = false
    var requestWakeScheduled = false
    /// Payload bytes sent per remote peer ID, kept after peers disconnect: the controller
    /// reports how much each host took from the seeder.
    var uploadedByPeer: [PeerID: Int64] = [:]
    /// Peers written to during this event-loop turn, flushed together at its end.
    var unflushed: [PeerConnection] = []
    var flushScheduled = false
    /// Pieces this node verified, in order; each peer is told them up to `PeerConnection.announced`
    /// (see `announce`).
    var verifiedOrder: [Int] = []
    var announceScheduled = false
    /// BEP 19 web seeds this downloader fetches from (see `TorrentSession+WebSeed`).
    var webSeeds: [WebSeedSource] = []
    var bytesFromWebSeeds: Int64 = 0
    /// Other hosts' web seed shares with few pieces left: how many, and since when.
    var webShareWatch: [Int: (wanted: Int, since: Duration)] = [:]
    var webSeedProblems: [String] = []

    /// Completed once the whole payload is verified (SHA-1 of every piece, then SHA-256 of all),
    /// failed on a storage error or a shutdown first; settled exactly once.
    let completion: EventLoopPromise<Void>
    var completionSettled = false
    var isComplete = false
    var isShuttingDown = false
    /// Why the node cannot go on, once it cannot (see `SwarmProgress.failure`).
    var failure: String?

    init(
        metainfo: Metainfo,
        storage: any PieceStorage,
        role: Role,
        configuration: SwarmConfiguration,
        localID: PeerID,
        eventLoop: EventLoop,
        threadPool: NIOThreadPool,
        verifiedPrefix: VerifiedPrefix? = nil,
        having held: PieceSet? = nil,
        holdingBlocks heldBlocks: [Int: [Int]] = [:]
    ) throws {
        self.metainfo = metainfo
        self.layout = PieceLayout(metainfo.geometry)
        self.storage = storage
        self.role = role
        self.configuration = configuration
        self.localID = localID
        self.eventLoop = eventLoop
        self.threadPool = threadPool
        self.verifiedPrefix = verifiedPrefix
        let have = role == .seeder ? PieceSet(pieceCount: layout.pieceCount, full: true) : held
        self.picker = PiecePicker(layout: layout, verified: have)
        picker.setRackShare(configuration.rackPlacement?.share)
        self.choker = Choker(maxUnchoked: configuration.maxUnchoked)
        self.recentPieces = RecentPieces(budget: role == .seeder ? 0 : configuration.recentPieceBudget)
        self.intake = PieceIntake(budget: configuration.assemblyBudget)
        if role == .downloader {
            for (piece, blocks) in heldBlocks.sorted(by: { $0.key < $1.key }) {
                guard picker.holdBlocks(blocks, of: piece) else {
                    throw SwarmNodeError("the blocks held of piece \(piece) (\(blocks)) are not blocks of a piece still to fetch")
                }
                intake.holdBlocks(piece: piece)
            }
        }
        self.digest = DigestSchedule(pieceCount: layout.pieceCount, hasDigest: metainfo.payloadSHA256 != nil)
        self.admittedAddresses = try configuration.admittedAddresses.map { texts in
            Set(try texts.map { text in
                guard let address = IPAddress(text) else {
                    throw SwarmNodeError("the admitted peer address \"\(text)\" is not an IP address")
                }
                return address
            })
        }
        if role == .seeder, configuration.superSeeding {
            planner = SuperSeedPlanner(
                pieceCount: layout.pieceCount, windowSize: configuration.superSeedWindow, standby: configuration.seederStandby)
            // Nothing is to leave it first: no "every piece has left" moment to log.
            everyPieceLeftLogged = configuration.seederStandby
        }
        uploadBucket = configuration.rateCap.uploadBitsPerSecond.map { RateCap.bucket(bitsPerSecond: $0, now: .zero) }
        downlink = configuration.rateCap.downloadBitsPerSecond.map { DownlinkBudget(bitsPerSecond: $0) }
        completion = eventLoop.makePromise()
        if role == .seeder {
            isComplete = true
            settle(.success(()))
        }
    }

    var now: Duration { ContinuousClock.now - started }

    var logger: Logger { configuration.logger }

    func settle(_ result: Result<Void, Error>) {
        guard !completionSettled else { return }
        completionSettled = true
        switch result {
        case .success: if role == .downloader { logger.info("payload complete: every piece and the SHA-256 verified") }
        case .failure(let error): logger.notice("the download ended: \(error)")
        }
        if case .failure(let error) = result { verifiedPrefix?.abandon(String(describing: error)) }
        completion.completeWith(result)
    }

    /// Closes every connection; a download still running fails with `reason`.
    func shutDown(reason: String) {
        isShuttingDown = true
        for peer in peers.values {
            peer.channel.close(promise: nil)
        }
        closeWebSeeds()
        settle(.failure(SwarmNodeError(reason)))
    }

    var progress: SwarmProgress {
        SwarmProgress(
            verifiedPieces: picker.verifiedPieces.count,
            pieceCount: layout.pieceCount,
            bytesDownloaded: bytesDownloaded,
            bytesDuplicate: bytesDuplicate,
            bytesUploaded: bytesUploaded,
            connectedPeers: peers.count,
            isComplete: isComplete,
            bannedPeerIDs: bannedIDs.sorted { $0.description < $1.description },
            everyPieceSentOnce: planner?.allPiecesSentOnce,
            bytesFromWebSeeds: bytesFromWebSeeds,
            webSeedProblems: webSeedProblems,
            failure: failure
        )
    }

    // MARK: Flushing

    /// Flushes `peer` once the event loop has handled every event ready in this turn, so what
    /// one turn writes to a peer — a request after each block read, a `have` to every peer
    /// after each verified piece, several blocks served — leaves in one system call rather
    /// than one each. (NIO runs tasks queued with `execute` after the turn's I/O events.)
    func flushSoon(_ peer: PeerConnection) {
        guard !peer.flushPending else { return }
        peer.flushPending = true
        unflushed.append(peer)
        guard !flushScheduled else { return }
        flushScheduled = true
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.execute { session.value.flushWritten() }
    }

    private func flushWritten() {
        flushScheduled = false
        var written: [PeerConnection] = []
        swap(&written, &unflushed)
        let now = self.now
        for peer in written {
            peer.flushPending = false
            sendPendingHaves(to: peer)
            peer.flush()
            // A turn that only read from one of our peers wrote nothing: its keep-alive is still
            // due, or a standby seeder (which only reads) would be closed by every host. Other
            // clients keep the older accounting: with it changed for them too, Transmission's
            // download from our seeder stood at 0 % with the connection open until the test's
            // end, in 2 of 3 runs of ClientInteropTests one day and 1 of 7 another (cause not
            // found; such clients keep connections two minutes anyway).
            if peer.wroteSinceFlush || !peer.liveness.isOwnKind { peer.liveness.sent(at: now) }
            peer.wroteSinceFlush = false
        }
    }

    // MARK: Inbound messages

    func received(_ message: PeerMessage, from key: PeerKey) {
        eventLoop.preconditionInEventLoop()
        guard let peer = peers[key] else { return }
        peer.liveness.received(at: now)
        do {
            try handle(message, from: peer)
        } catch {
            close(peer, reason: String(describing: error))
            return
        }
        flushSoon(peer)
    }

    private func handle(_ message: PeerMessage, from peer: PeerConnection) throws {
        switch message {
        case .keepAlive, .port, .unknown, .suggestPiece, .allowedFast:
            break
        case .authChallenge, .authProof:
            throw SwarmNodeError("\(message) after the peer was authenticated")
        case .choke:
            peer.peerChoking = true
            picker.peerChoked(peer.key)
        case .unchoke:
            peer.peerChoking = false
            // A snubbed peer is asked again only when its penalty is over (see `tick`).
            if !peer.liveness.isSnubbed {
                picker.peerUnchoked(peer.key)
                requestMore(from: peer)
            }
        case .interested:
            peer.peerInterested = true
            runChoker()
        case .notInterested:
            peer.peerInterested = false
            runChoker()
        case .have(let index):
            peer.reportedPieceAt = now
            try picker.peerHas(peer.key, piece: index.rawValue)
            try planner?.peerHas(peer.key, piece: index.rawValue)
            peerAvailabilityChanged(peer)
        case .bitfield(let bitfield):
            let pieces = PieceSet(bitfield)
            if pieces.isFull {
                peer.peerIsSeed = true
                picker.peerHasAll(peer.key)
            } else {
                try picker.peerHasBitfield(peer.key, pieces)
            }
            try planner?.peerHasBitfield(peer.key, pieces)
            peerAvailabilityChanged(peer)
        case .haveAll:
            peer.peerIsSeed = true
            picker.peerHasAll(peer.key)
            try planner?.peerHasBitfield(peer.key, PieceSet(pieceCount: layout.pieceCount, full: true))
            peerAvailabilityChanged(peer)
        case .haveNone:
            break
        case .request(let request):
            try requested(request, by: peer)
        case .cancel(let request):
            peer.inbound.cancel(request)
        case .rejectRequest(let request):
            let block = BlockSpec(request)
            let wasOutstanding = picker.requestReleased(block, from: peer.key)
            // An unchoked peer of our own kind refuses only a piece its super-seeder gave to
            // another host: it does not hold that piece for us until it announces it again.
            if wasOutstanding, !peer.peerChoking, peer.liveness.isOwnKind {
                picker.peerRefused(block.piece, from: peer.key)
                updateInterest(in: peer)
            }
            requestMore(from: peer)
        case .piece(let index, let offset, let block):
            try receivedBlock(BlockSpec(piece: index.rawValue, offset: offset, length: block.readableBytes), block, from: peer)
        }
    }

    /// The peer has new pieces: become interested if it has something we need, and (for a
    /// super-seeder) advertise more once it holds what it was given.
    private func peerAvailabilityChanged(_ peer: PeerConnection) {
        updateInterest(in: peer)
        if !peer.peerChoking { requestMore(from: peer) }
        advertise(to: peer)
    }

    func updateInterest(in peer: PeerConnection) {
        let wanted = !isComplete && picker.wantsPieces(from: peer.key)
        if wanted != peer.amInterested {
            peer.amInterested = wanted
            peer.send(wanted ? .interested : .notInterested)
        }
    }

    /// Requests blocks until the peer's pipeline is full, or as many as the download cap allows now.
    func requestMore(from peer: PeerConnection) {
        guard !isComplete, !peer.peerChoking, !peer.liveness.isSnubbed else { return }
        let outstanding = picker.outstandingRequests(of: peer.key).count
        let allowed = requestsAllowed(to: peer, outstanding: outstanding)
        guard allowed > 0 else { return }
        let blocks = picker.nextRequests(for: peer.key, maxOutstanding: outstanding + allowed, using: &random)
        if outstanding == 0, !blocks.isEmpty { peer.liveness.requestsStarted(at: now) }
        for block in blocks {
            peer.send(.request(BlockRequest(block)))
        }
        requested(blocks)
    }
}

extension BlockSpec {
    init(_ request: BlockRequest) {
        self.init(piece: request.piece.rawValue, offset: request.offset, length: request.length)
    }
}

extension BlockRequest {
    init(_ block: BlockSpec) {
        self.init(piece: PieceIndex(block.piece), offset: block.offset, length: block.length)
    }
}

extension PieceSet {
    init(_ bitfield: Bitfield) {
        self.init(pieceCount: bitfield.pieceCount)
        for piece in 0..<bitfield.pieceCount where bitfield.contains(PieceIndex(piece)) {
            insert(piece)
        }
    }
}

extension Bitfield {
    init(_ pieces: PieceSet) {
        self.init(pieceCount: pieces.pieceCount)
        for piece in pieces {
            insert(PieceIndex(piece))
        }
    }
}
