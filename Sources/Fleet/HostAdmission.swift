import Synchronization

/// How many hosts may be in their costly first part at once — connecting, getting the peer
/// program, starting it — before the next is let in: a counting semaphore for async code,
/// whose waiters hold no thread. A host lets the next one in as soon as its costly part is
/// over (`Ticket.release()`), well before its work ends; so a thousand hosts start in waves
/// that neither the controller's nor the hosts' cores drown in.
///
/// Waiters are let in by `rank`, lowest first (a push uses the hosts file's order).
public final class HostAdmission: Sendable {
    private struct State {
        var free: Int
        var waiting = RankedQueue<CheckedContinuation<Void, Never>>()
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
                state.waiting.insert(continuation, rank: rank)
                return false
            }
            if now { continuation.resume() }
        }
        return Ticket(self)
    }

    fileprivate func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let next = state.waiting.popFirst() else {
                state.free += 1
                return nil
            }
            return next
        }
        next?.resume()
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
