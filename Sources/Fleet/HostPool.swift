#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The one way work runs on many hosts: each host's work on a thread of its own (libssh2
/// calls block, so they stay off Swift's cooperative pool and NIO's event loops), and at most
/// `parallelism` hosts holding a slot at once. A host gives its slot back when its work
/// returns, or earlier with `HostSlot.release()` once its costly part (connecting, uploading)
/// is done and it only waits, as a push's host does while its peer downloads.
public enum HostPool {
    /// Calls `body` for every index in `0..<count`, in order of index as slots free up, and
    /// returns what each call returned, in index order. One call's failure never stops others.
    public static func run<T: Sendable>(
        count: Int,
        parallelism: Int,
        _ body: @escaping @Sendable (_ index: Int, _ slot: HostSlot) -> T
    ) async -> [T] {
        if count <= 0 { return [] }
        let results = Results<T>(count: count)
        let slots = Slots(count: max(1, min(parallelism, count)))
        return await withCheckedContinuation { continuation in
            results.onFinish = { continuation.resume(returning: $0) }
            // The launcher waits for slots, so it needs a thread of its own too.
            startThread {
                for index in 0..<count {
                    slots.acquire()
                    let slot = HostSlot(slots)
                    startThread {
                        let value = body(index, slot)
                        slot.release()
                        results.finish(index, value)
                    }
                }
            }
        }
    }
}

/// One host's place among the hosts allowed to work at once. Releasing twice is harmless.
public final class HostSlot: Sendable {
    private let slots: Slots
    private let held = Atomic(true)

    fileprivate init(_ slots: Slots) { self.slots = slots }

    /// Lets the next host start; this host's work goes on.
    public func release() {
        if held.exchange(false, ordering: .acquiringAndReleasing) { slots.release() }
    }
}

/// A counting semaphore on a mutex and a condition variable (blocking is what the launcher
/// thread is for).
private final class Slots: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var free: Int

    init(count: Int) {
        free = count
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    func acquire() {
        pthread_mutex_lock(&mutex)
        while free == 0 { pthread_cond_wait(&condition, &mutex) }
        free -= 1
        pthread_mutex_unlock(&mutex)
    }

    func release() {
        pthread_mutex_lock(&mutex)
        free += 1
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }
}

/// Every host's result, handed over at once when the last arrives.
private final class Results<T: Sendable>: @unchecked Sendable {
    private let state: Mutex<(remaining: Int, values: [T?])>
    // Set before any work starts, read only by the last `finish`.
    var onFinish: (([T]) -> Void)?

    init(count: Int) {
        state = Mutex((count, Array(repeating: nil, count: count)))
    }

    func finish(_ index: Int, _ value: T) {
        let done: [T]? = state.withLock { state in
            state.values[index] = value
            state.remaining -= 1
            return state.remaining == 0 ? state.values.map { $0! } : nil
        }
        if let done { onFinish?(done) }
    }
}

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

/// A detached POSIX thread running `body`; inline when no thread can be made, rather than
/// losing the work.
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
        Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
    }
}
