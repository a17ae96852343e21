import Foundation

/// A long-running child (sshd, a tracker, a seeder, a libtorrent script) that a test starts,
/// talks to while it runs, and that is always stopped: by `stop()`, or at the latest when released.
///
/// Hand-written on posix_spawn and waitpid rather than on swift-subprocess (see `ProcessRunner`):
/// these children outlive any one call and are stopped from `deinit`, which cannot await.
/// Foundation's `Process` is no choice either: sshd closes every inherited descriptor at
/// start-up, including the one `Process` watches to learn that a child exited, which makes
/// `Process` block in waitpid for the still-running sshd and stall every other child.
public final class BackgroundProcess: @unchecked Sendable {
    public let logPath: String
    public let processIdentifier: pid_t
    private let lock = NSLock()
    /// Set once the child has been reaped; a reaped pid may be reused, so it is never signalled again.
    private var exitStatus: Int32?

    /// Starts `executable` with stdin from /dev/null; its stdout and stderr go to `logPath`.
    public init(_ executable: String, _ arguments: [String], logPath: String) throws {
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // Test threads block signals such as SIGTERM and posix_spawn passes the
        // calling thread's mask on; children start with none blocked and default handlers.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw TestSetupError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        processIdentifier = pid
    }

    public var isRunning: Bool { reap(blocking: false) == nil }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` (unless the child has exited) and waits up to `grace` seconds for it to
    /// exit, then kills it. Returns whether it exited on its own after `signal`.
    @discardableResult
    public func stop(signal: Int32 = SIGINT, grace: Double = 5) -> Bool {
        guard send(signal) else { return true }
        if waitForExit(timeout: grace) != nil { return true }
        send(SIGKILL)
        reap(blocking: true)
        return false
    }

    /// Waits up to `timeout` seconds for the child to exit; returns its exit status (128 + signal
    /// when a signal ended it), or nil if it is still running.
    public func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let status = reap(blocking: false) { return status }
            if Date() >= deadline { return nil }
            usleep(20_000)
        }
    }

    /// Waits until `text` appears in the log, or the child exits, or `timeout` passes.
    public func waitForLog(containing text: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if log.contains(text) { return true }
            if !isRunning { return log.contains(text) }
            usleep(20_000)
        }
        return false
    }

    /// Signals the child if it has not been reaped; returns whether it was signalled.
    @discardableResult
    public func send(_ signal: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard exitStatus == nil else { return false }
        kill(processIdentifier, signal)
        return true
    }

    /// The exit status once the child has exited (reaping it the first time), else nil.
    @discardableResult
    private func reap(blocking: Bool) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while true {
            let result = waitpid(processIdentifier, &status, blocking ? 0 : WNOHANG)
            if result == 0 { return nil }
            if result < 0 {
                if errno == EINTR { continue }
                exitStatus = -1  // not our child any more: nothing left to wait for
                return exitStatus
            }
            break
        }
        let signal = status & 0x7F
        exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        return exitStatus
    }

    deinit { stop(signal: SIGKILL, grace: 1) }
}
