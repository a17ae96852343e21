import Foundation
import Testing

@Suite("swarmdeploy tracker, seed and the peer's download: bad input")
struct SwarmCommandTests {
    let examples = CommandRunner.repositoryRoot.appendingPathComponent("Examples/webapp").path

    @Test("a tracker with no torrent to serve is refused")
    func trackerNeedsTorrents() throws {
        let result = try CommandRunner.swarmdeploy(["tracker", "--listen", "127.0.0.1:0"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--torrent"), "\(result.stderr)")
    }

    @Test("a malformed --listen is named", arguments: ["127.0.0.1", "127.0.0.1:99999", "host:port"])
    func badListen(listen: String) throws {
        let temp = try TemporaryDirectory()
        #expect(try CommandRunner.swarmdeploy(["pack", examples, "-o", temp.path("app")]).status == 0)
        let result = try CommandRunner.swarmdeploy(["tracker", "--listen", listen, "--torrent", temp.path("app.torrent")])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--listen \(listen)"), "\(result.stderr)")
    }

    @Test("seeding a payload that does not match its torrent is refused before listening")
    func seedChecksPayloadLength() throws {
        let temp = try TemporaryDirectory()
        #expect(try CommandRunner.swarmdeploy(["pack", examples, "-o", temp.path("app")]).status == 0)
        try temp.write("other.tar", "not the payload")
        let result = try CommandRunner.swarmdeploy(["seed", temp.path("app.torrent"), temp.path("other.tar")])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("other.tar"), "\(result.stderr)")
    }

    @Test("a file that is not a torrent is named")
    func notATorrent() throws {
        let temp = try TemporaryDirectory()
        try temp.write("bogus.torrent", "d4:spam4:eggse")
        let result = try CommandRunner.swarmdeploy(["seed", temp.path("bogus.torrent"), temp.path("x")])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("bogus.torrent"), "\(result.stderr)")

        let peer = try CommandRunner.peer(["download", temp.path("bogus.torrent"), "--out", temp.path("out")])
        #expect(peer.status != 0)
        #expect(!FileManager.default.fileExists(atPath: temp.path("out")))
    }
}
