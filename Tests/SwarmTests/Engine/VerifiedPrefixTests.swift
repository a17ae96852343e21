import Dispatch
import Foundation
import Testing
import TestSupport
import TorrentMetainfo

@testable import Swarm

@Suite("VerifiedPrefix")
struct VerifiedPrefixTests {
    @Test func waitReturnsAtOnceWhenMoreIsVerifiedThanAskedFor() throws {
        let prefix = VerifiedPrefix(length: 1000)
        prefix.advance(to: 300)
        #expect(try prefix.wait(beyond: 0) == 300)
        #expect(try prefix.wait(beyond: 299) == 300)
    }

    @Test func itOnlyMovesForwardAndNeverPastTheLength() {
        let prefix = VerifiedPrefix(length: 1000)
        prefix.advance(to: 500)
        prefix.advance(to: 200)
        #expect(prefix.bytes == 500)
        prefix.advance(to: 5000)
        #expect(prefix.bytes == 1000)
    }

    @Test func aCompletePrefixReturnsEvenWhenAskedBeyondIt() throws {
        let prefix = VerifiedPrefix(length: 10)
        prefix.advance(to: 10)
        #expect(try prefix.wait(beyond: 10) == 10)
        // An empty payload is complete from the start.
        #expect(try VerifiedPrefix(length: 0).wait(beyond: 0) == 0)
    }

    @Test func aWaiterOnAnotherThreadWakesForEachAdvance() async throws {
        let prefix = VerifiedPrefix(length: 4 * 1024)
        let seen = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[Int64], any Error>) in
            DispatchQueue.global().async {
                var seen: [Int64] = []
                var consumed: Int64 = 0
                do {
                    while consumed < prefix.length {
                        consumed = try prefix.wait(beyond: consumed)
                        seen.append(consumed)
                    }
                    continuation.resume(returning: seen)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            DispatchQueue.global().async {
                for step in 1...4 {
                    usleep(20_000)
                    prefix.advance(to: Int64(step * 1024))
                }
            }
        }
        #expect(seen.last == prefix.length)
        #expect(seen == seen.sorted())
    }

    @Test func abandoningWakesTheWaiterWithTheReason() async throws {
        let prefix = VerifiedPrefix(length: 1000)
        prefix.advance(to: 100)
        let message = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            DispatchQueue.global().async {
                do {
                    _ = try prefix.wait(beyond: 100)
                    continuation.resume(returning: "returned")
                } catch {
                    continuation.resume(returning: String(describing: error))
                }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) {
                prefix.abandon("the controller went away")
                prefix.abandon("a later reason is not kept")
            }
        }
        #expect(message == "the controller went away")
        // What was verified before stays readable.
        #expect(try prefix.wait(beyond: 50) == 100)
    }

    /// Through the engine: a downloader moves the prefix to the payload's length, and a reader
    /// that follows it only ever reads verified bytes, identical to the seeder's.
    @Test func aDownloaderMovesThePrefixAndAReaderFollowsIt() async throws {
        let (bytes, metainfo) = try SwarmNodeTests.payload(length: 2 << 20 | 4321, pieceLength: 64 << 10, seed: 21)
        let configuration = SwarmConfiguration(listenHost: "127.0.0.1", superSeeding: true)
        let seeder = try await SwarmNode.start(
            metainfo: metainfo, storage: MemoryPieceStorage(bytes), role: .seeder, configuration: configuration
        )
        let directory = try TemporaryDirectory("swarm")
        let path = directory.path("payload.tar")
        let prefix = VerifiedPrefix(length: metainfo.length)
        let downloader = try await SwarmNode.start(
            metainfo: metainfo,
            storage: try FilePieceStorage(path: path, length: metainfo.length, mode: .readWrite),
            role: .downloader, configuration: configuration, verifiedPrefix: prefix
        )
        let reader = Task.detached { () throws -> (Data, Int) in
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            var data = Data()
            var wakeUps = 0
            while Int64(data.count) < prefix.length {
                let end = try prefix.wait(beyond: Int64(data.count))
                wakeUps += 1
                data.append(try handle.read(upToCount: Int(end) - data.count) ?? Data())
            }
            return (data, wakeUps)
        }
        downloader.connect(to: [(host: "127.0.0.1", port: seeder.listenPort)])
        try await SwarmNodeTests.withTimeout(30) { try await downloader.waitUntilComplete() }
        let (read, wakeUps) = try await reader.value
        #expect(read == Data(bytes))
        #expect(prefix.bytes == metainfo.length)
        #expect(wakeUps >= 1)
        await downloader.shutdown()
        await seeder.shutdown()
    }

    @Test func abandoningTheNodeAbandonsThePrefix() async throws {
        let (_, metainfo) = try SwarmNodeTests.payload(length: 1 << 20, pieceLength: 64 << 10, seed: 22)
        let directory = try TemporaryDirectory("swarm")
        let path = directory.path("payload.tar")
        let prefix = VerifiedPrefix(length: metainfo.length)
        let downloader = try await SwarmNode.start(
            metainfo: metainfo,
            storage: try FilePieceStorage(path: path, length: metainfo.length, mode: .readWrite),
            role: .downloader, configuration: SwarmConfiguration(listenHost: "127.0.0.1"), verifiedPrefix: prefix
        )
        downloader.abandon("the deployment was cancelled")
        let error = await #expect(throws: SwarmNodeError.self) {
            _ = try await Task.detached { try prefix.wait(beyond: 0) }.value
        }
        #expect(error?.description.contains("the deployment was cancelled") == true)
        await downloader.shutdown()
    }
}
