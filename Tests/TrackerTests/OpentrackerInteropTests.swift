import Foundation
import Testing
import TestSupport
import TorrentMetainfo
@testable import Tracker

/// Our announce client against opentracker, a widely deployed tracker
/// (Debian package `opentracker`).
@Suite(.interop)
struct OpentrackerInteropTests {
    static let torrent = Fixtures.infoHash(0xC7)

    @Test func twoPeersFindEachOtherThroughOpentracker() async throws {
        guard let opentracker = Interop.executable("opentracker") else {
            throw TestSetupError("opentracker is not installed; \(Interop.hint(installing: "opentracker"))")
        }
        let directory = try TemporaryDirectory("opentracker")
        // opentracker drops to `nobody` before it reads its whitelist.
        chmod(directory.path, 0o755)
        // Debian builds opentracker with a whitelist: one hex info-hash a line.
        // `-w` is read inside the `-d` chroot, so it is given relative to it.
        _ = try directory.write(Self.torrent.hex + "\n", to: "whitelist")
        let port = try Loopback.freePort()
        let child = try BackgroundProcess(
            opentracker,
            ["-i", "127.0.0.1", "-p", String(port), "-d", directory.path, "-u", "nobody", "-w", "whitelist"],
            logPath: directory.path("child-output.log"))
        defer { child.stop(signal: SIGKILL) }  // opentracker ignores SIGTERM; no test may leave one behind

        let client = try TrackerLoopback.client([["http://127.0.0.1:\(port)/announce"]], timeout: .seconds(10))
        let first = Fixtures.request(Self.torrent, peer: "A", port: 7101, event: .started)
        try await Self.waitUntilAnswering(client, first, child: child)

        let second = try await client.announce(Fixtures.request(Self.torrent, peer: "B", port: 7102, event: .started))
        #expect(second.peers.contains(AnnouncedPeer(peerID: nil, endpoint: TrackerLoopback.endpoint(port: 7101))))
        #expect(second.incomplete == 2)
        let again = try await client.announce(Fixtures.request(Self.torrent, peer: "A", port: 7101))
        #expect(again.peers.contains(AnnouncedPeer(peerID: nil, endpoint: TrackerLoopback.endpoint(port: 7102))))
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
    static func waitUntilAnswering(_ client: TrackerClient, _ request: AnnounceRequest, child: BackgroundProcess) async throws {
        var lastError: (any Error)?
        for _ in 0..<50 {
            guard child.isRunning else {
                throw TestSetupError("opentracker exited: \(child.log)")
            }
            do {
                _ = try await client.announce(request)
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw TestSetupError("opentracker never answered: \(lastError.map { "\($0)" } ?? "")")
    }
}
