import NIOCore
import PeerWire

extension TorrentSession {
    /// Holds every upload (requests stay queued, within their bound) while `held`, and serves
    /// what waits once released: for a node whose uplink has something more urgent to carry.
    func holdUploads(_ held: Bool) {
        uploadsHeld = held
        guard !held else { return }
        for peer in peers.values { serve(peer) }
    }

    /// The peer asked for a block: queue it if we may serve it, then serve what the channel takes.
    func requested(_ request: BlockRequest, by peer: PeerConnection) throws {
        peer.liveness.requestReceived(at: now)
        let piece = request.piece.rawValue
        // Requests while choked (BEP 3) or for a piece we lack are not served.
        guard !peer.amChoking, picker.verifiedPieces.contains(piece) else { return refuse(request, to: peer) }
        if planner?.mayServe(piece, to: peer.key) == false {
            // A piece this super-seeder showed the peer and then gave to another (the peer
            // left it unrequested too long): the peer learns at once and may be shown it again.
            if peer.fastExtension { planner?.requestRefused(piece, by: peer.key) }
            logger.debug("refused piece \(piece) to \(peer.address): the super-seeder gave it to another peer")
            return refuse(request, to: peer)
        }
        try peer.inbound.enqueue(request)
        serve(peer)
    }

    /// A request we will not serve: BEP 6 answers it with `reject_request`; without BEP 6 it
    /// is dropped (BEP 3), and the peer's liveness rules give up on it.
    private func refuse(_ request: BlockRequest, to peer: PeerConnection) {
        guard peer.fastExtension else { return }
        peer.send(.rejectRequest(request))
        flushSoon(peer)
    }

    /// Sends queued blocks while the channel is writable, so a slow peer's data waits in our
    /// queue (bounded) rather than in an ever-growing socket buffer.
    func serve(_ peer: PeerConnection) {
        while !uploadsHeld, peer.channel.isWritable, !peer.servingFromDisk, !peer.inbound.isEmpty, mayUpload(to: peer),
            let request = peer.inbound.next()
        {
            // Charged as it is taken, before a disk read that may take a while: other peers'
            // blocks meanwhile see the bucket as it will be.
            uploaded(request.length)
            let offset = layout.offset(ofPiece: request.piece.rawValue) + Int64(request.offset)
            if let piece = recentPieces.piece(request.piece.rawValue),
                let block = piece.getSlice(at: request.offset, length: request.length)
            {
                // A piece this node verified lately is still in memory: a slice, no copy.
                sendBlock(block, for: request, to: peer)
            } else if let memory = storage as? MemoryPieceStorage {
                // The seeder's in-memory payload: copying into the socket buffer is all it costs.
                var block = peer.channel.allocator.buffer(capacity: request.length)
                do {
                    try block.writeWithUnsafeMutableBytes(minimumWritableBytes: request.length) { buffer in
                        try memory.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<request.length]))
                        return request.length
                    }
                } catch {
                    fail("cannot read the payload: \(error)")
                    return
                }
                sendBlock(block, for: request, to: peer)
            } else {
                peer.servingFromDisk = true
                let storage = self.storage
                let allocator = peer.channel.allocator
                let read = threadPool.runIfActive(eventLoop: eventLoop) { () throws -> ByteBuffer in
                    var block = allocator.buffer(capacity: request.length)
                    try block.writeWithUnsafeMutableBytes(minimumWritableBytes: request.length) { buffer in
                        try storage.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<request.length]))
                        return request.length
                    }
                    return block
                }
                let session = NIOLoopBound(self, eventLoop: eventLoop)
                let key = peer.key
                read.whenComplete { result in
                    let session = session.value
                    guard let peer = session.peers[key] else { return }
                    peer.servingFromDisk = false
                    switch result {
                    case .success(let block):
                        session.sendBlock(block, for: request, to: peer)
                        session.serve(peer)
                        session.flushSoon(peer)
                    case .failure(let error):
                        session.fail("cannot read the payload: \(error)")
                    }
                }
            }
        }
        flushSoon(peer)
    }

    private func sendBlock(_ block: ByteBuffer, for request: BlockRequest, to peer: PeerConnection) {
        var block = block
        if configuration.corruptsUploads, let byte = block.getInteger(at: block.readerIndex, as: UInt8.self) {
            // A copy (the block may be a slice of a piece kept for others).
            block.setInteger(~byte, at: block.readerIndex)
        }
        peer.send(.piece(request.piece, offset: request.offset, block: block))
        peer.bytesUploaded += Int64(request.length)
        bytesUploaded += Int64(request.length)
        uploadedByPeer[peer.remoteID, default: 0] += Int64(request.length)
        guard planner != nil else { return }
        let piece = request.piece.rawValue
        if !planner!.allPiecesSentOnce, planner!.timesSent(piece) > 0 { bytesSentAgainEarly += Int64(request.length) }
        let sent = peer.sentOfPiece[piece, default: 0] + request.length
        if sent >= layout.length(ofPiece: piece) {
            peer.sentOfPiece[piece] = nil
            planner?.pieceSent(piece, to: peer.key)
            advertise(to: peer)
        } else {
            peer.sentOfPiece[piece] = sent
        }
    }

    /// A super-seeder tells the peer about the next pieces it may fetch.
    func advertise(to peer: PeerConnection) {
        guard planner != nil else { return }
        sendAdvertised(to: peer)
        // Once every piece has left, peers are shown what no connected peer holds any more
        // (see `SuperSeedPlanner.peerStarved` for those the others do not serve).
        if planner!.allPiecesSentOnce && !everyPieceLeftLogged {
            everyPieceLeftLogged = true
            let copies = (Double(bytesUploaded) / Double(max(1, layout.totalLength)) * 1000).rounded() / 1000
            let seconds = (now.seconds * 10).rounded() / 10
            logger.info(
                "every piece has left the seeder once, \(seconds) s after it started: \(bytesUploaded) bytes sent (\(copies) copies), \(bytesSentAgainEarly) of them of pieces sent whole before")
            advertiseToAll()
        }
    }

    /// Shows every peer what the planner now lets it fetch: after pieces went back to the pool
    /// (a peer left or stalled), or once every piece has left the seeder.
    func advertiseToAll() {
        guard planner != nil else { return }
        for peer in peers.values {
            sendAdvertised(to: peer)
            flushSoon(peer)
        }
    }

    private func sendAdvertised(to peer: PeerConnection) {
        let pieces = planner!.piecesToAdvertise(to: peer.key)
        for piece in pieces {
            peer.send(.have(PieceIndex(piece)))
        }
        if !pieces.isEmpty { peer.liveness.advertised(at: now) }
    }

    /// The datacenter choker: every interested peer is served, up to the unchoke limit.
    func runChoker() {
        let snapshot = peers.values.map { peer in
            ChokerPeer(
                key: peer.key,
                isInterested: peer.peerInterested,
                isUnchoked: !peer.amChoking,
                since: peer.chokeStateSince,
                bytesSent: peer.bytesUploaded,
                isSeed: peer.peerIsSeed
            )
        }
        let decision = choker.decide(snapshot, now: now)
        for key in decision.toChoke {
            guard let peer = peers[key] else { continue }
            peer.amChoking = true
            peer.chokeStateSince = now
            let dropped = peer.inbound.removeAll()
            peer.send(.choke)
            // BEP 6: with the extension on, a choke no longer rejects pending requests by itself.
            if peer.fastExtension {
                for request in dropped { peer.send(.rejectRequest(request)) }
            }
            flushSoon(peer)
        }
        for key in decision.toUnchoke {
            guard let peer = peers[key] else { continue }
            peer.amChoking = false
            peer.chokeStateSince = now
            peer.send(.unchoke)
            flushSoon(peer)
        }
    }
}
