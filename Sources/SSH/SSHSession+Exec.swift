import CLibSSH2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SSHSession {
    /// Runs `command` on the host (through the user's login shell, as `ssh
    /// host command` does) and waits for it to finish.
    ///
    /// - Parameters:
    ///   - stdin: bytes sent to the command's standard input, followed by EOF
    ///     (unless `input` is given).
    ///   - input: more standard input supplied while the command runs; EOF is sent
    ///     only once it is closed.
    ///   - timeout: how long the whole command may take; on expiry the channel
    ///     is closed (the remote side sees EOF) and `SSHError` (stage `.exec`) is thrown.
    ///   - collectOutput: keep stdout and stderr in the result (turn off when
    ///     `onLine` is all the caller needs).
    ///   - outputLimit: per stream, the most bytes collected; more is an error,
    ///     so a runaway command cannot exhaust memory.
    ///   - onLine: called on this thread for each line as it arrives.
    ///   - isCancelled: polled at least every `cancellationInterval` while the
    ///     command runs; when it returns true the channel is closed (the remote
    ///     side sees EOF) and `SSHError` (stage `.exec`) is thrown.
    public func execute(
        _ command: String,
        stdin: [UInt8] = [],
        input: SSHInput? = nil,
        timeout: Duration? = nil,
        collectOutput: Bool = true,
        outputLimit: Int = 256 * 1024 * 1024,
        onLine: ((SSHOutputStream, String) -> Void)? = nil,
        isCancelled: (() -> Bool)? = nil
    ) throws(SSHError) -> SSHCommandResult {
        let running = try start(
            command, stdin: stdin, input: input, timeout: timeout, collectOutput: collectOutput,
            outputLimit: outputLimit, onLine: onLine, isCancelled: isCancelled
        )
        do throws(SSHError) {
            while true {
                switch try running.advance() {
                case .moved: continue
                case .idle: running.wait(atMost: Self.cancellationInterval)
                case .finished: return running.close()
                }
            }
        } catch {
            running.abandon()
            throw error
        }
    }

    /// Starts `command` as `execute` does and returns it running, for a caller that drives
    /// it (`RunningCommand.advance()`) — typically with many others on one thread. Blocks
    /// only while the channel opens. Parameters as for `execute`; `onLine` and `isCancelled`
    /// are called on the thread that advances the command.
    public func start(
        _ command: String,
        stdin: [UInt8] = [],
        input: SSHInput? = nil,
        timeout: Duration? = nil,
        collectOutput: Bool = true,
        outputLimit: Int = 256 * 1024 * 1024,
        onLine: ((SSHOutputStream, String) -> Void)? = nil,
        isCancelled: (() -> Bool)? = nil
    ) throws(SSHError) -> RunningCommand {
        let handle = try openHandle(for: .exec)
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let described = command.count > 80 ? String(command.prefix(77)) + "..." : command

        // Non-blocking while data flows: stdin, stdout and stderr all move in one loop, so
        // neither side can stall the other on a full window.
        libssh2_session_set_blocking(handle, 0)
        let channel: OpaquePointer
        do throws(SSHError) {
            channel = try openChannel(handle, running: command, described: described, deadline: deadline)
        } catch {
            libssh2_session_set_blocking(handle, 1)
            throw error
        }
        sendKeepAlives(handle, true)
        return RunningCommand(
            session: self, channel: channel, described: described, stdin: stdin, input: input, deadline: deadline,
            collectOutput: collectOutput, outputLimit: outputLimit, onLine: onLine, isCancelled: isCancelled
        )
    }

    /// Turns libssh2's keep-alives on (want_reply: the server must answer) for the loop above,
    /// which sends them when idle, and off again for everything else. libssh2 1.10 cuts a
    /// blocking call's wait short at the next keep-alive's due time and reports that as a
    /// timeout, so left on they fail SFTP writes that wait a few seconds on a busy link.
    func sendKeepAlives(_ handle: OpaquePointer, _ on: Bool) {
        let seconds = on ? UInt32(clamping: max(1, configuration.keepAliveInterval.components.seconds)) : 0
        libssh2_keepalive_config(handle, 1, seconds)
    }

    /// A session channel that runs `command`, waiting out EAGAIN until `deadline`.
    private func openChannel(
        _ handle: OpaquePointer, running command: String, described: String, deadline: ContinuousClock.Instant?
    ) throws(SSHError) -> OpaquePointer {
        var opened: OpaquePointer?
        while opened == nil {
            opened = libssh2_channel_open_ex(handle, "session", 7, 2 * 1024 * 1024, 32 * 1024, nil, 0)
            if opened == nil {
                try check(libssh2_session_last_errno(handle), "cannot open a channel for `\(described)`", deadline: deadline)
            }
        }
        guard let channel = opened else { throw failure(.exec, "cannot open a channel for `\(described)`") }
        while true {
            let code = libssh2_channel_process_startup(channel, "exec", 4, command, UInt32(command.utf8.count))
            if code == 0 { return channel }
            do {
                try check(code, "the server refused to run `\(described)`", deadline: deadline)
            } catch {
                freeWithoutWaiting(channel, handle: handle)
                throw error
            }
        }
    }

    /// Frees a channel without waiting (more than a quarter second, blocking) for the
    /// server's reply to its close: sshd answers only once the command has exited, which may
    /// be never. The remote side sees EOF.
    ///
    /// The close message itself must leave whole first: one cut off by the short timeout would
    /// stay half-sent inside libssh2, and the session's next request would fail ("Unable to
    /// send channel-open request", -39). So it is sent without the short limit (up to the
    /// operation timeout), while the reply is waited for briefly. So is, before it, whatever
    /// `pending` still has half-sent (a non-blocking call, true once nothing is left; see
    /// `StdinFeeder`).
    func freeWithoutWaiting(_ channel: OpaquePointer, handle: OpaquePointer, finishing pending: () -> Bool = { true }) {
        libssh2_session_set_blocking(handle, 0)
        let deadline = ContinuousClock.now + configuration.operationTimeout
        repeatUntilSent(by: deadline, pending)
        repeatUntilSent(by: deadline) {
            libssh2_channel_close(channel) != LIBSSH2_ERROR_EAGAIN
                || libssh2_session_block_directions(handle) & LIBSSH2_SESSION_BLOCK_OUTBOUND == 0
        }
        libssh2_session_set_blocking(handle, 1)
        libssh2_session_set_timeout(handle, 250)
        _ = libssh2_channel_free(channel)
        libssh2_session_set_timeout(handle, Int(pollMilliseconds(configuration.operationTimeout)))
    }

    /// Repeats `attempt`, a non-blocking libssh2 call that is true once nothing of it is left
    /// to send, while the socket takes writes and `deadline` has not passed.
    private func repeatUntilSent(by deadline: ContinuousClock.Instant, _ attempt: () -> Bool) {
        while !attempt(), ContinuousClock.now < deadline,
            waitWritable(milliseconds: pollMilliseconds(Self.cancellationInterval)) != nil {}
    }

    /// Waits up to `milliseconds` for the socket to take writes: true when it does, false
    /// when the time ran out, nil when the socket failed.
    func waitWritable(milliseconds: Int32) -> Bool? {
        var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&descriptor, 1, milliseconds)
        guard ready >= 0, descriptor.revents & Int16(POLLERR | POLLHUP | POLLNVAL) == 0 else { return nil }
        return ready == 1 && descriptor.revents & Int16(POLLOUT) != 0
    }

    /// EAGAIN means "wait for the socket and call again"; anything else is an error.
    private func check(_ code: Int32, _ message: String, deadline: ContinuousClock.Instant?) throws(SSHError) {
        guard code == LIBSSH2_ERROR_EAGAIN else { throw failure(.exec, message, code: code) }
        try waitForSocket(try openHandle(for: .exec), deadline: deadline, what: message)
    }

    /// How often a running command's `isCancelled` is asked, at the latest.
    static let cancellationInterval = Duration.milliseconds(200)

    /// Waits until the socket is ready in the direction libssh2 is blocked on,
    /// or the deadline passes. Waits in short slices so that neither the
    /// deadline nor a cancellation is noticed late.
    private func waitForSocket(_ handle: OpaquePointer, deadline: ContinuousClock.Instant?, what: String) throws(SSHError) {
        var wait = Self.cancellationInterval
        if let deadline {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero {
                throw SSHError(host: configuration.endpoint, stage: .exec, message: "\(what) did not finish within its timeout; the channel was closed")
            }
            wait = min(wait, left)
        }
        var descriptor = pollfd(fd: socket, events: Self.blockedEvents(handle), revents: 0)
        _ = poll(&descriptor, 1, pollMilliseconds(wait))
    }

    /// The poll events for the direction libssh2 last blocked in (reading when it did not say).
    static func blockedEvents(_ handle: OpaquePointer?) -> Int16 {
        let directions = handle.map { libssh2_session_block_directions($0) } ?? 0
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        return events == 0 ? Int16(POLLIN) : events
    }
}
