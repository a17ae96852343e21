import Foundation
import Testing
import TestSupport
import TorrentMetainfo

@testable import Swarm

/// Downloaders fetching from a real HTTP server (nginx) as a BEP 19 web seed, beside their
/// peers, over loopback.
@Suite("Web seeds on loopback", .interop, .serialized)
struct WebSeedTests {
    /// A payload of 4 MiB in 64 KiB pieces, served by nginx as payload.tar; a copy with piece 5
    /// damaged as corrupt/payload.tar.
    struct Served {
        let bytes: [UInt8]
        let metainfo: Metainfo
        let directory: TemporaryDirectory
        let server: WebServer

        init() throws {
            (bytes, metainfo) = try SwarmNodeTests.payload(length: 4 << 20 | 777, pieceLength: 64 << 10, seed: 19)
            directory = try TemporaryDirectory("webseed")
            _ = try directory.write(bytes, to: "payload.tar")
            var damaged = bytes
            damaged[5 * (64 << 10) + 100] ^= 0xFF
            try FileManager.default.createDirectory(atPath: directory.path("corrupt"), withIntermediateDirectories: true)
            _ = try directory.write(damaged, to: "corrupt/payload.tar")
            server = try WebServer(serving: directory.path)
        }

        func seed(_ path: String) throws -> WebSeed {
            try WebSeed(server.url(path), fileName: metainfo.name)
        }
    }

    @Test("hosts with their shares fetch the payload from the web seed and each other: about one copy from the server")
    func sharesMakeOneCopy() async throws {
        // The hosts start and connect at once; each helps with the others' shares only after
        // `webSeedHelpDelay`, by when those are done.
        let served = try Served()
        let files = try TemporaryDirectory("downloads")
        var nodes: [SwarmNode] = []
        for rank in 0..<3 {
            var configuration = SwarmConfiguration(listenHost: "127.0.0.1")
            configuration.webSeeds = [try served.seed("")]
            configuration.webSeedShare = WebSeedShare(rank: rank, hosts: 3)
            configuration.webSeedRequestBytes = 256 << 10
            let node = try await LocalSwarm.downloader(metainfo: served.metainfo, path: files.path("\(rank).tar"), configuration: configuration)
            node.connect(to: nodes.map { (host: "127.0.0.1", port: $0.listenPort) })
            nodes.append(node)
        }
        let all = nodes
        try await SwarmNodeTests.withTimeout(60) {
            for node in all { try await node.waitUntilComplete() }
        }
        var fromWeb: Int64 = 0
        for (rank, node) in nodes.enumerated() {
            let progress = try await node.progress
            #expect(progress.webSeedProblems.isEmpty)
            #expect(progress.bytesFromWebSeeds > 0, "host \(rank) fetched its share")
            fromWeb += progress.bytesFromWebSeeds
            #expect(try Data(contentsOf: URL(fileURLWithPath: files.path("\(rank).tar"))) == Data(served.bytes))
        }
        let length = Double(served.metainfo.length)
        #expect(Double(fromWeb) <= 1.15 * length, "the hosts took \(Double(fromWeb) / length) copies from the web seed")
        #expect(Double(served.server.sentBytes) <= 1.15 * length)
        #expect(served.server.responses.allSatisfy { $0.status == 206 && $0.range.hasPrefix("bytes=") })
        for node in nodes { await node.shutdown() }
    }

    @Test("a redirect is followed, and the download completes from the web seed alone")
    func followsRedirect() async throws {
        let served = try Served()
        let files = try TemporaryDirectory("downloads")
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        configuration.webSeeds = [try served.seed("moved/payload.tar")]
        configuration.webSeedShare = WebSeedShare(rank: 0, hosts: 1)
        let node = try await LocalSwarm.downloader(metainfo: served.metainfo, path: files.path("0.tar"), configuration: configuration)
        try await SwarmNodeTests.withTimeout(30) { try await node.waitUntilComplete() }
        let progress = try await node.progress
        #expect(progress.webSeedProblems.isEmpty)
        #expect(progress.bytesFromWebSeeds == served.metainfo.length)
        #expect(served.server.responses.contains { $0.status == 302 })
        #expect(try Data(contentsOf: URL(fileURLWithPath: files.path("0.tar"))) == Data(served.bytes))
        await node.shutdown()
    }

    /// A web seed that fails is dropped, naming its URL; the download completes from the
    /// seeder, which stands by for hosts the web seeds leave without.
    @Test(
        "a broken web seed is dropped with a reason naming it, and the seeder serves the host instead",
        arguments: [
            ("missing.tar", "answered 404"),
            ("norange/payload.tar", "ignores Range requests"),
            ("corrupt/payload.tar", "sent piece 5"),
        ])
    func brokenSeedIsDropped(path: String, reason: String) async throws {
        let served = try Served()
        var seederConfiguration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true)
        seederConfiguration.seederStandby = true
        let seeder = try await SwarmNode.start(
            metainfo: served.metainfo, storage: MemoryPieceStorage(served.bytes), role: .seeder, configuration: seederConfiguration)
        let files = try TemporaryDirectory("downloads")
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        configuration.webSeeds = [try served.seed(path)]
        configuration.webSeedShare = WebSeedShare(rank: 0, hosts: 1)
        let node = try await LocalSwarm.downloader(metainfo: served.metainfo, path: files.path("0.tar"), configuration: configuration)
        node.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        try await SwarmNodeTests.withTimeout(60) { try await node.waitUntilComplete() }
        let progress = try await node.progress
        #expect(progress.webSeedProblems.count == 1)
        let problem = progress.webSeedProblems.first ?? ""
        #expect(problem.contains(served.server.url(path)), "\(problem)")
        #expect(problem.contains(reason), "\(problem)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: files.path("0.tar"))) == Data(served.bytes))
        await node.shutdown()
        await seeder.shutdown()
    }
}
