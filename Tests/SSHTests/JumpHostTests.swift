import Dispatch
import Foundation
import SSH
import Synchronization
import Testing
import TestSupport

/// Sessions through a bastion (`ProxyJump`) to real sshds on loopback: several hosts' sessions
/// at once over one bastion connection, bytes both ways, and failures named.
@Suite("Sessions through a bastion to real sshds")
struct JumpHostTests {
    /// A bastion and `count` hosts that all accept the bastion's client key.
    static func servers(_ count: Int) async throws -> (bastion: OpenSSHServer, hosts: [OpenSSHServer]) {
        let bastion = try await OpenSSHServer()
        var hosts: [OpenSSHServer] = []
        for _ in 0..<count { hosts.append(try await OpenSSHServer(clientKey: bastion.clientKeyPath)) }
        let known = try ([bastion] + hosts).map { try $0.knownHostsLine() }.joined()
        for server in [bastion] + hosts { try known.write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8) }
        return (bastion, hosts)
    }

    @Test func severalHostsSessionsRunAtOnceOverOneBastionConnection() async throws {
        let (bastion, hosts) = try await Self.servers(3)
        let jump = JumpHost(configuration: bastion.configuration())
        defer { jump.close() }
        let local = try TemporaryDirectory("jump-upload")
        let payload = SplitMix64.bytes(count: 6 * 1024 * 1024 + 777, seed: 7)
        try Data(payload).write(to: URL(fileURLWithPath: local.path("blob")))
        let remote = try TemporaryDirectory("jump-remote")
        let problems = Mutex<[String]>([])
        let configurations = hosts.map { $0.configuration() }

        DispatchQueue.concurrentPerform(iterations: configurations.count) { index in
            do {
                var configuration = configurations[index]
                configuration.jump = jump
                let session = try SSHSession(configuration: configuration)
                defer { session.close() }
                let target = remote.path("blob-\(index)")
                try session.upload(contentsOf: local.path("blob"), to: target, permissions: 0o644)
                // Toward the host, then back: 8 MiB of output through the same tunnel.
                let output = try session.execute("head -c 8388608 /dev/zero | tr '\\\\0' x; sha256sum < \(target) | cut -c1-16")
                let text = output.stdoutText
                guard output.exitStatus == 0, text.utf8.count == 8_388_608 + 17 else {
                    problems.withLock { $0.append("host \(index): exit \(output.exitStatus.map(String.init) ?? "none") \(text.utf8.count) bytes") }
                    return
                }
            } catch {
                problems.withLock { $0.append("host \(index): \(error)") }
            }
        }
        #expect(problems.withLock { $0 } == [])
        for index in hosts.indices {
            #expect(try Data(contentsOf: URL(fileURLWithPath: remote.path("blob-\(index)"))) == Data(payload))
        }
    }

    @Test func aHostTheBastionCannotReachFailsAloneWithTheBastionNamed() async throws {
        let (bastion, hosts) = try await Self.servers(1)
        let jump = JumpHost(configuration: bastion.configuration())
        defer { jump.close() }
        var unreachable = hosts[0].configuration()
        unreachable.port = try Loopback.freePort()
        unreachable.jump = jump
        #expect {
            try SSHSession(configuration: unreachable)
        } throws: { error in
            "\(error)".contains("the bastion 127.0.0.1:\(bastion.port) could not open a connection here")
        }
        var reachable = hosts[0].configuration()
        reachable.jump = jump
        let session = try SSHSession(configuration: reachable)
        #expect(try session.execute("echo ok").stdoutText == "ok\n")
    }

    @Test func aBastionThatIsDownFailsEveryHostWithItsName() async throws {
        let (bastion, hosts) = try await Self.servers(2)
        var down = bastion.configuration()
        down.port = try Loopback.freePort()
        let jump = JumpHost(configuration: down)
        defer { jump.close() }
        for host in hosts {
            var configuration = host.configuration()
            configuration.jump = jump
            #expect {
                try SSHSession(configuration: configuration)
            } throws: { error in
                "\(error)".contains("through the bastion \(OpenSSHServer.user)@127.0.0.1:\(down.port): cannot connect")
            }
        }
    }

    /// Commands close their bastions when their hosts are done (no relay thread may be inside
    /// libssh2 when the process exits); one that runs its hosts again connects again.
    @Test func aClosedBastionConnectsAgainWhenAHostNeedsIt() async throws {
        let (bastion, hosts) = try await Self.servers(1)
        let jump = JumpHost(configuration: bastion.configuration())
        defer { jump.close() }
        var configuration = hosts[0].configuration()
        configuration.jump = jump
        for round in 1...2 {
            let session = try SSHSession(configuration: configuration)
            #expect(try session.execute("echo \(round)").stdoutText == "\(round)\n")
            #expect(jump.isConnected)
            session.close()
            jump.close()
            #expect(!jump.isConnected)
        }
    }
}
