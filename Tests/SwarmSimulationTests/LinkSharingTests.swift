import Testing

@testable import SwarmSimulation

@Suite("LinkSharing: link capacity shared among flows as TCP would")
struct LinkSharingTests {
    @Test("flows on one link split it evenly")
    func flowsOnOneLinkSplitItEvenly() {
        var sharing = LinkSharing(capacity: [12])
        var rates: [Double] = []
        sharing.rates(links: [0, 0, 0], start: [0, 1, 2, 3], into: &rates)
        #expect(rates == [4, 4, 4])
    }

    @Test("a flow held back elsewhere leaves its share to the others (max-min within 1 %)")
    func aFlowHeldBackElsewhereLeavesItsShare() {
        // Link 0 carries 10, link 1 only 1. Flow A crosses both, flow B link 0 only:
        // max-min gives A 1 and B 9.
        var sharing = LinkSharing(capacity: [10, 1])
        var rates: [Double] = []
        sharing.rates(links: [0, 1, 0], start: [0, 2, 3], into: &rates)
        #expect(rates[0] == 1)
        #expect(abs(rates[1] - 9) < 0.09, "\(rates)")
        #expect(rates[0] + rates[1] <= 10.000_001)
    }

    @Test("no link carries more than its capacity")
    func noLinkCarriesMoreThanItsCapacity() {
        var sharing = LinkSharing(capacity: [10, 3, 7, .infinity])
        var rates: [Double] = []
        let links: [Int32] = [0, 1, 0, 2, 1, 2, 3, 2, 3, 0]
        let start: [Int32] = [0, 2, 4, 6, 8, 10]
        sharing.rates(links: links, start: start, into: &rates)
        var load = [Double](repeating: 0, count: 4)
        for flow in 0..<5 {
            for position in Int(start[flow])..<Int(start[flow + 1]) { load[Int(links[position])] += rates[flow] }
        }
        #expect(load[0] <= 10.000_001 && load[1] <= 3.000_001 && load[2] <= 7.000_001, "\(load)")
        #expect(rates.allSatisfy { $0 > 0 && $0.isFinite })
    }

    @Test("no flows, no rates")
    func noFlowsNoRates() {
        var sharing = LinkSharing(capacity: [1])
        var rates: [Double] = [5]
        sharing.rates(links: [], start: [0], into: &rates)
        #expect(rates.isEmpty)
    }
}

@Suite("FluidBound: the least time from link rates")
struct FluidBoundTests {
    @Test("the slowest term decides, each computed by hand")
    func theSlowestTermDecides() {
        // F = 100 bytes, seeder 10 B/s, two hosts of 5 B/s: F/u_s = 10, F/d_min = 20,
        // N·F/(u_s + Σu) = 200/20 = 10.
        let bound = FluidBound(size: 100, seederRate: 10, hostRates: [5, 5], rackUplink: nil)
        #expect(bound.seederSends == 10)
        #expect(bound.slowestReceives == 20)
        #expect(bound.everyoneUploads == 10)
        #expect(bound.kumarRoss == 20)
        #expect(bound.seconds == 20)
        // A rack uplink of 2 B/s takes 50 s for one copy into the rack.
        #expect(FluidBound(size: 100, seederRate: 10, hostRates: [5, 5], rackUplink: 2).seconds == 50)
    }

    @Test("many hosts: the uploads of everyone bound the time")
    func manyHostsTheUploadsOfEveryoneBound() {
        // 4 hosts uploading 1 B/s and a seeder of 1 B/s: 4 copies of 10 bytes over 5 B/s is 8 s,
        // above F/u_s = 10? No: F/u_s = 10 s is larger, so 10 s.
        let bound = FluidBound(size: 10, seederRate: 1, hostRates: [1, 1, 1, 1], rackUplink: nil)
        #expect(bound.everyoneUploads == 8)
        #expect(bound.kumarRoss == 10)
    }
}

@Suite("LinkTimeouts: crowded links stall connections as TCP's timeouts do")
struct LinkTimeoutsTests {
    @Test("a link works for a quarter of its queue in packets; the excess stalls")
    func aLinkWorksForAQuarterOfItsQueue() {
        // 12e6 B/s × 20 ms = 240,000 bytes = 158 packets of 1514: 39 connections work.
        var timeouts = LinkTimeouts(capacity: [12e6, .infinity], queueDelay: 0.02)
        #expect(timeouts.workingConnections == [39, Int.max])
        var random = SeededRandom(seed: 1)
        let crowded = Array(repeating: [Int32(0), 1], count: 45)
        #expect(timeouts.stalled(crowded, &random).count == 6)
        let light = Array(repeating: [Int32(0), 1], count: 39)
        #expect(timeouts.stalled(light, &random).isEmpty)
        // An unlimited link never stalls anyone.
        #expect(timeouts.stalled(Array(repeating: [1], count: 1000), &random).isEmpty)
    }

    @Test("a token bucket's burst counts in the queue: 5 Mbit/s works for 12, not 2")
    func aBurstCountsInTheQueue() {
        // 625,000 B/s × 20 ms = 12,500 bytes, plus a 64 KiB burst = 78,036 bytes = 51 packets.
        let plain = LinkTimeouts(capacity: [625_000], queueDelay: 0.02)
        let bucket = LinkTimeouts(capacity: [625_000], queueDelay: 0.02, burst: SimulationScenario.tokenBucketBurst(bytesPerSecond:))
        #expect(plain.workingConnections == [2])
        #expect(bucket.workingConnections == [12])
        // Above 500 Mbit/s the burst is 1 ms of the rate.
        #expect(SimulationScenario.tokenBucketBurst(bytesPerSecond: 125e6) == 125_000)
    }

    @Test("a connection stalled at one link frees its place at the next")
    func aStalledConnectionFreesItsPlace() {
        // Two links working for one connection each; two connections cross both.
        var timeouts = LinkTimeouts(capacity: [1514 * 4 / 0.02, 1514 * 4 / 0.02], queueDelay: 0.02)
        #expect(timeouts.workingConnections == [1, 1])
        var random = SeededRandom(seed: 2)
        #expect(timeouts.stalled([[0, 1], [0, 1]], &random).count == 1)
    }

    @Test("timeouts double in a row, from 200 ms, up to 120 s")
    func timeoutsDouble() {
        #expect(LinkTimeouts.timeout(after: 0) == 0.2)
        #expect(LinkTimeouts.timeout(after: 3) == 1.6)
        #expect(LinkTimeouts.timeout(after: 20) == 120)
    }

    @Test("no queue given: nobody stalls")
    func noQueueNoStalls() {
        var timeouts = LinkTimeouts(capacity: [1e6], queueDelay: nil)
        var random = SeededRandom(seed: 3)
        #expect(timeouts.stalled(Array(repeating: [0], count: 100), &random).isEmpty)
    }
}

extension LinkTimeouts {
    /// `excess` for connections given as one path each.
    mutating func stalled(_ paths: [[Int32]], _ random: inout SeededRandom) -> [Int] {
        var start: [Int32] = [0]
        for path in paths { start.append(start.last! + Int32(path.count)) }
        return excess(links: paths.flatMap { $0 }, start: start, using: &random)
    }
}
