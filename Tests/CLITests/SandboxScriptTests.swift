import Foundation
import Testing
import TestSupport

/// `scripts/sandbox.sh`, the fleet of namespace hosts the system tests, the
/// demo and the benchmarks run on. It needs root and `ip netns`; CI has both.
@Suite("scripts/sandbox.sh", .sandbox)
struct SandboxScriptTests {
    @Test("up makes isolated hosts reachable by ssh, shaped, with one that never answers; down removes it all")
    func upAndDown() async throws {
        let name = String(format: "sdt%04x", UInt16.random(in: 0...UInt16.max))
        let subnet = "10.\(Int.random(in: 100...199))"
        let temp = try TemporaryDirectory()
        let dir = temp.path("sandbox")
        let options = ["--name", name, "--dir", dir]
        do {
            try await checkUpAndDown(name: name, subnet: subnet, dir: dir, options: options)
        } catch {
            _ = try? await Sandbox.script(["down"] + options)
            throw error
        }
    }

    @Test("--racks puts the hosts behind shaped rack uplinks and labels them; bad values are refused")
    func racks() async throws {
        let name = String(format: "sdk%04x", UInt16.random(in: 0...UInt16.max))
        let temp = try TemporaryDirectory()
        let options = ["--name", name, "--dir", temp.path("sandbox")]
        let refused = try await Sandbox.script(["up", "2", "--racks", "3"] + options)
        #expect(refused.status != 0 && refused.stderr.contains("--racks must be a number from 1 to the host count"), "\(refused.stderr)")
        do {
            let up = try await Sandbox.script(
                ["up", "4", "--subnet", "10.\(Int.random(in: 100...199))", "--racks", "2", "--rack-uplink", "30mbit"] + options)
            try #require(up.status == 0, "up failed: \(up.stdout)\(up.stderr)")
            let hosts = try String(contentsOfFile: temp.path("sandbox/hosts.txt"), encoding: .utf8)
            #expect(hosts.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").last! } == ["rack=r1", "rack=r1", "rack=r2", "rack=r2"])
            // Host 3 hangs off rack bridge r2, whose uplink both ways is shaped to 30 Mbit/s.
            let links = try await ProcessRunner.run("ip", ["-n", "\(name)-net", "-o", "link", "show", "h3"])
            #expect(links.stdout.contains("master r2"), "\(links.stdout)")
            for device in ["up2", "sp2"] {
                let qdisc = try await ProcessRunner.run("tc", ["-n", "\(name)-net", "qdisc", "show", "dev", device])
                #expect(qdisc.stdout.contains("tbf") && qdisc.stdout.contains("30Mbit"), "\(device): \(qdisc.stdout)")
            }
        } catch {
            _ = try? await Sandbox.script(["down"] + options)
            throw error
        }
        let down = try await Sandbox.script(["down"] + options)
        #expect(down.status == 0)
    }

    /// up, the hosts it made, and down; the caller takes the sandbox down if this throws.
    private func checkUpAndDown(name: String, subnet: String, dir: String, options: [String]) async throws {

        let up = try await Sandbox.script(
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
            try await Sandbox.script(["host", "\(index)", "--name", name, "--", "/bin/sh", "-c", command])
        }
        #expect(try await host(1, "echo one > /srv/marker && echo one > /root/marker").status == 0)
        #expect(try await host(1, "cat /srv/marker /root/marker").stdout == "one\none\n")
        #expect(try await host(2, "test -e /srv/marker || test -e /root/marker").status == 1)
        #expect(try await host(2, "grep ' /srv ' /proc/self/mountinfo").stdout.contains("tmpfs sandbox-srv"))
        #expect(try await host(2, "exit 7").status == 7)

        // Every host takes the written key, with its key in known_hosts checked strictly.
        for address in hosts.map({ $0.split(separator: " ")[0].dropFirst("root@".count) }) {
            let login = try await Sandbox.script([
                "controller", "--name", name, "--",
                "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(dir)/known_hosts",
                "-i", "\(dir)/id_ed25519", "root@\(address)", "true",
            ])
            #expect(login.status == 0, "ssh to \(address): \(login.stderr)")
        }

        // A connect to the unreachable host hangs until the client gives up; it is not refused.
        let started = Date()
        let probe = try await Sandbox.script([
            "controller", "--name", name, "--",
            "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=2", "root@\(subnet).0.14", "true",
        ])
        #expect(probe.status == 255)
        #expect(probe.stderr.contains("timed out"), "\(probe.stderr)")
        #expect(Date().timeIntervalSince(started) >= 1.9)
        // It did answer ARP: the silence is TCP's, not a missing host's.
        let neighbour = try await Sandbox.script(["controller", "--name", name, "--", "ip", "neigh", "show", "\(subnet).0.14"])
        #expect(neighbour.stdout.contains("lladdr"), "\(neighbour.stdout)")

        // Both ends of a host's link carry a token bucket at the rate.
        #expect(try await host(1, "tc qdisc show dev eth0").stdout.contains("tbf"))
        #expect(try await host(1, "tc qdisc show dev eth0").stdout.contains("rate 100Mbit"))
        let bridgeSide = try await ProcessRunner.run("/bin/sh", ["-c", "ip netns exec \(name)-net tc qdisc show dev h1"])
        #expect(bridgeSide.stdout.contains("tbf") && bridgeSide.stdout.contains("rate 100Mbit"))

        // down leaves no namespace, no sshd and no directory; a second down is fine.
        let down = try await Sandbox.script(["down"] + options)
        #expect(down.status == 0, "\(down.stderr)")
        let namespaces = try await ProcessRunner.run("/bin/sh", ["-c", "ip netns list"])
        #expect(!namespaces.stdout.contains("\(name)-"))
        let sshd = try await ProcessRunner.run("/usr/bin/pgrep", ["-f", "sshd -D -f \(dir)/"])
        #expect(sshd.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir))
        #expect(try await Sandbox.script(["down"] + options).status == 0)
    }
}
