import Foundation
import Testing
@testable import Push

@Suite struct TransferEstimateTests {
    @Test(arguments: [1 << 20, 1 << 30, 123_456_789] as [Int64])
    func oneHostSwarmEqualsOneCopy(_ bytes: Int64) {
        let rate = 1e9
        let t = Double(bytes) * 8 / rate
        #expect(TransferEstimate.singleCopySeconds(bytes: bytes, bitsPerSecond: rate) == t)
        #expect(TransferEstimate.sequentialSeconds(bytes: bytes, hosts: 1, bitsPerSecond: rate) == t)
        #expect(TransferEstimate.swarmSeconds(bytes: bytes, hosts: 1, pieces: 100, bitsPerSecond: rate) == t)
    }

    @Test(arguments: [(2, 1), (256, 100), (300, 2000), (1024, 1)])
    func formulaValues(_ hosts: Int, _ pieces: Int) {
        // 125,000,000 bytes at 1 Gbit/s is exactly one second.
        let bytes: Int64 = 125_000_000
        let sequential = TransferEstimate.sequentialSeconds(bytes: bytes, hosts: hosts, bitsPerSecond: 1e9)
        let swarm = TransferEstimate.swarmSeconds(bytes: bytes, hosts: hosts, pieces: pieces, bitsPerSecond: 1e9)
        #expect(sequential == Double(hosts))
        #expect(abs(swarm - (1 + log2(Double(hosts)) / Double(pieces))) < 1e-12)
        #expect(swarm <= sequential)
    }

    @Test func knownPoints() {
        let bytes: Int64 = 125_000_000
        #expect(TransferEstimate.swarmSeconds(bytes: bytes, hosts: 256, pieces: 100, bitsPerSecond: 1e9) == 1.08)
        #expect(TransferEstimate.swarmSeconds(bytes: bytes, hosts: 4, pieces: 1, bitsPerSecond: 1e9) == 3)
        #expect(TransferEstimate.sequentialSeconds(bytes: bytes, hosts: 10, bitsPerSecond: 1e8) == 100)
    }

    @Test func degenerateInputsStayFinite() {
        #expect(TransferEstimate.sequentialSeconds(bytes: 1000, hosts: 0, bitsPerSecond: 1e9) == 0)
        #expect(TransferEstimate.swarmSeconds(bytes: 1000, hosts: 0, pieces: 1, bitsPerSecond: 1e9) == 0)
        #expect(TransferEstimate.swarmSeconds(bytes: 0, hosts: 10, pieces: 0, bitsPerSecond: 1e9) == 0)
        #expect(TransferEstimate.swarmSeconds(bytes: 1000, hosts: 2, pieces: 0, bitsPerSecond: 8000) == 2)
        #expect(TransferEstimate.speedup(sequential: 0, swarm: 0) == 1)
        #expect(TransferEstimate.speedup(sequential: 10, swarm: 2) == 5)
    }
}
