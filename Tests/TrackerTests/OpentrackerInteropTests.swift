import Foundation
import Testing
import TorrentMetainfo
@testable import Tracker

/// Our announce client against opentracker, a widely deployed tracker
/// (Debian package `opentracker`).
@Suite(.disabled(if: InteropSupport.isSkipped, "SWARMDEPLOY_SKIP_INTEROP=1"))
struct OpentrackerInteropTests {
    static let torrent = Fixtures.infoHash(0xC7)

    @Test func twoPeersFindEachOtherThroughOpentracker() async throws {
        guard let opentracker = InteropSupport.executable("opentracker") else {
            throw InteropSupport.Unavailable(description: "opentracker is not installed; install the Debian package "
                + "opentracker (apt-get install opentracker), or set SWARMDEPLOY_SKIP_INTEROP=1 to skip interop tests")
        }
        let directory = try ScratchDirectory(prefix: "opentracker")
        // Debian builds opentracker with a whitelist: one hex info-hash a line.
        // `-w` is read inside the `-d` chroot, so it is given relative to it.
        _ = try directory.write(Self.torrent.hex + "\n", to: "whitelist")
        let port = try await Loopback.closedPort()
        let child = try ChildProcess(
            opentracker,
            ["-i", "127.0.0.1", "-p", String(port), "-d", directory.url.path, "-u", "nobody", "-w", "whitelist"],
            outputIn: directory.url)
        defer { child.stop() }

        let client = try Loopback.client([["http://127.0.0.1:\(port)/announce"]], timeout: .seconds(10))
        let first = Fixtures.request(Self.torrent, peer: "A", port: 7101, event: .started)
        try await Self.waitUntilAnswering(client, first, child: child)

        let second = try await client.announce(Fixtures.request(Self.torrent, peer: "B", port: 7102, event: .started))
        #expect(second.peers.contains(AnnouncedPeer(peerID: nil, endpoint: Loopback.endpoint(port: 7101))))
        #expect(second.incomplete == 2)
        let again = try await client.announce(Fixtures.request(Self.torrent, peer: "A", port: 7101))
        #expect(again.peers.contains(AnnouncedPeer(peerID: nil, endpoint: Loopback.endpoint(port: 7102))))
        #expect(again.interval > .zero)

        // opentracker refuses torrents not on its whitelist with a failure reason.
        await #expect {
            try await client.announce(Fixtures.request(Fixtures.infoHash(0x01), peer: "C", event: .started))
        } throws: { error in
            guard let error = error as? TrackerError, case .trackerFailure = error.kind else { return false }
            return true
        }
    }

    /// opentracker binds in a moment; announce until it answers (at most ~5 s).
    static func waitUntilAnswering(_ client: TrackerClient, _ request: AnnounceRequest, child: ChildProcess) async throws {
        var lastError: (any Error)?
        for _ in 0..<50 {
            guard child.isRunning else {
                throw InteropSupport.Unavailable(description: "opentracker exited: \(child.loggedOutput)")
            }
            do {
                _ = try await client.announce(request)
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw InteropSupport.Unavailable(description: "opentracker never answered: \(lastError.map { "\($0)" } ?? "")")
    }
}
