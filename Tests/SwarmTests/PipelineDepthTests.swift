import Testing

@testable import Swarm

@Suite("PipelineDepth")
struct PipelineDepthTests {
    struct Case: CustomStringConvertible, Sendable {
        var bytesPerSecond: Double?
        var roundTripMicroseconds: Int?
        var peerLimit: Int? = nil
        var expected: Int
        var description: String {
            "\(bytesPerSecond.map { "\($0) B/s" } ?? "no rate"), \(roundTripMicroseconds.map { "\($0) µs" } ?? "no RTT"), limit \(peerLimit.map(String.init) ?? "none")"
        }
    }

    @Test(arguments: [
        // Before any measurement: deep, 2 MiB in flight.
        Case(bytesPerSecond: nil, roundTripMicroseconds: nil, expected: 128),
        Case(bytesPerSecond: 1.25e9, roundTripMicroseconds: nil, expected: 128),
        // 10 Gbit/s, 200 µs, ×2: 500,000 bytes = 30.5 blocks, rounded up.
        Case(bytesPerSecond: 1.25e9, roundTripMicroseconds: 200, expected: 31),
        // 3 GB/s, 1 ms, ×2: 6 MB = 366.2 blocks.
        Case(bytesPerSecond: 3e9, roundTripMicroseconds: 1000, expected: 367),
        // Slow or near links still keep the floor of 16.
        Case(bytesPerSecond: 1e8, roundTripMicroseconds: 100, expected: 16),
        Case(bytesPerSecond: 0, roundTripMicroseconds: 100, expected: 128),
        // Long round trips are capped.
        Case(bytesPerSecond: 1.25e9, roundTripMicroseconds: 10_000, expected: 512),
        Case(bytesPerSecond: 1e300, roundTripMicroseconds: 10_000_000, expected: 512),
        // The peer's own queue limit wins.
        Case(bytesPerSecond: nil, roundTripMicroseconds: nil, peerLimit: 250, expected: 128),
        Case(bytesPerSecond: nil, roundTripMicroseconds: nil, peerLimit: 50, expected: 50),
        Case(bytesPerSecond: 1e8, roundTripMicroseconds: 100, peerLimit: 5, expected: 5),
        Case(bytesPerSecond: nil, roundTripMicroseconds: nil, peerLimit: 0, expected: 1),
    ])
    func depth(_ c: Case) {
        let depth = PipelineDepth().blocks(
            bytesPerSecond: c.bytesPerSecond,
            roundTrip: c.roundTripMicroseconds.map { .microseconds($0) },
            peerLimit: c.peerLimit
        )
        #expect(depth == c.expected)
    }

    @Test func depthGrowsWithRateAndRoundTrip() {
        let sizing = PipelineDepth(initial: 64, minimum: 4, maximum: 1024, factor: 1)
        var last = 0
        for megabytes in stride(from: 100, through: 2000, by: 100) {
            let depth = sizing.blocks(bytesPerSecond: Double(megabytes) * 1e6, roundTrip: .milliseconds(1))
            #expect(depth >= last)
            last = depth
        }
        #expect(last == 123)  // 2 GB/s × 1 ms = 2 MB = 122.07 blocks
    }
}
