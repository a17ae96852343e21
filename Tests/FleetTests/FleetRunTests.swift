import Deploy
import Fleet
import Foundation
import SSH
import Synchronization
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
        settings.connectTimeout = 2
        let hosts = Fleet.hosts(entries, settings: settings, environment: [:])
        let events = Mutex<[Int: [String]]>([:])
        let results = await Fleet.run(hosts, parallelism: 2, onEvent: { event in
            let name: String
            switch event.kind {
            case .connecting: name = "connecting"
            case .connected: name = "connected"
            case .finished: name = "finished"
            case .failed(let error, _): name = "failed \(error.stage)"
            }
            events.withLock { $0[event.index, default: []].append(name) }
        }) { _, _ throws(SSHError) in 1 }

        #expect(results.count == 2)
        for (index, result) in results.enumerated() {
            guard case .failure(let error) = result else {
                Issue.record("host \(index) should have failed")
                continue
            }
            #expect(error.host == hosts[index].configuration.endpoint)
            #expect(error.stage == .connect)
        }
        #expect(events.withLock { $0 } == [0: ["connecting", "failed connect"], 1: ["connecting", "failed connect"]])
    }
}
