#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a detached POSIX thread running `body`: libssh2 calls block, so they run on threads
/// of their own, never on Swift's cooperative pool or NIO's event loops. When no thread can
/// be made, `body` runs inline rather than being lost, unless `inlineWhenNoThread` is false
/// (a body that runs until stopped); the result says whether a thread was made.
@discardableResult
public func startDetachedThread(inlineWhenNoThread: Bool = true, _ body: @escaping @Sendable () -> Void) -> Bool {
    let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(&thread, nil, { raw in
        let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
        body.body()
        return nil
    }, context)
    if status == 0 {
        pthread_detach(thread)
        return true
    }
    let body = Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue()
    if inlineWhenNoThread { body.body() }
    return false
}

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
