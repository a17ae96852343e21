import Foundation
import SSH
import Synchronization
import TestSupport
import Testing

@Suite("Many sessions at once")
struct ConcurrencyTests {
    /// Each session lives on its own thread, as the controller will run them;
    /// they share nothing but libssh2's one-time global initialisation.
    @Test func sessionsOnManyThreadsRunIndependently() async throws {
        let server = try await OpenSSHServer()
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
}
