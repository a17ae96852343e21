#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pipe that wakes a thread waiting in `poll`: any thread calls `signal()`, the waiting
/// one polls `descriptor` for reading beside its sockets and `drain()`s it when woken.
/// Both ends are non-blocking; without a pipe (out of descriptors) `descriptor` is -1 and
/// the waiter falls back on its poll timeout.
public final class WakePipe: @unchecked Sendable {
    private let ends: (read: Int32, write: Int32)

    public init() {
        var pair: [Int32] = [-1, -1]
        if pipe(&pair) == 0 {
            for end in pair {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            ends = (pair[0], pair[1])
        } else {
            ends = (-1, -1)
        }
    }

    deinit {
        if ends.read >= 0 { _ = close(ends.read) }
        if ends.write >= 0 { _ = close(ends.write) }
    }

    /// Readable once signalled, until drained.
    public var descriptor: Int32 { ends.read }

    /// Wakes the waiter; a full pipe already wakes it, so a failed write loses nothing.
    public func signal() {
        guard ends.write >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(ends.write, &byte, 1)
    }

    /// Empties the pipe, so the next poll waits again.
    public func drain() {
        guard ends.read >= 0 else { return }
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(ends.read, &bytes, bytes.count) > 0 {}
    }
}
