import Foundation
import SSH
import TestSupport
import Testing

@Suite("Running commands on a real sshd")
struct ExecTests {
    @Test func exitStatusZeroAndNonZero() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let ok = try session.execute("true")
        #expect(ok.exitStatus == 0)
        #expect(ok.succeeded)
        #expect(ok.exitSignal == nil)
        // The same session runs several commands, one channel each.
        let failed = try session.execute("exit 42")
        #expect(failed.exitStatus == 42)
        #expect(!failed.succeeded)
    }

    @Test func stdoutAndStderrAreSeparated() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let result = try session.execute("echo out1; echo err1 >&2; echo out2; echo err2 >&2; exit 3")
        #expect(result.stdoutText == "out1\nout2\n")
        #expect(result.stderrText == "err1\nerr2\n")
        #expect(result.exitStatus == 3)
    }

    @Test func linesAreStreamedToTheCallbackPerStream() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        var lines: [(SSHOutputStream, String)] = []
        let result = try session.execute(
            "printf 'a\\nb\\n'; printf 'oops\\n' >&2; printf 'no newline'",
            collectOutput: false
        ) { lines.append(($0, $1)) }
        #expect(result.stdout.isEmpty)
        #expect(lines.filter { $0.0 == .stdout }.map(\.1) == ["a", "b", "no newline"])
        #expect(lines.filter { $0.0 == .stderr }.map(\.1) == ["oops"])
    }

    @Test func largeOutputArrivesComplete() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        // 5 MiB of a recognisable pattern on stdout, a little on stderr.
        let result = try session.execute("head -c 5242880 /dev/zero | tr '\\0' 'x'; echo done >&2")
        #expect(result.stdout.count == 5 * 1024 * 1024)
        #expect(result.stdout.allSatisfy { $0 == UInt8(ascii: "x") })
        #expect(result.stderrText == "done\n")
        #expect(result.exitStatus == 0)
    }

    @Test func stdinIsSentThenClosed() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let small = try session.execute("cat; echo end", stdin: Array("hello\nworld\n".utf8))
        #expect(small.stdoutText == "hello\nworld\nend\n")

        // Big enough to fill both flow-control windows at once: stdin going
        // out while the echo of it comes back.
        var big = [UInt8](repeating: 0, count: 6 * 1024 * 1024)
        for index in big.indices { big[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 12) }
        let echoed = try session.execute("cat", stdin: big)
        #expect(echoed.stdout == big)
        let counted = try session.execute("wc -c", stdin: big)
        #expect(counted.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == String(big.count))
    }

    @Test func commandThatIgnoresStdinStillFinishes() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let result = try session.execute("exit 7", stdin: [UInt8](repeating: 65, count: 4 * 1024 * 1024))
        #expect(result.exitStatus == 7)
    }

    @Test func killedBySignalReportsTheSignal() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let result = try session.execute("kill -TERM $$")
        #expect(result.exitSignal == "TERM")
        #expect(result.exitStatus == nil)
    }

    @Test func timeoutClosesTheChannelAndTheSessionStaysUsable() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let started = ContinuousClock.now
        let error = #expect(throws: SSHError.self) {
            _ = try session.execute("sleep 30", timeout: .milliseconds(500))
        }
        #expect(error?.stage == .exec)
        #expect(error?.description.contains("timeout") == true)
        #expect(ContinuousClock.now - started < .seconds(5))
        let after = try session.execute("echo still here")
        #expect(after.stdoutText == "still here\n")
    }

    @Test func cancellationClosesTheChannelPromptly() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let started = ContinuousClock.now
        var lines: [String] = []
        let error = #expect(throws: SSHError.self) {
            _ = try session.execute(
                "echo started; sleep 30",
                onLine: { lines.append($1) },
                isCancelled: { ContinuousClock.now - started > .milliseconds(600) }
            )
        }
        #expect(error?.stage == .exec)
        #expect(error?.description.contains("cancelled") == true)
        #expect(lines == ["started"])
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(try session.execute("echo next").stdoutText == "next\n")
    }

    /// The goodbye to a host that stopped answering is best effort: it must not hold the
    /// caller (a push waiting to report a stalled host) for the operation timeout.
    @Test func closingASessionToAFrozenHostTakesAboutASecond() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        var thaw: (@Sendable () -> Void)?
        let started = ContinuousClock.now
        #expect(throws: SSHError.self) {
            _ = try session.execute(
                "echo started; sleep 30",
                onLine: { _, _ in thaw = try? server.freezeConnections() },
                isCancelled: { thaw != nil && ContinuousClock.now - started > .milliseconds(500) }
            )
        }
        try #require(thaw != nil, "the command never started")
        let closing = ContinuousClock.now
        session.close()
        let took = ContinuousClock.now - closing
        thaw?()
        // The fixture's operation timeout is 20 s.
        #expect(took < .seconds(5), "close took \(took)")
    }

    @Test func outputLimitStopsARunawayCommand() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        let error = #expect(throws: SSHError.self) {
            _ = try session.execute("head -c 1000000 /dev/zero", outputLimit: 100_000)
        }
        #expect(error?.stage == .exec)
        #expect(error?.description.contains("100000 bytes") == true)
    }

    @Test func closedSessionRefusesToRun() async throws {
        let server = try await OpenSSHServer()
        let session = try server.trustedSession()
        session.close()
        session.close()
        let error = #expect(throws: SSHError.self) { _ = try session.execute("true") }
        #expect(error?.stage == .exec)
    }
}
