import Fleet
import TestSupport
import Testing

@Suite struct HostAdmissionTests {
    /// No more than the limit hold a ticket at once; a released ticket lets the next host in
    /// while the first goes on working, and releasing twice gives back one place only.
    @Test func ticketsBoundTheCostlyPartOnly() async {
        let admission = HostAdmission(limit: 2)
        let holders = Locked((now: 0, peak: 0, finishedWhileOthersWorked: 0))
        let working = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for rank in 0..<8 {
                group.addTask {
                    let ticket = await admission.enter(rank: rank)
                    holders.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                    try? await Task.sleep(for: .milliseconds(5))
                    holders.withLock { $0.now -= 1 }
                    ticket.release()
                    ticket.release()
                    // The rest of the work: every host reaches it, all at once at the end.
                    working.withLock { $0 += 1 }
                    while working.withLock({ $0 }) < 8 { try? await Task.sleep(for: .milliseconds(1)) }
                }
            }
        }
        #expect(holders.withLock { $0.peak } == 2)
        #expect(working.withLock { $0 } == 8)
    }

    /// Waiting hosts come in by rank, whatever order they started waiting in.
    @Test func waitersComeInByRank() async {
        let admission = HostAdmission(limit: 1)
        let first = await admission.enter(rank: 100)
        let order = Locked<[Int]>([])
        await withTaskGroup(of: Void.self) { group in
            for rank in [5, 3, 9, 1] {
                group.addTask {
                    let ticket = await admission.enter(rank: rank)
                    order.withLock { $0.append(rank) }
                    ticket.release()
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            first.release()
        }
        #expect(order.withLock { $0 } == [1, 3, 5, 9])
    }
}
