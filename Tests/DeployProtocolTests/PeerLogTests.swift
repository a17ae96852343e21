import DeployProtocol
import Testing

/// Peers' diagnostics travel as `log` events, and the job says at which level.
@Suite struct PeerLogTests {
    @Test(arguments: [
        PeerEvent.log(level: "debug", message: "peer connected peer=10.0.0.2:6881"),
        PeerEvent.log(level: "warning", message: "announce failed: connection refused"),
        PeerEvent.log(level: "info", message: ""),
    ])
    func logEventsSurviveTheLine(_ event: PeerEvent) {
        #expect(PeerEvent(line: event.line) == event)
    }

    @Test func multiLineMessagesBecomeOneLine() {
        let line = PeerEvent.log(level: "error", message: "first\nsecond").line
        #expect(!line.contains("\n"))
        #expect(PeerEvent(line: line) == .log(level: "error", message: "first second"))
    }

    @Test func aLogLineWithoutLevelIsNotAnEvent() {
        #expect(PeerEvent(line: "swarmdeploy-peer log message=hello") == nil)
    }

    static func job(logLevel: String?) -> PeerJob {
        PeerJob(
            torrent: [1, 2, 3], trackers: ["http://10.0.0.1:1/s/announce"], destination: "/opt/app",
            extractedBytes: 1, tarBytes: 512, keepPrevious: true, seedGraceMilliseconds: 0,
            timeoutMilliseconds: 1_000, logLevel: logLevel
        )
    }

    static func decode(_ job: PeerJob) throws -> PeerJob {
        let wire = job.encoded()
        let newline = try #require(wire.firstIndex(of: UInt8(ascii: "\n")))
        return try PeerJob(body: Array(wire[(newline + 1)...]))
    }

    @Test(arguments: [nil, "trace", "debug", "info"] as [String?])
    func theLogLevelTravelsWithTheJob(_ level: String?) throws {
        let job = Self.job(logLevel: level)
        #expect(try Self.decode(job) == job)
    }

    /// A job without the key (as every job was before logs) decodes with no level.
    @Test func jobsWithoutALevelAskForNoLogs() throws {
        let job = Self.job(logLevel: nil)
        #expect(!String(decoding: job.encoded(), as: UTF8.self).contains("log level"))
        #expect(try Self.decode(job).logLevel == nil)
    }
}

/// Progress lines carry how far extraction got; older lines without it still parse.
@Suite struct PeerProgressExtractionTests {
    @Test func extractedBytesTravel() {
        let progress = PeerProgress(
            verifiedPieces: 4, pieceCount: 10, bytesDownloaded: 400, bytesUploaded: 0, connectedPeers: 2, bytesExtracted: 300
        )
        #expect(PeerEvent(line: PeerEvent.progress(progress).line) == .progress(progress))
    }

    @Test func linesWithoutItStillParse() {
        let line = "swarmdeploy-peer progress pieces=1/2 down=3 dup=0 up=4 peers=5"
        guard case .progress(let progress) = PeerEvent(line: line) else {
            Issue.record("not parsed: \(line)")
            return
        }
        #expect(progress.bytesExtracted == 0 && progress.connectedPeers == 5)
    }
}
