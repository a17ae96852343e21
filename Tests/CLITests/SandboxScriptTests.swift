import Foundation
import Testing

/// `scripts/sandbox.sh`, the fleet of namespace hosts the system tests, the
/// demo and the benchmarks run on. It needs root and `ip netns`; CI has both.
@Suite(
    "scripts/sandbox.sh",
    .enabled(if: SandboxScript.isUsable, "needs root, a working `ip netns` and /usr/sbin/sshd")
)
struct SandboxScriptTests {
    @Test("up makes isolated hosts reachable by ssh, shaped, with one that never answers; down removes it all")
    func upAndDown() throws {
        let name = String(format: "sdt%04x", UInt16.random(in: 0...UInt16.max))
        let subnet = "10.\(Int.random(in: 100...199))"
        let temp = try TemporaryDirectory()
        let dir = temp.path("sandbox")
        let options = ["--name", name, "--dir", dir]
        defer { _ = try? SandboxScript.run(["down"] + options) }

        let up = try SandboxScript.run(
            ["up", "3", "--subnet", subnet, "--unreachable", "1", "--rate", "100mbit"] + options
        )
        try #require(up.status == 0, "up failed: \(up.stdout)\(up.stderr)")

        // The hosts file: three hosts, in the documented format; the unreachable one apart.
        let hosts = try String(contentsOfFile: dir + "/hosts.txt", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(hosts == (1...3).map { "root@\(subnet).0.\(10 + $0) name=h\($0)" })
        let unreachable = try String(contentsOfFile: dir + "/unreachable.txt", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(unreachable == ["root@\(subnet).0.14 name=u1"])

        // Each host has its own /srv and /root.
        let host = { (index: Int, command: String) in
            try SandboxScript.run(["host", "\(index)", "--name", name, "--", "/bin/sh", "-c", command])
        }
        #expect(try host(1, "echo one > /srv/marker && echo one > /root/marker").status == 0)
        #expect(try host(1, "cat /srv/marker /root/marker").stdout == "one\none\n")
        #expect(try host(2, "test -e /srv/marker || test -e /root/marker").status == 1)
        #expect(try host(2, "grep ' /srv ' /proc/self/mountinfo").stdout.contains("tmpfs sandbox-srv"))
        #expect(try host(2, "exit 7").status == 7)

        // Every host takes the written key, with its key in known_hosts checked strictly.
        for address in hosts.map({ $0.split(separator: " ")[0].dropFirst("root@".count) }) {
            let login = try SandboxScript.run([
                "controller", "--name", name, "--",
                "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(dir)/known_hosts",
                "-i", "\(dir)/id_ed25519", "root@\(address)", "true",
            ])
            #expect(login.status == 0, "ssh to \(address): \(login.stderr)")
        }

        // A connect to the unreachable host hangs until the client gives up; it is not refused.
        let started = Date()
        let probe = try SandboxScript.run([
            "controller", "--name", name, "--",
            "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=2", "root@\(subnet).0.14", "true",
        ])
        #expect(probe.status == 255)
        #expect(probe.stderr.contains("timed out"), "\(probe.stderr)")
        #expect(Date().timeIntervalSince(started) >= 1.9)
        // It did answer ARP: the silence is TCP's, not a missing host's.
        let neighbour = try SandboxScript.run(["controller", "--name", name, "--", "ip", "neigh", "show", "\(subnet).0.14"])
        #expect(neighbour.stdout.contains("lladdr"), "\(neighbour.stdout)")

        // Both ends of a host's link carry a token bucket at the rate.
        #expect(try host(1, "tc qdisc show dev eth0").stdout.contains("tbf"))
        #expect(try host(1, "tc qdisc show dev eth0").stdout.contains("rate 100Mbit"))
        let bridgeSide = try CommandRunner.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", "ip netns exec \(name)-net tc qdisc show dev h1"]
        )
        #expect(bridgeSide.stdout.contains("tbf") && bridgeSide.stdout.contains("rate 100Mbit"))

        // down leaves no namespace, no sshd and no directory; a second down is fine.
        let down = try SandboxScript.run(["down"] + options)
        #expect(down.status == 0, "\(down.stderr)")
        let namespaces = try CommandRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "ip netns list"])
        #expect(!namespaces.stdout.contains("\(name)-"))
        let sshd = try CommandRunner.run(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-f", "sshd -D -f \(dir)/"])
        #expect(sshd.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir))
        #expect(try SandboxScript.run(["down"] + options).status == 0)
    }
}

enum SandboxScript {
    static let path = CommandRunner.repositoryRoot.appendingPathComponent("scripts/sandbox.sh").path

    static func run(_ arguments: [String]) throws -> CommandResult {
        try CommandRunner.run(URL(fileURLWithPath: "/bin/bash"), [path] + arguments)
    }

    /// Root, `ip netns` that works, and an sshd to run on the hosts.
    static var isUsable: Bool {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else { return false }
        let list = try? CommandRunner.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "ip netns list"])
        return list?.status == 0
    }
}
