/// What a command that ran to completion left: its exit status and everything it printed.
public struct CommandResult: Sendable {
    /// The exit code, or 128 + the signal that ended it, as a shell reports it.
    public let status: Int32
    public let stdoutBytes: [UInt8]
    public let stderr: String

    public init(status: Int32, stdoutBytes: [UInt8], stderr: String) {
        self.status = status
        self.stdoutBytes = stdoutBytes
        self.stderr = stderr
    }

    public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }
    public var succeeded: Bool { status == 0 }
}
