import SSH
import Synchronization

/// At most `threadLimit` threads for work that blocks (connecting over SSH, uploading,
/// opening a channel): an async caller hands it a job and waits suspended, holding no thread
/// of its own. So a thousand hosts cost a thousand cheap tasks and a few threads, not a
/// thousand threads.
///
/// Jobs run in order of `rank`, lowest first, and in arrival order within a rank (`Fleet.run`
/// ranks hosts by their place in the hosts file, whatever order their tasks start in).
/// Threads start as jobs arrive and end when the queue is empty; nothing is left running
/// between bursts.
public final class BlockingPool: Sendable {
    private struct State {
        var jobs = RankedQueue<@Sendable () -> Void>()
        var threads = 0
        var peakThreads = 0
    }

    public let threadLimit: Int
    private let state = Mutex(State())

    public init(threads: Int) {
        threadLimit = max(1, threads)
    }

    /// Runs `body` on one of the pool's threads and returns what it returned.
    public func run<T: Sendable>(rank: Int = 0, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit(rank: rank) { continuation.resume(returning: body()) }
        }
    }

    /// The most threads that ran at once so far.
    public var peakThreads: Int { state.withLock { $0.peakThreads } }

    private func submit(rank: Int, _ job: @escaping @Sendable () -> Void) {
        let startThread = state.withLock { state -> Bool in
            state.jobs.insert(job, rank: rank)
            guard state.threads < threadLimit else { return false }
            state.threads += 1
            state.peakThreads = max(state.peakThreads, state.threads)
            return true
        }
        if startThread { startDetachedThread { self.work() } }
    }

    /// Takes jobs until none is left, then ends the thread.
    private func work() {
        while let job = state.withLock({ state -> (@Sendable () -> Void)? in
            guard let job = state.jobs.popFirst() else {
                state.threads -= 1
                return nil
            }
            return job
        }) {
            job()
        }
    }
}
