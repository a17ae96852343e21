/// Which output stream of a remote command a piece of output came from.
public enum SSHOutputStream: String, Sendable {
    case stdout
    case stderr
}

/// How a remote command ended and what it printed.
public struct SSHCommandResult: Sendable {
    /// The command's exit status; nil when it was killed by a signal.
    public var exitStatus: Int32?
    /// The signal that killed it, as the server names it ("TERM", "KILL").
    public var exitSignal: String?
    /// Collected standard output (empty when collection was turned off).
    public var stdout: [UInt8]
    /// Collected standard error (empty when collection was turned off).
    public var stderr: [UInt8]

    public init(exitStatus: Int32?, exitSignal: String?, stdout: [UInt8], stderr: [UInt8]) {
        self.exitStatus = exitStatus
        self.exitSignal = exitSignal
        self.stdout = stdout
        self.stderr = stderr
    }

    /// True when the command exited with status 0.
    public var succeeded: Bool { exitStatus == 0 }
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}
