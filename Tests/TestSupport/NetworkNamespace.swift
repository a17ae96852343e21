import Foundation

/// Runs code inside a named network namespace (/run/netns/NAME).
///
/// The test process lives in the machine's own network namespace, from which
/// the sandbox's addresses cannot be reached by design (nothing is routed in
/// or out). A network namespace belongs to a thread, and a socket to the
/// namespace its creating thread was in, so a fresh thread that joins the
/// controller's namespace with setns(2) opens its sockets as the controller
/// would, while the rest of the process stays where it is. The thread is ours,
/// made for this call and ended with it: never a pool thread that would go on
/// to run other work inside the sandbox.
public enum NetworkNamespace {
    public static func run<T>(in name: String, _ body: @escaping () throws -> T) throws -> T {
        let fd = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TestSetupError("cannot open /run/netns/\(name): \(String(cString: strerror(errno)))") }
        defer { close(fd) }

        let call = Call(body)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            guard joinNetworkNamespace(fd) == 0 else {
                call.result = .failure(TestSetupError("setns(\(name)): \(String(cString: strerror(errno)))"))
                return
            }
            call.run()
        }
        thread.start()
        done.wait()
        return try call.result!.get()
    }

    /// setns(fd, CLONE_NEWNET). Glibc declares setns only for _GNU_SOURCE,
    /// which Swift's Glibc module does not see, so it is looked up in libc.
    private static func joinNetworkNamespace(_ fd: Int32) -> Int32 {
        typealias SetNS = @convention(c) (Int32, Int32) -> Int32
        let cloneNewNet: Int32 = 0x4000_0000  // CLONE_NEWNET, <linux/sched.h>
        guard let libc = dlopen(nil, RTLD_NOW), let symbol = dlsym(libc, "setns") else {
            errno = ENOSYS
            return -1
        }
        return unsafeBitCast(symbol, to: SetNS.self)(fd, cloneNewNet)
    }

    /// The body and its result, handed to the thread and back; the semaphore orders the accesses.
    private final class Call<T>: @unchecked Sendable {
        let body: () throws -> T
        var result: Result<T, any Error>?

        init(_ body: @escaping () throws -> T) { self.body = body }

        func run() { result = Result { try body() } }
    }
}
