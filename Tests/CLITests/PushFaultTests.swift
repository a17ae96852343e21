import Foundation
import Testing
import TestSupport

/// One bad host must cost the others almost nothing: on a sandbox of 6 hosts with 50 Mbit/s
/// links, host 3's peer is frozen, cut off or killed about a second into a 32 MiB push. The
/// other hosts install, the push names host 3 with its stage and reason and exits 3 (within
/// `--max-failures 1`) soon after `--stall-timeout`, host 3 keeps its tree, and no peer is
/// left running anywhere afterwards.
@Suite(
    "push with a bad host",
    .sandbox, .serialized,
    PushFleet.Scope(hosts: 6, unreachable: 0, options: ["--rate", "50mbit", "--disk", "400m"], namePrefix: "sdf")
)
struct PushFaultTests {
    static let badHost = 3
    static let stallTimeout = 4

    /// A tree pushed to every host first (so each has a DEST to keep), and a 32 MiB one that
    /// takes about five seconds to spread.
    static func trees(_ temp: TemporaryDirectory) throws -> (old: String, new: String) {
        try temp.write("old\n", to: "old/VERSION")
        try temp.write("new\n", to: "new/VERSION")
        try temp.write(SplitMix64.bytes(count: 32 << 20, seed: 16), to: "new/payload.bin")
        return (temp.path("old"), temp.path("new"))
    }

    /// The shell that finds the bad host's peer among the processes of its namespace.
    static func peerPIDs(_ fleet: PushFleet) -> String {
        "for p in $(ip netns pids \(fleet.sandbox.name)-h\(badHost)); do grep -q 'peer-' /proc/$p/cmdline 2>/dev/null && echo $p; done"
    }

    /// Waits until the bad host's peer runs, lets it download for a second, then does `fault`.
    static func whenTheBadHostDownloads(_ fleet: PushFleet, _ fault: String) async throws {
        for _ in 0..<200 {
            let found = try await ProcessRunner.run("/bin/sh", ["-c", peerPIDs(fleet)])
            if !found.stdout.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .seconds(1))
        let result = try await ProcessRunner.run("/bin/sh", ["-c", fault])
        #expect(result.succeeded, "\(fault): \(result.stderr)")
    }

    /// Pushes the new tree while `fault` strikes the bad host, then checks every host.
    static func pushWithFault(_ fault: String, undoneBy undo: String, reason: String) async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("fault")
        let (old, new) = try trees(temp)
        let destination = "/srv/fault-\(UUID().uuidString.prefix(8))"
        #expect(try await fleet.push(old, to: destination).status == 0)

        let started = ContinuousClock.now
        async let pushed = fleet.push(new, to: destination, extra: ["--stall-timeout", "\(stallTimeout)s", "--max-failures", "1"])
        do {
            try await whenTheBadHostDownloads(fleet, fault)
        } catch {
            _ = try? await ProcessRunner.run("/bin/sh", ["-c", undo])
            throw error
        }
        let result = try await pushed
        let elapsed = ContinuousClock.now - started
        _ = try await ProcessRunner.run("/bin/sh", ["-c", undo])

        #expect(result.status == 3, "\(result.stderr)")
        let report = try result.report()
        for (index, host) in report.hosts.enumerated() {
            if index + 1 == badHost {
                #expect(host.status == "failed")
                #expect(host.stage == "download", "\(host.error ?? "")")
                #expect(host.error?.contains(reason) == true, "\(host.error ?? "")")
            } else {
                #expect(host.status == "succeeded", "\(host.name): \(host.error ?? "")")
                #expect(try await fleet.onHost(index + 1, "cat \(destination)/VERSION").stdout == "new\n")
            }
        }
        // About five seconds of transfer, then the stall timeout; far from the 10-minute --timeout.
        #expect(elapsed < .seconds(30), "the push took \(elapsed)")
        #expect(try await fleet.onHost(badHost, "cat \(destination)/VERSION").stdout == "old\n")

        // Once the host can act again, its peer sees its SSH session gone and leaves.
        var left = ["?"]
        for _ in 0..<120 {
            left = try await fleet.peersRunning()
            if left.isEmpty { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(left.isEmpty, "still running: \(left)")
    }

    @Test("a frozen peer (SIGSTOP) fails alone after the stall timeout")
    func frozenPeer() async throws {
        let fleet = try PushFleet.current()
        let pids = Self.peerPIDs(fleet)
        try await Self.pushWithFault(
            "for p in $(\(pids)); do kill -STOP $p; done",
            undoneBy: "for p in $(\(pids)); do kill -CONT $p; done",
            reason: "no progress for \(Self.stallTimeout) s"
        )
    }

    @Test("a host whose link goes down fails alone after the stall timeout")
    func linkDown() async throws {
        let fleet = try PushFleet.current()
        let namespace = "\(fleet.sandbox.name)-h\(Self.badHost)"
        try await Self.pushWithFault(
            "ip -n \(namespace) link set eth0 down",
            undoneBy: "ip -n \(namespace) link set eth0 up",
            reason: "no progress for \(Self.stallTimeout) s"
        )
    }

    @Test("a killed peer fails alone at once")
    func killedPeer() async throws {
        let fleet = try PushFleet.current()
        try await Self.pushWithFault(
            "for p in $(\(Self.peerPIDs(fleet))); do kill -KILL $p; done",
            undoneBy: "true",
            reason: "signal KILL"
        )
    }
}
