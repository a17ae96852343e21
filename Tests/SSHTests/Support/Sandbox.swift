import Foundation
import SSH
import TestSupport

/// A fleet from `scripts/sandbox.sh` for the duration of a test: hosts in
/// network namespaces with real sshd, reachable only from the sandbox's
/// controller namespace (see `NetworkNamespace`). Torn down on deinit.
final class Sandbox {
    let name: String
    let directory: TestDirectory
    let hostAddresses: [String]
    let unreachableAddresses: [String]

    var controllerNamespace: String { name + "-ctl" }
    var dir: String { directory.file("sandbox") }

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/sandbox.sh").path

    /// Root, `ip netns` that works, and an sshd to run on the hosts.
    static var isUsable: Bool {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else { return false }
        return (try? runTool("/bin/sh", ["-c", "ip netns list"])) != nil
    }

    init(hosts: Int, unreachable: Int = 0) throws {
        name = String(format: "sds%04x", UInt16.random(in: 0...UInt16.max))
        directory = try TestDirectory("sandbox")
        let subnet = "10.\(Int.random(in: 100...199))"
        try runTool("/bin/bash", [
            Sandbox.script, "up", "\(hosts)", "--unreachable", "\(unreachable)",
            "--name", name, "--subnet", subnet, "--dir", directory.file("sandbox"),
        ])
        hostAddresses = try Sandbox.addresses(in: directory.file("sandbox/hosts.txt"))
        unreachableAddresses = try Sandbox.addresses(in: directory.file("sandbox/unreachable.txt"))
    }

    deinit {
        _ = try? runTool("/bin/bash", [Sandbox.script, "down", "--name", name, "--dir", dir])
    }

    /// A configuration for one of the sandbox's addresses with its key and known_hosts, strict.
    func configuration(host: String, connectTimeout: Duration = .seconds(5)) -> SSHConfiguration {
        SSHConfiguration(
            host: host,
            user: "root",
            knownHostsPath: dir + "/known_hosts",
            hostKeyPolicy: .strict,
            agent: .disabled,
            identityFiles: [dir + "/id_ed25519"],
            connectTimeout: connectTimeout,
            operationTimeout: .seconds(20)
        )
    }

    /// "root@10.77.0.11 name=h1" lines to addresses.
    private static func addresses(in path: String) throws -> [String] {
        try readText(path).split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
            String($0.split(separator: " ")[0].dropFirst("root@".count))
        }
    }
}

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
enum NetworkNamespace {
    static func run<T>(in name: String, _ body: @escaping () throws -> T) throws -> T {
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
