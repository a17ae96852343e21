import DeployConfiguration
import Fleet
import Foundation
import SSH
import Synchronization
import TestSupport
import Testing

@Suite("Running work across hosts")
struct FleetRunTests {
    @Test func noHostsMeansNoWork() async {
        let results = await Fleet.run([], parallelism: 4, onEvent: { _ in }) { _, _ throws(SSHError) in 1 }
        #expect(results.isEmpty)
    }

    /// Port 1 on loopback refuses at once: every host fails to connect, in
    /// order, each reporting `connecting` then `failed` and nothing else.
    @Test func unreachableHostsFailInOrderWithEvents() async throws {
        let entries = try HostsFile.parse("127.0.0.1:1\nnobody@127.0.0.2:1\n", path: "hosts.txt")
        var settings = PushSettings.defaults
        settings.connectTimeout = .seconds(2)
        let hosts = try Fleet.hosts(entries, settings: settings, environment: [:])
        let events = EventLog()
        let results = await Fleet.run(hosts, parallelism: 2, onEvent: events.record) { _, _ throws(SSHError) in 1 }

        #expect(results.count == 2)
        for (index, result) in results.enumerated() {
            guard case .failure(let error) = result else {
                Issue.record("host \(index) should have failed")
                continue
            }
            #expect(error.host == hosts[index].configuration.endpoint)
            #expect(error.stage == .connect)
        }
        #expect(events.byHost == [0: ["connecting", "failed connect"], 1: ["connecting", "failed connect"]])
    }

    /// Two real servers: each host reports connecting, connected, finished,
    /// and the work sees the session for its own host.
    @Test func reachableHostsConnectWorkAndFinish() async throws {
        let servers = try await OpenSSHServer.start(2)
        let directory = try TemporaryDirectory("fleet")
        let knownHosts = directory.path("known_hosts")
        try servers.map { try $0.knownHostsLine() }.joined().write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let entries = try HostsFile.parse(servers.map { "127.0.0.1:\($0.port)\n" }.joined(), path: "hosts.txt")
        var settings = PushSettings.defaults
        settings.user = OpenSSHServer.user
        settings.knownHosts = knownHosts
        settings.identities = servers.map(\.clientKeyPath)
        let hosts = try Fleet.hosts(entries, settings: settings, environment: ["HOME": directory.path])

        let events = EventLog()
        let results = await Fleet.run(hosts, parallelism: 2, onEvent: events.record) { index, session throws(SSHError) in
            "\(hosts[index].name) \(try session.execute("echo ${SSH_CONNECTION##* }").stdoutText)"
        }

        for (index, server) in servers.enumerated() {
            #expect(try results[index].get() == "\(OpenSSHServer.user)@127.0.0.1:\(server.port) \(server.port)\n")
        }
        #expect(events.byHost == [0: ["connecting", "connected", "finished"], 1: ["connecting", "connected", "finished"]])
    }

    /// Hosts behind a bastion: the run closes the bastion connection before it returns, so
    /// no relay thread outlives the work (a command may exit right after).
    @Test func hostsBehindABastionLeaveItClosedWhenTheRunEnds() async throws {
        let bastion = try await OpenSSHServer()
        let server = try await OpenSSHServer(clientKey: bastion.clientKeyPath)
        let directory = try TemporaryDirectory("fleet-bastion")
        let knownHosts = directory.path("known_hosts")
        try [bastion, server].map { try $0.knownHostsLine() }.joined().write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let config = directory.path("ssh_config")
        try """
            Host behind-*
              HostName 127.0.0.1
              Port \(server.port)
              ProxyJump \(OpenSSHServer.user)@127.0.0.1:\(bastion.port)

            """.write(toFile: config, atomically: true, encoding: .utf8)
        let entries = try HostsFile.parse("behind-1\nbehind-2\n", path: "hosts.txt")
        var settings = PushSettings.defaults
        settings.user = OpenSSHServer.user
        settings.knownHosts = knownHosts
        settings.identities = [bastion.clientKeyPath]
        settings.sshConfig = config
        let hosts = try Fleet.hosts(entries, settings: settings, environment: ["HOME": directory.path])
        let jump = try #require(hosts[0].configuration.jump)

        let results = await Fleet.run(hosts, parallelism: 2, onEvent: { _ in }) { _, session throws(SSHError) in
            #expect(jump.isConnected)
            return try session.execute("echo through").stdoutText
        }

        #expect(try results.map { try $0.get() } == ["through\n", "through\n"])
        #expect(!jump.isConnected)
    }

    /// Fifty hosts on five real servers through eight slots: results in host order, a host
    /// that refuses connections fails alone, and no more than eight work at once.
    @Test func fiftyHostsThroughABoundedPoolInOrderWithFailuresIsolated() async throws {
        let servers = try await OpenSSHServer.start(5)
        let knownHosts = try TemporaryDirectory("pool")
        let knownHostsPath = knownHosts.path("known_hosts")
        try servers.map { try $0.knownHostsLine() }.joined().write(toFile: knownHostsPath, atomically: true, encoding: .utf8)
        let closedPort = try Loopback.freePort()
        let hosts = (0..<50).map { index in
            let server = servers[index % servers.count]
            var configuration = SSHConfiguration(
                host: "127.0.0.1", port: server.port, user: OpenSSHServer.user, knownHostsPath: knownHostsPath,
                hostKeyPolicy: .strict, agent: .disabled, identityFiles: [server.clientKeyPath], connectTimeout: .seconds(5)
            )
            if [7, 31].contains(index) { configuration.port = closedPort }
            let entry = HostEntry(user: nil, address: HostAddress(host: "127.0.0.1", port: configuration.port), labels: [:], line: index + 1)
            return FleetHost(entry: entry, name: "host-\(index)", configuration: configuration)
        }

        let active = Mutex((now: 0, peak: 0))
        let results = await Fleet.run(hosts, parallelism: 8, onEvent: { _ in }) { _, session throws(SSHError) -> String in
            active.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            defer { active.withLock { $0.now -= 1 } }
            return try session.execute("sleep 0.2; echo \(session.configuration.port)").stdoutText
        }

        #expect(results.count == 50)
        let peak = active.withLock { $0.peak }
        #expect(peak <= 8)
        #expect(peak >= 2)
        for (index, result) in results.enumerated() {
            switch result {
            case .success(let output):
                #expect(![7, 31].contains(index))
                #expect(output == "\(servers[index % servers.count].port)\n")
            case .failure(let error):
                #expect([7, 31].contains(index), "host \(index): \(error)")
                #expect(error.stage == .connect)
            }
        }
    }
}

/// Each host's events in the order they came, named as the tests compare them.
private final class EventLog: Sendable {
    private let events = Mutex<[Int: [String]]>([:])

    var byHost: [Int: [String]] { events.withLock { $0 } }

    @Sendable func record(_ event: FleetEvent) {
        let name: String
        switch event.kind {
        case .connecting: name = "connecting"
        case .connected: name = "connected"
        case .finished: name = "finished"
        case .failed(let error, _): name = "failed \(error.stage)"
        }
        events.withLock { $0[event.index, default: []].append(name) }
    }
}
