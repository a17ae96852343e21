import Foundation
import Testing
import TestSupport
import TorrentMetainfo

/// `swarmdeploy push` end to end on a sandbox of real hosts (network namespaces, each with
/// its own sshd, private /srv and shaped links; see scripts/sandbox.sh). One sandbox serves
/// the whole suite: `PushFleet.Scope` brings it up before the first test and takes it down
/// after the last, also when tests fail. Every test uses its own destination; they run one
/// at a time, since some count the peers running on every host.
@Suite("swarmdeploy push on the namespace sandbox", .sandbox, .serialized, PushFleet.Scope())
struct PushSystemTests {
    @Test("a push delivers the examples and a generated payload to every host exactly")
    func pushDeliversExamplesAndAGeneratedPayloadToEveryHostExactly() async throws {
        let fleet = try PushFleet.current()
        let examples = CLI.repositoryRoot.appendingPathComponent("Examples").path
        let first = try await fleet.push(examples, to: "/srv/examples")
        #expect(first.status == 0, "\(first.stderr)")
        let report = try first.report()
        #expect(report.totals.succeeded == 8)
        #expect(report.hosts.map(\.status) == Array(repeating: "succeeded", count: 8))
        #expect(report.hosts.map(\.stage) == Array(repeating: "done", count: 8))
        // A cold fleet: the controller uploads the peer program to two hosts, the others
        // fetch it from hosts that have it.
        let origins = report.hosts.compactMap(\.peerBinary)
        #expect(origins.count { $0 == "uploaded" } <= 2, "\(origins)")
        #expect(origins.count { $0.hasPrefix("from root@") } >= 6, "\(origins)")
        let expected = try await fleet.localListing(of: examples)
        for index in 1...8 {
            #expect(try await fleet.listing(of: "/srv/examples", onHost: index) == expected, "host \(index)")
        }

        // 64 MiB of random data plus small files, an executable, a symlink and an empty directory.
        let temp = try TemporaryDirectory("push")
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
        let second = try await fleet.push(payload, to: "/srv/big")
        #expect(second.status == 0, "\(second.stderr)")
        let big = try second.report()
        #expect(big.totals.succeeded == 8)
        // Hosts shared the pieces: together they took more from each other than from the seeder.
        let fromPeers = big.hosts.reduce(0) { $0 + $1.bytesFromPeers }
        let fromSeeder = big.hosts.reduce(0) { $0 + $1.bytesFromSeeder }
        #expect(fromPeers > fromSeeder, "\(big.hosts)")
        let expectedBig = try await fleet.localListing(of: payload)
        for index in 1...8 {
            #expect(try await fleet.listing(of: "/srv/big", onHost: index) == expectedBig, "host \(index)")
            #expect(try await fleet.onHost(index, "/srv/big/current").stdout == "hello\n")
            #expect(try await fleet.onHost(index, "ls -A /srv | grep swarmdeploy | grep -v -E '[.]swarmdeploy[.](release|reuse)$' || true").stdout == "", "staging files left")
        }
        #expect(try await fleet.peersRunning() == [], "no peer may outlive the push")
    }

    @Test("a second push builds what the hosts hold and sends only what changed; a file changed on a host is fetched again")
    func aSecondPushReusesWhatTheHostsHold() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("reuse")
        // A release: two large files and many small ones.
        try temp.write(SplitMix64.bytes(count: 12 << 20, seed: 31), to: "v1/lib/big.so")
        try temp.write(SplitMix64.bytes(count: 6 << 20, seed: 32), to: "v1/lib/other.so")
        for index in 0..<400 { try temp.write("source file \(index)\n" + String(repeating: "x", count: index * 10), to: "v1/src/\(index).txt") }
        try temp.write("1\n", to: "v1/VERSION")
        let first = try await fleet.push(temp.path("v1"), to: "/srv/reuse")
        #expect(first.status == 0, "\(first.stderr)")
        // Every peer says what CPU time it used.
        let cpu = try first.report().hosts.map(\.cpuSeconds)
        #expect(cpu.allSatisfy { ($0 ?? 0) > 0 }, "\(cpu)")

        // The next release: the large file edited in the middle, some sources changed, one
        // added, one removed. On host 3 someone edited the other large file in place.
        _ = try await ProcessRunner.run("/bin/cp", ["-a", temp.path("v1"), temp.path("v2")])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temp.path("v2/lib/big.so")))
        try handle.seek(toOffset: 6 << 20)
        try handle.write(contentsOf: Data(SplitMix64.bytes(count: 100_000, seed: 33)))
        try handle.close()
        for index in [5, 100, 250] { try temp.write("changed \(index)\n", to: "v2/src/\(index).txt") }
        try temp.write("new\n", to: "v2/src/added.txt")
        try FileManager.default.removeItem(atPath: temp.path("v2/src/7.txt"))
        try temp.write("2\n", to: "v2/VERSION")
        _ = try await fleet.onHost(3, "printf 'local edit' | dd of=/srv/reuse/lib/other.so bs=1 seek=1000000 conv=notrunc 2>/dev/null")

        let second = try await fleet.push(temp.path("v2"), to: "/srv/reuse")
        #expect(second.status == 0, "\(second.stderr)")
        let report = try second.report()
        let archive = report.totals.archiveBytes
        for (index, host) in report.hosts.enumerated() {
            // A host builds all but the edited pieces of the large file and the blocks of the
            // changed sources; host 3 also fetches the piece it edited.
            #expect(host.bytesReused > archive * 95 / 100, "host \(index + 1): \(host.bytesReused) of \(archive)")
            #expect(host.bytesFromSeeder + host.bytesFromPeers < archive / 20, "host \(index + 1)")
        }
        #expect(report.hosts[2].bytesReused < report.hosts[0].bytesReused)
        #expect(report.totals.bytesReused == report.hosts.reduce(0) { $0 + $1.bytesReused })
        #expect(report.totals.seederBytesSent < archive / 20, "the controller sent \(report.totals.seederBytesSent) of \(archive)")
        // Each host's job carries the archive's index: small beside what reuse saves.
        #expect(report.totals.jobBytes > 0 && report.totals.jobBytes < archive / 100, "job: \(report.totals.jobBytes) bytes")
        let expected = try await fleet.localListing(of: temp.path("v2"))
        for index in 1...8 {
            #expect(try await fleet.listing(of: "/srv/reuse", onHost: index) == expected, "host \(index)")
        }

        // A release built anew, as a CI job checks out and builds: every file's time new (so
        // every header in the archive differs), one source changed. The unchanged files' bytes
        // are still built.
        _ = try await ProcessRunner.run("/bin/cp", ["-a", temp.path("v2"), temp.path("v3")])
        try temp.write("changed again\n", to: "v3/src/300.txt")
        _ = try await ProcessRunner.run("/usr/bin/find", [temp.path("v3"), "-exec", "touch", "-h", "-d", "@1900000000", "{}", "+"])
        let rebuilt = try await fleet.push(temp.path("v3"), to: "/srv/reuse")
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        let rebuiltReport = try rebuilt.report()
        for (index, host) in rebuiltReport.hosts.enumerated() {
            #expect(host.bytesReused > rebuiltReport.totals.archiveBytes * 95 / 100, "host \(index + 1): \(host.bytesReused) of \(rebuiltReport.totals.archiveBytes)")
        }
        let rebuiltListing = try await fleet.localListing(of: temp.path("v3"))
        for index in 1...8 {
            #expect(try await fleet.listing(of: "/srv/reuse", onHost: index) == rebuiltListing, "host \(index)")
        }

        // --no-reuse downloads everything again; so does a compressed archive, which the hosts
        // decompress as they extract (to v2: the cache of v3 goes with --no-reuse).
        let third = try await fleet.push(temp.path("v1"), to: "/srv/reuse", extra: ["--no-reuse"])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(try third.report().totals.bytesReused == 0)
        #expect(try await fleet.listing(of: "/srv/reuse", onHost: 5) == (try await fleet.localListing(of: temp.path("v1"))))
        let fourth = try await fleet.push(temp.path("v2"), to: "/srv/reuse", extra: ["--compress", "zstd=1"])
        #expect(fourth.status == 0, "\(fourth.stderr)")
        let compressed = try fourth.report()
        #expect(compressed.totals.bytesReused == 0)
        #expect(compressed.totals.archiveBytes < archive, "zstd made the archive smaller: \(compressed.totals.archiveBytes)")
        for index in 1...8 {
            #expect(try await fleet.listing(of: "/srv/reuse", onHost: index) == expected, "host \(index)")
        }
        #expect(try await fleet.peersRunning() == [], "no peer may outlive the push")
    }

    @Test("with rack labels the report counts what crossed into each rack: at least one copy each")
    func rackLabelsCountBytesIntoEachRack() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("racks")
        var generator = SystemRandomNumberGenerator()
        _ = try temp.write((0..<(16 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }, to: "tree/blob")
        // Hosts 1-8 in four racks of two.
        let lines = fleet.hostLines.prefix(8).enumerated().map { index, line in "\(line) rack=r\(index / 2 + 1)" }
        let hosts = try temp.write(lines.joined(separator: "\n") + "\n", to: "hosts.txt")
        let result = try await fleet.push(temp.path("tree"), to: "/srv/racks", hostsFile: hosts, extra: ["--peer-selection", "random"])
        #expect(result.status == 0, "\(result.stderr)")
        let racks = try #require(try result.report().racks)
        #expect(racks.racks.map(\.rack) == ["r1", "r2", "r3", "r4"])
        // Nobody had the payload: every rack took at least one copy from outside, and the
        // counts add up.
        for rack in racks.racks { #expect(rack.copiesIn >= 0.99, "\(rack.rack ?? "?"): \(rack.copiesIn)") }
        #expect(racks.racks.map(\.bytesIn).reduce(0, +) == racks.crossRackBytes)

        // Rack peers (the default), each host bringing its share into its rack: every host
        // still gets the whole tree, and less crosses racks than with random peers.
        let nearby = try await fleet.push(temp.path("tree"), to: "/srv/racks-nearby", hostsFile: hosts)
        #expect(nearby.status == 0, "\(nearby.stderr)")
        let shared = try #require(try nearby.report().racks)
        #expect(shared.racks.allSatisfy { $0.copiesIn >= 0.99 })
        // (Racks of two on fast links idle often, and an idle rack takes anything from anyone:
        // with 4 MiB the totals overlapped in one run of eight; 16 MiB gives the difference
        // room to show.)
        print("bytes across racks: \(racks.crossRackBytes) with random peers, \(shared.crossRackBytes) with rack peers")
        #expect(shared.crossRackBytes < racks.crossRackBytes, "random \(racks.racks), rack peers \(shared.racks)")
        let expected = try await fleet.localListing(of: temp.path("tree"))
        for index in 1...8 {
            #expect(try await fleet.listing(of: "/srv/racks-nearby", onHost: index) == expected, "h\(index)")
        }
    }

    @Test("--max-rate holds every link to the cap in every second, headers included, and the push completes")
    func aRateCapHoldsOnEveryLink() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("push")
        let payload = temp.path("capped")
        try FileManager.default.createDirectory(atPath: payload, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let blob = (0..<(24 << 20) / 8).map { _ in generator.next() as UInt64 }
        try blob.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: payload + "/data.bin")) }
        // The hosts hold the peer program (run alone, this test starts on a cold fleet): the
        // controller's upload of the program is counted against the cap but sent at the link's rate.
        let examples = CLI.repositoryRoot.appendingPathComponent("Examples").path
        #expect(try await fleet.push(examples, to: "/srv/capped-warm").status == 0)
        // Every link's counters, from the bridge's namespace, ten times a second.
        let sampler = try LinkSampler(namespace: fleet.sandbox.name + "-net", log: temp.path("links.log"))
        let started = ContinuousClock.now
        let result = try await fleet.push(payload, to: "/srv/capped", extra: ["--max-rate", "40mbit"])
        let elapsed = ContinuousClock.now - started
        let samples = sampler.stop()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try result.report().totals.succeeded == 8)
        // 24 MiB cannot cross a 40 Mbit/s cap in less than 5 s.
        #expect(elapsed >= .seconds(5), "\(elapsed)")
        let peaks = LinkSampler.peaks(samples)
        #expect(!peaks.isEmpty, "no link counters were sampled")
        for (link, bitsPerSecond) in peaks {
            #expect(bitsPerSecond <= 40e6 * 1.03, "\(link) carried \(bitsPerSecond / 1e6) Mbit/s in one second")
        }
        // And the cap was used: the controller's uplink ran near it.
        #expect((peaks["ctl up"] ?? 0) >= 30e6, "\(peaks)")
    }

    @Test("a second push uses the cached peer and keeps the previous tree")
    func secondPushUsesTheCachedPeerAndKeepsThePreviousTree() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("push")
        try FileManager.default.createDirectory(atPath: temp.path("v1"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: temp.path("v2"), withIntermediateDirectories: true)
        try "1\n".write(toFile: temp.path("v1/VERSION"), atomically: true, encoding: .utf8)
        try "2\n".write(toFile: temp.path("v2/VERSION"), atomically: true, encoding: .utf8)

        #expect(try await fleet.push(temp.path("v1"), to: "/srv/app").status == 0)
        let again = try await fleet.push(temp.path("v2"), to: "/srv/app", extra: ["--gzip"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try again.report().hosts.map(\.peerBinary) == Array(repeating: "cached", count: 8))
        for index in 1...8 {
            #expect(try await fleet.onHost(index, "cat /srv/app/VERSION /srv/app.prev/VERSION").stdout == "2\n1\n")
        }
        let replace = try await fleet.push(temp.path("v1"), to: "/srv/app", extra: ["--no-keep-previous"])
        #expect(replace.status == 0, "\(replace.stderr)")
        #expect(try await fleet.onHost(3, "cat /srv/app/VERSION; ls -A /srv | grep '^app'").stdout == "1\napp\n")
    }

    /// A cached peer binary that no longer runs (damaged on the host's disk) is noticed by its
    /// silence, checked by hash, replaced, and launched again: the push still succeeds there.
    @Test("a damaged cached peer is replaced and the push succeeds")
    func aDamagedCachedPeerIsReplacedAndThePushSucceeds() async throws {
        let fleet = try PushFleet.current()
        let examples = CLI.repositoryRoot.appendingPathComponent("Examples/webapp").path
        #expect(try await fleet.push(examples, to: "/srv/damaged").status == 0)
        let damage = "for f in ~/.cache/swarmdeploy/peer-*; do printf 'not a program' > \"$f\"; chmod 755 \"$f\"; done; rm -f ~/.cache/swarmdeploy/*.gz"
        #expect(try await fleet.onHost(5, damage).status == 0)

        let again = try await fleet.push(examples, to: "/srv/damaged")
        #expect(again.status == 0, "\(again.stderr)")
        let binaries = try again.report().hosts.map(\.peerBinary)
        // Put back, checked: fetched from a host whose peer still serves it, or, when the other
        // hosts' peers are done with this tiny push already, uploaded by the controller.
        #expect(binaries[4] == "uploaded" || binaries[4]?.hasPrefix("from root@") == true, "\(binaries)")
        #expect(binaries.filter { $0 == "cached" }.count == 7)
        let digest = try await fleet.onHost(5, "for f in ~/.cache/swarmdeploy/peer-*[!z]; do sha256sum < \"$f\" | cut -c1-64; basename \"$f\" | cut -c6-; done").stdout
        let lines = digest.split(separator: "\n")
        #expect(lines.count == 2, "\(digest)")
        #expect(lines.first == lines.last, "the cached file holds what its name says")
    }

    @Test("a host that cannot reach the hosts serving the peer program gets it from the controller")
    func aHostCutOffFromTheOthersGetsTheProgramUploaded() async throws {
        let fleet = try PushFleet.current()
        let examples = CLI.repositoryRoot.appendingPathComponent("Examples/webapp").path
        #expect(try await fleet.push(examples, to: "/srv/fallback").status == 0)
        // Host 7 forgets the program and reaches the controller only.
        let others = fleet.sandbox.hostAddresses.enumerated().filter { $0.offset != 6 }.map(\.element)
        let cut = others.map { "ip route add blackhole \($0)/32" }.joined(separator: " && ")
        let mend = others.map { "ip route del blackhole \($0)/32" }.joined(separator: "; ")
        try await fleet.onHost(7, changedBy: "rm -rf ~/.cache/swarmdeploy && " + cut, undoneBy: mend) {
            let again = try await fleet.push(examples, to: "/srv/fallback")
            #expect(again.status == 0, "\(again.stderr)")
            let binaries = try again.report().hosts.map(\.peerBinary)
            #expect(binaries[6] == "uploaded", "\(binaries)")
            #expect(binaries.filter { $0 == "cached" }.count == 7, "\(binaries)")
        }
    }

    @Test("an unreachable host within --max-failures is reported and the rest succeed")
    func anUnreachableHostWithinMaxFailuresIsReportedAndTheRestSucceed() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("push")
        let hosts = temp.path("hosts.txt")
        try (fleet.hostLines + ["root@\(fleet.unreachableAddress) name=gone"]).joined(separator: "\n")
            .write(toFile: hosts, atomically: true, encoding: .utf8)
        let examples = CLI.repositoryRoot.appendingPathComponent("Examples/webapp").path
        let result = try await fleet.push(examples, to: "/srv/partial", hostsFile: hosts, extra: ["--max-failures", "1", "--connect-timeout", "2s"])
        #expect(result.status == 3, "partial success has its own exit code: \(result.stderr)")
        let report = try result.report()
        #expect(report.totals.succeeded == 8)
        let gone = try #require(report.hosts.last)
        #expect(gone.name == "root@\(fleet.unreachableAddress):22")
        #expect(gone.status == "failed")
        #expect(gone.stage == "connect")
        #expect(gone.line == 9)

        let strict = try await fleet.push(examples, to: "/srv/partial", hostsFile: hosts, extra: ["--connect-timeout", "2s"])
        #expect(strict.status == 2, "more failures than allowed: \(strict.stderr)")
    }

    @Test("a host with too little disk fails clearly and keeps its destination")
    func aHostWithTooLittleDiskFailsClearlyAndKeepsItsDestination() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("push")
        try FileManager.default.createDirectory(atPath: temp.path("small"), withIntermediateDirectories: true)
        try "old\n".write(toFile: temp.path("small/VERSION"), atomically: true, encoding: .utf8)
        #expect(try await fleet.push(temp.path("small"), to: "/srv/disk").status == 0)

        try FileManager.default.createDirectory(atPath: temp.path("large"), withIntermediateDirectories: true)
        try Data(count: 24 << 20).write(to: URL(fileURLWithPath: temp.path("large/zeros")))
        try "new\n".write(toFile: temp.path("large/VERSION"), atomically: true, encoding: .utf8)
        // Leave host 2 with less room than the tarball plus the tree need.
        let fill = "avail=$(df -k --output=avail /srv | tail -1); fallocate -l $(( (avail - 30 * 1024) * 1024 )) /srv/filler"
        try await fleet.onHost(2, changedBy: fill, undoneBy: "rm -f /srv/filler") {
            try await checkTooLittleDisk(fleet, temp)
        }
    }

    private func checkTooLittleDisk(_ fleet: PushFleet, _ temp: TemporaryDirectory) async throws {
        let result = try await fleet.push(temp.path("large"), to: "/srv/disk")
        #expect(result.status == 2, "\(result.stderr)")
        let report = try result.report()
        let host2 = report.hosts[1]
        #expect(host2.status == "failed")
        #expect(host2.stage == "prepare")
        #expect(host2.error?.contains("not enough space in /srv") == true, "\(host2.error ?? "")")
        #expect(try await fleet.onHost(2, "cat /srv/disk/VERSION; ls -A /srv | grep -v -E '[.]swarmdeploy[.](release|reuse)$' | grep -E 'disk|swarmdeploy'").stdout == "old\ndisk\n")
        #expect(try await fleet.onHost(1, "cat /srv/disk/VERSION").stdout == "new\n")
    }

    /// Extraction runs while the download is under way; when it fails there (here: host 3's
    /// /srv runs out of inodes after a few of the small files that open the archive), that host
    /// stops at once with the extraction's error, its staging files go, its DEST stays as it
    /// was, and the other hosts still install.
    @Test("an extraction failure mid-download stops that host and keeps its destination")
    func anExtractionFailureMidDownloadStopsThatHostAndKeepsItsDestination() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("push")
        try FileManager.default.createDirectory(atPath: temp.path("tree/a"), withIntermediateDirectories: true)
        try "old\n".write(toFile: temp.path("tree/VERSION"), atomically: true, encoding: .utf8)
        #expect(try await fleet.push(temp.path("tree"), to: "/srv/inodes").status == 0)

        for index in 0..<400 {
            try "\(index)\n".write(toFile: temp.path("tree/a/f\(index)"), atomically: true, encoding: .utf8)
        }
        var generator = SystemRandomNumberGenerator()
        let blob = (0..<(32 << 20) / 8).map { _ in generator.next() as UInt64 }
        try blob.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: temp.path("tree/z.bin"))) }
        try "new\n".write(toFile: temp.path("tree/VERSION"), atomically: true, encoding: .utf8)
        let limit = "used=$(df --output=iused /srv | tail -1); mount -o remount,nr_inodes=$((used + 100)) /srv"
        // At 500 Mbit/s the whole 32 MiB can arrive before the failing file is reached; at
        // 40 Mbit/s it takes 7 s, so the bytes counted show whether the host stopped fetching.
        try await fleet.sandbox.setLinkRate(host: 3, "40mbit")
        do {
            try await fleet.onHost(3, changedBy: limit, undoneBy: "mount -o remount,nr_inodes=1000000 /srv") {
                try await checkExtractionFailure(fleet, temp)
            }
        } catch {
            try await fleet.sandbox.setLinkRate(host: 3, "500mbit")
            throw error
        }
        try await fleet.sandbox.setLinkRate(host: 3, "500mbit")
    }

    private func checkExtractionFailure(_ fleet: PushFleet, _ temp: TemporaryDirectory) async throws {
        let result = try await fleet.push(temp.path("tree"), to: "/srv/inodes")
        #expect(result.status == 2, "\(result.stderr)")
        let report = try result.report()
        let host3 = report.hosts[2]
        #expect(host3.status == "failed")
        #expect(host3.stage == "extract")
        #expect(host3.error?.contains("/a/f") == true, "\(host3.error ?? "")")
        #expect(host3.error?.contains("out of space or inodes") == true, "\(host3.error ?? "")")
        // It stopped fetching long before the 32 MiB arrived.
        #expect(host3.bytesFromSeeder + host3.bytesFromPeers < 16 << 20)
        #expect(try await fleet.onHost(3, "cat /srv/inodes/VERSION; ls -A /srv | grep -v -E '[.]swarmdeploy[.](release|reuse)$' | grep -E 'inodes|swarmdeploy'").stdout == "old\ninodes\n")
        #expect(report.totals.succeeded == 7)
        #expect(try await fleet.onHost(1, "cat /srv/inodes/VERSION").stdout == "new\n")
    }

    @Test("killing the controller mid-transfer leaves no peer and no half install")
    func killingTheControllerMidTransferLeavesNoPeerAndNoHalfInstall() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("push")
        try FileManager.default.createDirectory(atPath: temp.path("slow"), withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let blob = (0..<(96 << 20) / 8).map { _ in generator.next() as UInt64 }
        try blob.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: temp.path("slow/data.bin"))) }

        let log = temp.path("push.log")
        let push = try fleet.backgroundPush(temp.path("slow"), to: "/srv/killed", log: log)
        #expect(push.waitForLog(containing: ": downloading", timeout: 60), "\(push.log)")
        _ = push.stop(signal: SIGKILL, grace: 1)

        // Peers notice the closed channel and stop well within the grace period.
        let deadline = Date().addingTimeInterval(15)
        var running = try await fleet.peersRunning()
        while !running.isEmpty && Date() < deadline {
            try await Task.sleep(for: .milliseconds(500))
            running = try await fleet.peersRunning()
        }
        #expect(running == [], "peers still running after the controller died")
        for index in 1...8 {
            let left = try await fleet.onHost(index, "ls -A /srv | grep -v -E '[.]swarmdeploy[.](release|reuse)$' | grep -E 'killed|swarmdeploy' || true").stdout
            #expect(left == "", "host \(index) kept a partial deploy")
        }
    }

    @Test("a source file changed during the push stops it, naming the file; no host installs what it did not verify")
    func aSourceChangedDuringThePushStopsIt() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("push")
        try temp.write("old\n", to: "old/VERSION")
        let old = try await fleet.push(temp.path("old"), to: "/srv/changing")
        try #require(old.status == 0, "\(old.stderr)")
        try temp.write(SplitMix64.bytes(count: 64 << 20, seed: 41), to: "new/data.bin")

        let push = try fleet.backgroundPush(temp.path("new"), to: "/srv/changing", log: temp.path("push.log"))
        // Packed and hashed; the seeder has not served a byte yet (no host is connected).
        #expect(push.waitForLog(containing: "pushing ", timeout: 60), "\(push.log)")
        try temp.write(SplitMix64.bytes(count: 64 << 20, seed: 42), to: "new/data.bin")
        #expect(push.waitForExit(timeout: 120) == 1, "\(push.log)")
        #expect(push.log.contains("the source changed during the push"), "\(push.log)")
        #expect(push.log.contains(temp.path("new/data.bin")), "\(push.log)")
        for index in 1...8 {
            let version = try await fleet.onHost(index, "cat /srv/changing/VERSION").stdout
            #expect(version == "old\n", "host \(index) switched to a tree the controller could not serve whole")
        }
        #expect(try await fleet.peersRunning() == [])
    }

    @Test("the open-file limit is raised for the push, or its hard limit named when too low")
    func theOpenFileLimitIsRaisedOrNamed() async throws {
        let fleet = try PushFleet.current()
        let examples = CLI.repositoryRoot.appendingPathComponent("Examples/webapp").path
        let arguments = [
            CLI.swarmdeployPath, "push", examples, "to", "/srv/limits", "on", fleet.sandbox.hostsFile,
            "--identity", fleet.sandbox.identityFile, "--known-hosts", fleet.sandbox.knownHostsFile, "--seed-grace", "1s",
        ]
        // A soft limit too low for 8 hosts, a hard one that allows enough: raised, and it works.
        let raised = try await fleet.sandbox.controller(["prlimit", "--nofile=40:4096"] + arguments)
        #expect(raised.status == 0, "\(raised.stderr)")
        // A hard limit too low: refused before any host is contacted, naming the limit.
        let before = try await fleet.acceptedLogins()
        let refused = try await fleet.sandbox.controller(["prlimit", "--nofile=40:100"] + arguments)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("RLIMIT_NOFILE"), "\(refused.stderr)")
        #expect(try await fleet.acceptedLogins() == before)
    }

    @Test("with --no-builtin-tracker the hosts find each other through opentracker, and the push still ends when all are done")
    func aPushWithOpentrackerOnly() async throws {
        try Interop.require("/usr/bin/opentracker", package: "opentracker")
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("opentracker")
        try temp.write("new\n", to: "tree/VERSION")
        try temp.write(SplitMix64.bytes(count: 16 << 20, seed: 8), to: "tree/data.bin")
        // Debian's opentracker serves only whitelisted info-hashes (-w, read inside its -d
        // chroot, reloaded on SIGHUP): the push writes its torrent before contacting hosts.
        let jail = temp.path("jail")
        try FileManager.default.createDirectory(atPath: jail, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temp.path)
        try temp.write("\n", to: "jail/whitelist")
        let controller = fleet.sandbox.controllerAddress
        let port = try Loopback.freePort()
        let opentracker = try BackgroundProcess(
            "/usr/sbin/ip",
            ["netns", "exec", fleet.sandbox.controllerNamespace, "/usr/bin/opentracker",
             "-i", controller, "-p", String(port), "-d", jail, "-u", "nobody", "-w", "whitelist"],
            logPath: temp.path("opentracker.log"))
        defer { _ = opentracker.stop(signal: SIGKILL) }  // opentracker ignores SIGINT and SIGTERM

        let push = try fleet.backgroundPush(
            temp.path("tree"), to: "/srv/opentracker", log: temp.path("push.log"),
            extra: ["--no-builtin-tracker", "--tracker", "http://\(controller):\(port)/announce", "--write-torrent", temp.path("push.torrent")])
        var torrent: Data?
        for _ in 0..<600 where torrent == nil {
            torrent = FileManager.default.contents(atPath: temp.path("push.torrent"))
            if torrent == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let metainfo = try Metainfo(bytes: Array(try #require(torrent, "no torrent written: \(push.log)")))
        try temp.write(metainfo.infoHash.hex + "\n", to: "jail/whitelist")
        _ = opentracker.send(SIGHUP)

        #expect(push.waitForExit(timeout: 120) == 0, "\(push.log)\nopentracker: \(opentracker.log)")
        #expect(push.log.contains("seeder on \(controller), tracker http://\(controller):\(port)/announce"), "no tracker of its own: \(push.log)")
        for index in 1...8 {
            #expect(try await fleet.onHost(index, "cat /srv/opentracker/VERSION").stdout == "new\n", "host \(index)")
        }
        #expect(try await fleet.peersRunning() == [])
    }

    @Test("a bad hosts-file line contacts no host")
    func aBadHostsFileLineContactsNoHost() async throws {
        let fleet = try PushFleet.current()
        let temp = try TemporaryDirectory("push")
        let hosts = temp.path("hosts.txt")
        try (fleet.hostLines.prefix(3) + ["root@ bad line here"]).joined(separator: "\n")
            .write(toFile: hosts, atomically: true, encoding: .utf8)
        let before = try await fleet.acceptedLogins()
        let examples = CLI.repositoryRoot.appendingPathComponent("Examples/webapp").path
        let result = try await fleet.push(examples, to: "/srv/never", hostsFile: hosts, json: false)
        #expect(result.status == 64)
        #expect(result.stderr.contains("hosts.txt:4"), "\(result.stderr)")
        #expect(try await fleet.acceptedLogins() == before, "a host was contacted")
    }
}

/// The sandbox the push tests run on, and how they drive it.
final class PushFleet: Sendable {
    /// The fleet of the suite being run, set by `Scope`.
    @TaskLocal static var shared: PushFleet?

    static func current() throws -> PushFleet {
        guard let shared else { throw TestSetupError("no sandbox: the suite needs the PushFleet.Scope trait") }
        return shared
    }

    /// Brings the sandbox up once for the suite and takes it down after its last test, also
    /// when a test fails or the suite throws. If it does not come up, the suite fails.
    struct Scope: SuiteTrait, TestScoping {
        var hosts = 8
        var unreachable = 1
        var options = ["--rate", "500mbit", "--disk", "400m"]
        var namePrefix = "sdp"

        func provideScope(
            for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
        ) async throws {
            try await Sandbox.with(
                hosts: hosts, unreachable: unreachable, options: options, namePrefix: namePrefix
            ) { sandbox in
                try await PushFleet.$shared.withValue(PushFleet(sandbox)) { try await function() }
            }
        }
    }

    let sandbox: Sandbox
    var hostLines: [String] { sandbox.hostLines }
    var unreachableAddress: String { sandbox.unreachableAddresses.first ?? "" }
    private var dir: String { sandbox.dir }

    init(_ sandbox: Sandbox) {
        self.sandbox = sandbox
    }

    /// The parts of `push --json` the tests read.
    struct Report: Decodable {
        struct Host: Decodable {
            let name: String
            let line: Int
            let status: String
            let stage: String
            let error: String?
            let seconds: Double?
            let bytesFromSeeder: Int64
            let bytesFromPeers: Int64
            let bytesFromWebSeeds: Int64
            let warnings: [String]
            let bytesUploaded: Int64
            let bytesReused: Int64
            let peerBinary: String?
            let bannedBy: [String]
            let rolledBack: Bool
            let hookOutput: [String]
            let previousRelease: String?
            let cpuSeconds: Double?

            enum CodingKeys: String, CodingKey {
                case name, line, status, stage, error, seconds
                case cpuSeconds = "cpu_seconds"
                case rolledBack = "rolled_back"
                case hookOutput = "hook_output"
                case previousRelease = "previous_release"
                case warnings
                case bytesFromSeeder = "bytes_from_seeder"
                case bytesFromPeers = "bytes_from_peers"
                case bytesFromWebSeeds = "bytes_from_web_seeds"
                case bytesUploaded = "bytes_uploaded"
                case bytesReused = "bytes_reused"
                case peerBinary = "peer_binary"
                case bannedBy = "banned_by"
            }
        }
        struct Totals: Decodable {
            let succeeded: Int
            let failed: Int
            let notActivated: Int
            let archiveBytes: Int64
            let seederBytesSent: Int64
            let bytesReused: Int64
            let jobBytes: Int64
            let webSeedBytes: Int64

            enum CodingKeys: String, CodingKey {
                case succeeded, failed
                case webSeedBytes = "web_seed_bytes"
                case notActivated = "not_activated"
                case archiveBytes = "archive_bytes"
                case seederBytesSent = "seeder_bytes_sent"
                case bytesReused = "bytes_reused"
                case jobBytes = "job_bytes"
            }
        }
        struct Racks: Decodable {
            struct Rack: Decodable {
                let rack: String?
                let hosts: Int
                let bytesIn: Int64
                let copiesIn: Double

                enum CodingKeys: String, CodingKey {
                    case rack, hosts
                    case bytesIn = "bytes_in"
                    case copiesIn = "copies_in"
                }
            }
            let racks: [Rack]
            let crossRackBytes: Int64

            enum CodingKeys: String, CodingKey {
                case racks
                case crossRackBytes = "cross_rack_bytes"
            }
        }
        let result: String
        let release: String?
        let stopped: String?
        let hosts: [Host]
        let totals: Totals
        let racks: Racks?
    }

    private func pushArguments(_ source: String, to destination: String, hostsFile: String?, json: Bool, extra: [String]) -> [String] {
        var arguments = [
            CLI.swarmdeployPath,
            "push", source, "to", destination, "on", hostsFile ?? dir + "/hosts.txt",
            "--identity", dir + "/id_ed25519", "--known-hosts", dir + "/known_hosts",
            "--seed-grace", "3s", "--link-rate", "500mbit",
        ]
        if json { arguments.append("--json") }
        return arguments + extra
    }

    func push(_ source: String, to destination: String, hostsFile: String? = nil, json: Bool = true, extra: [String] = []) async throws -> CommandResult {
        try await sandbox.controller(pushArguments(source, to: destination, hostsFile: hostsFile, json: json, extra: extra))
    }

    /// Runs another swarmdeploy command (`status`, `rollback`) against the sandbox's hosts.
    func command(_ name: String, _ arguments: [String]) async throws -> CommandResult {
        try await sandbox.controller([
            CLI.swarmdeployPath, name, "--on", dir + "/hosts.txt",
            "--identity", dir + "/id_ed25519", "--known-hosts", dir + "/known_hosts",
        ] + arguments)
    }

    /// The push as a child that the test can kill mid-transfer.
    func backgroundPush(
        _ source: String, to destination: String, log: String, hostsFile: String? = nil, extra: [String] = []
    ) throws -> BackgroundProcess {
        let arguments = ["controller", "--name", sandbox.name, "--"]
            + pushArguments(source, to: destination, hostsFile: hostsFile, json: false, extra: extra)
        return try BackgroundProcess("/bin/bash", [Sandbox.scriptPath] + arguments, logPath: log)
    }

    /// Runs a shell command on host `index` (its network and mount namespace).
    func onHost(_ index: Int, _ command: String) async throws -> CommandResult {
        try await sandbox.onHost(index, command)
    }

    /// Runs `change` on host `index`, then `body`; runs `undo` there afterwards, also when `body` throws.
    func onHost(
        _ index: Int, changedBy change: String, undoneBy undo: String, _ body: () async throws -> Void
    ) async throws {
        do {
            #expect(try await onHost(index, change).status == 0, "host \(index): \(change)")
            try await body()
        } catch {
            _ = try? await onHost(index, undo)
            throw error
        }
        _ = try? await onHost(index, undo)
    }

    /// Every entry under `root` with its kind, mode and link target, and every file's digest.
    static let listingScript = #"cd "$1" && find . -mindepth 1 -printf '%p %y %m %l\n' | sort && find . -type f -print0 | sort -z | xargs -0 -r sha256sum"#

    func listing(of root: String, onHost index: Int) async throws -> String {
        let result = try await sandbox.onHost(index, Self.listingScript, arguments: ["sh", root])
        return result.stdout
    }

    func localListing(of root: String) async throws -> String {
        try await ProcessRunner.run("/bin/sh", ["-c", Self.listingScript, "sh", root]).stdout
    }

    /// Peer processes still running on any host (their command names the cache path).
    func peersRunning() async throws -> [String] {
        let result = try await ProcessRunner.run("/bin/sh", ["-c", "pgrep -a -f '[.]cache/swarmdeploy/peer-' || true"])
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// Logins the hosts' sshd have accepted so far, from their logs.
    func acceptedLogins() async throws -> Int {
        let result = try await ProcessRunner.run("/bin/sh", ["-c", "cat \(dir)/hosts/*/sshd.log | grep -c 'Accepted publickey' || true"])
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}

extension CommandResult {
    /// The report that `push --json` printed.
    func report() throws -> PushFleet.Report {
        try JSONDecoder().decode(PushFleet.Report.self, from: Data(stdoutBytes))
    }
}

/// Samples every link's counters in the sandbox's bridge namespace ten times a second, from a
/// shell loop started before a push and stopped after it. Each sample is bracketed by the
/// clock read before and after the counters, so the spans taken between samples are the
/// longest they can have been, and the rates derived from them the lowest: a loaded machine
/// that delays the loop cannot make a link look faster than it was.
struct LinkSampler {
    struct Sample {
        let before: Double
        let after: Double
        /// Port name to (received, transmitted) bytes. A port receives what its machine sends.
        let counters: [String: (Int64, Int64)]
    }

    private let process: BackgroundProcess

    init(namespace: String, log: String) throws {
        let loop = "while :; do echo B $(date +%s.%N); cat /proc/net/dev; echo A $(date +%s.%N); sleep 0.1; done"
        process = try BackgroundProcess("/bin/sh", ["-c", "exec ip netns exec \(namespace) /bin/sh -c '\(loop)'"], logPath: log)
    }

    /// Stops the loop and returns the complete samples.
    func stop() -> [Sample] {
        _ = process.stop(signal: SIGTERM, grace: 2)
        var samples: [Sample] = []
        var before: Double?
        var counters: [String: (Int64, Int64)] = [:]
        for line in process.log.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == ":" })
            if words.first == "B", words.count == 2 {
                before = Double(words[1])
                counters = [:]
            } else if words.first == "A", words.count == 2, let start = before, let end = Double(words[1]) {
                samples.append(Sample(before: start, after: end, counters: counters))
                before = nil
            } else if words.count >= 10, let received = Int64(words[1]), let sent = Int64(words[9]) {
                let name = String(words[0])
                if name != "lo", !name.hasPrefix("br") { counters[name] = (received, sent) }
            }
        }
        return samples
    }

    /// The most each link carried in any span of a second or more, in bits per second, by
    /// "PORT up" (what its machine sent) and "PORT down" (what it received).
    static func peaks(_ samples: [Sample]) -> [String: Double] {
        var peaks: [String: Double] = [:]
        for (index, first) in samples.enumerated() {
            guard let last = samples[(index + 1)...].first(where: { $0.before - first.after >= 1 }) else { break }
            let span = last.after - first.before
            for (name, counters) in last.counters {
                guard let earlier = first.counters[name] else { continue }
                for (direction, bytes) in [("up", counters.0 - earlier.0), ("down", counters.1 - earlier.1)] {
                    peaks["\(name) \(direction)"] = max(peaks["\(name) \(direction)"] ?? 0, Double(bytes) * 8 / span)
                }
            }
        }
        return peaks
    }
}
