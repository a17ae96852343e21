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

    /// A downloader's configuration on loopback fetching from `seed` as host `rank` of `hosts`.
    static func configuration(_ seed: WebSeed, rank: Int = 0, of hosts: Int = 1) -> SwarmConfiguration {
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        configuration.webSeeds = [seed]
        configuration.webSeedShare = WebSeedShare(rank: rank, hosts: hosts)
        return configuration
    }

    /// A super-seeder of `bytes` standing by beside web seeds, as the controller's does: it
    /// serves a host that announced no new piece for `patience`.
    static func standbySeeder(_ bytes: [UInt8], _ metainfo: Metainfo, patience: Duration = .seconds(2)) async throws -> SwarmNode {
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true)
        configuration.seederStandby = true
        configuration.starvationPatience = patience
        return try await SwarmNode.start(metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration)
    }

    @Test("hosts with their shares fetch the payload from the web seed and each other: about one copy from the server")
    func sharesMakeOneCopy() async throws {
        // The hosts start and connect at once; each helps with the others' shares only after
        // `webSeedHelpDelay`, by when those are done.
        let served = try Served()
        let files = try TemporaryDirectory("downloads")
        var nodes: [SwarmNode] = []
        for rank in 0..<3 {
            var configuration = WebSeedTests.configuration(try served.seed(""), rank: rank, of: 3)
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
        let configuration = WebSeedTests.configuration(try served.seed("moved/payload.tar"))
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
        let seeder = try await Self.standbySeeder(served.bytes, served.metainfo)
        let files = try TemporaryDirectory("downloads")
        let configuration = WebSeedTests.configuration(try served.seed(path))
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

/// A download cap (`--max-rate`) holds for what web seeds send as for peers' blocks.
@Suite("Web seeds under a download cap", .interop, .serialized)
struct WebSeedRateCapTests {
    @Test("a capped downloader asks its web seed no faster than the cap, in total and in any second")
    func cappedWebSeedDownload() async throws {
        let served = try WebSeedTests.Served()
        let cap = 8e6
        let bytesPerSecond = cap / 8
        let files = try TemporaryDirectory("downloads")
        var configuration = WebSeedTests.configuration(try served.seed(""))
        configuration.rateCap = RateCap(bitsPerSecond: cap)
        let start = ContinuousClock.now
        let node = try await LocalSwarm.downloader(metainfo: served.metainfo, path: files.path("0.tar"), configuration: configuration)
        let samples = try await RateCapTests.samples(of: { try await node.progress.bytesFromWebSeeds }, until: { try await node.progress.isComplete })
        let elapsed = (ContinuousClock.now - start).seconds
        let progress = try await node.progress
        #expect(progress.isComplete && progress.webSeedProblems.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: files.path("0.tar"))) == Data(served.bytes))
        // A second's worth may come at once, then a second's worth a second.
        let wire = Double(RateCap.wireBytes(ofStream: Int(served.metainfo.length)))
        #expect(elapsed >= (wire - bytesPerSecond) / bytesPerSecond, "took \(elapsed) s")
        // Any span of a second or more carries no more than that: on loopback a second's
        // worth arrives at its start (see `DownlinkBudget`), so a span a little over a second
        // may hold two. Uncapped, the whole payload takes a few milliseconds.
        for (span, payload) in RateCapTests.spans(samples) {
            #expect(payload <= bytesPerSecond * (span + 1), "\(payload) bytes in at most \(span) s")
        }
        await node.shutdown()
    }
}

/// When the web seeds fail every host, the standby seeder sends what they did not bring.
@Suite("The standby seeder when web seeds fail", .interop, .serialized)
struct WebSeedFallbackTests {
    @Test("hosts whose web seed is missing get the payload from the standby seeder about once, and from each other")
    func seederSendsAboutOneCopy() async throws {
        let served = try WebSeedTests.Served()
        let seeder = try await WebSeedTests.standbySeeder(served.bytes, served.metainfo, patience: .seconds(1))
        let files = try TemporaryDirectory("downloads")
        var nodes: [SwarmNode] = []
        for rank in 0..<3 {
            let configuration = WebSeedTests.configuration(try served.seed("missing.tar"), rank: rank, of: 3)
            let node = try await LocalSwarm.downloader(metainfo: served.metainfo, path: files.path("\(rank).tar"), configuration: configuration)
            node.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)] + nodes.map { (host: "127.0.0.1", port: $0.listenPort) })
            nodes.append(node)
        }
        let all = nodes
        try await SwarmNodeTests.withTimeout(60) {
            for node in all { try await node.waitUntilComplete() }
        }
        for (rank, node) in nodes.enumerated() {
            #expect(try await node.progress.webSeedProblems.count == 1)
            #expect(try Data(contentsOf: URL(fileURLWithPath: files.path("\(rank).tar"))) == Data(served.bytes))
        }
        // Every starving host shown everything took 1.4 copies from the seeder in a 3-host push.
        let copies = Double(try await seeder.progress.bytesUploaded) / Double(served.metainfo.length)
        #expect(copies >= 1 && copies <= 1.15, "the seeder sent \(copies) copies")
        for node in nodes { await node.shutdown() }
        await seeder.shutdown()
    }
}

/// Failures worth retrying: a seed is given up only after `webSeedAttempts` in a row.
@Suite("Web seeds retried", .interop, .serialized)
struct WebSeedRetryTests {
    /// Downloads from `seed` with a standby seeder that serves the host after `patience`.
    static func download(
        _ seed: WebSeed, metainfo: Metainfo, bytes: [UInt8], timeout: Duration, patience: Duration = .seconds(3)
    ) async throws -> (SwarmProgress, Duration) {
        let seeder = try await WebSeedTests.standbySeeder(bytes, metainfo, patience: patience)
        let files = try TemporaryDirectory("downloads")
        var configuration = WebSeedTests.configuration(seed)
        configuration.webSeedAttempts = 3
        configuration.webSeedTimeout = timeout
        let started = ContinuousClock.now
        let node = try await LocalSwarm.downloader(metainfo: metainfo, path: files.path("0.tar"), configuration: configuration)
        node.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        try await SwarmNodeTests.withTimeout(60) { try await node.waitUntilComplete() }
        let progress = try await node.progress
        #expect(try Data(contentsOf: URL(fileURLWithPath: files.path("0.tar"))) == Data(bytes))
        await node.shutdown()
        await seeder.shutdown()
        return (progress, ContinuousClock.now - started)
    }

    @Test("a server answering 503 is asked again with growing pauses, then dropped naming the attempts")
    func unavailableIsRetried() async throws {
        let served = try WebSeedTests.Served()
        let (progress, _) = try await Self.download(
            try served.seed("unavailable/payload.tar"), metainfo: served.metainfo, bytes: served.bytes, timeout: .seconds(30))
        let problem = progress.webSeedProblems.first ?? ""
        #expect(problem.contains("answered 503") && problem.contains("(3 attempts)"), "\(progress.webSeedProblems)")
        // Three requests, 0.5 s then 1 s apart.
        let asked = served.server.responses.filter { $0.status == 503 }
        #expect(asked.count == 3, "\(served.server.responses)")
    }

    @Test("a server that accepts and never answers times out per request, and is dropped after its attempts")
    func silentServerTimesOut() async throws {
        let served = try WebSeedTests.Served()
        let silent = try SilentListener()
        let seed = try WebSeed("http://127.0.0.1:\(silent.port)/payload.tar", fileName: "payload.tar")
        let (progress, took) = try await Self.download(
            seed, metainfo: served.metainfo, bytes: served.bytes, timeout: .milliseconds(600), patience: .seconds(8))
        let problem = progress.webSeedProblems.first ?? ""
        #expect(problem.contains("no data for") && problem.contains(seed.url), "\(progress.webSeedProblems)")
        // Three timeouts and two pauses, then the standby seeder serves the payload.
        #expect(took < .seconds(15))
    }
}

/// Responses that end before the range they announce, or announce less than was asked.
@Suite("Web seeds sending short responses", .serialized)
struct WebSeedShortResponseTests {
    static let payload = try! SwarmNodeTests.payload(length: 2 << 20 | 321, pieceLength: 64 << 10, seed: 77)

    /// Downloads the payload from `server` alone; returns what the node made of it.
    static func download(from server: FaultyRangeServer) async throws -> SwarmProgress {
        let (bytes, metainfo) = payload
        let files = try TemporaryDirectory("downloads")
        var configuration = WebSeedTests.configuration(try WebSeed(server.url("payload.tar"), fileName: "payload.tar"))
        configuration.webSeedAttempts = 3
        let node = try await LocalSwarm.downloader(metainfo: metainfo, path: files.path("0.tar"), configuration: configuration)
        try await SwarmNodeTests.withTimeout(30) { try await node.waitUntilComplete() }
        let progress = try await node.progress
        #expect(try Data(contentsOf: URL(fileURLWithPath: files.path("0.tar"))) == Data(bytes))
        await node.shutdown()
        return progress
    }

    @Test("a response cut short by a closed connection is asked for again; the download completes from the web seed")
    func cutResponseIsRetried() async throws {
        let server = try FaultyRangeServer(serving: Self.payload.0, fault: .cutsResponses(count: 2, after: 1000))
        let progress = try await Self.download(from: server)
        #expect(progress.webSeedProblems.isEmpty, "\(progress.webSeedProblems)")
        #expect(progress.bytesFromWebSeeds >= Self.payload.1.length)
        let responses = server.responses
        #expect(responses.prefix(2).allSatisfy { $0.sent == 1000 }, "\(responses)")
        // The third request asks again for the range the two cut ones announced.
        #expect(responses.count > 2 && responses[2].range.lowerBound == responses[0].range.lowerBound, "\(responses)")
    }

    @Test("a web seed that keeps cutting its responses short is dropped naming its URL, and the standby seeder serves")
    func serverCuttingEveryResponseIsDropped() async throws {
        let server = try FaultyRangeServer(serving: Self.payload.0, fault: .cutsResponses(count: .max, after: 1000))
        let seed = try WebSeed(server.url("payload.tar"), fileName: "payload.tar")
        let (progress, _) = try await WebSeedRetryTests.download(
            seed, metainfo: Self.payload.1, bytes: Self.payload.0, timeout: .seconds(30))
        let problem = progress.webSeedProblems.first ?? ""
        #expect(problem.contains(seed.url) && problem.contains("cut a response short") && problem.contains("(3 attempts)"), "\(problem)")
        #expect(problem.contains("1000 of 262144 bytes of pieces 0-3"), "\(problem)")
        #expect(server.responses.count == 3)
    }

    @Test("a server answering less of each range than asked is asked for the rest on the same connection")
    func shorterRangesAreContinued() async throws {
        let server = try FaultyRangeServer(serving: Self.payload.0, fault: .capsRanges(bytes: 40_000))
        let progress = try await Self.download(from: server)
        #expect(progress.webSeedProblems.isEmpty, "\(progress.webSeedProblems)")
        #expect(progress.bytesFromWebSeeds == Self.payload.1.length)
        #expect(server.responses.allSatisfy { $0.range.count <= 40_000 })
        #expect(Int64(server.responses.reduce(0) { $0 + $1.sent }) == Self.payload.1.length)
    }
}

/// https:// web seeds: nginx with a certificate from a test authority.
@Suite("Web seeds over TLS on loopback", .interop, .serialized)
struct WebSeedTLSTests {
    struct Served {
        let bytes: [UInt8]
        let metainfo: Metainfo
        let directory: TemporaryDirectory
        let certificates: TestCertificates
        let server: WebServer

        /// The certificate names artifacts.test, and 127.0.0.1 too when `byAddress`.
        init(byAddress: Bool = true) async throws {
            (bytes, metainfo) = try SwarmNodeTests.payload(length: 2 << 20 | 99, pieceLength: 64 << 10, seed: 443)
            directory = try TemporaryDirectory("webseed-tls")
            _ = try directory.write(bytes, to: "payload.tar")
            certificates = try await TestCertificates.make(in: directory, names: ["artifacts.test"], addresses: byAddress ? ["127.0.0.1"] : [])
            server = try WebServer(serving: directory.path, tls: certificates)
        }

        func download(_ seed: WebSeed, trusting authority: [UInt8]?, seeder: SwarmNode? = nil) async throws -> SwarmProgress {
            let files = try TemporaryDirectory("downloads")
            var configuration = WebSeedTests.configuration(seed)
            configuration.webSeedCertificates = authority
            let node = try await LocalSwarm.downloader(metainfo: metainfo, path: files.path("0.tar"), configuration: configuration)
            if let seeder { node.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)]) }
            try await SwarmNodeTests.withTimeout(60) { try await node.waitUntilComplete() }
            let progress = try await node.progress
            #expect(try Data(contentsOf: URL(fileURLWithPath: files.path("0.tar"))) == Data(bytes))
            await node.shutdown()
            return progress
        }
    }

    @Test("an https web seed whose certificate chains to the given authority serves the payload, by its name or its address")
    func trustedServer() async throws {
        let served = try await Served()
        let authority = try served.directory.read("ca.pem")
        // By name (resolved elsewhere: the peer dials the address it is given and checks the name).
        let byName = try WebSeed(served.server.url("payload.tar", host: "artifacts.test"), fileName: "payload.tar", addresses: ["127.0.0.1"])
        let named = try await served.download(byName, trusting: authority)
        #expect(named.webSeedProblems.isEmpty)
        #expect(named.bytesFromWebSeeds == served.metainfo.length)
        let byAddress = try WebSeed(served.server.url("payload.tar"), fileName: "payload.tar")
        #expect(try await served.download(byAddress, trusting: authority).webSeedProblems.isEmpty)
    }

    @Test("an https web seed the host cannot trust, or whose certificate names another host, is dropped naming it")
    func untrustedServerIsDropped() async throws {
        // The certificate names artifacts.test only (a certificate naming the address too
        // would pass for any name: the TLS library accepts either).
        let served = try await Served(byAddress: false)
        let seeder = try await WebSeedTests.standbySeeder(served.bytes, served.metainfo)
        let authority = try served.directory.read("ca.pem")
        let cases: [(seed: WebSeed, trusting: [UInt8]?)] = [
            // The system's store does not know the test authority.
            (try WebSeed(served.server.url("payload.tar", host: "artifacts.test"), fileName: "payload.tar", addresses: ["127.0.0.1"]), nil),
            // Trusted, but the certificate names another host than the URL.
            (try WebSeed(served.server.url("payload.tar", host: "elsewhere.test"), fileName: "payload.tar", addresses: ["127.0.0.1"]), authority),
            (try WebSeed(served.server.url("payload.tar"), fileName: "payload.tar"), authority),
        ]
        for (seed, trusting) in cases {
            let progress = try await served.download(seed, trusting: trusting, seeder: seeder)
            #expect(progress.webSeedProblems.count == 1, "\(seed.url)")
            let problem = progress.webSeedProblems.first ?? ""
            #expect(problem.contains(seed.url) && problem.contains("TLS handshake failed"), "\(problem)")
            #expect(progress.bytesFromWebSeeds == 0)
        }
        // The name the certificate gives, at the address dialled, is trusted.
        let named = try WebSeed(served.server.url("payload.tar", host: "artifacts.test"), fileName: "payload.tar", addresses: ["127.0.0.1"])
        #expect(try await served.download(named, trusting: authority).webSeedProblems.isEmpty)
        await seeder.shutdown()
    }
}

@Suite("A quiet connection")
struct QuietConnectionTests {
    /// Found on the sandbox: a seeder on standby only ever read from its peers, and counting a
    /// turn that read as one that wrote, it never sent a keep-alive; every host closed it.
    @Test("a seeder that only receives still sends keep-alives, so its peers keep it")
    func standbySeederIsKeptAlive() async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 1 << 20, pieceLength: 64 << 10, seed: 3)
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true)
        configuration.liveness = PeerLiveness.Settings(idleTimeout: .milliseconds(900), keepAliveInterval: .milliseconds(200))
        configuration.seederStandby = true
        configuration.starvationPatience = .seconds(60)
        let seeder = try await SwarmNode.start(metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration)
        let files = try TemporaryDirectory("quiet")
        let downloader = try await LocalSwarm.downloader(metainfo: metainfo, path: files.path("0.tar"), configuration: configuration)
        downloader.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        try await Task.sleep(for: .seconds(3))
        #expect(try await seeder.progress.connectedPeers == 1)
        #expect(try await downloader.progress.connectedPeers == 1)
        await downloader.shutdown()
        await seeder.shutdown()
    }
}
