import Foundation
import SSH
import Testing
import TestSupport

/// A host whose address answers ARP but which drops every packet: no SYN-ACK,
/// no RST, no ICMP. Only the connect timeout ends the wait. The loopback test
/// (`hostThatNeverAnswersTimesOutInTheConnect`) fakes this with a full backlog;
/// here it is a real silent host in the namespace sandbox.
@Suite("A host that never answers, in the namespace sandbox", .sandbox)
struct UnreachableHostTests {
    /// What happened inside the controller's namespace, checked outside it:
    /// expectations are recorded on the test's own thread.
    struct Outcome {
        var unreachableError: SSHError?
        var unreachableElapsed: Duration = .zero
        var reachableRanTrue = false
    }

    @Test("connecting to it fails at the connect stage within the timeout; its neighbour works")
    func connectTimesOut() async throws {
        try await Sandbox.with(hosts: 1, unreachable: 1) { sandbox in try check(sandbox) }
    }

    private func check(_ sandbox: Sandbox) throws {
        let silent = sandbox.unreachableAddresses[0]
        let outcome = try NetworkNamespace.run(in: sandbox.controllerNamespace) { () throws -> Outcome in
            var outcome = Outcome()
            let started = ContinuousClock.now
            do throws(SSHError) {
                _ = try SSHSession(configuration: sandbox.configuration(host: silent, connectTimeout: .seconds(2)))
            } catch {
                outcome.unreachableError = error
            }
            outcome.unreachableElapsed = ContinuousClock.now - started

            let session = try SSHSession(configuration: sandbox.configuration(host: sandbox.hostAddresses[0]))
            outcome.reachableRanTrue = try session.execute("true").succeeded
            session.close()
            return outcome
        }

        let error = try #require(outcome.unreachableError)
        #expect(error.stage == .connect)
        #expect(error.host == "\(silent):22")
        #expect(error.description.contains("no answer within"), "\(error)")
        #expect(outcome.unreachableElapsed >= .milliseconds(1900) && outcome.unreachableElapsed < .seconds(6))
        #expect(outcome.reachableRanTrue)
    }
}
