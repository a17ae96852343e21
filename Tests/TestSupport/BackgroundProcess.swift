import Foundation
import Glibc

/// A long-running child (a tracker, a seeder, a libtorrent script) that a test starts and
/// that is always stopped: by `stop()`, or at the latest when released.
public final class BackgroundProcess: @unchecked Sendable {
    private let process = Process()
    public let logPath: String

    /// Starts `executable`; its standard output and error go to `logPath`.
    public init(_ executable: String, _ arguments: [String], logPath: String) throws {
        self.logPath = logPath
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try? log.close()
    }

    public var isRunning: Bool { process.isRunning }
    public var processIdentifier: Int32 { process.processIdentifier }
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits up to `grace` seconds for the child to exit, then kills it.
    /// Returns whether it exited on its own after `signal`.
    @discardableResult
    public func stop(signal: Int32 = SIGINT, grace: Double = 5) -> Bool {
        guard process.isRunning else { return true }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }

    /// Waits up to `timeout` seconds for the child to exit on its own; returns its exit status,
    /// or nil if it is still running.
    public func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Waits until `text` appears in the log, or the child exits, or `timeout` passes.
    public func waitForLog(containing text: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            if !process.isRunning { return log.contains(text) }
            usleep(20_000)
        }
        return false
    }

    deinit { stop(signal: SIGKILL, grace: 1) }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound, read, closed).
public func freeLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}
