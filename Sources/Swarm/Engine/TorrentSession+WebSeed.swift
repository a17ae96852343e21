import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Tracker

/// Web seeds (BEP 19) as sources beside the peers: each is a key in the piece picker that
/// claims whole pieces (`PiecePicker.claimWhole`), fetched with one HTTP range request per
/// run of pieces (`WebSeedPlanner`), verified by SHA-1 like any piece. A seed that answers
/// with an error, ignores ranges or sends a wrong piece is dropped, naming its URL; the swarm
/// goes on without it.
extension TorrentSession {
    func startWebSeeds() {
        guard role == .downloader, !configuration.webSeeds.isEmpty else { return }
        let share = configuration.webSeedShare ?? WebSeedShare(rank: Int.random(in: 0..<16, using: &random), hosts: 16)
        // Under a download cap a range is at most a quarter second of it, so the seed's bursts
        // stay small beside the peers' blocks (see `mayRequestFromWebSeed`).
        let requestBytes = min(configuration.webSeedRequestBytes, downlink.map { Int($0.bytesPerSecond / 4) } ?? .max)
        let perRequest = max(1, requestBytes / layout.pieceLength)
        for seed in configuration.webSeeds {
            var tls: NIOSSLContext?
            if seed.scheme == .https {
                do {
                    tls = try WebSeedTrust.context(certificates: configuration.webSeedCertificates)
                } catch {
                    webSeedProblems.append("web seed \(seed.url) is not used: cannot set up TLS: \(error)")
                    continue
                }
            }
            let key = PeerKey(nextKey)
            nextKey += 1
            picker.peerConnected(key)
            let planner = WebSeedPlanner(
                pieceCount: layout.pieceCount, rank: share.rank, hosts: share.hosts, maxRunPieces: perRequest)
            let source = WebSeedSource(key: key, seed: seed, planner: planner)
            source.tls = tls
            webSeeds.append(source)
        }
        pumpWebSeeds()
    }

    /// Starts a request at every seed that is idle and has pieces to fetch; closes them all
    /// once the payload is here. Called at start, after each request, and every tick.
    func pumpWebSeeds() {
        guard !webSeeds.isEmpty else { return }
        if isComplete || isShuttingDown {
            closeWebSeeds()
            return
        }
        let now = self.now
        for source in webSeeds where !source.dropped {
            if source.run != nil, now - source.lastActivity > configuration.webSeedTimeout {
                webSeedFailed(source, "no data for \(configuration.webSeedTimeout)", permanent: false)
            }
            // That may have been its last attempt: a dropped seed has left the picker.
            if !source.dropped, source.run == nil, now >= source.retryAt { startRun(source) }
        }
    }

    func closeWebSeeds() {
        for source in webSeeds {
            let channel = source.channel
            source.channel = nil
            channel?.close(promise: nil)
        }
    }

    /// The web seed `key` contributed to a piece that failed its SHA-1 check.
    func webSeedSentBadPiece(_ key: PeerKey, piece: Int) {
        guard let source = webSeeds.first(where: { $0.key == key }), !source.dropped else { return }
        let start = layout.offset(ofPiece: piece)
        let end = start + Int64(layout.length(ofPiece: piece))
        webSeedFailed(source, "sent piece \(piece) (bytes \(start)-\(end - 1)) that failed its SHA-1 check", permanent: true)
    }

    var webSeedKeys: [PeerKey] { webSeeds.map(\.key) }

    /// Whether another host's web seed share, with `wanted` pieces left that nobody here has,
    /// has not shrunk for `webSeedHelpDelay`: its owner is slow, failing or gone.
    private func shareStandsStill(_ share: Int, wanted: Int) -> Bool {
        let now = self.now
        guard let last = webShareWatch[share], wanted >= last.wanted else {
            webShareWatch[share] = (wanted, now)
            return false
        }
        return now - last.since >= configuration.webSeedHelpDelay
    }

    // MARK: Requests

    private func startRun(_ source: WebSeedSource) {
        guard !source.dropped, mayRequestFromWebSeed(Int64(source.planner.maxRunPieces * layout.pieceLength)) else { return }
        let keys = webSeedKeys
        let mayHelp = now >= configuration.webSeedHelpDelay
        // Read through `self`: a copy of the picker held here would be copied whole by the
        // claims below.
        let isWanted = { (piece: Int) in
            self.picker.state(of: piece) == .missing && self.picker.availability(of: piece, excluding: keys) == 0
        }
        guard let run = source.planner.nextRun(mayHelp: mayHelp, isWanted: isWanted, mayHelpWith: shareStandsStill) else { return }
        for piece in run { _ = self.picker.claimWhole(piece, for: source.key) }
        source.run = run
        source.nextByte = layout.offset(ofPiece: run.lowerBound)
        source.runEnd = run.upperBound == layout.pieceCount ? layout.totalLength : layout.offset(ofPiece: run.upperBound)
        source.responseEnd = source.nextByte
        source.acceptingBody = false
        source.piece = nil
        source.lastActivity = now
        if let channel = source.channel, channel.isActive {
            sendRequest(source, on: channel)
        } else {
            connect(source)
        }
    }

    private func connect(_ source: WebSeedSource) {
        let seed = source.seed
        let host = seed.addresses.isEmpty ? seed.host : seed.addresses[source.addressIndex % seed.addresses.count]
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        let boundSource = NIOLoopBound(source, eventLoop: eventLoop)
        let tls = source.tls
        // TLS checks the certificate against the name, whatever address was dialled.
        let serverName = IPAddress(seed.host) == nil ? seed.host : nil
        let connecting = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.webSeedTimeout))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    let identity = ObjectIdentifier(channel)
                    try channel.pipeline.syncOperations.addHandler(WebSeedResponseHandler { event in
                        session.value.webSeedEvent(event, from: boundSource.value, channel: identity)
                    })
                }
            }
            .connect(host: host, port: seed.port)
        connecting.whenComplete { result in
            let session = session.value
            let source = boundSource.value
            switch result {
            case .success(let channel):
                guard !source.dropped, source.run != nil, !session.isShuttingDown else {
                    channel.close(promise: nil)
                    return
                }
                source.channel = channel
                session.sendRequest(source, on: channel)
            case .failure(let error):
                source.addressIndex += 1
                session.webSeedFailed(source, "cannot connect to \(host) port \(seed.port): \(error)", permanent: false)
            }
        }
    }

    private func sendRequest(_ source: WebSeedSource, on channel: Channel) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: source.seed.hostHeader)
        headers.add(name: "User-Agent", value: "swarmdeploy")
        headers.add(name: "Range", value: "bytes=\(source.nextByte)-\(source.runEnd - 1)")
        headers.add(name: "Connection", value: "keep-alive")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: source.seed.path, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        source.lastActivity = now
    }

    // MARK: Responses

    fileprivate func webSeedEvent(_ event: WebSeedResponseHandler.Event, from source: WebSeedSource, channel: ObjectIdentifier) {
        guard let current = source.channel, ObjectIdentifier(current) == channel, !source.dropped else { return }
        source.lastActivity = now
        switch event {
        case .head(let head):
            responseStarted(head, from: source)
        case .body(let buffer):
            if source.acceptingBody { bodyArrived(buffer, from: source) }
        case .end:
            guard source.run != nil, source.acceptingBody else { return }
            source.acceptingBody = false
            if source.nextByte == source.runEnd {
                source.run = nil
                pumpWebSeeds()
            } else if source.nextByte == source.responseEnd, let channel = source.channel {
                // The server sent all of a shorter range than asked (some cap a response's
                // length): ask for the rest.
                sendRequest(source, on: channel)
            } else {
                webSeedFailed(source, "sent a response \(source.responseEnd - source.nextByte) bytes short of what it announced", permanent: false)
            }
        case .handshakeFailed(let error):
            source.channel = nil
            webSeedFailed(source, "TLS handshake failed: \(error)", permanent: true)
        case .closed(let error):
            source.channel = nil
            guard source.run != nil else { return }
            let how = error.map { "failed (\($0))" } ?? "closed"
            webSeedFailed(
                source, source.acceptingBody
                    ? "cut a response short: the connection \(how) after \(rangeProgress(source))"
                    : "the connection \(how) before answering for \(rangeText(source))", permanent: false)
        }
    }

    private func responseStarted(_ head: HTTPResponseHead, from source: WebSeedSource) {
        guard let run = source.run else { return }
        let code = Int(head.status.code)
        let pieces = run.count == 1 ? "piece \(run.lowerBound)" : "pieces \(run.lowerBound)-\(run.upperBound - 1)"
        switch code {
        case 206:
            guard let range = ContentRange(head.headers.first(name: "Content-Range")), range.start == source.nextByte else {
                webSeedFailed(
                    source, "answered a request for \(rangeText(source)) with Content-Range '\(head.headers.first(name: "Content-Range") ?? "")'",
                    permanent: true)
                return
            }
            if let total = range.total, total != layout.totalLength {
                webSeedFailed(
                    source, "serves a file of \(total) bytes, the torrent's payload has \(layout.totalLength): is it the release's tarball?",
                    permanent: true)
                return
            }
            source.responseEnd = range.end + 1
            source.acceptingBody = true
        case 200 where source.nextByte == 0 && source.runEnd == layout.totalLength:
            source.responseEnd = layout.totalLength
            source.acceptingBody = true
        case 200:
            webSeedFailed(source, "ignores Range requests (answered 200 with the whole file for \(pieces)); serve it with a server that supports byte ranges", permanent: true)
        case 301, 302, 303, 307, 308:
            redirect(source, to: head.headers.first(name: "Location"))
        case 408, 429, 500...599:
            webSeedFailed(source, "answered \(code) \(head.status.reasonPhrase) for \(pieces)", permanent: false)
        default:
            webSeedFailed(source, "answered \(code) \(head.status.reasonPhrase) for \(pieces)", permanent: true)
        }
    }

    /// Follows a redirect for this request and the ones after it (at most five in a row).
    private func redirect(_ source: WebSeedSource, to location: String?) {
        guard let location, source.redirects < 5 else {
            webSeedFailed(source, location == nil ? "redirected without a Location" : "redirected more than 5 times", permanent: true)
            return
        }
        let target: WebSeed
        do {
            if location.hasPrefix("/") {
                let origin = "\(source.seed.scheme.rawValue)://\(source.seed.hostHeader)"
                target = try WebSeed(origin + location, fileName: metainfo.name, addresses: source.seed.addresses)
            } else {
                let elsewhere = try WebSeed(location, fileName: metainfo.name)
                // Another host's name is resolved where the peer runs (see `WebSeed.addresses`).
                target = elsewhere.host == source.seed.host
                    ? try WebSeed(location, fileName: metainfo.name, addresses: source.seed.addresses) : elsewhere
            }
        } catch {
            webSeedFailed(source, "redirected to '\(location)', which cannot be followed: \(error.reason)", permanent: true)
            return
        }
        logger.info("web seed \(source.seed.url) redirects to \(target.url)")
        source.redirects += 1
        source.seed = target
        let channel = source.channel
        source.channel = nil
        channel?.close(promise: nil)
        source.acceptingBody = false
        source.piece = nil
        connect(source)
    }

    /// Collects the body into whole pieces and hands each to the picker as its blocks.
    private func bodyArrived(_ buffer: ByteBuffer, from source: WebSeedSource) {
        downloadedFromWebSeed(buffer.readableBytes)
        var data = buffer
        while data.readableBytes > 0, source.nextByte < source.runEnd, let run = source.run {
            let index = run.lowerBound + Int((source.nextByte - layout.offset(ofPiece: run.lowerBound)) / Int64(layout.pieceLength))
            let pieceStart = layout.offset(ofPiece: index)
            let pieceLength = layout.length(ofPiece: index)
            let wanted = Int(pieceStart + Int64(pieceLength) - source.nextByte)
            var slice = data.readSlice(length: min(wanted, data.readableBytes))!
            let count = slice.readableBytes
            if source.piece == nil { source.piece = ByteBufferAllocator().buffer(capacity: pieceLength) }
            source.piece!.writeBuffer(&slice)
            source.nextByte += Int64(count)
            source.bytesReceived += Int64(count)
            bytesFromWebSeeds += Int64(count)
            if count == wanted, let whole = source.piece {
                source.piece = nil
                source.failures = 0
                deliver(whole, piece: index, from: source)
            }
        }
    }

    private func deliver(_ buffer: ByteBuffer, piece: Int, from source: WebSeedSource) {
        for block in layout.blocks(inPiece: piece) {
            let data = buffer.getSlice(at: block.offset, length: block.length)!
            do {
                _ = try take(block, data, from: source.key)
            } catch {
                webSeedFailed(source, "piece \(piece): \(error)", permanent: true)
                return
            }
        }
    }

    // MARK: Failures

    /// Ends the request in flight: its pieces not yet delivered go back to the picker. A
    /// permanent failure, or too many in a row, drops the seed.
    func webSeedFailed(_ source: WebSeedSource, _ reason: String, permanent: Bool) {
        guard !source.dropped else { return }
        for block in picker.outstandingRequests(of: source.key).sorted() {
            picker.requestReleased(block, from: source.key)
        }
        source.run = nil
        source.piece = nil
        source.acceptingBody = false
        let channel = source.channel
        source.channel = nil
        channel?.close(promise: nil)
        source.failures += 1
        if permanent || source.failures >= configuration.webSeedAttempts {
            source.dropped = true
            let problem = "web seed \(source.seed.url) \(reason)" + (permanent ? "" : " (\(source.failures) attempts)") + "; it is no longer used"
            webSeedProblems.append(problem)
            logger.warning("\(problem)")
            picker.peerDisconnected(source.key)
        } else {
            let backoff = Duration.milliseconds(500) * (1 << min(source.failures - 1, 6))
            source.retryAt = now + backoff
            logger.notice("web seed \(source.seed.url) \(reason); retrying in \(backoff)")
        }
        for peer in peers.values where !peer.peerChoking {
            requestMore(from: peer)
            flushSoon(peer)
        }
    }

    private func rangeText(_ source: WebSeedSource) -> String {
        "bytes \(source.nextByte)-\(source.runEnd - 1)"
    }

    private func rangeProgress(_ source: WebSeedSource) -> String {
        guard let run = source.run else { return "the request" }
        let start = layout.offset(ofPiece: run.lowerBound)
        return "\(source.nextByte - start) of \(source.runEnd - start) bytes of \(run.count == 1 ? "piece \(run.lowerBound)" : "pieces \(run.lowerBound)-\(run.upperBound - 1)")"
    }
}

/// An HTTP `Content-Range: bytes START-END/TOTAL` header (RFC 9110), TOTAL possibly `*`.
struct ContentRange: Equatable {
    var start: Int64
    var end: Int64
    var total: Int64?

    init?(_ text: String?) {
        guard let text else { return nil }
        let trimmed = text.trimmingPrefix(while: { $0 == " " })
        guard trimmed.lowercased().hasPrefix("bytes ") else { return nil }
        let rest = trimmed.dropFirst("bytes ".count)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let bounds = parts[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]), start >= 0, end >= start else { return nil }
        self.start = start
        self.end = end
        if parts[1] == "*" {
            total = nil
        } else {
            guard let total = Int64(parts[1]), total > end else { return nil }
            self.total = total
        }
    }
}
