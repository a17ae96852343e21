import Foundation
import Testing
import TestSupport

@Suite("swarmdeploy tracker, seed and the peer's download: bad input")
struct SwarmCommandTests {
    let examples = CLI.repositoryRoot.appendingPathComponent("Examples/webapp").path

    @Test("a tracker with no torrent to serve is refused")
    func trackerNeedsTorrents() async throws {
        let result = try await CLI.swarmdeploy(["tracker", "--listen", "127.0.0.1:0"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--torrent"), "\(result.stderr)")
    }

    @Test("a malformed --listen is named", arguments: ["127.0.0.1", "127.0.0.1:99999", "host:port"])
    func badListen(listen: String) async throws {
        let temp = try TemporaryDirectory()
        #expect(try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("app")]).status == 0)
        let result = try await CLI.swarmdeploy(["tracker", "--listen", listen, "--torrent", temp.path("app.torrent")])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--listen \(listen)"), "\(result.stderr)")
    }

    @Test("seeding a payload that does not match its torrent is refused before listening")
    func seedChecksPayloadLength() async throws {
        let temp = try TemporaryDirectory()
        #expect(try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("app")]).status == 0)
        try temp.write("not the payload", to: "other.tar")
        let result = try await CLI.swarmdeploy(["seed", temp.path("app.torrent"), temp.path("other.tar")])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("other.tar"), "\(result.stderr)")
    }

    @Test("the peer's download refuses durations no clock holds, naming the flag",
          arguments: [["--timeout", "1e300"], ["--seed-grace", "1e16"], ["--timeout", "0"], ["--seed-grace", "nan"]])
    func downloadDurations(_ flag: [String]) async throws {
        let temp = try TemporaryDirectory()
        let result = try await CLI.peer(["download", temp.path("none.torrent"), "--out", temp.path("out")] + flag)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(flag[0]), "\(result.stderr)")
    }

    @Test("a file that is not a torrent is named")
    func notATorrent() async throws {
        let temp = try TemporaryDirectory()
        try temp.write("d4:spam4:eggse", to: "bogus.torrent")
        let result = try await CLI.swarmdeploy(["seed", temp.path("bogus.torrent"), temp.path("x")])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("bogus.torrent"), "\(result.stderr)")

        let peer = try await CLI.peer(["download", temp.path("bogus.torrent"), "--out", temp.path("out")])
        #expect(peer.status != 0)
        #expect(!FileManager.default.fileExists(atPath: temp.path("out")))
    }
}
