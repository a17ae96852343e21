import Foundation
import Testing
import TestSupport
import TorrentMetainfo

@testable import Swarm

/// Rate caps on real connections over loopback, where an uncapped transfer of these payloads
/// takes milliseconds: a capped one cannot finish sooner than the cap allows, and no second
/// carries more than the cap. (Upper bounds on speed only: a slow machine cannot fail them.)
@Suite("Rate caps on loopback")
struct RateCapTests {
    static let cap = 8e6
    static let bytesPerSecond = cap / 8

    /// The shortest time `bytes` of payload can take under the cap: every block's cost on the
    /// wire, less what a full bucket lets go at once and the last block (it may start as soon
    /// as the balance is not negative).
    static func shortestSeconds(payload bytes: Int) -> Double {
        let blocks = (bytes + 16_383) / 16_384
        let cost = blocks * RateCap.wireBytes(ofBlock: 16_384)
        let bucket = RateCap.bucket(bitsPerSecond: cap, now: .zero)
        return (Double(cost - RateCap.wireBytes(ofBlock: 16_384)) - bucket.capacity) / bytesPerSecond
    }

    /// A capped download may take a second's worth at once, then a second's worth a second.
    static func shortestDownloadSeconds(payload bytes: Int) -> Double {
        let blocks = (bytes + 16_383) / 16_384
        return (Double(blocks * RateCap.wireBytes(ofBlock: 16_384)) - bytesPerSecond) / bytesPerSecond
    }

    typealias Sample = (before: ContinuousClock.Instant, bytes: Int64, after: ContinuousClock.Instant)

    /// What `read` gives every 100 ms until `done` (30 s at most), with the clock before and
    /// after each read.
    static func samples(of read: () async throws -> Int64, until done: () async throws -> Bool) async throws -> [Sample] {
        let start = ContinuousClock.now
        var samples: [Sample] = []
        while try await !done(), ContinuousClock.now - start < .seconds(30) {
            let before = ContinuousClock.now
            let bytes = try await read()
            samples.append((before, bytes, ContinuousClock.now))
            try await Task.sleep(for: .milliseconds(100))
        }
        return samples
    }

    /// Every span of a second or more between two samples: the longest it can have lasted,
    /// and the bytes counted in it.
    static func spans(_ samples: [Sample]) -> [(seconds: Double, bytes: Double)] {
        samples.enumerated().flatMap { index, first in
            samples[(index + 1)...].filter { ($0.before - first.after).seconds >= 1 }.map { last in
                ((last.after - first.before).seconds, Double(last.bytes - first.bytes))
            }
        }
    }

    /// A seeder of a random payload on loopback, its upload capped at `cap`.
    static func cappedSeeder(length: Int, pieceLength: Int, seed: UInt64) async throws -> ([UInt8], Metainfo, SwarmNode) {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: length, pieceLength: pieceLength, seed: seed)
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        configuration.rateCap = RateCap(uploadBitsPerSecond: cap)
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration)
        return (bytes, metainfo, seeder)
    }

    @Test("a seeder capped on its upload serves no faster than the cap, in total and in any second")
    func cappedUpload() async throws {
        let (bytes, metainfo, seeder) = try await Self.cappedSeeder(length: 3 << 20, pieceLength: 256 << 10, seed: 21)
        let directory = try TemporaryDirectory("swarm")
        let path = directory.path("payload.tar")
        let downloader = try await LocalSwarm.downloader(
            metainfo: metainfo, path: path, configuration: SwarmConfiguration(listenHost: "127.0.0.1"))
        let start = ContinuousClock.now
        downloader.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])

        let samples = try await Self.samples(of: { try await seeder.progress.bytesUploaded }, until: { try await downloader.progress.isComplete })
        let elapsed = (ContinuousClock.now - start).seconds
        #expect(try await downloader.progress.isComplete)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        #expect(elapsed >= Self.shortestSeconds(payload: bytes.count), "took \(elapsed) s")
        // Any span of a second or more: the bytes sent fit the cap over the longest the span can
        // have been, plus the bucket and one block.
        let allowance = RateCap.bucket(bitsPerSecond: Self.cap, now: .zero).capacity + 16_384
        for (span, payload) in Self.spans(samples) {
            #expect(payload <= Self.bytesPerSecond * span + allowance, "\(payload) bytes in at most \(span) s")
        }
        await downloader.shutdown()
        await seeder.shutdown()
    }

    @Test("a downloader capped on its download asks no faster than the cap, whatever the seeder could send")
    func cappedDownload() async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 2 << 20, pieceLength: 256 << 10, seed: 22)
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: SwarmConfiguration(listenHost: "127.0.0.1"))
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1")
        configuration.rateCap = RateCap(bitsPerSecond: Self.cap)
        let directory = try TemporaryDirectory("swarm")
        let path = directory.path("payload.tar")
        let downloader = try await LocalSwarm.downloader(metainfo: metainfo, path: path, configuration: configuration)
        let start = ContinuousClock.now
        downloader.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        try await SwarmNodeTests.withTimeout(30) { try await downloader.waitUntilComplete() }
        let elapsed = (ContinuousClock.now - start).seconds
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        #expect(elapsed >= Self.shortestDownloadSeconds(payload: bytes.count), "took \(elapsed) s")
        await downloader.shutdown()
        await seeder.shutdown()
    }

    @Test("capped downloaders that serve each other share the capped seeder's pieces and all complete")
    func cappedSwarm() async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 2 << 20, pieceLength: 128 << 10, seed: 23)
        var configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true)
        configuration.rateCap = RateCap(bitsPerSecond: Self.cap)
        let swarm = try await LocalSwarm.start(bytes: bytes, metainfo: metainfo, downloaders: 3, configuration: configuration)
        defer { swarm.removeFiles() }
        let start = ContinuousClock.now
        let nodes = swarm.downloaders
        try await SwarmNodeTests.withTimeout(60) {
            for node in nodes { try await node.waitUntilComplete() }
        }
        let elapsed = (ContinuousClock.now - start).seconds
        for path in swarm.paths {
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(bytes))
        }
        // Each downloader took the whole payload through its capped downlink.
        #expect(elapsed >= Self.shortestDownloadSeconds(payload: bytes.count), "took \(elapsed) s")
        for node in nodes { await node.shutdown() }
        await swarm.seeder.shutdown()
    }

    @Test("bytes something else sends over a capped uplink wait their turn, and the blocks wait for them")
    func reservedUpload() async throws {
        let (_, _, seeder) = try await Self.cappedSeeder(length: 64 << 10, pieceLength: 16 << 10, seed: 24)
        let start = ContinuousClock.now
        // The first goes at once from a full bucket and leaves a debt; each next waits for it.
        for _ in 0..<3 { await seeder.reserveUpload(500_000) }
        let debt = Double(2 * RateCap.wireBytes(ofStream: 500_000)) - RateCap.bucket(bitsPerSecond: Self.cap, now: .zero).capacity
        #expect((ContinuousClock.now - start).seconds >= debt / Self.bytesPerSecond, "\(ContinuousClock.now - start)")
        await seeder.shutdown()
    }
}
