import Crypto
import NIOCore
import PeerWire

extension TorrentSession {
    /// A block arrived: record it, store it, and hash its piece once the piece is whole.
    func receivedBlock(_ block: BlockSpec, _ data: ByteBuffer, from peer: PeerConnection) throws {
        try take(block, data, from: peer.key)
        peer.bytesDownloaded += Int64(block.length)
        downloaded(block.length)
        peer.pipeline.received(block.length, at: now)
        peer.liveness.blockReceived(at: now)
        // Top the pipeline up a few blocks at a time (see `PipelineDepth.refillBatch`).
        if picker.outstandingRequests(of: peer.key).count + peer.pipeline.refillBatch <= peer.pipeline.blocks {
            requestMore(from: peer)
        }
    }

    /// Records a block from `source` (a peer or a web seed), cancels it where else it was
    /// asked for, and keeps it in memory or writes it (see `PieceIntake`).
    @discardableResult
    func take(_ block: BlockSpec, _ data: ByteBuffer, from source: PeerKey) throws -> BlockReceipt {
        let receipt = try picker.blockReceived(block, from: source)
        for other in receipt.cancels {
            peers[other]?.send(.cancel(BlockRequest(block)))
            if let other = peers[other] { flushSoon(other) }
        }
        bytesDownloaded += Int64(block.length)
        if receipt.outcome == .accepted {
            let length = layout.length(ofPiece: block.piece)
            switch intake.blockArrived(piece: block.piece, pieceLength: length, completesPiece: receipt.pieceComplete) {
            case .memory: assemble(block, data, completingPiece: receipt.pieceComplete)
            case .disk: store(block, data)
            }
        } else {
            bytesDuplicate += Int64(block.length)
        }
        return receipt
    }

    /// Collects the block in its piece's buffer (the intake keeps pieces in memory while the
    /// budget allows), and hashes and writes the piece in one go when its last block arrives:
    /// one disk hop per piece instead of one per 16 KiB block, and no reading back to hash.
    private func assemble(_ block: BlockSpec, _ data: ByteBuffer, completingPiece: Bool) {
        let piece = block.piece
        // Taken out of the dictionary while written to, so the buffer is not copied.
        var buffer = assembling.removeValue(forKey: piece) ?? {
            // Not zeroed: every block overwrites its range before the piece completes, and a
            // gap could only fail the SHA-1 check, as zeros would.
            let length = layout.length(ofPiece: piece)
            var fresh = ByteBufferAllocator().buffer(capacity: length)
            fresh.moveWriterIndex(forwardBy: length)
            return fresh
        }()
        buffer.setBuffer(data, at: block.offset)
        if completingPiece {
            hashAndStore(piece, buffer)
        } else {
            assembling[piece] = buffer
        }
    }

    private func hashAndStore(_ piece: Int, _ buffer: ByteBuffer) {
        let assembled = buffer
        let offset = layout.offset(ofPiece: piece)
        let expected = Array(metainfo.pieceHash(at: piece))
        let storage = self.storage
        let checked = threadPool.runIfActive(eventLoop: eventLoop) { () throws -> Bool in
            let digest = buffer.withUnsafeReadableBytes { Insecure.SHA1.hash(data: $0) }
            guard digest.elementsEqual(expected) else { return false }
            try buffer.withUnsafeReadableBytes { try storage.write(at: offset, $0) }
            return true
        }
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        checked.whenComplete { result in
            // Fresh pieces are the ones other peers ask for next: serve them from memory.
            if case .success(true) = result { session.value.recentPieces.insert(piece, assembled) }
            session.value.pieceChecked(piece, result)
        }
    }

    private func store(_ block: BlockSpec, _ data: ByteBuffer) {
        let offset = layout.offset(ofPiece: block.piece) + Int64(block.offset)
        let storage = self.storage
        let written = threadPool.runIfActive(eventLoop: eventLoop) {
            try data.withUnsafeReadableBytes { try storage.write(at: offset, $0) }
        }
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        written.whenComplete { result in
            session.value.blockStored(block.piece, result)
        }
    }

    private func blockStored(_ piece: Int, _ result: Result<Void, Error>) {
        let whole = intake.blockWritten(piece: piece)
        if case .failure(let error) = result {
            fail("cannot store the download: \(error)", cause: error)
            return
        }
        if whole { verify(piece) }
    }

    private func verify(_ piece: Int) {
        let metainfo = self.metainfo
        let storage = self.storage
        let checked = threadPool.runIfActive(eventLoop: eventLoop) {
            try PayloadVerifier.verifyPiece(piece, of: metainfo, in: storage)
        }
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        checked.whenComplete { result in
            session.value.pieceChecked(piece, result)
        }
    }

    private func pieceChecked(_ piece: Int, _ result: Result<Bool, Error>) {
        intake.pieceChecked(piece: piece)
        switch result {
        case .failure(let error):
            fail("cannot store or read back piece \(piece): \(error)", cause: error)
        case .success(true):
            picker.pieceVerified(piece)
            advancePrefix()
            announce(piece)
            if picker.isComplete { verifyPayload() } else { advanceDigest() }
        case .success(false):
            let sources = picker.pieceFailedVerification(piece)
            for key in sources where webSeedKeys.contains(key) { webSeedSentBadPiece(key, piece: piece) }
            let contributors = sources.compactMap { knownIDs[$0] }
            logger.notice("piece \(piece) failed its SHA-1 check; it is requested again")
            for id in PeerBlame.culprits(among: contributors, banned: bannedIDs, strikes: &strikes) {
                logger.warning("banned peer \(id): it sent data that failed SHA-1 checks")
                bannedIDs.insert(id)
                for peer in peers.values where peer.remoteID == id {
                    close(peer, reason: "sent data for piece \(piece) that failed its SHA-1 check")
                }
            }
            for peer in peers.values {
                requestMore(from: peer)
                flushSoon(peer)
            }
        }
    }

    /// Tells every peer about a verified piece. A `have` rides along with the next write to
    /// each peer (see `flushWritten`), which on a busy connection is within the same turn;
    /// peers not written to meanwhile get theirs after `haveBatchDelay`, together with the
    /// pieces verified by then. The last piece goes to every peer at once (they then lose
    /// interest in us).
    private func announce(_ piece: Int) {
        verifiedOrder.append(piece)
        let delay = configuration.haveBatchDelay
        if picker.isComplete || delay <= .zero {
            announceVerified()
            return
        }
        guard !announceScheduled else { return }
        announceScheduled = true
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        eventLoop.scheduleTask(in: TimeAmount(delay)) { session.value.announceVerified() }
    }

    private func announceVerified() {
        announceScheduled = false
        for peer in peers.values where peer.announced < verifiedOrder.count {
            sendPendingHaves(to: peer)
            if picker.isComplete { updateInterest(in: peer) }
            flushSoon(peer)
        }
    }

    /// Writes a `have` for each piece verified since the peer was last told.
    func sendPendingHaves(to peer: PeerConnection) {
        while peer.announced < verifiedOrder.count {
            peer.send(.have(PieceIndex(verifiedOrder[peer.announced])))
            peer.announced += 1
        }
    }

    /// Moves the verified prefix and the payload's digest over the pieces a downloader started
    /// with (see `SwarmNode.start(having:)`), as over any verified piece.
    func takeHeldPieces() {
        guard role == .downloader, !picker.verifiedPieces.isEmpty else { return }
        advancePrefix()
        if picker.isComplete { verifyPayload() } else { advanceDigest() }
    }

    private func advancePrefix() {
        guard let verifiedPrefix else { return }
        let verified = picker.verifiedPieces
        let before = prefixPieces
        while prefixPieces < layout.pieceCount, verified.contains(prefixPieces) { prefixPieces += 1 }
        guard prefixPieces > before else { return }
        let end = prefixPieces == layout.pieceCount ? layout.totalLength : layout.offset(ofPiece: prefixPieces)
        verifiedPrefix.advance(to: end)
    }

    /// Every piece checked: the whole payload's SHA-256 must match too before the download
    /// counts as complete. Most of it is usually hashed already (see `advanceDigest`).
    private func verifyPayload() {
        digest.allPiecesVerified()
        advanceDigest()
    }

    /// Hashes the payload's SHA-256 as the verified prefix grows, in the background (see
    /// `DigestSchedule`). Pieces tend to arrive roughly in order (a super-seeder hands them
    /// out from the front), and a stretch is read back from the page cache.
    func advanceDigest() {
        guard !completionSettled else { return }
        let verified = picker.verifiedPieces
        switch digest.next(isVerified: verified.contains) {
        case .wait:
            return
        case .complete:
            payloadVerified(true)
        case .hash(let pieces):
            let start = layout.offset(ofPiece: pieces.lowerBound)
            let stop = pieces.upperBound == layout.pieceCount ? layout.totalLength : layout.offset(ofPiece: pieces.upperBound)
            let storage = self.storage
            let payloadDigest = self.payloadDigest
            let hashed = threadPool.runIfActive(eventLoop: eventLoop) {
                try payloadDigest.update(from: storage, range: start..<stop)
            }
            let session = NIOLoopBound(self, eventLoop: eventLoop)
            hashed.whenComplete { result in
                let session = session.value
                session.digest.hashed(upTo: pieces.upperBound)
                switch result {
                case .success: session.advanceDigest()
                case .failure(let error): session.fail("cannot read back the download to hash it: \(error)")
                }
            }
        case .finish:
            let expected = metainfo.payloadSHA256
            let payloadDigest = self.payloadDigest
            let matches = threadPool.runIfActive(eventLoop: eventLoop) { payloadDigest.finish() == expected }
            let session = NIOLoopBound(self, eventLoop: eventLoop)
            matches.whenComplete { result in
                let session = session.value
                session.digest.finished()
                switch result {
                case .success(let matches): session.payloadVerified(matches)
                case .failure(let error): session.fail("cannot verify the downloaded payload: \(error)")
                }
            }
        }
    }

    private func payloadVerified(_ matches: Bool) {
        guard matches else {
            fail("the downloaded payload's SHA-256 does not match the torrent, although every piece did")
            return
        }
        // No fsync: the download is a transient file read straight back by the extractor, and a
        // host that crashes before then fails its deploy anyway; flushing a large payload to disk
        // would only delay completion.
        isComplete = true
        settle(.success(()))
    }

    func fail(_ message: String, cause: (any Error)? = nil) {
        // A seeder's completion is settled from the start: its failures show in `progress`.
        if failure == nil { failure = message }
        settle(.failure(SwarmNodeError(message, cause: cause)))
    }
}
