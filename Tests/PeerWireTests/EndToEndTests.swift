import NIOCore
import NIOEmbedded
import PeerWire
import Testing
import TorrentMetainfo
import TestSupport

/// Two peers on in-memory channels, back to back: a seeder and a downloader
/// exchange a small multi-piece payload through the real codec.
@Suite struct EndToEndTests {
    static let pieceLength = 32_768
    static let blockLength = 16_384

    /// 3 pieces; the last one is short and its last block is short too.
    static let payload: [UInt8] = {
        var generator = SplitMix64(seed: 2026)
        return (0..<(2 * pieceLength + 23_000)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }()

    static var pieceCount: Int { (payload.count + pieceLength - 1) / pieceLength }

    /// The payload's torrent, so the limits and the final check come from real metainfo.
    static func metainfo() throws -> Metainfo {
        var hasher = PieceHasher(pieceLength: pieceLength)
        hasher.update(payload)
        return try MetainfoBuilder(name: "payload.tar", payload: hasher.finish()).build()
    }

    static func pieceSize(_ piece: Int) -> Int {
        min(pieceLength, payload.count - piece * pieceLength)
    }

    static func blocks(of piece: Int) -> [BlockRequest] {
        stride(from: 0, to: pieceSize(piece), by: blockLength).map {
            BlockRequest(piece: PieceIndex(piece), offset: $0, length: min(blockLength, pieceSize(piece) - $0))
        }
    }

    static func makeChannel(limits: PeerWireLimits) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addPeerWireCodec(decoder: PeerWireDecoder(limits: limits))
        return channel
    }

    /// Moves what `source` wrote onto the wire into `destination`, and returns
    /// what `destination` decoded from it.
    static func deliver(from source: EmbeddedChannel, to destination: EmbeddedChannel) throws -> [PeerWireEvent] {
        while let bytes = try source.readOutbound(as: ByteBuffer.self) {
            try destination.writeInbound(bytes)
        }
        var events: [PeerWireEvent] = []
        while let event = try destination.readInbound(as: PeerWireEvent.self) {
            events.append(event)
        }
        return events
    }

    @Test func downloaderReassemblesThePayloadByteExact() throws {
        let metainfo = try Self.metainfo()
        #expect(metainfo.pieceCount == 3)
        let limits = PeerWireLimits(metainfo: metainfo)
        let seeder = try Self.makeChannel(limits: limits)
        let downloader = try Self.makeChannel(limits: limits)
        let seederID = PeerID.generate()
        let downloaderID = PeerID.generate()
        let infoHash = metainfo.infoHash
        var seederPayload = seeder.allocator.buffer(capacity: Self.payload.count)
        seederPayload.writeBytes(Self.payload)

        // The downloader initiates; BEP 3 has the receiver answer with its own handshake.
        try downloader.writeOutbound(PeerWireEvent.handshake(Handshake(infoHash: infoHash, peerID: downloaderID)))
        let atSeeder = try Self.deliver(from: downloader, to: seeder)
        #expect(atSeeder == [.handshake(Handshake(infoHash: infoHash, peerID: downloaderID))])

        try seeder.writeOutbound(PeerWireEvent.handshake(Handshake(infoHash: infoHash, peerID: seederID)))
        try seeder.writeOutbound(PeerWireEvent.message(.bitfield(.full(pieceCount: Self.pieceCount))))
        var atDownloader = try Self.deliver(from: seeder, to: downloader)
        #expect(atDownloader.count == 2)
        #expect(atDownloader.first == .handshake(Handshake(infoHash: infoHash, peerID: seederID)))
        guard case .message(.bitfield(let remoteHas)) = atDownloader.last else {
            Issue.record("expected a bitfield, got \(atDownloader)")
            return
        }
        #expect(remoteHas.isComplete)

        try downloader.writeOutbound(PeerWireEvent.message(.interested))
        #expect(try Self.deliver(from: downloader, to: seeder) == [.message(.interested)])
        try seeder.writeOutbound(PeerWireEvent.message(.unchoke))
        #expect(try Self.deliver(from: seeder, to: downloader) == [.message(.unchoke)])

        // Pipeline every block, then cancel one and ask for it again later.
        let wanted = (0..<Self.pieceCount).flatMap(Self.blocks(of:))
        for request in wanted {
            try downloader.writeOutbound(PeerWireEvent.message(.request(request)))
        }
        try downloader.writeOutbound(PeerWireEvent.message(.cancel(wanted[1])))
        var requests = InboundRequestQueue(limit: 16)
        for event in try Self.deliver(from: downloader, to: seeder) {
            switch event {
            case .message(.request(let request)): try requests.enqueue(request)
            case .message(.cancel(let request)):
                let cancelled = requests.cancel(request)
                #expect(cancelled)
            default: Issue.record("unexpected \(event) at the seeder")
            }
        }
        #expect(requests.count == wanted.count - 1)

        var received = [UInt8](repeating: 0, count: Self.payload.count)
        var receivedBlocks: Set<BlockRequest> = []
        func serveAndReceive() throws {
            while let request = requests.next() {
                let start = request.piece.rawValue * Self.pieceLength + request.offset
                let block = seederPayload.getSlice(at: start, length: request.length)!
                try seeder.writeOutbound(PeerWireEvent.message(.piece(request.piece, offset: request.offset, block: block)))
            }
            atDownloader = try Self.deliver(from: seeder, to: downloader)
            for event in atDownloader {
                guard case .message(.piece(let piece, let offset, let block)) = event else {
                    Issue.record("unexpected \(event) at the downloader")
                    continue
                }
                let start = piece.rawValue * Self.pieceLength + offset
                received.replaceSubrange(start..<(start + block.readableBytes), with: block.readableBytesView)
                receivedBlocks.insert(BlockRequest(piece: piece, offset: offset, length: block.readableBytes))
            }
        }
        try serveAndReceive()
        #expect(!receivedBlocks.contains(wanted[1]))

        try downloader.writeOutbound(PeerWireEvent.message(.request(wanted[1])))
        for event in try Self.deliver(from: downloader, to: seeder) {
            guard case .message(.request(let request)) = event else { continue }
            try requests.enqueue(request)
        }
        try serveAndReceive()

        #expect(receivedBlocks == Set(wanted))
        #expect(received == Self.payload)
        var check = PieceHasher(pieceLength: Self.pieceLength)
        check.update(received)
        #expect(check.finish().pieceHashes == metainfo.pieceHashes)

        // The downloader announces what it now has.
        var have = Bitfield(pieceCount: Self.pieceCount)
        for piece in 0..<Self.pieceCount {
            have.insert(PieceIndex(piece))
            try downloader.writeOutbound(PeerWireEvent.message(.have(PieceIndex(piece))))
        }
        let haves = try Self.deliver(from: downloader, to: seeder)
        #expect(haves == (0..<Self.pieceCount).map { .message(.have(PieceIndex($0))) })
        #expect(have.isComplete)

        #expect(try seeder.finish().isClean)
        #expect(try downloader.finish().isClean)
    }

    @Test func mismatchedTorrentSizesAreCaughtOnTheBitfield() throws {
        let seeder = try Self.makeChannel(limits: PeerWireLimits(pieceCount: 20))
        let downloader = try Self.makeChannel(limits: PeerWireLimits(pieceCount: 3))
        try seeder.writeOutbound(PeerWireEvent.handshake(Handshake(infoHash: Fixtures.infoHash, peerID: PeerID.generate())))
        try seeder.writeOutbound(PeerWireEvent.message(.bitfield(.full(pieceCount: 20))))
        #expect(throws: PeerWireError.self) {
            _ = try Self.deliver(from: seeder, to: downloader)
        }
        _ = try? seeder.finish()
        _ = try? downloader.finish()
    }
}
