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
