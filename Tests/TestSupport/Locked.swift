import Synchronization

/// A value shared by a test's concurrent jobs, behind a lock. A class, so escaping closures
/// and task groups can capture it (a `Mutex` alone cannot be captured there).
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: Value) {
        mutex = Mutex(value)
    }

    public func withLock<T>(_ body: (inout Value) -> T) -> T {
        mutex.withLock { body(&$0) }
    }
}
