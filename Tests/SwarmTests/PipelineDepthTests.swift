import Testing

@testable import Swarm

@Suite("PipelineDepth")
struct PipelineDepthTests {
    static let block = PieceLayout.wireBlockLength

    /// Feeds `bytesPerSecond` in 16 KiB blocks for `duration`, starting at `start`; returns the end.
    @discardableResult
    static func deliver(_ depth: inout PipelineDepth, bytesPerSecond: Double, for duration: Duration, from start: Duration = .zero) -> Duration {
        let interval = Duration.seconds(Double(block) / bytesPerSecond)
        var now = start
        while now < start + duration {
            depth.received(block, at: now)
            now += interval
        }
        return now
    }

    @Test func startsAtTheInitialDepthUntilAWindowIsMeasured() {
        var depth = PipelineDepth()
        #expect(depth.blocks == 16)
        #expect(depth.bytesPerSecond == nil)
        // The first block only starts the clock; less than a window later nothing is measured yet.
        depth.received(Self.block, at: .seconds(1))
        depth.received(Self.block, at: .seconds(1) + .milliseconds(50))
        #expect(depth.blocks == 16)
        #expect(depth.bytesPerSecond == nil)
    }

    struct Case: CustomStringConvertible, Sendable {
        var bytesPerSecond: Double
        var expected: Int
        var description: String { "\(bytesPerSecond) B/s → \(expected) blocks" }
    }

    /// Depth = rate × 100 ms / 16 KiB, rounded up, within 4...128.
    @Test(arguments: [
        // A host's share of another host's 100 Mbit/s uplink, 15 ways: ~0.8 MB/s → 5 blocks.
        Case(bytesPerSecond: 800_000, expected: 5),
        // 6.25 MB/s (a whole 50 Mbit/s link): 38.1 blocks.
        Case(bytesPerSecond: 6_250_000, expected: 39),
        // Slower than the floor asks for: keep 4, so a peer that speeds up is noticed.
        Case(bytesPerSecond: 100_000, expected: 4),
        Case(bytesPerSecond: 50_000, expected: 4),
        // Loopback or 10 Gbit/s: capped.
        Case(bytesPerSecond: 400_000_000, expected: 128),
    ])
    func steadyRate(_ c: Case) {
        var depth = PipelineDepth()
        Self.deliver(&depth, bytesPerSecond: c.bytesPerSecond, for: .seconds(3))
        #expect(depth.blocks == c.expected)
        let measured = depth.bytesPerSecond ?? 0
        #expect(abs(measured - c.bytesPerSecond) / c.bytesPerSecond < 0.1, "measured \(measured) B/s")
    }

    /// A peer that turns out fast is asked for much more within a few windows; one that slows
    /// down (its uplink now shared) is asked for less, so requests do not queue behind others.
    @Test func followsTheRateBothWays() {
        var depth = PipelineDepth()
        var now = Self.deliver(&depth, bytesPerSecond: 200_000_000, for: .milliseconds(500))
        #expect(depth.blocks == 128)
        now = Self.deliver(&depth, bytesPerSecond: 800_000, for: .seconds(2), from: now)
        #expect(depth.blocks <= 6)
        Self.deliver(&depth, bytesPerSecond: 12_000_000, for: .seconds(1), from: now)
        #expect((70...80).contains(depth.blocks))
    }

    /// A fast peer is not held at the initial depth for a whole window: a quarter into it the
    /// depth rises to what the window's rate so far asks for; it never falls before the window ends.
    @Test func aFastPeerIsRaisedEarlyAndASlowOneLoweredOnlyAtTheWindow() {
        var fast = PipelineDepth()
        Self.deliver(&fast, bytesPerSecond: 50_000_000, for: .milliseconds(30))
        #expect(fast.blocks == 128)
        #expect(fast.bytesPerSecond == nil)

        var slow = PipelineDepth()
        let now = Self.deliver(&slow, bytesPerSecond: 200_000, for: .milliseconds(90))
        #expect(slow.blocks == 16)
        Self.deliver(&slow, bytesPerSecond: 200_000, for: .milliseconds(30), from: now)
        #expect(slow.blocks == 4)
    }

    /// A pause (nothing requested from the peer) lowers the estimate, never below the floor.
    @Test func idleTimeLowersButKeepsTheFloor() {
        var depth = PipelineDepth()
        let now = Self.deliver(&depth, bytesPerSecond: 12_000_000, for: .seconds(1))
        let before = depth.blocks
        depth.received(Self.block, at: now + .seconds(5))
        #expect(depth.blocks < before)
        #expect(depth.blocks >= 4)
    }

    /// A peer that answers twice a second, everything asked of it at once (Transmission):
    /// the depth is all that sets its rate. Returns the depth after `seconds`.
    static func batchingPeer(_ settings: PipelineDepth.Settings, seconds: Int) -> Int {
        var depth = PipelineDepth(settings)
        var now = Duration.zero
        for _ in 0..<(seconds * 2) {
            for _ in 0..<depth.blocks { depth.received(Self.block, at: now) }
            now += .milliseconds(500)
        }
        return depth.blocks
    }

    @Test func aClientThatAnswersInBatchesIsAskedForMoreWithASecondOfQueue() {
        // 100 ms of queue: the depth falls to the minimum and stays there (4 blocks a batch).
        #expect(Self.batchingPeer(PipelineDepth.Settings(), seconds: 10) == 4)
        // A second: the depth grows with each batch to the maximum.
        #expect(Self.batchingPeer(PipelineDepth.Settings().forOtherClients, seconds: 10) == 128)
        // Our own peers' settings stand; a longer queue time is kept.
        #expect(PipelineDepth.Settings().forOtherClients.queueTime == .seconds(1))
        #expect(PipelineDepth.Settings(queueTime: .seconds(2)).forOtherClients.queueTime == .seconds(2))
    }

    @Test func customSettings() {
        var depth = PipelineDepth(.init(queueTime: .seconds(1), initial: 2, minimum: 1, maximum: 1000))
        #expect(depth.blocks == 2)
        Self.deliver(&depth, bytesPerSecond: 1_638_400, for: .seconds(3))  // 100 blocks a second
        #expect((100...102).contains(depth.blocks))
    }

    /// Top-ups go a quarter of the depth at a time, at least two and at most eight requests,
    /// and never more than the depth itself, or a depth of one could never be refilled.
    @Test func refillBatchIsAQuarterOfTheDepthWithinBounds() {
        var depth = PipelineDepth(.init(initial: 4, minimum: 1))
        #expect(depth.refillBatch == 2)
        let now = Self.deliver(&depth, bytesPerSecond: 200_000_000, for: .milliseconds(500))
        #expect(depth.blocks == 128)
        #expect(depth.refillBatch == 8)
        Self.deliver(&depth, bytesPerSecond: 3_300_000, for: .seconds(2), from: now)
        #expect((20...24).contains(depth.blocks))
        #expect(depth.refillBatch == depth.blocks / 4)

        let single = PipelineDepth(.init(initial: 1, minimum: 1))
        #expect(single.refillBatch == 1)
    }
}
