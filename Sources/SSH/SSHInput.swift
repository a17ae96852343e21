#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input for a running command that the caller feeds while the command runs (from
/// any thread). The command sees EOF only after `close()`, so a long-lived remote process
/// can treat its standard input as a control channel whose end means "the controller is gone".
public final class SSHInput: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var pending: [UInt8] = []
    private var closed = false
    /// Polled by the exec loop beside the socket, so new input goes out at once instead of
    /// when the loop next wakes up on its own.
    private let wake = WakePipe()

    public init() {
        pthread_mutex_init(&mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(&mutex)
    }

    /// Queues bytes; the exec loop sends them as soon as it sees the wake-up.
    public func write(_ bytes: [UInt8]) {
        pthread_mutex_lock(&mutex)
        if !closed { pending.append(contentsOf: bytes) }
        pthread_mutex_unlock(&mutex)
        wake.signal()
    }

    /// Sends EOF after what is queued.
    public func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        pthread_mutex_unlock(&mutex)
        wake.signal()
    }

    /// Takes what is queued, and whether EOF follows it.
    func take() -> (bytes: [UInt8], closed: Bool) {
        wake.drain()
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let bytes = pending
        pending.removeAll()
        return (bytes, closed)
    }

    /// Readable when input is waiting to be taken (-1 without a pipe: the loop then polls).
    var wakeDescriptor: Int32 { wake.descriptor }
}
