import Foundation
import Testing
import TestSupport
import TorrentMetainfo

@testable import Swarm

/// Seeders and downloaders in this process, talking real BitTorrent over loopback TCP.
@Suite("Swarm nodes on loopback")
struct SwarmNodeTests {
    static func payload(length: Int, pieceLength: Int, seed: UInt64) throws -> ([UInt8], Metainfo) {
        let bytes = SplitMix64.bytes(count: length, seed: seed)
        var hasher = PieceHasher(pieceLength: pieceLength)
        hasher.update(bytes)
        return (bytes, try MetainfoBuilder(name: "payload.tar", payload: hasher.finish()).build())
    }

    /// Fails the test instead of hanging when a transfer stalls.
    static func withTimeout(_ seconds: Int, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw SwarmNodeError("timed out after \(seconds) s")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    @Test("one seeder and one downloader: the download is byte-exact", arguments: [false, true])
    func oneDownloader(superSeeding: Bool) async throws {
        let (bytes, metainfo) = try Self.payload(length: 3 << 20 | 12_345, pieceLength: 256 << 10, seed: 1)
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: superSeeding)
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration
        )
        let directory = try TemporaryDirectory("swarm")
        let path = directory.path("payload.tar")
        let downloader = try await LocalSwarm.downloader(metainfo: metainfo, path: path, configuration: configuration)
        downloader.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        try await Self.withTimeout(30) { try await downloader.waitUntilComplete() }

        let progress = try await downloader.progress
        #expect(progress.isComplete)
        #expect(progress.verifiedPieces == metainfo.pieceCount)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        await downloader.shutdown()
        await seeder.shutdown()
    }

    @Test("a downloader that starts with pieces fetches only the rest, and its prefix covers them")
    func startsWithHeldPieces() async throws {
        let setup = try await SeededDownload(seed: 5)
        let (bytes, metainfo, seeder, storage, path, configuration) = (setup.bytes, setup.metainfo, setup.seeder, setup.storage, setup.path, setup.configuration)
        // The first five pieces and every third after them are here already.
        var held = PieceSet(pieceCount: metainfo.pieceCount)
        for piece in 0..<metainfo.pieceCount where piece < 5 || piece % 3 == 0 {
            _ = held.insert(piece)
            let offset = piece * metainfo.pieceLength
            let count = metainfo.expectedLength(ofPiece: piece)
            try bytes[offset..<(offset + count)].withUnsafeBytes { try storage.write(at: Int64(offset), $0) }
        }
        let prefix = VerifiedPrefix(length: metainfo.length)
        let downloader = try await SwarmNode.start(
            metainfo: metainfo, storage: storage, role: .downloader, configuration: configuration, verifiedPrefix: prefix, having: held)
        #expect(try await downloader.progress.verifiedPieces == held.count)
        #expect(prefix.bytes == Int64(5 * metainfo.pieceLength))
        downloader.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        try await Self.withTimeout(30) { try await downloader.waitUntilComplete() }

        let sent = try await seeder.uploadedByPeer.values.reduce(0, +)
        let missing = (0..<metainfo.pieceCount).filter { !held.contains($0) }.reduce(0) { $0 + metainfo.expectedLength(ofPiece: $1) }
        #expect(sent == Int64(missing))
        #expect(try await downloader.progress.bytesDownloaded == Int64(missing))
        #expect(prefix.bytes == metainfo.length)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        await downloader.shutdown()
        await seeder.shutdown()
    }

    @Test("a downloader holding blocks of pieces fetches only their other blocks; a wrong block costs its piece, not a ban")
    func startsWithHeldBlocks() async throws {
        let setup = try await SeededDownload(seed: 7)
        let (bytes, metainfo, seeder, storage, path, configuration) = (setup.bytes, setup.metainfo, setup.seeder, setup.storage, setup.path, setup.configuration)
        // Of every piece but the last, blocks 0 and 2 are here; in piece 3 block 2 is wrong.
        let block = PieceGeometry.blockLength
        var held: [Int: [Int]] = [:]
        for piece in 0..<(metainfo.pieceCount - 1) {
            held[piece] = [0, 2]
            for index in [0, 2] {
                let offset = piece * metainfo.pieceLength + index * block
                var written = Array(bytes[offset..<(offset + block)])
                if piece == 3 && index == 2 { written[7] ^= 0xFF }
                try written.withUnsafeBytes { try storage.write(at: Int64(offset), $0) }
            }
        }
        let downloader = try await SwarmNode.start(
            metainfo: metainfo, storage: storage, role: .downloader, configuration: configuration, holdingBlocks: held)
        downloader.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        try await Self.withTimeout(30) { try await downloader.waitUntilComplete() }

        // Two blocks of each held piece came from here; piece 3 came twice: its two other
        // blocks, then all four after its check failed.
        let heldBytes = held.count * 2 * block
        let expected = Int64(metainfo.length) - Int64(heldBytes) + Int64(4 * block)
        let sent = try await seeder.uploadedByPeer.values.reduce(0, +)
        let downloaded = try await downloader.progress.bytesDownloaded
        #expect(sent == expected, "sent \(sent), downloaded \(downloaded)")
        #expect(try await downloader.progress.isComplete)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        #expect(try await downloader.progress.bannedPeerIDs.isEmpty, "the seeder was blamed for a block it did not send")
        await downloader.shutdown()
        await seeder.shutdown()
    }

    @Test("blocks held of a piece already held, or all of a piece's blocks, are refused at the start")
    func refusesImpossibleHeldBlocks() async throws {
        let (_, metainfo) = try Self.payload(length: 256 << 10, pieceLength: 64 << 10, seed: 8)
        let directory = try TemporaryDirectory("swarm")
        for (pieces, blocks) in [(PieceSet(pieceCount: metainfo.pieceCount, full: true), [1: [0]]), (nil, [1: [0, 1, 2, 3]]), (nil, [9: [0]])] {
            let storage = try FilePieceStorage(path: directory.path("p-\(UInt32.random(in: 0...UInt32.max))"), length: metainfo.length, mode: .createNew)
            await #expect(throws: (any Error).self) {
                try await SwarmNode.start(
                    metainfo: metainfo, storage: storage, role: .downloader, configuration: SwarmConfiguration(listenHost: "127.0.0.1"),
                    having: pieces, holdingBlocks: blocks)
            }
        }
    }

    @Test("a downloader holding every piece completes alone, and a wrong whole is still refused")
    func startsWithEveryPiece() async throws {
        let (bytes, metainfo) = try Self.payload(length: 512 << 10, pieceLength: 64 << 10, seed: 6)
        let directory = try TemporaryDirectory("swarm")
        for corrupt in [false, true] {
            let storage = try FilePieceStorage(path: directory.path("payload-\(corrupt).tar"), length: metainfo.length, mode: .createNew)
            var written = bytes
            if corrupt { written[100] ^= 1 }  // the caller's word is taken for pieces; the SHA-256 is not skipped
            try written.withUnsafeBytes { try storage.write(at: 0, $0) }
            let downloader = try await SwarmNode.start(
                metainfo: metainfo, storage: storage, role: .downloader, configuration: SwarmConfiguration(listenHost: "127.0.0.1"),
                having: PieceSet(pieceCount: metainfo.pieceCount, full: true))
            if corrupt {
                await #expect(throws: SwarmNodeError.self) { try await Self.withTimeout(10) { try await downloader.waitUntilComplete() } }
            } else {
                try await Self.withTimeout(10) { try await downloader.waitUntilComplete() }
                #expect(try await downloader.progress.isComplete)
            }
            await downloader.shutdown()
        }
    }

    @Test("a node holding its uploads sends nothing until released, then the download completes")
    func heldUploads() async throws {
        let (bytes, metainfo) = try Self.payload(length: 1 << 20, pieceLength: 64 << 10, seed: 3)
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration
        )
        seeder.holdUploads(true)
        let directory = try TemporaryDirectory("swarm")
        let downloader = try await LocalSwarm.downloader(metainfo: metainfo, path: directory.path("payload.tar"), configuration: configuration)
        downloader.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        // Connected and asking (a second is plenty on loopback), yet not a block sent.
        try await Task.sleep(for: .seconds(1))
        #expect(try await seeder.uploadedByPeer.values.reduce(0, +) == 0)
        #expect(try await downloader.progress.verifiedPieces == 0)

        seeder.holdUploads(false)
        try await Self.withTimeout(30) { try await downloader.waitUntilComplete() }
        #expect(try await seeder.uploadedByPeer.values.reduce(0, +) == Int64(bytes.count))
        await downloader.shutdown()
        await seeder.shutdown()
    }

    @Test("every piece matching is not enough: a payload whose SHA-256 differs from the torrent's fails")
    func payloadDigestMismatch() async throws {
        let (bytes, honest) = try Self.payload(length: 2 << 20 | 777, pieceLength: 256 << 10, seed: 9)
        var wrong = honest.payloadSHA256!
        wrong[0] ^= 0xFF
        let payload = HashedPayload(length: honest.length, pieceLength: honest.pieceLength, pieceHashes: honest.pieceHashes, sha256: wrong)
        let metainfo = try MetainfoBuilder(name: "payload.tar", payload: payload).build()
        let swarm = try await LocalSwarm.start(
            bytes: bytes, metainfo: metainfo, downloaders: 1,
            configuration: SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true)
        )
        defer { swarm.removeFiles() }
        let downloader = swarm.downloaders[0]
        let error = await #expect(throws: SwarmNodeError.self) {
            try await Self.withTimeout(30) { try await downloader.waitUntilComplete() }
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("SHA-256 does not match"), "\(String(describing: error))")
        let progress = try await downloader.progress
        #expect(progress.verifiedPieces == metainfo.pieceCount && !progress.isComplete)
        await downloader.shutdown()
        await swarm.seeder.shutdown()
    }

    @Test("a super-seeder and several downloaders that know each other all complete")
    func severalDownloaders() async throws {
        let (bytes, metainfo) = try Self.payload(length: 8 << 20, pieceLength: 256 << 10, seed: 2)
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true, superSeedWindow: 2)
        let swarm = try await LocalSwarm.start(bytes: bytes, metainfo: metainfo, downloaders: 4, configuration: configuration)
        defer { swarm.removeFiles() }
        let (seeder, nodes, paths) = (swarm.seeder, swarm.downloaders, swarm.paths)
        let all = nodes
        try await Self.withTimeout(60) {
            for node in all { try await node.waitUntilComplete() }
        }
        for path in paths {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        }
        // Peers shared pieces with each other: the super-seeder hands each only a small window
        // of pieces until every piece has left it once, so the rest must come from peers.
        var sharedByPeers: Int64 = 0
        for node in nodes { sharedByPeers += try await node.progress.bytesUploaded }
        let seederProgress = try await seeder.progress
        #expect(sharedByPeers > 0, "seeder sent \(seederProgress.bytesUploaded) bytes, peers \(sharedByPeers)")
        #expect(seederProgress.bytesUploaded + sharedByPeers >= Int64(bytes.count) * Int64(nodes.count))
        for node in nodes { await node.shutdown() }
        await seeder.shutdown()
    }
}

extension SwarmNodeTests {
    @Test("a seeder that sends corrupt data is banned and the download still completes from an honest one")
    func corruptSeederIsBanned() async throws {
        let (bytes, metainfo) = try Self.payload(length: 4 << 20, pieceLength: 256 << 10, seed: 3)
        var corrupt = bytes
        for piece in stride(from: 0, to: corrupt.count, by: 256 << 10) { corrupt[piece + 100] ^= 0xFF }
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        let liar = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(corrupt), role: .seeder, configuration: configuration
        )
        let honest = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration
        )
        let directory = try TemporaryDirectory("swarm")
        let path = directory.path("payload.tar")
        let downloader = try await LocalSwarm.downloader(metainfo: metainfo, path: path, configuration: configuration)
        // The liar first, so it surely gets asked for pieces before the honest seeder joins.
        downloader.connect(to: [(host: "127.0.0.1", port: liar.listenPort)])
        try await Task.sleep(for: .milliseconds(300))
        downloader.connect(to: [(host: "127.0.0.1", port: honest.listenPort)])
        try await Self.withTimeout(30) { try await downloader.waitUntilComplete() }

        let progress = try await downloader.progress
        #expect(progress.bannedPeerIDs == [liar.peerID])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        await downloader.shutdown()
        await liar.shutdown()
        await honest.shutdown()
    }

    @Test("a node set to corrupt its uploads (the fault tests' hook) is banned by the peers it serves")
    func corruptingUploadsGetsBanned() async throws {
        let (bytes, metainfo) = try Self.payload(length: 2 << 20, pieceLength: 256 << 10, seed: 5)
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        var corrupting = configuration
        corrupting.corruptsUploads = true
        let liar = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: corrupting
        )
        let honest = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration
        )
        let directory = try TemporaryDirectory("swarm")
        let downloader = try await LocalSwarm.downloader(metainfo: metainfo, path: directory.path("payload.tar"), configuration: configuration)
        downloader.connect(to: [(host: "127.0.0.1", port: liar.listenPort)])
        try await Task.sleep(for: .milliseconds(300))
        downloader.connect(to: [(host: "127.0.0.1", port: honest.listenPort)])
        try await Self.withTimeout(30) { try await downloader.waitUntilComplete() }

        #expect(try await downloader.progress.bannedPeerIDs == [liar.peerID])
        await downloader.shutdown()
        await liar.shutdown()
        await honest.shutdown()
    }

    /// Each downloader reaches only the super-seeder (the others banned it, or cannot reach
    /// it): once every piece has left the seeder, it must be shown the rest, although no event
    /// of its own tells the seeder it waits.
    @Test("downloaders that cannot reach each other still complete from a super-seeder")
    func isolatedDownloadersComplete() async throws {
        let (bytes, metainfo) = try Self.payload(length: 4 << 20, pieceLength: 64 << 10, seed: 6)
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true, superSeedWindow: 2)
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration
        )
        let directory = try TemporaryDirectory("swarm")
        var downloaders: [SwarmNode] = []
        for index in 0..<3 {
            let node = try await LocalSwarm.downloader(metainfo: metainfo, path: directory.path("\(index).tar"), configuration: configuration)
            node.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
            downloaders.append(node)
        }
        for node in downloaders {
            try await Self.withTimeout(30) { try await node.waitUntilComplete() }
        }
        for index in 0..<3 {
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory.path("\(index).tar"))) == Data(bytes))
        }
        for node in downloaders { await node.shutdown() }
        await seeder.shutdown()
    }

    @Test("a downloader that leaves mid-transfer does not stop the others")
    func peerLeaves() async throws {
        let (bytes, metainfo) = try Self.payload(length: 8 << 20, pieceLength: 256 << 10, seed: 4)
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true, superSeedWindow: 2)
        let swarm = try await LocalSwarm.start(bytes: bytes, metainfo: metainfo, downloaders: 3, configuration: configuration)
        defer { swarm.removeFiles() }
        let (seeder, nodes, paths) = (swarm.seeder, swarm.downloaders, swarm.paths)
        // The first downloader leaves as soon as it has a few pieces, holding pieces it was given.
        while try await nodes[0].progress.verifiedPieces < 2 { try await Task.sleep(for: .milliseconds(5)) }
        await nodes[0].shutdown()

        let survivors = Array(nodes.dropFirst())
        try await Self.withTimeout(60) {
            for node in survivors { try await node.waitUntilComplete() }
        }
        for path in paths.dropFirst() {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        }
        for node in survivors { await node.shutdown() }
        await seeder.shutdown()
    }
}

extension SwarmNodeTests {
    @Test("once every piece has left the super-seeder, the swarm completes without it")
    func seederLeavesAfterOneCopy() async throws {
        let (bytes, metainfo) = try Self.payload(length: 32 << 20, pieceLength: 256 << 10, seed: 5)
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true, superSeedWindow: 1)
        let swarm = try await LocalSwarm.start(bytes: bytes, metainfo: metainfo, downloaders: 3, configuration: configuration)
        defer { swarm.removeFiles() }
        let (seeder, nodes, paths) = (swarm.seeder, swarm.downloaders, swarm.paths)
        #expect(try await seeder.progress.everyPieceSentOnce == false)
        while try await seeder.progress.everyPieceSentOnce != true {
            try await Task.sleep(for: .milliseconds(1))
        }
        await seeder.shutdown()
        // The downloaders did not all have everything yet: the rest must come from each other.
        var verified = 0
        for node in nodes { verified += try await node.progress.verifiedPieces }
        #expect(verified < nodes.count * metainfo.pieceCount, "the swarm was complete before the seeder left")

        let all = nodes
        try await Self.withTimeout(60) {
            for node in all { try await node.waitUntilComplete() }
        }
        for path in paths {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        }
        for node in nodes { await node.shutdown() }
    }
}

/// A super-seeder or seeder with downloaders that each connect to it and to the downloaders
/// started before them, all on loopback.
struct LocalSwarm {
    let seeder: SwarmNode
    let downloaders: [SwarmNode]
    let paths: [String]
    /// Holds the downloaders' files; removed with them when the swarm is released.
    let directory: TemporaryDirectory

    static func start(bytes: [UInt8], metainfo: Metainfo, downloaders count: Int, configuration: SwarmConfiguration) async throws -> LocalSwarm {
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration
        )
        var nodes: [SwarmNode] = []
        let directory = try TemporaryDirectory("swarm")
        var paths: [String] = []
        for index in 0..<count {
            let path = directory.path("downloader\(index).tar")
            paths.append(path)
            nodes.append(try await downloader(metainfo: metainfo, path: path, configuration: configuration))
        }
        for (index, node) in nodes.enumerated() {
            node.connect(
                to: [(host: "127.0.0.1", port: seeder.listenPort)] + nodes[..<index].map { (host: "127.0.0.1", port: $0.listenPort) }
            )
        }
        return LocalSwarm(seeder: seeder, downloaders: nodes, paths: paths, directory: directory)
    }

    /// A downloader that writes the payload to `path`.
    static func downloader(metainfo: Metainfo, path: String, configuration: SwarmConfiguration) async throws -> SwarmNode {
        try await SwarmNode.start(
            metainfo: metainfo,
            storage: try FilePieceStorage(path: path, length: metainfo.length, mode: .readWrite),
            role: .downloader,
            configuration: configuration
        )
    }

    func removeFiles() {
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }
}

/// A payload of a little over 1 MiB in 64 KiB pieces, served by a seeder on loopback, and an
/// empty download file for it: where a downloader that starts holding parts of it begins.
private struct SeededDownload {
    let bytes: [UInt8]
    let metainfo: Metainfo
    let configuration = SwarmConfiguration(listenHost: "127.0.0.1")
    let seeder: SwarmNode
    let directory: TemporaryDirectory
    let path: String
    let storage: FilePieceStorage

    init(seed: UInt64) async throws {
        (bytes, metainfo) = try SwarmNodeTests.payload(length: 1 << 20 | 4321, pieceLength: 64 << 10, seed: seed)
        seeder = try await SwarmNode.start(metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration)
        directory = try TemporaryDirectory("swarm")
        path = directory.path("payload.tar")
        storage = try FilePieceStorage(path: path, length: metainfo.length, mode: .createNew)
    }
}
