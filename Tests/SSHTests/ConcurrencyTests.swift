import Foundation
import SSH
import Synchronization
import TestSupport
import Testing

@Suite("Many sessions at once")
struct ConcurrencyTests {
    /// Each session lives on its own thread, as the controller will run them;
    /// they share nothing but libssh2's one-time global initialisation.
    @Test func sessionsOnManyThreadsRunIndependently() throws {
        let server = try OpenSSHServer()
        try server.knownHostsLine().write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let configuration = server.configuration()
        let count = 24
        let outputs = Mutex<[Int: String]>([:])
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    let session = try SSHSession(configuration: configuration)
                    let result = try session.execute("echo session-\(index)")
                    outputs.withLock { $0[index] = result.stdoutText }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            thread.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(failures.withLock { $0 } == [])
        let collected = outputs.withLock { $0 }
        #expect(collected.count == count)
        for index in 0..<count {
            #expect(collected[index] == "session-\(index)\n")
        }
    }

    @Test func fiftyHostsThroughABoundedPoolInOrderWithFailuresIsolated() async throws {
        let servers = try (0..<5).map { _ in try OpenSSHServer() }
        let knownHosts = try TestDirectory("pool")
        let knownHostsPath = knownHosts.file("known_hosts")
        try servers.map { try $0.knownHostsLine() }.joined().write(toFile: knownHostsPath, atomically: true, encoding: .utf8)
        let closedPort = try Loopback.freePort()
        var configurations = (0..<50).map { index in
            servers[index % servers.count].configuration(knownHosts: knownHostsPath)
        }
        for index in [7, 31] {
            configurations[index].port = closedPort
        }

        let active = Mutex((now: 0, peak: 0))
        let results = await SSHParallel.run(configurations, parallelism: 8) { session throws(SSHError) -> String in
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
