import Foundation
import Testing
import TestSupport

/// One bad host must cost the others almost nothing: on a sandbox of 6 hosts with 50 Mbit/s
/// links, host 3 is frozen, cut off, killed, filled up, slowed down or made to serve corrupt
/// data during a 32 MiB push. The other hosts install; the push names host 3 with its stage
/// and reason and exits 3 (within `--max-failures 1`) soon after `--stall-timeout`, or, when
/// host 3 can still finish, exits 0 with host 3 installed too. Host 3 keeps its tree when it
/// fails, and afterwards no peer runs and no staging file is left on any host.
@Suite(
    "push with a bad host",
    .sandbox, .serialized,
    PushFleet.Scope(hosts: 6, unreachable: 0, options: ["--rate", "50mbit", "--disk", "400m"], namePrefix: "sdf")
)
struct PushFaultTests {
    static let badHost = 3
    static let stallTimeout = 4
    static let rate = "50mbit"

    /// What happens to the bad host, and how it is put right (also when the test fails).
    struct Fault {
        /// Before the push (a slow link, a peer that will lie), or a second into its download.
        var strikesFirst = false
        var strike: (PushFleet) async throws -> Void
        var undo: (PushFleet) async throws -> Void
        /// Checked after the push ends and before the undo.
        var whileStruck: (PushFleet) async throws -> Void = { _ in }
    }

    /// How the bad host must end.
    enum Outcome {
        /// Failed at one of `stages`, with every one of `reasons` in its error.
        case fails(stages: Set<String>, reasons: [String])
        case succeeds
    }

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

    /// A fault done by a shell command on this machine (signals, links).
    static func local(_ command: String, undoneBy undo: String) -> Fault {
        Fault(
            strike: { _ in
                let result = try await ProcessRunner.run("/bin/sh", ["-c", command])
                #expect(result.succeeded, "\(command): \(result.stderr)")
            },
            undo: { _ in _ = try await ProcessRunner.run("/bin/sh", ["-c", undo]) }
        )
    }

    /// Waits until the bad host's peer runs and lets it download for a second.
    static func whenTheBadHostDownloads(_ fleet: PushFleet) async throws {
        for _ in 0..<200 {
            let found = try await ProcessRunner.run("/bin/sh", ["-c", peerPIDs(fleet)])
            if !found.stdout.isEmpty { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .seconds(1))
    }

    /// Pushes the new tree while `fault` strikes the bad host, then checks every host.
    @discardableResult
    static func push(with fault: Fault, badHost outcome: Outcome) async throws -> PushFleet.Report {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("fault")
        let (old, new) = try trees(temp)
        let payloadDigest = try await ProcessRunner.run("/bin/sh", ["-c", "sha256sum < '\(new)/payload.bin'"]).stdout
        let destination = "/srv/fault-\(UUID().uuidString.prefix(8))"
        let first = try await fleet.push(old, to: destination)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")

        let started = ContinuousClock.now
        let result: CommandResult
        let elapsed: Duration
        do {
            if fault.strikesFirst { try await fault.strike(fleet) }
            async let pushed = fleet.push(new, to: destination, extra: ["--stall-timeout", "\(stallTimeout)s", "--max-failures", "1"])
            if !fault.strikesFirst {
                try await whenTheBadHostDownloads(fleet)
                try await fault.strike(fleet)
            }
            result = try await pushed
            elapsed = ContinuousClock.now - started
            try await fault.whileStruck(fleet)
        } catch {
            try? await fault.undo(fleet)
            throw error
        }
        try await fault.undo(fleet)

        let report = try result.report()
        for (index, host) in report.hosts.enumerated() {
            let isBad = index + 1 == badHost
            if isBad, case .fails(let stages, let reasons) = outcome {
                #expect(host.status == "failed")
                #expect(stages.contains(host.stage), "\(host.stage): \(host.error ?? "")")
                for reason in reasons {
                    #expect(host.error?.contains(reason) == true, "\(host.error ?? "")")
                }
                #expect(try await fleet.onHost(badHost, "cat \(destination)/VERSION").stdout == "old\n")
            } else {
                #expect(host.status == "succeeded", "\(host.name): \(host.error ?? "")")
                #expect(try await fleet.onHost(index + 1, "cat \(destination)/VERSION").stdout == "new\n")
                #expect(try await fleet.onHost(index + 1, "sha256sum < \(destination)/payload.bin").stdout == payloadDigest)
            }
        }
        if case .fails = outcome {
            #expect(result.status == 3, "\(result.stderr)")
            // About five seconds of transfer, then the stall timeout; far from the 10-minute --timeout.
            #expect(elapsed < .seconds(30), "the push took \(elapsed)")
        } else {
            #expect(result.status == 0, "\(result.stderr)")
        }

        // Once the host can act again, its peer sees its SSH session gone and leaves, and
        // takes its staging files with it.
        var left = ["?"]
        for _ in 0..<120 {
            left = try await fleet.peersRunning()
            if left.isEmpty { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(left.isEmpty, "still running: \(left)")
        let base = destination.split(separator: "/").last!
        for index in 1...report.hosts.count {
            let staged = try await fleet.onHost(index, "ls -A /srv | grep -F '.\(base).swarmdeploy-' || true").stdout
            #expect(staged.isEmpty, "h\(index) kept \(staged)")
        }
        return report
    }

    @Test("a frozen peer (SIGSTOP) fails alone after the stall timeout")
    func frozenPeer() async throws {
        let pids = Self.peerPIDs(try PushFleet.current())
        try await Self.push(
            with: Self.local("for p in $(\(pids)); do kill -STOP $p; done", undoneBy: "for p in $(\(pids)); do kill -CONT $p; done"),
            badHost: .fails(stages: ["download"], reasons: ["no progress for \(Self.stallTimeout) s"])
        )
    }

    @Test("a host whose link goes down fails alone after the stall timeout")
    func linkDown() async throws {
        let namespace = "\(try PushFleet.current().sandbox.name)-h\(Self.badHost)"
        var fault = Self.local("ip -n \(namespace) link set eth0 down", undoneBy: "ip -n \(namespace) link set eth0 up")
        // No EOF can reach the cut-off peer: it leaves once the controller's heartbeats stop,
        // while its link is still down.
        fault.whileStruck = { fleet in
            let pushEnded = ContinuousClock.now
            var running = "?"
            while !running.isEmpty, ContinuousClock.now - pushEnded < .seconds(Self.stallTimeout + 10) {
                running = try await ProcessRunner.run("/bin/sh", ["-c", Self.peerPIDs(fleet)]).stdout
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(running.isEmpty, "the cut-off peer still runs \(ContinuousClock.now - pushEnded) after the push ended: \(running)")
            print("cut-off peer gone \(ContinuousClock.now - pushEnded) after the push ended")
        }
        try await Self.push(
            with: fault,
            badHost: .fails(stages: ["download"], reasons: ["no progress for \(Self.stallTimeout) s"])
        )
    }

    @Test("a killed peer fails alone at once")
    func killedPeer() async throws {
        let pids = Self.peerPIDs(try PushFleet.current())
        try await Self.push(
            with: Self.local("for p in $(\(pids)); do kill -KILL $p; done", undoneBy: "true"),
            // The controller runs the peer's clean-up: a killed peer cannot remove its files.
            badHost: .fails(stages: ["download"], reasons: ["signal KILL"])
        )
    }

    @Test("a host whose disk fills up mid-download fails alone, says how much space the deploy needs, and keeps its tree")
    func diskFillsUp() async throws {
        let fault = Fault(
            strike: { fleet in
                // Fills /srv to the last block (dd then fails with "No space left", as meant).
                _ = try await fleet.onHost(Self.badHost, "dd if=/dev/zero of=/srv/filler bs=1M 2>/dev/null; df -k /srv")
            },
            undo: { fleet in _ = try await fleet.onHost(Self.badHost, "rm -f /srv/filler") }
        )
        try await Self.push(
            with: fault,
            badHost: .fails(stages: ["download", "extract"], reasons: ["/srv ran out of space", "The deploy needs", "free there", "are free now"])
        )
    }

    @Test("a host at a tenth of the link rate does not hold the others back, and installs too")
    func slowHost() async throws {
        let fault = Fault(
            strikesFirst: true,
            strike: { fleet in try await fleet.sandbox.setLinkRate(host: Self.badHost, "5mbit") },
            undo: { fleet in try await fleet.sandbox.setLinkRate(host: Self.badHost, Self.rate) }
        )
        let report = try await Self.push(with: fault, badHost: .succeeds)
        // 32 MiB at 5 Mbit/s takes the slow host most of a minute; the others about five seconds.
        let slow = try #require(report.hosts[Self.badHost - 1].seconds)
        for (index, host) in report.hosts.enumerated() where index + 1 != Self.badHost {
            let seconds = try #require(host.seconds)
            #expect(seconds < slow / 2, "\(host.name) took \(seconds) s, the slow host \(slow) s")
        }
    }

    @Test("a peer serving corrupt data is banned by the others, who install the right bytes")
    func corruptPeer() async throws {
        let fault = Fault(
            strikesFirst: true,
            // The sandbox's sshd takes SWARMDEPLOY_PEER_* from ~/.ssh/environment.
            strike: { fleet in
                let result = try await fleet.onHost(Self.badHost, "echo SWARMDEPLOY_PEER_CORRUPT_UPLOADS=1 > /root/.ssh/environment")
                #expect(result.succeeded, "\(result.stderr)")
            },
            undo: { fleet in _ = try await fleet.onHost(Self.badHost, "rm -f /root/.ssh/environment") }
        )
        // Banned by every host it served, the bad host gets what it lacks from the seeder once
        // every piece has left it; no other event would tell the seeder that this host waits.
        let report = try await Self.push(with: fault, badHost: .succeeds)
        for (index, host) in report.hosts.enumerated() {
            if index + 1 == Self.badHost {
                #expect(!host.bannedBy.isEmpty, "nobody banned the corrupting host; it uploaded \(host.bytesUploaded) bytes")
            } else {
                #expect(host.bannedBy.isEmpty, "\(host.name) was banned by \(host.bannedBy)")
            }
        }
    }
}
