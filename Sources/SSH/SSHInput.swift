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
    /// A pipe whose read end the exec loop polls beside the socket, so new input goes out
    /// at once instead of when the loop next wakes up on its own.
    private var wake: (read: Int32, write: Int32) = (-1, -1)

    public init() {
        pthread_mutex_init(&mutex, nil)
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
            wake = (ends[0], ends[1])
        }
    }

    deinit {
        pthread_mutex_destroy(&mutex)
        if wake.read >= 0 { closeDescriptor(wake.read) }
        if wake.write >= 0 { closeDescriptor(wake.write) }
    }

    /// Queues bytes; the exec loop sends them as soon as it sees the wake-up.
    public func write(_ bytes: [UInt8]) {
        pthread_mutex_lock(&mutex)
        if !closed { pending.append(contentsOf: bytes) }
        pthread_mutex_unlock(&mutex)
        signal()
    }

    /// Sends EOF after what is queued.
    public func close() {
        pthread_mutex_lock(&mutex)
        closed = true
        pthread_mutex_unlock(&mutex)
        signal()
    }

    /// Takes what is queued, and whether EOF follows it.
    func take() -> (bytes: [UInt8], closed: Bool) {
        var drain = [UInt8](repeating: 0, count: 64)
        while wake.read >= 0, read(wake.read, &drain, drain.count) > 0 {}
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        let bytes = pending
        pending.removeAll()
        return (bytes, closed)
    }

    /// Readable when input is waiting to be taken (-1 without a pipe: the loop then polls).
    var wakeDescriptor: Int32 { wake.read }

    private func signal() {
        if wake.write >= 0 { writeWakeByte(wake.write) }  // a full pipe already wakes the loop
    }
}

// At file scope, where `close` and `write` are the C functions, not SSHInput's methods.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

private func writeWakeByte(_ descriptor: Int32) {
    var byte: UInt8 = 1
    _ = write(descriptor, &byte, 1)
}
