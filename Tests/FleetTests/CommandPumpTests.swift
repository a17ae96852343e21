import Fleet
import Foundation
import SSH
import Synchronization
import TestSupport
import Testing

/// One pump thread drives many commands on real sshd sessions at once.
@Suite("Driving many commands from one thread")
struct CommandPumpTests {
    /// Twelve commands that each wait for a flag only set once all twelve have said they
    /// started: the pump must carry them all at once (one at a time, the first would wait out
    /// its timeout). Each one's lines and exit status come back to it.
    @Test func commandsRunSideBySide() async throws {
        let server = try await OpenSSHServer()
        let directory = try TemporaryDirectory("pump")
        let flag = directory.path("go")
        let workers = HostWorkers(blockingThreads: 4)
        let started = Locked(0)
        let sessions = try (0..<12).map { _ in HeldSession(try server.trustedSession()) }
        let results = await withTaskGroup(of: (Int, Result<SSHCommandResult, SSHError>, [String]).self) { group in
            for (index, session) in sessions.enumerated() {
                group.addTask {
                    let lines = Locked<[String]>([])
                    let result = await workers.execute(
                        // Bounded: a command left behind by a failed run ends by itself within 20 s.
                        "echo started; i=0; while [ ! -e \(flag) ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; echo done \(index); exit \(index)",
                        on: session, timeout: .seconds(20), collectOutput: false,
                        onLine: { _, line in
                            lines.withLock { $0.append(line) }
                            if line == "started" { started.withLock { $0 += 1 } }
                        }
                    )
                    return (index, result, lines.withLock { $0 })
                }
            }
            let deadline = ContinuousClock.now + .seconds(15)
            while started.withLock({ $0 }) < 12, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            // All twelve at once, before any was let go.
            #expect(started.withLock { $0 } == 12)
            #expect(FileManager.default.createFile(atPath: flag, contents: nil))
            return await group.reduce(into: []) { $0.append($1) }
        }
        for (index, result, lines) in results {
            #expect(try result.get().exitStatus == Int32(index))
            #expect(lines == ["started", "done \(index)"])
        }
    }

    /// Input written while the command runs reaches it at once, and its end is the command's EOF.
    @Test func inputReachesARunningCommand() async throws {
        let server = try await OpenSSHServer()
        let session = HeldSession(try server.trustedSession())
        let workers = HostWorkers(blockingThreads: 1)
        let input = SSHInput()
        let echoed = Locked<[String]>([])
        async let result = workers.execute(
            "while read line; do echo \"got $line\"; done; echo eof", on: session, stdin: Array("one\n".utf8), input: input,
            timeout: .seconds(20), collectOutput: false, onLine: { _, line in echoed.withLock { $0.append(line) } }
        )
        let deadline = ContinuousClock.now + .seconds(10)
        while echoed.withLock({ $0 }).isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        input.write(Array("two\n".utf8))
        input.close()
        #expect(try await result.get().exitStatus == 0)
        #expect(echoed.withLock { $0 } == ["got one", "got two", "eof"])
    }

    /// A cancelled command and one past its timeout fail with the reason; their sessions run
    /// the next command as before.
    @Test func cancelledAndTimedOutCommandsFailAndLeaveTheSessionUsable() async throws {
        let server = try await OpenSSHServer()
        let workers = HostWorkers(blockingThreads: 2)
        let cancelled = Atomic(false)
        let first = HeldSession(try server.trustedSession())
        let second = HeldSession(try server.trustedSession())
        async let stopped = workers.execute(
            "sleep 30", on: first, timeout: .seconds(60), isCancelled: { cancelled.load(ordering: .relaxed) })
        async let expired = workers.execute("sleep 30", on: second, timeout: .milliseconds(500))
        try await Task.sleep(for: .milliseconds(300))
        cancelled.store(true, ordering: .relaxed)

        let results = await [stopped, expired]
        guard case .failure(let cancelError) = results[0], case .failure(let timeoutError) = results[1] else {
            Issue.record("both commands should have failed: \(results)")
            return
        }
        #expect(cancelError.stage == .exec)
        #expect(cancelError.message.contains("was cancelled"))
        #expect(timeoutError.message.contains("did not finish within its timeout"))
        for session in [first, second] {
            #expect(try await workers.execute("echo again", on: session, timeout: .seconds(20)).get().stdoutText == "again\n")
        }
    }
}
