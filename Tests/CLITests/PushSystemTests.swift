import Foundation
import TestSupport
import XCTest

/// `swarmdeploy push` end to end on a sandbox of real hosts (network namespaces, each with
/// its own sshd, private /srv and shaped links; see scripts/sandbox.sh). One sandbox serves
/// the whole class; every test uses its own destination.
final class PushSystemTests: XCTestCase {
    nonisolated(unsafe) private static var fleet: PushFleet?

    override class func setUp() {
        super.setUp()
        guard SandboxScript.isUsable else { return }
        fleet = try? PushFleet(hosts: 8)
    }

    override class func tearDown() {
        fleet?.tearDown()
        fleet = nil
        super.tearDown()
    }

    private func requireFleet() throws -> PushFleet {
        guard SandboxScript.isUsable else { throw XCTSkip("needs root, a working `ip netns` and /usr/sbin/sshd") }
        guard let fleet = Self.fleet else {
            XCTFail("the sandbox did not come up; run scripts/sandbox.sh up 8 by hand to see why")
            throw XCTSkip("no sandbox")
        }
        return fleet
    }

    func testPushDeliversExamplesAndAGeneratedPayloadToEveryHostExactly() throws {
        let fleet = try requireFleet()
        let examples = CommandRunner.repositoryRoot.appendingPathComponent("Examples").path
        let first = try fleet.push(examples, to: "/srv/examples")
        XCTAssertEqual(first.status, 0, first.stderr)
        let report = try first.report()
        XCTAssertEqual(report.totals.succeeded, 8)
        XCTAssertEqual(report.hosts.map(\.status), Array(repeating: "succeeded", count: 8))
        XCTAssertEqual(report.hosts.map(\.stage), Array(repeating: "done", count: 8))
        let expected = try fleet.localListing(of: examples)
        for index in 1...8 {
            XCTAssertEqual(try fleet.listing(of: "/srv/examples", onHost: index), expected, "host \(index)")
        }

        // 64 MiB of random data plus small files, an executable, a symlink and an empty directory.
        let temp = try TemporaryDirectory()
        let payload = temp.path("payload")
        try FileManager.default.createDirectory(atPath: payload + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: payload + "/empty", withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let blob = (0..<(64 << 20) / 8).map { _ in generator.next() as UInt64 }
        try blob.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: payload + "/data.bin")) }
        try "#!/bin/sh\necho hello\n".write(toFile: payload + "/bin/run", atomically: true, encoding: .utf8)
        chmod(payload + "/bin/run", 0o755)
        try FileManager.default.createSymbolicLink(atPath: payload + "/current", withDestinationPath: "bin/run")
        // Many small files: the tar stream (a 512-byte header and padding each) is far longer
        // than their contents, which the hosts' extraction limit must allow for.
        try FileManager.default.createDirectory(atPath: payload + "/small", withIntermediateDirectories: true)
        for index in 0..<3000 {
            try "file \(index)\n".write(toFile: payload + "/small/\(index).txt", atomically: false, encoding: .utf8)
        }
        let second = try fleet.push(payload, to: "/srv/big")
        XCTAssertEqual(second.status, 0, second.stderr)
        let big = try second.report()
        XCTAssertEqual(big.totals.succeeded, 8)
        // Hosts shared the pieces: together they took more from each other than from the seeder.
        let fromPeers = big.hosts.reduce(0) { $0 + $1.bytesFromPeers }
        let fromSeeder = big.hosts.reduce(0) { $0 + $1.bytesFromSeeder }
        XCTAssertGreaterThan(fromPeers, fromSeeder, "\(big.hosts)")
        let expectedBig = try fleet.localListing(of: payload)
        for index in 1...8 {
            XCTAssertEqual(try fleet.listing(of: "/srv/big", onHost: index), expectedBig, "host \(index)")
            XCTAssertEqual(try fleet.onHost(index, "/srv/big/current").stdout, "hello\n")
            XCTAssertEqual(try fleet.onHost(index, "ls -A /srv | grep swarmdeploy || true").stdout, "", "staging files left")
        }
        XCTAssertEqual(try fleet.peersRunning(), [], "no peer may outlive the push")
    }

    func testSecondPushUsesTheCachedPeerAndKeepsThePreviousTree() throws {
        let fleet = try requireFleet()
        let temp = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: temp.path("v1"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: temp.path("v2"), withIntermediateDirectories: true)
        try "1\n".write(toFile: temp.path("v1/VERSION"), atomically: true, encoding: .utf8)
        try "2\n".write(toFile: temp.path("v2/VERSION"), atomically: true, encoding: .utf8)

        XCTAssertEqual(try fleet.push(temp.path("v1"), to: "/srv/app").status, 0)
        let again = try fleet.push(temp.path("v2"), to: "/srv/app", extra: ["--gzip"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try again.report().hosts.map(\.peerBinary), Array(repeating: "cached", count: 8))
        for index in 1...8 {
            XCTAssertEqual(try fleet.onHost(index, "cat /srv/app/VERSION /srv/app.prev/VERSION").stdout, "2\n1\n")
        }
        let replace = try fleet.push(temp.path("v1"), to: "/srv/app", extra: ["--no-keep-previous"])
        XCTAssertEqual(replace.status, 0, replace.stderr)
        XCTAssertEqual(try fleet.onHost(3, "cat /srv/app/VERSION; ls -A /srv | grep app").stdout, "1\napp\n")
    }

    /// A cached peer binary that no longer runs (damaged on the host's disk) is noticed by its
    /// silence, checked by hash, replaced, and launched again: the push still succeeds there.
    func testADamagedCachedPeerIsReplacedAndThePushSucceeds() throws {
        let fleet = try requireFleet()
        let examples = CommandRunner.repositoryRoot.appendingPathComponent("Examples/webapp").path
        XCTAssertEqual(try fleet.push(examples, to: "/srv/damaged").status, 0)
        let damage = "for f in ~/.cache/swarmdeploy/peer-*; do printf 'not a program' > \"$f\"; chmod 755 \"$f\"; done"
        XCTAssertEqual(try fleet.onHost(5, damage).status, 0)

        let again = try fleet.push(examples, to: "/srv/damaged")
        XCTAssertEqual(again.status, 0, again.stderr)
        let binaries = try again.report().hosts.map(\.peerBinary)
        XCTAssertEqual(binaries[4], "uploaded")
        XCTAssertEqual(binaries.filter { $0 == "cached" }.count, 7)
        let digest = try fleet.onHost(5, "for f in ~/.cache/swarmdeploy/peer-*; do sha256sum < \"$f\" | cut -c1-64; basename \"$f\" | cut -c6-; done").stdout
        let lines = digest.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, digest)
        XCTAssertEqual(lines.first, lines.last, "the cached file holds what its name says")
    }

    func testAnUnreachableHostWithinMaxFailuresIsReportedAndTheRestSucceed() throws {
        let fleet = try requireFleet()
        let temp = try TemporaryDirectory()
        let hosts = temp.path("hosts.txt")
        try (fleet.hostLines + ["root@\(fleet.unreachableAddress) name=gone"]).joined(separator: "\n")
            .write(toFile: hosts, atomically: true, encoding: .utf8)
        let examples = CommandRunner.repositoryRoot.appendingPathComponent("Examples/webapp").path
        let result = try fleet.push(examples, to: "/srv/partial", hostsFile: hosts, extra: ["--max-failures", "1", "--connect-timeout", "2s"])
        XCTAssertEqual(result.status, 3, "partial success has its own exit code: \(result.stderr)")
        let report = try result.report()
        XCTAssertEqual(report.totals.succeeded, 8)
        let gone = try XCTUnwrap(report.hosts.last)
        XCTAssertEqual(gone.name, "root@\(fleet.unreachableAddress):22")
        XCTAssertEqual(gone.status, "failed")
        XCTAssertEqual(gone.stage, "connect")
        XCTAssertEqual(gone.line, 9)

        let strict = try fleet.push(examples, to: "/srv/partial", hostsFile: hosts, extra: ["--connect-timeout", "2s"])
        XCTAssertEqual(strict.status, 2, "more failures than allowed: \(strict.stderr)")
    }

    func testAHostWithTooLittleDiskFailsClearlyAndKeepsItsDestination() throws {
        let fleet = try requireFleet()
        let temp = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: temp.path("small"), withIntermediateDirectories: true)
        try "old\n".write(toFile: temp.path("small/VERSION"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try fleet.push(temp.path("small"), to: "/srv/disk").status, 0)

        try FileManager.default.createDirectory(atPath: temp.path("large"), withIntermediateDirectories: true)
        try Data(count: 24 << 20).write(to: URL(fileURLWithPath: temp.path("large/zeros")))
        try "new\n".write(toFile: temp.path("large/VERSION"), atomically: true, encoding: .utf8)
        // Leave host 2 with less room than the tarball plus the tree need.
        let fill = "avail=$(df -k --output=avail /srv | tail -1); fallocate -l $(( (avail - 30 * 1024) * 1024 )) /srv/filler"
        XCTAssertEqual(try fleet.onHost(2, fill).status, 0)
        defer { _ = try? fleet.onHost(2, "rm -f /srv/filler") }

        let result = try fleet.push(temp.path("large"), to: "/srv/disk")
        XCTAssertEqual(result.status, 2, result.stderr)
        let report = try result.report()
        let host2 = report.hosts[1]
        XCTAssertEqual(host2.status, "failed")
        XCTAssertEqual(host2.stage, "prepare")
        XCTAssertTrue(host2.error?.contains("not enough space in /srv") == true, host2.error ?? "")
        XCTAssertEqual(try fleet.onHost(2, "cat /srv/disk/VERSION; ls -A /srv | grep -E 'disk|swarmdeploy'").stdout, "old\ndisk\n")
        XCTAssertEqual(try fleet.onHost(1, "cat /srv/disk/VERSION").stdout, "new\n")
    }

    /// Extraction runs while the download is under way; when it fails there (here: host 3's
    /// /srv runs out of inodes after a few of the small files that open the archive), that host
    /// stops at once with the extraction's error, its staging files go, its DEST stays as it
    /// was, and the other hosts still install.
    func testAnExtractionFailureMidDownloadStopsThatHostAndKeepsItsDestination() throws {
        let fleet = try requireFleet()
        let temp = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: temp.path("tree/a"), withIntermediateDirectories: true)
        try "old\n".write(toFile: temp.path("tree/VERSION"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try fleet.push(temp.path("tree"), to: "/srv/inodes").status, 0)

        for index in 0..<400 {
            try "\(index)\n".write(toFile: temp.path("tree/a/f\(index)"), atomically: true, encoding: .utf8)
        }
        var generator = SystemRandomNumberGenerator()
        let blob = (0..<(32 << 20) / 8).map { _ in generator.next() as UInt64 }
        try blob.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: temp.path("tree/z.bin"))) }
        try "new\n".write(toFile: temp.path("tree/VERSION"), atomically: true, encoding: .utf8)
        let limit = "used=$(df -i --output=iused /srv | tail -1); mount -o remount,nr_inodes=$((used + 100)) /srv"
        XCTAssertEqual(try fleet.onHost(3, limit).status, 0)
        defer { _ = try? fleet.onHost(3, "mount -o remount,nr_inodes=1000000 /srv") }

        let result = try fleet.push(temp.path("tree"), to: "/srv/inodes")
        XCTAssertEqual(result.status, 2, result.stderr)
        let report = try result.report()
        let host3 = report.hosts[2]
        XCTAssertEqual(host3.status, "failed")
        XCTAssertEqual(host3.stage, "extract")
        XCTAssertTrue(host3.error?.contains("/a/f") == true, host3.error ?? "")
        XCTAssertTrue(host3.error?.contains("out of space or inodes") == true, host3.error ?? "")
        // It stopped long before the 32 MiB arrived.
        XCTAssertLessThan(host3.bytesFromSeeder + host3.bytesFromPeers, 16 << 20)
        XCTAssertEqual(try fleet.onHost(3, "cat /srv/inodes/VERSION; ls -A /srv | grep -E 'inodes|swarmdeploy'").stdout, "old\ninodes\n")
        XCTAssertEqual(report.totals.succeeded, 7)
        XCTAssertEqual(try fleet.onHost(1, "cat /srv/inodes/VERSION").stdout, "new\n")
    }

    func testKillingTheControllerMidTransferLeavesNoPeerAndNoHalfInstall() throws {
        let fleet = try requireFleet()
        let temp = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: temp.path("slow"), withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let blob = (0..<(96 << 20) / 8).map { _ in generator.next() as UInt64 }
        try blob.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: temp.path("slow/data.bin"))) }

        let log = temp.path("push.log")
        let push = try fleet.backgroundPush(temp.path("slow"), to: "/srv/killed", log: log)
        XCTAssertTrue(push.waitForLog(containing: ": downloading", timeout: 60), push.log)
        _ = push.stop(signal: SIGKILL, grace: 1)

        // Peers notice the closed channel and stop well within the grace period.
        let deadline = Date().addingTimeInterval(15)
        var running = try fleet.peersRunning()
        while !running.isEmpty && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            running = try fleet.peersRunning()
        }
        XCTAssertEqual(running, [], "peers still running after the controller died")
        for index in 1...8 {
            let left = try fleet.onHost(index, "ls -A /srv | grep -E 'killed|swarmdeploy' || true").stdout
            XCTAssertEqual(left, "", "host \(index) kept a partial deploy")
        }
    }

    func testABadHostsFileLineContactsNoHost() throws {
        let fleet = try requireFleet()
        let temp = try TemporaryDirectory()
        let hosts = temp.path("hosts.txt")
        try (fleet.hostLines.prefix(3) + ["root@ bad line here"]).joined(separator: "\n")
            .write(toFile: hosts, atomically: true, encoding: .utf8)
        let before = try fleet.acceptedLogins()
        let examples = CommandRunner.repositoryRoot.appendingPathComponent("Examples/webapp").path
        let result = try fleet.push(examples, to: "/srv/never", hostsFile: hosts, json: false)
        XCTAssertEqual(result.status, 64)
        XCTAssertTrue(result.stderr.contains("hosts.txt:4"), result.stderr)
        XCTAssertEqual(try fleet.acceptedLogins(), before, "a host was contacted")
    }
}

/// The sandbox the push tests run on, and how they drive it.
final class PushFleet: @unchecked Sendable {
    let name: String
    let directory: TemporaryDirectory
    let hostLines: [String]
    let unreachableAddress: String
    private var dir: String { directory.path("sandbox") }

    init(hosts: Int) throws {
        name = String(format: "sdp%04x", UInt16.random(in: 0...UInt16.max))
        directory = try TemporaryDirectory()
        let up = try SandboxScript.run([
            "up", "\(hosts)", "--unreachable", "1", "--rate", "500mbit", "--disk", "400m",
            "--name", name, "--subnet", "10.\(Int.random(in: 100...199))", "--dir", directory.path("sandbox"),
        ])
        guard up.status == 0 else {
            _ = try? SandboxScript.run(["down", "--name", name, "--dir", directory.path("sandbox")])
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: up.stdout + up.stderr])
        }
        hostLines = try String(contentsOfFile: directory.path("sandbox/hosts.txt"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        let unreachable = try String(contentsOfFile: directory.path("sandbox/unreachable.txt"), encoding: .utf8)
            .split(separator: "\n").first { !$0.hasPrefix("#") } ?? ""
        unreachableAddress = String(unreachable.split(separator: " ").first?.dropFirst("root@".count) ?? "")
    }

    func tearDown() {
        _ = try? SandboxScript.run(["down", "--name", name, "--dir", dir])
    }

    struct PushResult {
        let status: Int32
        let stdout: String
        let stderr: String

        func report() throws -> Report {
            try JSONDecoder().decode(Report.self, from: Data(stdout.utf8))
        }
    }

    /// The parts of `push --json` the tests read.
    struct Report: Decodable {
        struct Host: Decodable {
            let name: String
            let line: Int
            let status: String
            let stage: String
            let error: String?
            let bytesFromSeeder: Int64
            let bytesFromPeers: Int64
            let peerBinary: String?

            enum CodingKeys: String, CodingKey {
                case name, line, status, stage, error
                case bytesFromSeeder = "bytes_from_seeder"
                case bytesFromPeers = "bytes_from_peers"
                case peerBinary = "peer_binary"
            }
        }
        struct Totals: Decodable {
            let succeeded: Int
            let failed: Int
        }
        let hosts: [Host]
        let totals: Totals
    }

    private func pushArguments(_ source: String, to destination: String, hostsFile: String?, json: Bool, extra: [String]) -> [String] {
        var arguments = [
            "controller", "--name", name, "--",
            CommandRunner.binDirectory.appendingPathComponent("swarmdeploy").path,
            "push", source, "to", destination, "on", hostsFile ?? dir + "/hosts.txt",
            "--identity", dir + "/id_ed25519", "--known-hosts", dir + "/known_hosts",
            "--seed-grace", "3s", "--link-rate", "500mbit",
        ]
        if json { arguments.append("--json") }
        return arguments + extra
    }

    func push(_ source: String, to destination: String, hostsFile: String? = nil, json: Bool = true, extra: [String] = []) throws -> PushResult {
        let result = try SandboxScript.run(pushArguments(source, to: destination, hostsFile: hostsFile, json: json, extra: extra))
        return PushResult(status: result.status, stdout: result.stdout, stderr: result.stderr)
    }

    func backgroundPush(_ source: String, to destination: String, log: String) throws -> BackgroundProcess {
        try BackgroundProcess("/bin/bash", [SandboxScript.path] + pushArguments(source, to: destination, hostsFile: nil, json: false, extra: []), logPath: log)
    }

    /// Runs a shell command on host `index` (its network and mount namespace).
    func onHost(_ index: Int, _ command: String) throws -> CommandResult {
        try SandboxScript.run(["host", "\(index)", "--name", name, "--", "/bin/sh", "-c", command])
    }

    /// Every entry under `root` with its kind, mode and link target, and every file's digest.
    static let listingScript = #"cd "$1" && find . -mindepth 1 -printf '%p %y %m %l\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum"#

    func listing(of root: String, onHost index: Int) throws -> String {
        let result = try SandboxScript.run(["host", "\(index)", "--name", name, "--", "/bin/sh", "-c", Self.listingScript, "sh", root])
        return result.stdout
    }

    func localListing(of root: String) throws -> String {
        try CommandRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-c", Self.listingScript, "sh", root]).stdout
    }

    /// Peer processes still running on any host (their command names the cache path).
    func peersRunning() throws -> [String] {
        let result = try CommandRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "pgrep -a -f '[.]cache/swarmdeploy/peer-' || true"])
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// Logins the hosts' sshd have accepted so far, from their logs.
    func acceptedLogins() throws -> Int {
        let result = try CommandRunner.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "cat \(dir)/hosts/*/sshd.log | grep -c 'Accepted publickey' || true"]
        )
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
