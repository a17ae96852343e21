import Fleet
import Foundation
import Synchronization
import Testing

@Suite struct HostPoolTests {
    @Test func nothingToDo() async {
        let results = await HostPool.run(count: 0, parallelism: 4) { index, _ in index }
        #expect(results.isEmpty)
    }

    /// Results come back in index order whatever order the work ends in, and no more than
    /// `parallelism` hold a slot at once.
    @Test func boundedAndInOrder() async {
        let active = Mutex((now: 0, peak: 0))
        let results = await HostPool.run(count: 24, parallelism: 3) { index, _ in
            active.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            // Later hosts end sooner, so completion order differs from index order.
            usleep(UInt32(1000 * (24 - index)))
            active.withLock { $0.now -= 1 }
            return index * 10
        }
        #expect(results == (0..<24).map { $0 * 10 })
        #expect(active.withLock { $0.peak } <= 3)
        #expect(active.withLock { $0.peak } >= 2)
    }

    /// A host that releases its slot early lets the next start while it goes on working: with
    /// one slot, every host is running at once before any of them ends.
    @Test func releasedSlotsLetTheNextHostsStart() async {
        let started = Mutex(0)
        let results = await HostPool.run(count: 6, parallelism: 1) { index, slot in
            started.withLock { $0 += 1 }
            slot.release()
            slot.release()  // twice is harmless
            let deadline = ContinuousClock.now + .seconds(10)
            while started.withLock({ $0 }) < 6, ContinuousClock.now < deadline { usleep(1000) }
            return started.withLock { $0 }
        }
        #expect(results == Array(repeating: 6, count: 6))
    }

    /// Without an early release, one slot means one host at a time.
    @Test func heldSlotsSerialize() async {
        let active = Mutex((now: 0, peak: 0))
        _ = await HostPool.run(count: 5, parallelism: 1) { _, _ in
            active.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            usleep(2000)
            active.withLock { $0.now -= 1 }
        }
        #expect(active.withLock { $0.peak } == 1)
    }
}
