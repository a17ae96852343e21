import DeployProtocol
import Glibc
import Logging
import Swarm
import Synchronization
import Testing
@testable import PeerAgent

/// The peer's inputs and outputs in-process: a pipe stands in for the SSH channel.
@Suite struct PeerAgentInputTests {
    /// A pipe: (read end, write end).
    static func pipe() throws -> (Int32, Int32) {
        var ends: [Int32] = [0, 0]
        try #require(Glibc.pipe(&ends) == 0)
        return (ends[0], ends[1])
    }

    static func write(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    static let job = PeerJob(
        torrent: [1, 2, 3], trackers: ["http://10.0.0.1:1/s/announce"], destination: "/opt/app",
        extractedBytes: 1, tarBytes: 512, keepPrevious: false, seedGraceMilliseconds: 5,
        timeoutMilliseconds: 1_000, logLevel: "debug", controllerSilenceMilliseconds: 30_000
    )

    @Test func theJobIsReadFromTheChannel() throws {
        let (read, write) = try Self.pipe()
        defer { close(read) }
        Self.write(Self.job.encoded() + Array("finish\n".utf8), to: write)
        close(write)
        #expect(try JobInput.readJob(from: read) == Self.job)
    }

    @Test func aChannelThatEndsEarlySaysWhatHappened() throws {
        let (read, write) = try Self.pipe()
        defer { close(read) }
        Self.write(Array(Self.job.encoded().prefix(30)), to: write)
        close(write)
        let error = #expect(throws: PeerFailure.self) { try JobInput.readJob(from: read) }
        #expect(error?.description.contains("standard input ended") == true)
    }

    /// After the job: `finish` ends seeding early, and end of input means the controller is gone.
    @Test func controlLinesAndTheChannelClosing() async throws {
        let (read, write) = try Self.pipe()
        let control = ControlChannel(descriptor: read)
        control.start()
        Self.write(Array("finish\n".utf8), to: write)
        #expect(await control.waitForFinishOrClose() == .finish)
        #expect(!control.isClosed)
        close(write)
        #expect(await control.waitUntilClosed() == .closed)
        #expect(control.isClosed)
        close(read)
    }

    /// A controller that keeps saying `alive` is there; one that falls silent (its host was cut
    /// off: no EOF ever comes) counts as gone once the limit passes, and the reason says so.
    @Test func aSilentControllerCountsAsGone() async throws {
        let (read, write) = try Self.pipe()
        defer { close(read); close(write) }
        // A limit far above the heartbeat's period, so a loaded machine's late wake-ups do not count.
        let control = ControlChannel(descriptor: read, silenceLimit: .milliseconds(2000))
        control.start()
        for _ in 0..<12 {
            try await Task.sleep(for: .milliseconds(100))
            Self.write(Array("alive\n".utf8), to: write)
        }
        #expect(!control.isClosed, "heartbeats every 100 ms keep a 2 s limit away")
        let started = ContinuousClock.now
        #expect(await control.waitUntilClosed() == .closed)
        #expect(ContinuousClock.now - started >= .milliseconds(1500))
        #expect(control.closedBecause.contains("not heard from for"), "\(control.closedBecause)")
    }

    /// Log records become `log` events at the job's level; without a level nothing is sent.
    @Test func logsBecomeEventsAtTheJobsLevel() {
        let events = Mutex<[PeerEvent]>([])
        let logger = Logger.peer(level: "info") { event in events.withLock { $0.append(event) } }
        logger.debug("not sent")
        logger.info("sent", metadata: ["peer": "10.0.0.2:6881"])
        #expect(events.withLock { $0 } == [.log(level: "info", message: "sent peer=10.0.0.2:6881")])

        let silent = Logger.peer(level: nil) { event in events.withLock { $0.append(event) } }
        silent.critical("dropped")
        #expect(events.withLock { $0 }.count == 1)
        #expect(!silent.isEnabled)
    }
}
