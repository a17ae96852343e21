import Foundation
import Testing
import TestSupport

/// A fleet reached by IPv6 addresses only (the hosts file lists them): SSH, the tracker, the
/// seeder and the peers' connections to each other all run over IPv6.
@Suite(
    "push over IPv6",
    .sandbox, .serialized,
    PushFleet.Scope(hosts: 4, unreachable: 0, options: ["--rate", "100mbit", "--disk", "200m", "--ipv6"], namePrefix: "sd6")
)
struct PushIPv6Tests {
    @Test("every host installs, and the hosts share pieces with each other")
    func aPushOverIPv6() async throws {
        let fleet = try PushFleet.current()
        #expect(fleet.hostLines.allSatisfy { $0.hasPrefix("root@[fd00:") }, "\(fleet.hostLines)")
        let temp = try TemporaryDirectory("ipv6")
        try temp.write(SplitMix64.bytes(count: 24 << 20, seed: 66), to: "tree/payload.bin")
        let result = try await fleet.push(temp.path("tree"), to: "/srv/six", extra: ["--log-level", "debug"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try result.report()
        #expect(report.totals.succeeded == 4)
        // Pieces went from host to host, not only from the seeder.
        #expect(report.hosts.map(\.bytesFromPeers).reduce(0, +) > 0, "\(result.stderr)")
        #expect(result.stderr.contains("seeder and tracker listening on fd00:"), "\(result.stderr)")
        let expected = try await ProcessRunner.run("/bin/sh", ["-c", "sha256sum < '\(temp.path("tree/payload.bin"))'"]).stdout
        for host in 1...4 {
            #expect(try await fleet.onHost(host, "sha256sum < /srv/six/payload.bin").stdout == expected)
        }
    }
}
