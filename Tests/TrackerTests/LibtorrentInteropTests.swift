import Foundation
import Testing
import TorrentMetainfo
@testable import Tracker
import TestSupport

/// Two libtorrent sessions (Debian `python3-libtorrent`) find each other
/// through our tracker, one downloads from the other, and the tracker's
/// controller query sees both as complete.
@Suite(.interop)
struct LibtorrentInteropTests {
    static let script = """
        import sys, time
        import libtorrent as lt
        torrent, seed_dir, leech_dir = sys.argv[1:4]
        settings = {
            'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
            'listen_interfaces': '127.0.0.1:0', 'allow_multiple_connections_per_ip': True,
            'ssrf_mitigation': False, 'alert_mask': lt.alert.category_t.error_notification
                | lt.alert.category_t.tracker_notification | lt.alert.category_t.status_notification,
        }
        info = lt.torrent_info(torrent)
        sessions, handles = [], []
        for directory in (seed_dir, leech_dir):
            session = lt.session(settings)
            handles.append(session.add_torrent({'ti': lt.torrent_info(torrent), 'save_path': directory}))
            sessions.append(session)
        deadline = time.time() + 60
        while time.time() < deadline:
            for name, session in zip(('seeder', 'leecher'), sessions):
                for alert in session.pop_alerts():
                    if isinstance(alert, (lt.tracker_error_alert, lt.tracker_reply_alert, lt.tracker_warning_alert)):
                        print(name, type(alert).__name__, alert.message(), flush=True)
            states = [str(h.status().state) for h in handles]
            print('states', states, round(handles[1].status().progress, 3), flush=True)
            time.sleep(0.2)
        """

    @Test func libtorrentPeersFindEachOtherThroughOurTracker() async throws {
        guard FileManager.default.isExecutableFile(atPath: Interop.python) else {
            throw TestSetupError("\(Interop.python) is missing; \(Interop.hint(installing: "python3-libtorrent"))")
        }
        let payload = SplitMix64.bytes(count: 300 * 1024 + 17, seed: 2026)
        var hasher = PieceHasher(pieceLength: 32 * 1024)
        hasher.update(payload)
        let hashed = hasher.finish()

        let server = try await TrackerServer.start(
            host: TrackerLoopback.host, port: 0,
            configuration: .init(secret: TrackerServer.Configuration.randomSecret(), state: .init(interval: .seconds(2), minInterval: .seconds(1))),
            group: TrackerLoopback.group)
        var builder = MetainfoBuilder(name: "payload.bin", payload: hashed)
        builder.trackers = [[server.announceURL(host: TrackerLoopback.host)]]
        let metainfo = try builder.build()
        await server.register(metainfo.infoHash)

        let directory = try TemporaryDirectory("lt-tracker")
        let seedDirectory = directory.url("seed")
        let leechDirectory = directory.url("leech")
        for folder in [seedDirectory, leechDirectory] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try Data(payload).write(to: seedDirectory.appendingPathComponent("payload.bin"))
        let torrent = directory.url("payload.torrent")
        try Data(metainfo.bytes).write(to: torrent)

        let child = try BackgroundProcess(
            Interop.python, ["-c", Self.script, torrent.path, seedDirectory.path, leechDirectory.path],
            logPath: directory.path("child-output.log"))
        defer {
            child.stop(signal: SIGKILL)
            Task { try? await server.shutdown() }
        }

        // The controller's view: wait until two peers have completed.
        let deadline = ContinuousClock.now + .seconds(60)
        var completions: [TrackerState.Completion] = []
        while ContinuousClock.now < deadline && child.isRunning {
            completions = await server.completedPeers(of: metainfo.infoHash)
            if completions.count >= 2 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let log = child.log
        try #require(completions.count == 2, "libtorrent output:\n\(log.suffix(3000))")
        #expect(completions.allSatisfy { $0.endpoint.address == .v4([127, 0, 0, 1]) })
        #expect(Set(completions.map(\.endpoint.port)).count == 2)
        #expect(await server.peerCount(of: metainfo.infoHash) == 2)
        #expect(!log.contains("tracker_error_alert"), "\(log.suffix(2000))")
        let downloaded = try Data(contentsOf: leechDirectory.appendingPathComponent("payload.bin"))
        #expect(Array(downloaded) == payload)
    }
}
