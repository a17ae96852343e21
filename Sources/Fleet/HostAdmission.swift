import Synchronization

/// How many hosts may be in their costly first part at once — connecting, getting the peer
/// program, starting it — before the next is let in: a counting semaphore for async code,
/// whose waiters hold no thread. A host lets the next one in as soon as its costly part is
/// over (`Ticket.release()`), well before its work ends; so a thousand hosts start in waves
/// that neither the controller's nor the hosts' cores drown in.
///
/// Waiters are let in by `rank`, lowest first (a push uses the hosts file's order).
public final class HostAdmission: Sendable {
    private struct Waiter {
        let rank: Int
        let resume: CheckedContinuation<Void, Never>
    }

    private struct State {
        var free: Int
        /// Sorted by rank.
        var waiting: [Waiter] = []
    }

    private let state: Mutex<State>

    public init(limit: Int) {
        state = Mutex(State(free: max(1, limit)))
    }

    /// Waits for a place; the ticket gives it back.
    public func enter(rank: Int = 0) async -> Ticket {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                let place = state.waiting.firstIndex { $0.rank > rank } ?? state.waiting.endIndex
                state.waiting.insert(Waiter(rank: rank, resume: continuation), at: place)
                return false
            }
            if now { continuation.resume() }
        }
        return Ticket(self)
    }

    fileprivate func leave() {
        let next = state.withLock { state -> Waiter? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume.resume()
    }

    /// One host's place; releasing it twice is harmless.
    public final class Ticket: Sendable {
        private let admission: HostAdmission
        private let held = Atomic(true)

        fileprivate init(_ admission: HostAdmission) {
            self.admission = admission
        }

        /// Lets the next host in; this host's work goes on.
        public func release() {
            if held.exchange(false, ordering: .acquiringAndReleasing) { admission.leave() }
        }
    }
}
