import Foundation
import DeployProtocol
import Testing
@testable import Push

/// The board a push leaves, and the report made from it.
@Suite struct PushReportTests {
    /// "a" banned "b" and a peer that is none of the push's hosts.
    static let progress = {
        var progress = PeerProgress(
            verifiedPieces: 10, pieceCount: 10, bytesDownloaded: 1_000, bytesDuplicate: 16, bytesUploaded: 700, connectedPeers: 2,
            bannedPeerIDs: ["peer-b", "stranger"]
        )
        progress.cpuMilliseconds = 2_500
        return progress
    }()

    /// Two hosts: "a" installs at 4 s and exits cleanly, "b" fails at download.
    static func board() -> PushBoard {
        var board = PushBoard(names: ["a", "b"])
        let events: [(Int, HostEvent, Duration)] = [
            (0, .connecting, .zero), (1, .connecting, .zero),
            (0, .connected, .milliseconds(100)), (1, .connected, .milliseconds(120)),
            (0, .peerReady(program: .cached), .milliseconds(150)), (1, .peerReady(program: .uploaded), .milliseconds(900)),
            (0, .peer(.started(version: "0.1.0", peerID: "peer-a", listenPort: 1)), .seconds(1)),
            (1, .peer(.started(version: "0.1.0", peerID: "peer-b", listenPort: 2)), .seconds(2)),
            (0, .peer(.progress(progress)), .seconds(3)),
            (0, .peer(.downloaded), .milliseconds(3500)),
            (0, .peer(.installed(files: 3, bytes: 900)), .seconds(4)),
            (1, .peer(.failed(stage: .download, message: "no space left on /opt")), .seconds(5)),
            (1, .exited(status: 1, signal: nil, lastError: nil), .seconds(5)),
            (0, .peer(.finished(progress)), .seconds(6)),
            (0, .exited(status: 0, signal: nil, lastError: nil), .seconds(6)),
        ]
        for (index, event, time) in events { board.apply(event, toHost: index, at: time) }
        return board
    }

    static func report(maxFailures: Int) -> PushReport {
        PushReport.make(
            board: board(), lines: [3, 7], infoHash: "ab", destination: "/opt/app", archiveBytes: 1_000,
            seederSent: ["peer-a": 300, "peer-b": 50], transferStart: .seconds(1), wall: .seconds(8), prepared: .milliseconds(1500),
            linkRateBitsPerSecond: 8_000, maxFailures: maxFailures
        )
    }

    @Test func hostsSayHowFarTheyGotAndWhereTheirBytesCameFrom() {
        let report = Self.report(maxFailures: 0)
        let a = report.hosts[0], b = report.hosts[1]
        #expect(a.status == .succeeded && a.stage == .done && a.line == 3)
        #expect(a.seconds == 4)
        #expect(a.bytesFromSeeder == 300 && a.bytesFromPeers == 700 && a.bytesDuplicate == 16 && a.bytesUploaded == 700)
        #expect(a.peerBinary == "cached")
        #expect(a.cpuSeconds == 2.5)
        #expect(b.cpuSeconds == nil, "its peer never reported")
        #expect(b.status == .failed && b.stage == .download && b.line == 7)
        #expect(b.error == "no space left on /opt")
        #expect(b.peerBinary == "uploaded")
        #expect(b.seconds == nil)
    }

    @Test func eachHostsTimelineSaysWhenItGotWhere() throws {
        let report = Self.report(maxFailures: 0)
        #expect(report.hosts[0].timeline == PushReport.Host.Timeline(connected: 0.1, started: 1, downloaded: 3.5, installed: 4))
        #expect(report.hosts[1].timeline == PushReport.Host.Timeline(connected: 0.12, started: 2))
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report.hosts[1])) as? [String: Any]
        let timeline = try #require(object?["timeline"] as? [String: Double])
        #expect(timeline == ["connected": 0.12, "started": 2], "a step never reached is left out")
    }

    @Test func aBannedHostIsNamedWithTheHostsThatBannedIt() {
        let report = Self.report(maxFailures: 0)
        #expect(report.hosts[1].bannedBy == ["a"])
        #expect(report.hosts[0].bannedBy == [])
    }

    @Test func totalsCompareTheTransferWithOneCopy() {
        let totals = Self.report(maxFailures: 0).totals
        #expect(totals.succeeded == 1 && totals.failed == 1 && totals.hosts == 2)
        #expect(totals.wallSeconds == 8)
        #expect(totals.preparedSeconds == 1.5, "the timelines start after packing")
        #expect(totals.transferSeconds == 3)  // first start at 1 s, last install at 4 s
        #expect(totals.seederBytesSent == 350)
        #expect(totals.seederCopies == 0.35)
        #expect(totals.idealSeconds == 1)  // 1,000 bytes at 8,000 bit/s
        #expect(totals.efficiency == 1.0 / 3.0)
    }

    @Test func aCapLowerThanTheLinksIsTheRateTheIdealIsTakenAt() throws {
        let report = PushReport.make(
            board: Self.board(), lines: [3, 7], infoHash: "ab", destination: "/opt/app", archiveBytes: 1_000,
            seederSent: [:], transferStart: .seconds(1), wall: .seconds(8), linkRateBitsPerSecond: 4_000, maxRateBitsPerSecond: 4_000,
            maxFailures: 0)
        #expect(report.totals.idealSeconds == 2)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report.totals)) as? [String: Any]
        #expect(object?["max_rate_bits_per_second"] as? Double == 4_000)
        #expect(Self.report(maxFailures: 0).totals.maxRateBitsPerSecond == nil)
    }

    @Test(arguments: [(0, "failed"), (1, "succeeded with failures")])
    func resultFollowsMaxFailures(_ maxFailures: Int, _ result: String) {
        #expect(Self.report(maxFailures: maxFailures).result == result)
    }

    /// A host still running when the push ended (its channel never closed) counts as failed,
    /// with a reason.
    @Test func hostStillRunningCountsAsFailed() {
        var board = PushBoard(names: ["slow"])
        board.apply(.connecting, toHost: 0, at: .zero)
        let report = PushReport.make(
            board: board, lines: [1], infoHash: "ab", destination: "/opt/app", archiveBytes: 10,
            seederSent: [:], transferStart: nil, wall: .seconds(1), linkRateBitsPerSecond: 1e9, maxFailures: 0
        )
        #expect(report.hosts[0].status == .failed)
        #expect(report.hosts[0].error == "still running when the push ended")
        #expect(report.totals.transferSeconds == nil && report.totals.efficiency == nil)
    }

    /// Installed, then the channel broke while seeding: the host still succeeded.
    @Test func failureAfterInstallKeepsTheHostSucceeded() {
        var state = HostState(name: "h")
        state.apply(.peer(.started(version: "0.1.0", peerID: "p", listenPort: 1)), at: .seconds(1))
        state.apply(.peer(.installed(files: 1, bytes: 1)), at: .seconds(2))
        let line = state.apply(.failed(phase: .seed, message: "connection reset"), at: .seconds(3))
        #expect(state.outcome == .succeeded)
        #expect(line == "installed; then connection reset")
        #expect(state.isSettled)
    }
}

/// The watchdog's view of one host: only a running peer that has said nothing counts.
@Suite struct HostStallTests {
    static let limit = Duration.seconds(30)

    @Test func aPeerThatGoesQuietBeforeInstallingStalls() {
        var state = HostState(name: "h")
        state.apply(.connecting, at: .zero)
        state.apply(.connected, at: .seconds(1))
        // Connecting and uploading are not watched: they have timeouts of their own.
        #expect(!state.isStalled(at: .seconds(100), limit: Self.limit))
        state.apply(.peerReady(program: .uploaded), at: .seconds(100))
        state.apply(.peer(.started(version: "0.1.0", peerID: "p", listenPort: 1)), at: .seconds(101))
        state.apply(.peer(.progress(PushReportTests.progress)), at: .seconds(105))
        #expect(!state.isStalled(at: .seconds(134), limit: Self.limit))
        #expect(state.isStalled(at: .seconds(135), limit: Self.limit))
        // A log line is the peer speaking too.
        state.apply(.peer(.log(level: "debug", message: "still here")), at: .seconds(135))
        #expect(!state.isStalled(at: .seconds(136), limit: Self.limit))
    }

    @Test func installedOrEndedHostsNeverStall() {
        var installed = HostState(name: "a")
        installed.apply(.peerReady(program: .cached), at: .seconds(1))
        installed.apply(.peer(.installed(files: 1, bytes: 1)), at: .seconds(2))
        #expect(!installed.isStalled(at: .seconds(500), limit: Self.limit))

        var failed = HostState(name: "b")
        failed.apply(.peerReady(program: .cached), at: .seconds(1))
        failed.apply(.failed(phase: .download, message: "no progress for 30 s"), at: .seconds(31))
        #expect(!failed.isStalled(at: .seconds(500), limit: Self.limit))
    }

    /// The report tells how far a failed host's download got.
    @Test func failedHostsShowHowFarTheyGot() {
        var board = PushBoard(names: ["h"])
        var partial = PushReportTests.progress
        partial.verifiedPieces = 3
        board.apply(.peerReady(program: .cached), toHost: 0, at: .seconds(1))
        board.apply(.peer(.started(version: "0.1.0", peerID: "p", listenPort: 1)), toHost: 0, at: .seconds(1))
        board.apply(.peer(.progress(partial)), toHost: 0, at: .seconds(2))
        board.apply(.failed(phase: .download, message: "no progress for 30 s"), toHost: 0, at: .seconds(32))
        let report = PushReport.make(
            board: board, lines: [1], infoHash: "ab", destination: "/opt/app", archiveBytes: 10,
            seederSent: [:], transferStart: .seconds(1), wall: .seconds(33), linkRateBitsPerSecond: 1e9, maxFailures: 0
        )
        #expect(report.hosts[0].stage == .download)
        #expect(report.hosts[0].verifiedFraction == 0.3)
        #expect(report.hosts[0].error == "no progress for 30 s")
    }
}
