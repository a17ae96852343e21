import Foundation
import Glibc
import Testing
import TestSupport
import TorrentMetainfo

/// Our tracker, seeder and peer against aria2 and Transmission, both ways: each client
/// downloads from our seeder through our tracker, and our peer downloads from each client as
/// the seeder. Loopback only; DHT, local discovery and peer exchange are off.
@Suite("aria2 and Transmission interoperability", .interop, .serialized)
struct ClientInteropTests {
    static let aria2 = "/usr/bin/aria2c"
    static let transmission = "/usr/bin/transmission-cli"

    static func aria2Arguments(directory: String, port: Int, torrent: String) -> [String] {
        [
            "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
            "--listen-port=\(port)", "--dir=\(directory)", "--summary-interval=0", "--console-log-level=warn",
            "--check-integrity=true", torrent,
        ]
    }

    /// Transmission's settings for a loopback test: no uTP (it tries uTP first and falls back
    /// to TCP only after a timeout), no DHT, local discovery or peer exchange.
    static func transmissionConfiguration(in temp: TemporaryDirectory, name: String) throws -> String {
        let settings = #"{"utp-enabled": false, "dht-enabled": false, "lpd-enabled": false, "pex-enabled": false, "port-forwarding-enabled": false}"#
        try temp.write(settings, to: "\(name)/settings.json")
        return temp.path(name)
    }

    /// Waits until `path` holds exactly the bytes of `expected`.
    static func waitForCopy(of expected: String, at path: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if FileManager.default.contentsEqual(atPath: path, andPath: expected) { return true }
            usleep(200_000)
        }
        return false
    }

    @Test("aria2 downloads from our seeder through our tracker (it sends its bitfield late and a binary key)")
    func aria2FromOurSeeder() async throws {
        try Interop.require(Self.aria2, package: "aria2")
        let (temp, port, metainfo) = try await packedRelease()
        let (tracker, seeder) = try startTrackerAndSeeder(in: temp, port: port)
        defer {
            seeder.stop()
            tracker.stop()
        }
        let download = try await ProcessRunner.run(
            Self.aria2, ["--seed-time=0"] + Self.aria2Arguments(directory: temp.path("aria2"), port: try Loopback.freePort(), torrent: temp.path("release.torrent"))
        )
        #expect(download.status == 0, "\(download.stdout)\(download.stderr)\nseed: \(seeder.log)\ntracker: \(tracker.log)")
        #expect(FileManager.default.contentsEqual(atPath: temp.path("aria2/\(metainfo.name)"), andPath: temp.path("release.tar")))
    }

    @Test("our peer downloads from an aria2 seeder through our tracker")
    func ourPeerFromAria2() async throws {
        try Interop.require(Self.aria2, package: "aria2")
        let (temp, port, metainfo) = try await packedRelease()
        let tracker = try startTracker(in: temp, port: port)
        defer { tracker.stop() }
        let seed = try seedDirectory(in: temp, for: metainfo)
        let seeder = try BackgroundProcess(
            Self.aria2,
            ["--seed-ratio=0.0", "--seed-time=2"] + Self.aria2Arguments(directory: seed, port: try Loopback.freePort(), torrent: temp.path("release.torrent")),
            logPath: temp.path("aria2.log")
        )
        defer { seeder.stop(signal: SIGKILL) }

        let download = try await CLI.peer([
            "download", temp.path("release.torrent"), "--out", temp.path("ours.tar"), "--seed-grace", "0", "--timeout", "60",
        ])
        #expect(download.status == 0, "\(download.stderr)\naria2: \(seeder.log)\ntracker: \(tracker.log)")
        #expect(FileManager.default.contentsEqual(atPath: temp.path("ours.tar"), andPath: temp.path("release.tar")))
    }

    @Test("Transmission downloads from our seeder through our tracker")
    func transmissionFromOurSeeder() async throws {
        try Interop.require(Self.transmission, package: "transmission-cli")
        let (temp, port, metainfo) = try await packedRelease()
        let (tracker, seeder) = try startTrackerAndSeeder(in: temp, port: port)
        defer {
            seeder.stop()
            tracker.stop()
        }
        let configuration = try Self.transmissionConfiguration(in: temp, name: "transmission")
        // It tries an encrypted handshake first, then plain.
        let client = try BackgroundProcess(
            Self.transmission,
            ["-g", configuration, "-w", temp.path("downloads"), "-p", String(try Loopback.freePort()), "-ep", temp.path("release.torrent")],
            logPath: temp.path("transmission.log")
        )
        defer { client.stop(signal: SIGKILL) }
        let done = Self.waitForCopy(of: temp.path("release.tar"), at: temp.path("downloads/\(metainfo.name)"), seconds: 90)
        #expect(done, "transmission: \(client.log.suffix(2000))\nseed: \(seeder.log)\ntracker: \(tracker.log)")
    }

    @Test("our peer downloads from a Transmission seeder through our tracker")
    func ourPeerFromTransmission() async throws {
        try Interop.require(Self.transmission, package: "transmission-cli")
        let (temp, port, metainfo) = try await packedRelease()
        let tracker = try startTracker(in: temp, port: port)
        defer { tracker.stop() }
        let seed = try seedDirectory(in: temp, for: metainfo)
        let configuration = try Self.transmissionConfiguration(in: temp, name: "transmission")
        let seeder = try BackgroundProcess(
            Self.transmission,
            ["-g", configuration, "-w", seed, "-p", String(try Loopback.freePort()), "-ep", temp.path("release.torrent")],
            logPath: temp.path("transmission.log")
        )
        defer { seeder.stop(signal: SIGKILL) }

        let download = try await CLI.peer([
            "download", temp.path("release.torrent"), "--out", temp.path("ours.tar"), "--seed-grace", "0", "--timeout", "90",
        ])
        #expect(download.status == 0, "\(download.stderr.suffix(2000))\ntransmission: \(seeder.log.suffix(2000))\ntracker: \(tracker.log)")
        #expect(FileManager.default.contentsEqual(atPath: temp.path("ours.tar"), andPath: temp.path("release.tar")))
    }
}
