import Swarm
import Testing

@testable import SwarmSimulation

@Suite("Simulation: the swarm's decision code on a modelled network")
struct SimulationTests {
    /// No headers, no delay, no timeouts, everyone at once: times are then bytes over rates.
    static func plain(hosts: Int, size: Int64 = 1 << 20, rate: Double = 8e6) -> SimulationScenario {
        SimulationScenario(
            hosts: hosts, hostRate: rate, latency: 0, goodput: 1, queueDelay: nil, size: size, pieceLength: 64 << 10,
            startSpread: 0, step: 0.001)
    }

    @Test("one host takes the payload over its link: 1 MiB at 1 MB/s is 1.049 s")
    func oneHostTakesThePayloadOverItsLink() throws {
        let result = try Simulation(Self.plain(hosts: 1)).run()
        let expected = Double(1 << 20) / 1e6
        #expect(result.completed == 1)
        #expect(abs(try #require(result.last) - expected) < 0.01, "\(result)")
        #expect(abs(result.seederCopies - 1) < 1e-9)
        #expect(result.lowerBound == expected)
    }

    @Test("two hosts share: the seeder sends about one copy, done near the bound")
    func twoHostsShare() throws {
        let result = try Simulation(Self.plain(hosts: 2)).run()
        #expect(result.completed == 2)
        // Once every piece has left it, the seeder serves anything: both hosts' last pieces.
        #expect(result.seederCopies < 1.2, "\(result)")
        // One copy through the seeder's link is 1.049 s; the last pieces pass one more hop.
        #expect(try #require(result.last) < result.lowerBound * 1.15, "\(result)")
        #expect(result.lowerBound == Double(1 << 20) / 1e6)
    }

    @Test("the same seed gives the same run, to the byte")
    func theSameSeedGivesTheSameRun() throws {
        var scenario = Self.plain(hosts: 12, size: 2 << 20)
        scenario.racks = 3
        scenario.rackUplink = 8e6
        scenario.peerSelection = .rack(otherRacks: 1, otherDatacenters: 1, unplaced: 1)
        scenario.faults = .init(freeze: 0.1)
        scenario.startSpread = 0.05
        // Timeouts on crowded links draw random numbers too.
        scenario.queueDelay = 0.02
        var first = try Simulation(scenario).run()
        var second = try Simulation(scenario).run()
        first.wallSeconds = 0
        second.wallSeconds = 0
        first.microsecondsPerHostPiece = 0
        second.microsecondsPerHostPiece = 0
        #expect(first == second)
    }

    @Test("every rack takes at least one copy through its uplink, and the report counts it")
    func everyRackTakesAtLeastOneCopy() throws {
        var scenario = Self.plain(hosts: 8)
        scenario.racks = 2
        scenario.rackUplink = 8e6
        scenario.peerSelection = .rack(otherRacks: 1, otherDatacenters: 1, unplaced: 1)
        let result = try Simulation(scenario).run()
        #expect(result.completed == 8)
        #expect(result.racks.map(\.rack) == ["r0", "r1"])
        #expect(result.racks.allSatisfy { $0.copiesIn >= 1 }, "\(result.racks)")
        #expect(result.crossRackBytes == result.racks.reduce(0) { $0 + $1.bytesIn })
        #expect(result.crossDatacenterBytes == 0)
    }

    @Test("with rack shares a rack takes fewer copies across its uplink than without")
    func rackSharesBringEachPieceInOnce() throws {
        var scenario = Self.plain(hosts: 16, size: 4 << 20)
        scenario.racks = 4
        scenario.rackUplink = 8e6
        scenario.peerSelection = .rack(otherRacks: 2, otherDatacenters: 1, unplaced: 1)
        scenario.step = 0.005
        let shared = try Simulation(scenario).run()
        scenario.rackShares = false
        let unshared = try Simulation(scenario).run()
        #expect(shared.completed == 16 && unshared.completed == 16)
        let most = { (result: SimulationResult) in result.racks.map(\.copiesIn).max() ?? 0 }
        #expect(most(shared) < 1.6, "shared \(shared.racks), unshared \(unshared.racks)")
        #expect(most(unshared) > most(shared) + 0.3, "shared \(shared.racks), unshared \(unshared.racks)")
    }

    @Test("hosts that freeze or vanish mid-transfer do not stop the others")
    func hostsThatFreezeOrVanishDoNotStopTheOthers() throws {
        for faults in [SimulationScenario.Faults(freeze: 0.25), .init(vanish: 0.25), .init(crawl: 0.25)] {
            var scenario = Self.plain(hosts: 8, size: 4 << 20)
            scenario.faults = faults
            scenario.step = 0.005
            let result = try Simulation(scenario).run()
            #expect(result.struck == 2, "\(faults)")
            #expect(result.incomplete == 0, "\(faults): \(result)")
            #expect(result.completed == 6)
        }
    }

    @Test("a frozen host costs the others seconds, not the whole run")
    func aFrozenHostCostsSeconds() throws {
        var healthy = Self.plain(hosts: 16, size: 8 << 20)
        healthy.step = 0.005
        var frozen = healthy
        frozen.faults = .init(freeze: 1.0 / 16)
        let base = try #require(try Simulation(healthy).run().last)
        let struck = try Simulation(frozen).run()
        // The liveness rules give up on a silent peer after 3 s (snub) and 10 s (close).
        #expect(try #require(struck.last) < base + 12, "healthy \(base), with a frozen host \(struck)")
    }

    @Test("a fleet larger than a peer's connection limit finishes when each asks for a quarter of it")
    func aFleetLargerThanTheConnectionLimitFinishes() throws {
        // Asking the tracker for as many peers as a node may keep fills the early hosts'
        // slots with each other; the late ones then reach nobody holding a piece.
        var scenario = Self.plain(hosts: 30, size: 256 << 10)
        scenario.step = 0.005
        scenario.timeLimit = 30
        scenario.swarm.maxConnections = 12
        scenario.swarm.numwant = 12
        let greedy = try Simulation(scenario).run()
        #expect(greedy.incomplete > 0, "\(greedy)")
        scenario.swarm.numwant = 3
        let modest = try Simulation(scenario).run()
        #expect(modest.incomplete == 0, "\(modest)")
        #expect(modest.completed == 30)
    }

    @Test("a scenario that cannot run is refused, naming the setting")
    func aScenarioThatCannotRunIsRefused() {
        let cases: [(SimulationScenario, String)] = [
            (SimulationScenario(hosts: 0, hostRate: 1e9, size: 1), "--hosts"),
            (SimulationScenario(hosts: 4, racks: 5, hostRate: 1e9, size: 1), "--racks"),
            (SimulationScenario(hosts: 4, hostRate: 1e9, size: 1 << 20, pieceLength: 1000), "--piece-size"),
            (SimulationScenario(hosts: 4, hostRate: 1e9, size: 1 << 20, pieceLength: 1 << 16, blockLength: 3000), "--block"),
            (SimulationScenario(hosts: 4, hostRate: 1e9, size: 1, faults: .init(freeze: 0.7, vanish: 0.7)), "--freeze"),
            (SimulationScenario(hosts: 4, hostRate: 0, size: 1), "--host-rate"),
        ]
        for (scenario, flag) in cases {
            #expect {
                try Simulation(scenario)
            } throws: { error in
                "\(error)".contains(flag)
            }
        }
    }

    @Test("large runs ask for 64 KiB blocks (a peer's smallest pipeline); small ones for 16 KiB")
    func largeRunsAskForLargerBlocks() {
        #expect(SimulationScenario.automaticBlockLength(hosts: 16, size: 100 << 20, pieceLength: 1 << 18) == 16 << 10)
        #expect(SimulationScenario.automaticBlockLength(hosts: 10_000, size: 2 << 30, pieceLength: 1 << 20) == 64 << 10)
    }
}

@Suite("EventQueue: timed events in order")
struct EventQueueTests {
    @Test("earliest first, ties in the order scheduled")
    func earliestFirstTiesInOrder() {
        var queue = EventQueue<String>()
        queue.schedule("c", at: 3)
        queue.schedule("a1", at: 1)
        queue.schedule("b", at: 2)
        queue.schedule("a2", at: 1)
        #expect(queue.popDue(by: 0.5) == nil)
        var order: [String] = []
        while let (_, event) = queue.popDue(by: 10) { order.append(event) }
        #expect(order == ["a1", "a2", "b", "c"])
        #expect(queue.isEmpty)
    }
}
