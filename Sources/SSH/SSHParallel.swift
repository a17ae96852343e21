#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs blocking SSH work for many hosts at once on a bounded number of
/// dedicated threads: libssh2 calls block, so they must stay off Swift's
/// cooperative pool and off NIO's event loops, and `parallelism` bounds how
/// many hosts are contacted at the same time.
public enum SSHParallel {
    /// Connects to each host, runs `work` on its session, closes it, and
    /// returns one result per configuration, in the same order. A failure of
    /// one host never stops the others.
    public static func run<T: Sendable>(
        _ configurations: [SSHConfiguration],
        parallelism: Int,
        _ work: @escaping @Sendable (SSHSession) throws(SSHError) -> T
    ) async -> [Result<T, SSHError>] {
        await map(count: configurations.count, parallelism: parallelism) { index in
            do throws(SSHError) {
                let session = try SSHSession(configuration: configurations[index])
                defer { session.close() }
                return .success(try work(session))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Calls `body` for every index in `0..<count` on at most `parallelism`
    /// dedicated threads and returns what each call returned, in index order.
    /// For callers that open sessions themselves (to report progress between
    /// connecting and working, say).
    public static func map<T: Sendable>(
        count: Int,
        parallelism: Int,
        _ body: @escaping @Sendable (Int) -> T
    ) async -> [T] {
        if count <= 0 { return [] }
        let state = WorkState<T>(count: count)
        let workers = max(1, min(parallelism, count))
        return await withCheckedContinuation { continuation in
            state.onFinish = { continuation.resume(returning: $0) }
            for _ in 0..<workers {
                startThread {
                    while let index = state.nextIndex() {
                        state.finish(index, body(index))
                    }
                }
            }
        }
    }
}

/// The shared queue of indexes and the results, behind one mutex.
private final class WorkState<T: Sendable>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var next = 0
    private var remaining: Int
    private var results: [T?]
    var onFinish: (([T]) -> Void)?

    init(count: Int) {
        remaining = count
        results = Array(repeating: nil, count: count)
        pthread_mutex_init(&mutex, nil)
    }

    deinit { pthread_mutex_destroy(&mutex) }

    func nextIndex() -> Int? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        guard next < results.count else { return nil }
        next += 1
        return next - 1
    }

    func finish(_ index: Int, _ result: T) {
        pthread_mutex_lock(&mutex)
        results[index] = result
        remaining -= 1
        let done = remaining == 0 ? results.map { $0! } : nil
        let callback = done == nil ? nil : onFinish
        pthread_mutex_unlock(&mutex)
        if let done, let callback { callback(done) }
    }
}

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// A detached POSIX thread running `body`.
private func startThread(_ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { raw in
        let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
        body.body()
        return nil
    }, context)
    if status == 0 {
        pthread_detach(thread)
    } else {
        // No thread: run inline rather than lose the work.
        Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
    }
}
