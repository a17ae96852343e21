import Dispatch
import Synchronization

/// How much of the payload, from its first byte, is downloaded and verified: a reader on
/// another thread follows the download through it, e.g. to extract the archive while the rest
/// is still arriving. The node only ever moves it forward; a verified piece never changes.
public final class VerifiedPrefix: Sendable {
    private struct State {
        var bytes: Int64 = 0
        var abandoned: String?
    }

    /// The payload's length: the prefix is complete when it reaches this.
    public let length: Int64
    private let state = Mutex(State())
    /// Signalled on every change; a waiter re-checks the state after each wake-up.
    private let changed = DispatchSemaphore(value: 0)

    public init(length: Int64) {
        self.length = length
    }

    public var bytes: Int64 { state.withLock { $0.bytes } }

    /// Blocks until more than `offset` bytes are verified and returns how many are, or throws
    /// once the download is abandoned (`abandon`). Only one thread may wait at a time.
    public func wait(beyond offset: Int64) throws(SwarmNodeError) -> Int64 {
        while true {
            let (bytes, abandoned) = state.withLock { ($0.bytes, $0.abandoned) }
            if bytes > offset || bytes == length { return bytes }
            if let abandoned { throw SwarmNodeError(abandoned) }
            changed.wait()
        }
    }

    /// Called by the node as the prefix grows.
    func advance(to bytes: Int64) {
        let moved = state.withLock { state in
            guard bytes > state.bytes else { return false }
            state.bytes = min(bytes, length)
            return true
        }
        if moved { changed.signal() }
    }

    /// Wakes the reader with `reason` as its error: the rest of the payload will not come.
    public func abandon(_ reason: String) {
        state.withLock { state in
            if state.abandoned == nil { state.abandoned = reason }
        }
        changed.signal()
    }
}
