import Foundation
import Glibc
import Testing
import TestSupport
import TorrentMetainfo

/// The swarm as users run it: a tracker, a seeder and many peers, each its own process.
@Suite("Swarm of processes on loopback")
struct SwarmProcessesTests {
    @Test("one seeder and eight peers complete 256 MiB; a peer killed mid-transfer stops no one else")
    func eightPeers() async throws {
        let temp = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: temp.path("tree"), withIntermediateDirectories: true)
        let random = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/dev/urandom"))
        try random.readData(ofLength: 256 << 20).write(to: URL(fileURLWithPath: temp.path("tree/payload.bin")))
        try random.close()

        let port = try Loopback.freePort()
        let packed = try await CLI.swarmdeploy([
            "pack", temp.path("tree"), "-o", temp.path("release"), "--tracker", "http://127.0.0.1:\(port)/announce",
        ])
        try #require(packed.status == 0, "\(packed.stderr)")
        let peer = CLI.peerPath

        let (tracker, seeder) = try startTrackerAndSeeder(in: temp, port: port)
        defer {
            seeder.stop()
            tracker.stop()
        }

        let peers = try (0..<8).map { index in
            try BackgroundProcess(
                peer,
                ["download", temp.path("release.torrent"), "--out", temp.path("peer\(index).tar"), "--seed-grace", "5", "--timeout", "240"],
                logPath: temp.path("peer\(index).log")
            )
        }
        // Kill one peer once it has pieces to share, as a host might crash mid-transfer.
        let victim = peers[0]
        let deadline = Date().addingTimeInterval(120)
        while !victim.log.contains("progress:"), victim.isRunning, Date() < deadline { usleep(20_000) }
        kill(victim.processIdentifier, SIGKILL)

        for (index, process) in peers.enumerated().dropFirst() {
            #expect(process.waitForExit(timeout: 240) == 0, "peer \(index): \(process.log)")
            #expect(
                FileManager.default.contentsEqual(atPath: temp.path("peer\(index).tar"), andPath: temp.path("release.tar")),
                "peer \(index)'s payload differs"
            )
        }
        #expect(!FileManager.default.fileExists(atPath: temp.path("peer0.tar")), "the killed peer never completed")
        #expect(seeder.stop(), "\(seeder.log)")
    }
}

/// `seed` and the peer's `download` stay plain BitTorrent unless given a key file; with one,
/// only peers holding the same key get pieces.
@Suite("Seed and download with a peer key")
struct PeerKeyFileTests {
    @Test func onlyAPeerWithTheKeyDownloads() async throws {
        let (temp, port, _) = try await packedRelease()
        _ = try temp.write("\(String(repeating: "5a", count: 32))\n", to: "peer.key")
        _ = try temp.write(String(repeating: "a5", count: 32), to: "other.key")
        let tracker = try startTracker(in: temp, port: port)
        defer { tracker.stop() }
        let seeder = try BackgroundProcess(
            CLI.swarmdeployPath,
            ["seed", temp.path("release.torrent"), temp.path("release.tar"), "--listen", "127.0.0.1:0", "--peer-key-file", temp.path("peer.key")],
            logPath: temp.path("seed.log")
        )
        defer { seeder.stop() }
        #expect(seeder.waitForLog(containing: "listening on port"), "\(seeder.log)")

        func download(_ name: String, key: String?, timeout: Int) throws -> BackgroundProcess {
            try BackgroundProcess(
                CLI.peerPath,
                ["download", temp.path("release.torrent"), "--out", temp.path("\(name).tar"), "--seed-grace", "0", "--timeout", "\(timeout)"]
                    + (key.map { ["--peer-key-file", temp.path($0)] } ?? []),
                logPath: temp.path("\(name).log")
            )
        }
        let holder = try download("holder", key: "peer.key", timeout: 60)
        let plain = try download("plain", key: nil, timeout: 4)
        let wrong = try download("wrong", key: "other.key", timeout: 4)
        #expect(holder.waitForExit(timeout: 90) == 0, "\(holder.log)")
        #expect(FileManager.default.contentsEqual(atPath: temp.path("holder.tar"), andPath: temp.path("release.tar")))
        for outsider in [plain, wrong] {
            #expect(outsider.waitForExit(timeout: 30) != 0, "\(outsider.log)")
            #expect(outsider.log.contains("did not complete"), "\(outsider.log)")
        }
        #expect(!FileManager.default.fileExists(atPath: temp.path("plain.tar")))
    }

    @Test func aKeyFileThatHoldsNoKeyIsNamed() async throws {
        let (temp, _, _) = try await packedRelease()
        _ = try temp.write("0123456789abcdef\n", to: "short.key")
        let result = try await CLI.swarmdeploy([
            "seed", temp.path("release.torrent"), temp.path("release.tar"), "--listen", "127.0.0.1:0",
            "--peer-key-file", temp.path("short.key"),
        ])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("short.key does not hold a peer key"), "\(result.stderr)")
    }
}
