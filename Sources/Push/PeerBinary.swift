import Archive
import SSH
import Glibc
import Synchronization

/// The peer program uploaded to hosts: a local file and its SHA-256, which names it in the
/// host's cache (`~/.cache/swarmdeploy/peer-<sha256>`), so an unchanged peer is uploaded once
/// per host and two versions never overwrite each other.
public struct PeerBinary: Sendable, Equatable {
    public let path: String
    public let sha256: String
    public let size: Int64

    public init(path: String, sha256: String, size: Int64) {
        self.path = path
        self.sha256 = sha256
        self.size = size
    }

    /// Where it lives on a host, relative to the login user's home directory.
    public var remotePath: String { ".cache/swarmdeploy/peer-\(sha256)" }

    /// The shell command that runs the cached program with `arguments`: as the login user, or
    /// as root through `sudo -n` (never a password prompt: the command has no terminal, and
    /// the controller reads the refusal instead, see `HostPushMachine`). The cache stays the
    /// login user's either way.
    public func command(_ arguments: [String], sudo: Bool) -> String {
        "exec " + ShellQuoting.commandLine((sudo ? ["sudo", "-n", "--"] : []) + ["./" + remotePath] + arguments)
    }

    /// Runs the cached program if the host has it; otherwise says so and exits. The name holds
    /// the binary's SHA-256 and `SSHSession.ensureFile` renames a copy to it only after the
    /// host hashed it, so the name is proof enough here — hashing 20 MiB again on every push
    /// would cost each host a tenth of a second of CPU before its peer starts.
    public func commandIfCached(_ arguments: [String], sudo: Bool) -> String {
        "if [ -x \(remotePath) ]; then \(command(arguments, sudo: sudo)); fi; "
            + "echo \(HostPushMachine.notCachedMarker); exit \(HostPushMachine.notCachedStatus)"
    }
}

/// The peer binary gzip-compressed (about 40 % of its size), made once, by the first host
/// that needs an upload; hosts whose cache is warm never cause it. Nil when it cannot be
/// made (the plain file is sent then).
final class CompressedPeer: Sendable {
    private let path: String
    /// Outer nil: not tried yet; inner nil: tried and failed.
    private let made = Mutex<[UInt8]??>(nil)

    init(path: String) {
        self.path = path
    }

    func bytes() -> [UInt8]? {
        made.withLock { made in
            if let done = made { return done }
            let bytes = try? Self.compress(path)
            made = .some(bytes)
            return bytes
        }
    }

    private static func compress(_ path: String) throws -> [UInt8] {
        try GzipCompressor.compress(fileAt: path, level: 6)
    }
}
