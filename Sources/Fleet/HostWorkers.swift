import SSH

/// The threads work on many hosts runs on: a bounded pool for the steps that block
/// (connecting, uploading, opening and closing channels) and one pump for the commands that
/// run long (a push's peers). Async code drives each host; while a host waits — for its
/// turn, its peer, another host — it holds no thread.
public struct HostWorkers: Sendable {
    public let pool: BlockingPool
    public let pump: CommandPump

    /// `blockingThreads`: how many blocking steps may run at once (the SSH parallelism).
    public init(blockingThreads: Int) {
        pool = BlockingPool(threads: blockingThreads)
        pump = CommandPump()
    }

    /// Runs `command` on `session` as `SSHSession.execute` does, holding no thread while it
    /// runs: opened on the pool, driven by the pump, closed on the pool. `onLine` and
    /// `isCancelled` run on the pump's thread (and `onLine` on the pool's for a last line).
    public func execute(
        _ command: String,
        on session: HeldSession,
        stdin: [UInt8] = [],
        input: SSHInput? = nil,
        timeout: Duration,
        collectOutput: Bool = true,
        onLine: (@Sendable (SSHOutputStream, String) -> Void)? = nil,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) async -> Result<SSHCommandResult, SSHError> {
        let started = await pool.run { () -> Result<RunningCommand, SSHError> in
            do throws(SSHError) {
                return .success(try session.session.start(
                    command, stdin: stdin, input: input, timeout: timeout, collectOutput: collectOutput,
                    onLine: onLine, isCancelled: isCancelled
                ))
            } catch {
                return .failure(error)
            }
        }
        let running: RunningCommand
        switch started {
        case .success(let command): running = command
        case .failure(let error): return .failure(error)
        }
        switch await pump.drive(running) {
        case .success:
            return .success(await pool.run { running.close() })
        case .failure(let error):
            await pool.run { running.abandon() }
            return .failure(error)
        }
    }
}

/// A connected session handed between the pool's threads and the pump's: used by one of them
/// at a time (each step awaits the one before), which is all libssh2 asks.
public final class HeldSession: @unchecked Sendable {
    public let session: SSHSession

    public init(_ session: SSHSession) {
        self.session = session
    }
}
