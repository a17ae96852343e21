import Synchronization

/// At most `threadLimit` threads for work that blocks (connecting over SSH, uploading,
/// opening a channel): an async caller hands it a job and waits suspended, holding no thread
/// of its own. So a thousand hosts cost a thousand cheap tasks and a few threads, not a
/// thousand threads.
///
/// Jobs run in order of `rank`, lowest first, and in arrival order within a rank: a push
/// ranks a host's later steps before other hosts' first connection, so a host that began
/// goes on to run its peer instead of queueing behind the whole fleet. Threads start as jobs
/// arrive and end when the queue is empty; nothing is left running between bursts.
public final class BlockingPool: Sendable {
    private struct Job {
        let rank: Int
        let run: @Sendable () -> Void
    }

    private struct State {
        /// Sorted by rank; arrival order within a rank.
        var jobs: [Job] = []
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
            submit(Job(rank: rank) { continuation.resume(returning: body()) })
        }
    }

    /// The most threads that ran at once so far.
    public var peakThreads: Int { state.withLock { $0.peakThreads } }

    private func submit(_ job: Job) {
        let startThread = state.withLock { state -> Bool in
            state.jobs.insert(job, at: Self.insertionPoint(of: job.rank, in: state.jobs))
            guard state.threads < threadLimit else { return false }
            state.threads += 1
            state.peakThreads = max(state.peakThreads, state.threads)
            return true
        }
        if startThread { startDetachedThread { self.work() } }
    }

    /// Takes jobs until none is left, then ends the thread.
    private func work() {
        while let job = state.withLock({ state -> Job? in
            if state.jobs.isEmpty {
                state.threads -= 1
                return nil
            }
            return state.jobs.removeFirst()
        }) {
            job.run()
        }
    }

    /// After every job of rank ≤ `rank` (binary search: the queue is sorted by rank).
    private static func insertionPoint(of rank: Int, in jobs: [Job]) -> Int {
        var low = 0
        var high = jobs.count
        while low < high {
            let middle = (low + high) / 2
            if jobs[middle].rank <= rank { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
