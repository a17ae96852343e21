import Fleet
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite struct BlockingPoolTests {
    /// No more than the limit run at once, every job runs, and the threads end with the work.
    @Test func boundedAndComplete() async {
        let pool = BlockingPool(threads: 3)
        let active = Locked((now: 0, peak: 0))
        let results = await withTaskGroup(of: Int.self) { group in
            for index in 0..<24 {
                group.addTask {
                    await pool.run {
                        active.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                        usleep(UInt32(1000 * (24 - index)))
                        active.withLock { $0.now -= 1 }
                        return index * 10
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.sorted() == (0..<24).map { $0 * 10 })
        #expect(active.withLock { $0.peak } <= 3)
        #expect(pool.peakThreads == 3)
    }

    /// Lower ranks first, arrival order within a rank: a host's next step overtakes other
    /// hosts' first connection.
    @Test func jobsRunByRankThenArrival() async {
        let pool = BlockingPool(threads: 1)
        let order = Locked<[String]>([])
        let gate = Locked(false)
        await withTaskGroup(of: Void.self) { group in
            // Holds the only thread while the others queue up.
            group.addTask {
                await pool.run {
                    while !gate.withLock({ $0 }) { usleep(1000) }
                    order.withLock { $0.append("first") }
                }
            }
            while pool.peakThreads == 0 { await Task.yield() }
            for (name, rank) in [("connect 2", 3), ("connect 1", 2), ("next step a", 0), ("connect 1b", 2), ("next step b", 0)] {
                group.addTask { await pool.run(rank: rank) { order.withLock { $0.append(name) } } }
                // Arrival order is the order of this loop.
                try? await Task.sleep(for: .milliseconds(20))
            }
            gate.withLock { $0 = true }
        }
        #expect(order.withLock { $0 } == ["first", "next step a", "next step b", "connect 1", "connect 1b", "connect 2"])
    }

    /// Thousands of waiting callers cost no thread each: they are suspended tasks.
    @Test func manyWaitingCallersUseFewThreads() async {
        let pool = BlockingPool(threads: 4)
        let count = await withTaskGroup(of: Int.self) { group in
            for index in 0..<2000 { group.addTask { await pool.run { index % 2 } } }
            return await group.reduce(0, +)
        }
        #expect(count == 1000)
        #expect(pool.peakThreads <= 4)
    }
}

