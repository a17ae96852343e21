import DeployProtocol
import Foundation
import Installer
import Testing
import TestSupport
@testable import PeerAgent

/// A staged tree switched into use on a real directory, with real hooks run through the shell.
@Suite struct ReleaseSwitchTests {
    /// Events the switch emitted, in order.
    final class Events: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [PeerEvent] = []
        func append(_ event: PeerEvent) { lock.withLock { events.append(event) } }
        var all: [PeerEvent] { lock.withLock { events } }
        var hookLines: [String] {
            all.compactMap { if case .hook(let name, let line) = $0 { "\(name.rawValue): \(line)" } else { nil } }
        }
    }

    static func job(_ destination: String, layout: DestinationLayout, release: String, hooks: HookCommands = HookCommands()) -> PeerJob {
        var job = PeerJob(
            torrent: [], trackers: [], destination: destination, extractedBytes: 0, tarBytes: 1,
            keepPrevious: true, seedGraceMilliseconds: 0, timeoutMilliseconds: 1000)
        job.layout = layout
        job.releaseID = release
        job.keepReleases = 2
        job.hooks = hooks
        return job
    }

    /// Stages a tree whose VERSION says `version` and switches it in as `release`.
    static func push(_ temp: TemporaryDirectory, layout: DestinationLayout, release: String, version: String, hooks: HookCommands = HookCommands(), events: Events = Events()) throws {
        let job = job(temp.path("app"), layout: layout, release: release, hooks: hooks)
        let switcher = ReleaseSwitch(job: job, destination: try InstallPaths(destination: job.destination, id: "d1"), emit: events.append)
        let staging = try switcher.stagingPaths(id: "d1")
        try FileManager.default.createDirectory(atPath: staging.stagingTree, withIntermediateDirectories: true)
        try version.write(toFile: staging.stagingTree + "/VERSION", atomically: false, encoding: .utf8)
        defer { Installer.cleanUp(staging) }
        try switcher.run(staged: staging) { nil }
    }

    static func version(_ path: String) -> String? { try? String(contentsOfFile: path + "/VERSION", encoding: .utf8) }

    @Test func hooksSeeTheReleaseAndAFailedHealthCheckSwitchesBack() throws {
        let temp = try TemporaryDirectory("switch")
        let report = "echo \"$SWARMDEPLOY_HOOK $SWARMDEPLOY_RELEASE $SWARMDEPLOY_PREVIOUS_RELEASE $(cat \"$SWARMDEPLOY_RELEASE_PATH/VERSION\")\""
        let hooks = HookCommands(beforeActivate: report, afterActivate: report, healthCheck: "test \"$(cat $SWARMDEPLOY_DESTINATION/current/VERSION)\" != bad")
        let first = Events()
        try Self.push(temp, layout: .releases, release: "20260101T000000Z-aaaa", version: "good", hooks: hooks, events: first)
        #expect(first.hookLines == ["before-activate: before-activate 20260101T000000Z-aaaa  good", "after-activate: after-activate 20260101T000000Z-aaaa  good"])
        #expect(Self.version(temp.path("app/current")) == "good")

        let second = Events()
        var quick = hooks
        quick.healthIntervalMilliseconds = 1
        let error = #expect(throws: ReleaseSwitch.Failure.self) {
            try Self.push(temp, layout: .releases, release: "20260102T000000Z-bbbb", version: "bad", hooks: quick, events: second)
        }
        #expect(error?.stage == .healthCheck)
        #expect(error?.description.contains("all 3 attempts") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("rolled back to 20260101T000000Z-aaaa") == true)
        #expect(Self.version(temp.path("app/current")) == "good")
        #expect(!FileManager.default.fileExists(atPath: temp.path("app/releases/20260102T000000Z-bbbb")), "the failed release is removed")
        #expect(second.all.contains(.rolledBack(to: "20260101T000000Z-aaaa")))
        // The after-hook ran for the new release, then again for the one back in use.
        #expect(second.hookLines.filter { $0.hasPrefix("after-activate") } == [
            "after-activate: after-activate 20260102T000000Z-bbbb 20260101T000000Z-aaaa bad",
            "after-activate: after-activate 20260101T000000Z-aaaa 20260102T000000Z-bbbb good",
        ])
    }

    @Test func aFailingBeforeHookLeavesEverythingAsItWas() throws {
        let temp = try TemporaryDirectory("switch")
        try Self.push(temp, layout: .sibling, release: "20260101T000000Z-aaaa", version: "1")
        let events = Events()
        let error = #expect(throws: ReleaseSwitch.Failure.self) {
            try Self.push(temp, layout: .sibling, release: "20260102T000000Z-bbbb", version: "2",
                          hooks: HookCommands(beforeActivate: "echo no way >&2; exit 3"), events: events)
        }
        #expect(error?.stage == .beforeActivate)
        #expect(error?.description.contains("exited with status 3") == true)
        #expect(events.hookLines == ["before-activate: no way"])
        #expect(Self.version(temp.path("app")) == "1")
        #expect(!FileManager.default.fileExists(atPath: temp.path("app.prev")))
        let status = try ReleaseCommands.status(destination: temp.path("app"))
        #expect(status == DestinationStatus(layout: .sibling, current: "20260101T000000Z-aaaa", previous: nil))
    }

    @Test func theSiblingLayoutRollsBackToTheKeptTreeAndForwardAgain() throws {
        let temp = try TemporaryDirectory("switch")
        try Self.push(temp, layout: .sibling, release: "20260101T000000Z-aaaa", version: "1")
        try Self.push(temp, layout: .sibling, release: "20260102T000000Z-bbbb", version: "2")
        #expect(try ReleaseCommands.status(destination: temp.path("app")).previous == "20260101T000000Z-aaaa")
        let back = try ReleaseCommands.rollback(destination: temp.path("app"), to: nil, hooks: HookCommands()) { _ in }
        #expect(back == DestinationStatus(layout: .sibling, current: "20260101T000000Z-aaaa", previous: "20260102T000000Z-bbbb"))
        #expect(Self.version(temp.path("app")) == "1")
        let forward = try ReleaseCommands.rollback(destination: temp.path("app"), to: nil, hooks: HookCommands()) { _ in }
        #expect(forward.current == "20260102T000000Z-bbbb")
        #expect(Self.version(temp.path("app")) == "2")
    }

    @Test func theReleaseLayoutRollsBackToThePreviousOrTheNamedRelease() throws {
        let temp = try TemporaryDirectory("switch")
        for (day, version) in ["1", "2", "3"].enumerated() {
            try Self.push(temp, layout: .releases, release: "2026010\(day + 1)T000000Z-0000", version: version)
        }
        // keep 2: the oldest is gone.
        #expect(try ReleaseCommands.status(destination: temp.path("app")).releases == ["20260102T000000Z-0000", "20260103T000000Z-0000"])
        let back = try ReleaseCommands.rollback(destination: temp.path("app"), to: nil, hooks: HookCommands()) { _ in }
        #expect(back.current == "20260102T000000Z-0000")
        #expect(Self.version(temp.path("app/current")) == "2")
        // The previous release is the one in use before: a second rollback goes forward.
        #expect(back.previous == "20260103T000000Z-0000")
        let forward = try ReleaseCommands.rollback(destination: temp.path("app"), to: nil, hooks: HookCommands()) { _ in }
        #expect(forward.current == "20260103T000000Z-0000")
        // Already on the named release: nothing to do, no hook runs.
        let events = Events()
        _ = try ReleaseCommands.rollback(
            destination: temp.path("app"), to: "20260103T000000Z-0000", hooks: HookCommands(afterActivate: "echo ran"), emit: events.append)
        #expect(events.all.isEmpty)
        #expect(Self.version(temp.path("app/current")) == "3")
        #expect(throws: PeerFailure.self) {
            try ReleaseCommands.rollback(destination: temp.path("app"), to: "20260101T000000Z-0000", hooks: HookCommands()) { _ in }
        }
    }

    @Test func aSiblingRollbackPutsBackTheOlderKeptTree() throws {
        let temp = try TemporaryDirectory("switch")
        for (day, version) in ["1", "2"].enumerated() {
            try Self.push(temp, layout: .sibling, release: "2026010\(day + 1)T000000Z-0000", version: version)
        }
        #expect(throws: ReleaseSwitch.Failure.self) {
            try Self.push(temp, layout: .sibling, release: "20260103T000000Z-0000", version: "3", hooks: HookCommands(healthCheck: "false", healthRetries: 0))
        }
        #expect(Self.version(temp.path("app")) == "2")
        #expect(Self.version(temp.path("app.prev")) == "1", "the tree kept before the failed push is still kept")
        #expect(try ReleaseCommands.status(destination: temp.path("app")) == DestinationStatus(layout: .sibling, current: "20260102T000000Z-0000", previous: "20260101T000000Z-0000"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path("")).filter { $0.contains(".swarmdeploy-") }.isEmpty)
    }

    @Test func aControllerGoneDuringTheBeforeHookMeansNoSwitch() throws {
        let temp = try TemporaryDirectory("switch")
        try Self.push(temp, layout: .releases, release: "20260101T000000Z-0000", version: "1")
        let job = Self.job(temp.path("app"), layout: .releases, release: "20260102T000000Z-0000", hooks: HookCommands(beforeActivate: "true"))
        let switcher = ReleaseSwitch(job: job, destination: try InstallPaths(destination: job.destination, id: "d2"), emit: { _ in })
        let staging = try switcher.stagingPaths(id: "d2")
        try FileManager.default.createDirectory(atPath: staging.stagingTree, withIntermediateDirectories: true)
        let error = #expect(throws: ReleaseSwitch.Failure.self) {
            try switcher.run(staged: staging) { "the controller went away" }
        }
        #expect(error?.description.contains("unchanged") == true)
        #expect(Self.version(temp.path("app/current")) == "1")
        #expect(try ReleaseCommands.status(destination: temp.path("app")).releases == ["20260101T000000Z-0000"])
    }

    @Test func aHookIsOverWhenItsShellExitsThoughAChildKeepsItsOutput() throws {
        var lines: [String] = []
        let began = ContinuousClock.now
        let ending = HookRunner(command: "(sleep 3; echo late) & echo started", environment: [:], timeout: .seconds(20)).run { lines.append($0) }
        #expect(ending == .exited(0))
        #expect(lines == ["started"])
        #expect(ContinuousClock.now - began < .seconds(2))
    }

    @Test func aHookThatClosesItsOutputAndHangsStillTimesOut() throws {
        let began = ContinuousClock.now
        #expect(HookRunner(command: "exec >/dev/null 2>&1; sleep 30", environment: [:], timeout: .milliseconds(300)).run { _ in } == .timedOut)
        #expect(ContinuousClock.now - began < .seconds(5))
    }

    @Test func aHookThatOutlivesItsTimeoutIsEndedWithWhatItStarted() throws {
        let runner = HookRunner(command: "echo started; sleep 30 & sleep 30", environment: [:], timeout: .milliseconds(300))
        var lines: [String] = []
        let began = ContinuousClock.now
        #expect(runner.run { lines.append($0) } == .timedOut)
        #expect(ContinuousClock.now - began < .seconds(5))
        #expect(lines == ["started"])
    }

    @Test func aHookGetsNoInputAndItsExitStatusCounts() throws {
        var lines: [String] = []
        #expect(HookRunner(command: "cat; echo \"[$X]\"; exit 4", environment: ["X": "y z"], timeout: .seconds(10)).run { lines.append($0) } == .exited(4))
        #expect(lines == ["[y z]"])
    }
}
