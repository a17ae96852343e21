import Testing
import TestSupport

@testable import Swarm

@Suite("Token bucket and rate cap")
struct TokenBucketTests {
    @Test("a full bucket lets its capacity go at once, then one transfer more, then makes it wait")
    func capacityThenWait() {
        var bucket = TokenBucket(bytesPerSecond: 1000, capacity: 500, now: .zero)
        #expect(bucket.delay(at: .zero) == .zero)
        bucket.spend(400, at: .zero)
        #expect(bucket.delay(at: .zero) == .zero)
        bucket.spend(400, at: .zero)  // 100 left: this transfer may start, and leaves a debt of 300
        #expect(bucket.balance == -300)
        #expect(bucket.delay(at: .zero) == .milliseconds(300))
        #expect(bucket.delay(at: .milliseconds(100)) == .milliseconds(200))
        #expect(bucket.delay(at: .milliseconds(300)) == .zero)
        #expect(bucket.affordable(cost: 100, at: .milliseconds(300)) == 1)
    }

    @Test("refills stop at the capacity, however long the bucket was idle")
    func capacityBounds() {
        var bucket = TokenBucket(bytesPerSecond: 1000, capacity: 500, now: .zero)
        bucket.spend(200, at: .zero)
        #expect(bucket.affordable(cost: 100, at: .seconds(60)) == 6)
        #expect(bucket.balance == 500)
        // Time running backwards (two callers' clocks) adds nothing.
        bucket.spend(500, at: .seconds(60))
        #expect(bucket.affordable(cost: 100, at: .seconds(59)) == 1)
        #expect(bucket.balance == 0)
    }

    @Test("over any span, what starts is at most capacity + rate × span + one transfer", arguments: [100, 700, 16_384, 100_000])
    func longRunRate(transfer: Int) {
        let rate = 250_000.0
        var bucket = TokenBucket(bytesPerSecond: rate, capacity: 40_000, now: .zero)
        var now = Duration.zero
        var started: [(Duration, Int)] = []
        // A sender with always something to send: starts whenever allowed, else waits as told.
        while now < .seconds(5) {
            let delay = bucket.delay(at: now)
            if delay > .zero {
                now += delay
                continue
            }
            bucket.spend(transfer, at: now)
            started.append((now, transfer))
            now += .microseconds(1)
        }
        for window in stride(from: 0.0, to: 4.0, by: 0.25) {
            let from = Duration.seconds(window)
            let to = from + .seconds(1)
            let bytes = started.filter { $0.0 >= from && $0.0 < to }.reduce(0) { $0 + $1.1 }
            #expect(Double(bytes) <= 40_000 + rate + Double(transfer), "\(bytes) bytes started in the second from \(window) s")
        }
        let total = started.reduce(0) { $0 + $1.1 }
        // And the cap is used, not just respected: within one transfer of the rate over 5 s.
        #expect(Double(total) >= rate * 5 - Double(transfer), "\(total) bytes in 5 s")
    }

    @Test("a rate or capacity that is not positive and finite does not trap")
    func hostileSettings() {
        for rate in [0.0, -1, .nan, .infinity] {
            var bucket = TokenBucket(bytesPerSecond: rate, capacity: .nan, now: .zero)
            bucket.spend(10, at: .zero)
            #expect(bucket.delay(at: .zero) > .zero)
            #expect(bucket.affordable(cost: 0, at: .seconds(1)) >= 0)
        }
    }

    @Test("a block is charged with its message header, the segments' framing, and the other way's acknowledgements")
    func wireCost() {
        // 16,384 + 13 bytes in 12 segments of at most 1,448, each with 66 bytes of framing.
        #expect(RateCap.wireBytes(ofBlock: 16_384) == 16_397 + 12 * 66)
        #expect(RateCap.acknowledgementBytes(ofBlock: 16_384) == 6 * 66)
        #expect(RateCap.wireBytes(ofBlock: 1) == 14 + 66)
        #expect(RateCap.acknowledgementBytes(ofBlock: 1) == 66)
        // What a 20 Mbit/s cap leaves for payload: about 95 % after framing and acknowledgements.
        let share = 16_384.0 / Double(RateCap.wireBytes(ofBlock: 16_384) + RateCap.acknowledgementBytes(ofBlock: 16_384))
        #expect(share > 0.93 && share < 0.96, "\(share)")
        let bucket = RateCap.bucket(bitsPerSecond: 20e6, now: .zero)
        #expect(bucket.bytesPerSecond == 2.5e6)
        #expect(bucket.capacity == Double(2 * RateCap.wireBytes(ofBlock: 16_384)))
    }
}

@Suite("Downlink budget")
struct DownlinkBudgetTests {
    @Test("a fresh budget allows a second's worth; arrivals and requests out both use it up")
    func roomIsOneSecond() {
        var budget = DownlinkBudget(bitsPerSecond: 8_000_000)  // 1 MB/s
        #expect(budget.requestsAllowed(cost: 100_000, outstanding: 0, at: .zero) == 10)
        #expect(budget.requestsAllowed(cost: 100_000, outstanding: 400_000, at: .zero) == 6)
        budget.arrived(300_000, at: .milliseconds(10))
        #expect(budget.requestsAllowed(cost: 100_000, outstanding: 400_000, at: .milliseconds(20)) == 3)
        // Still in the window just under a second later (its slot has not left), gone after.
        #expect(budget.lastSecond(at: .milliseconds(1_040)) == 300_000)
        #expect(budget.lastSecond(at: .milliseconds(1_050)) == 0)
        #expect(budget.untilNextSlot(at: .milliseconds(1_020)) == .milliseconds(30))
        // Long idle: every slot left.
        budget.arrived(5, at: .seconds(100))
        #expect(budget.lastSecond(at: .seconds(100)) == 5)
    }

    /// Peers that answer after random delays, some slow and then fast (the bunching that pacing
    /// requests alone lets through): no second carries more than the cap, and the cap is used.
    @Test("whatever the answers' delays, no second carries more than the cap", arguments: [1 as UInt64, 2, 3])
    func everySecondHoldsTheCap(seed: UInt64) {
        let cost = 17_000
        var budget = DownlinkBudget(bitsPerSecond: 8_000_000)
        var random = SplitMix64(seed: seed)
        var pending: [(due: Duration, bytes: Int)] = []
        var arrivals: [(Duration, Int)] = []
        var now = Duration.zero
        while now < .seconds(20) {
            // Answers due by now arrive.
            for answer in pending where answer.due <= now {
                budget.arrived(answer.bytes, at: now)
                arrivals.append((now, answer.bytes))
            }
            pending.removeAll { $0.due <= now }
            // A peer that stalls for a second every few seconds, then answers at once.
            let stalled = Int(now / .seconds(1)) % 4 == 1
            let allowed = budget.requestsAllowed(cost: cost, outstanding: pending.count * cost, at: now)
            for _ in 0..<allowed {
                let delay = stalled ? .seconds(1) - .milliseconds(Int(now / .milliseconds(1)) % 1000) : .milliseconds(Int.random(in: 1...150, using: &random))
                pending.append((now + delay, cost))
            }
            now += .milliseconds(1)
        }
        for start in stride(from: 0, to: 19_000, by: 10) {
            let from = Duration.milliseconds(start), to = from + .seconds(1)
            let bytes = arrivals.filter { $0.0 >= from && $0.0 < to }.reduce(0) { $0 + $1.1 }
            #expect(bytes <= 1_000_000, "\(bytes) bytes in the second from \(start) ms")
        }
        let total = arrivals.reduce(0) { $0 + $1.1 }
        #expect(total >= 10_000_000, "\(total) bytes in 20 s: the cap is used")
    }
}
