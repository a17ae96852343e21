import Testing
@testable import Push

/// When each host switches, as sequences of reports and the words the gate answers with.
@Suite struct ActivationGateTests {
    static let names = (1...8).map { "h\($0)" }

    static func gate(together: Bool = true, canary: Int = 0, batch: Int? = nil, maxFailures: Int = 0, hosts: Int = 8) -> ActivationGate {
        ActivationGate(names: Array(names.prefix(hosts)), together: together, canary: canary, batch: batch, maxFailures: maxFailures)
    }

    @Test func wavesAreCanariesThenBatchesInFileOrder() {
        #expect(Self.gate().waves == [Array(0..<8)])
        #expect(Self.gate(canary: 1).waves == [[0], Array(1..<8)])
        #expect(Self.gate(canary: 2, batch: 4).waves == [[0, 1], [2, 3, 4, 5], [6, 7]])
        #expect(Self.gate(batch: 3).waves == [[0, 1, 2], [3, 4, 5], [6, 7]])
        #expect(Self.gate(canary: 8).waves == [Array(0..<8)])
    }

    @Test func togetherWaitsForTheLastHostOfTheWave() {
        var gate = Self.gate(hosts: 3)
        #expect(gate.staged(0) == [])
        #expect(gate.staged(2) == [])
        #expect(gate.staged(1) == [.activate([0, 1, 2])])
        #expect(gate.installed(0) == [])
    }

    @Test func togetherGoesAheadWithoutAHostThatFailed() {
        var gate = Self.gate(hosts: 3)
        #expect(gate.staged(0) == [])
        #expect(gate.staged(1) == [])
        #expect(gate.failed(2) == [.activate([0, 1])])
    }

    @Test func asapSwitchesEachHostAsItStages() {
        var gate = Self.gate(together: false, batch: 2, hosts: 4)
        #expect(gate.staged(1) == [.activate([1])])
        #expect(gate.staged(3) == [], "host 4 is in the second wave")
        #expect(gate.staged(0) == [.activate([0])])
        #expect(gate.installed(1) == [])
        #expect(gate.installed(0) == [.activate([3])], "the second wave begins with the hosts already staged")
        #expect(gate.staged(2) == [.activate([2])])
    }

    @Test func aFailedCanaryStopsEveryOtherHost() {
        var gate = Self.gate(canary: 1, hosts: 4)
        #expect(gate.staged(1) == [])
        #expect(gate.staged(0) == [.activate([0])])
        #expect(gate.staged(2) == [])
        let actions = gate.failed(0)
        #expect(actions == [.abort([1, 2, 3], reason: "canary host h1 failed")])
        #expect(gate.stopReason == "canary host h1 failed")
        #expect(gate.activated == [0])
        #expect(gate.staged(3) == [], "a stopped rollout switches nobody")
    }

    @Test func aCanaryFailingItsDownloadStopsTheRolloutToo() {
        var gate = Self.gate(canary: 2, maxFailures: 5, hosts: 4)
        #expect(gate.staged(0) == [])
        #expect(gate.failed(1) == [.activate([0])])
        #expect(gate.installed(0) == [.abort([2, 3], reason: "canary host h2 failed")], "max-failures does not excuse a canary")
    }

    @Test func failuresBeyondTheLimitStopFurtherWaves() {
        var gate = Self.gate(batch: 2, maxFailures: 1, hosts: 6)
        for host in 0..<6 { _ = gate.staged(host) }
        #expect(gate.activated == [0, 1])
        #expect(gate.failed(0) == [])
        #expect(gate.installed(1) == [.activate([2, 3])], "one failure is allowed")
        #expect(gate.failed(2) == [])
        #expect(gate.installed(3) == [.abort([4, 5], reason: "2 hosts failed, more than --max-failures 1 allows")])
        #expect(gate.activated == [0, 1, 2, 3])
    }

    @Test func aHostFailingBeforeItsWaveCountsWhenAWaveEnds() {
        var gate = Self.gate(batch: 2, maxFailures: 0, hosts: 4)
        #expect(gate.failed(3) == [])
        #expect(gate.staged(0) == [])
        #expect(gate.staged(1) == [.activate([0, 1])])
        #expect(gate.installed(0) == [])
        #expect(gate.installed(1) == [.abort([2], reason: "1 host failed, more than --max-failures 0 allows")])
    }

    @Test func theGateIsNeededOnlyWhenHostsWait() {
        #expect(ActivationGate.isNeeded(together: true, canary: 0, batch: nil))
        #expect(!ActivationGate.isNeeded(together: false, canary: 0, batch: nil))
        #expect(ActivationGate.isNeeded(together: false, canary: 1, batch: nil))
        #expect(ActivationGate.isNeeded(together: false, canary: 0, batch: 2))
    }
}
