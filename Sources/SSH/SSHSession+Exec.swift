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
        let handle = try openHandle(for: .exec)
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let described = command.count > 80 ? String(command.prefix(77)) + "..." : command

        // Non-blocking while data flows: stdin, stdout and stderr all move in
        // one loop, so neither side can stall the other on a full window.
        libssh2_session_set_blocking(handle, 0)
        var channel: OpaquePointer?
        var abandoned = true
        defer {
            sendKeepAlives(handle, false)
            libssh2_session_set_blocking(handle, 1)
            if let channel { free(channel, handle: handle, abandoned: abandoned) }
        }
        channel = try openChannel(handle, running: command, described: described, deadline: deadline)
        guard let channel else { return SSHCommandResult(exitStatus: nil, exitSignal: nil, stdout: [], stderr: []) }

        var feeder = StdinFeeder(stdin, input: input)
        var streams = [
            OutputReader(.stdout, collect: collectOutput, limit: outputLimit),
            OutputReader(.stderr, collect: collectOutput, limit: outputLimit),
        ]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        sendKeepAlives(handle, true)
        while !streams.allSatisfy(\.finished) {
            var progressed = feeder.pump(channel)
            for index in streams.indices {
                progressed = try streams[index].read(channel, into: &buffer, onLine: onLine, failure: { message, code in
                    self.failure(.exec, message, code: code)
                }, command: described) || progressed
            }
            if let isCancelled, isCancelled() {
                throw SSHError(host: configuration.endpoint, stage: .exec, message: "`\(described)` was cancelled; the channel was closed")
            }
            if !progressed && !streams.allSatisfy(\.finished) {
                // Only when idle (nothing half-written), and only once due: a keep-alive the
                // host must answer, so a silent host's connection breaks (see `deadHostTimeout`).
                var nextKeepAlive: Int32 = 0
                _ = libssh2_keepalive_send(handle, &nextKeepAlive)
                // Input that arrives meanwhile wakes the wait, unless it is all sent already.
                try waitForSocket(handle, deadline: deadline, what: "`\(described)`", wake: feeder.wakeDescriptor)
            }
        }
        for index in streams.indices { streams[index].finish(onLine: onLine) }

        abandoned = false
        sendKeepAlives(handle, false)
        let (exitStatus, exitSignal) = closeAndReadExit(channel, handle: handle)
        return SSHCommandResult(exitStatus: exitStatus, exitSignal: exitSignal, stdout: streams[0].collected, stderr: streams[1].collected)
    }

    /// Turns libssh2's keep-alives on (want_reply: the server must answer) for the loop above,
    /// which sends them when idle, and off again for everything else. libssh2 1.10 cuts a
    /// blocking call's wait short at the next keep-alive's due time and reports that as a
    /// timeout, so left on they fail SFTP writes that wait a few seconds on a busy link.
    private func sendKeepAlives(_ handle: OpaquePointer, _ on: Bool) {
        let seconds = on ? UInt32(clamping: max(1, configuration.keepAliveInterval.components.seconds)) : 0
        libssh2_keepalive_config(handle, 1, seconds)
    }

    /// A session channel that runs `command`, waiting out EAGAIN until `deadline`.
    private func openChannel(
        _ handle: OpaquePointer, running command: String, described: String, deadline: ContinuousClock.Instant?
    ) throws(SSHError) -> OpaquePointer? {
        var channel: OpaquePointer?
        while channel == nil {
            channel = libssh2_channel_open_ex(handle, "session", 7, 2 * 1024 * 1024, 32 * 1024, nil, 0)
            if channel == nil {
                try check(libssh2_session_last_errno(handle), "cannot open a channel for `\(described)`", deadline: deadline)
            }
        }
        guard let channel else { return nil }
        while true {
            let code = libssh2_channel_process_startup(channel, "exec", 4, command, UInt32(command.utf8.count))
            if code == 0 { return channel }
            do {
                try check(code, "the server refused to run `\(described)`", deadline: deadline)
            } catch {
                free(channel, handle: handle, abandoned: true)
                throw error
            }
        }
    }

    /// Closes the channel in blocking mode and reads how the command ended: exit status and
    /// signal arrive before the server closes the channel.
    private func closeAndReadExit(_ channel: OpaquePointer, handle: OpaquePointer) -> (status: Int32?, signal: String?) {
        libssh2_session_set_blocking(handle, 1)
        _ = libssh2_channel_close(channel)
        _ = libssh2_channel_wait_closed(channel)
        var signal: UnsafeMutablePointer<CChar>?
        var signalLength = 0
        _ = libssh2_channel_get_exit_signal(channel, &signal, &signalLength, nil, nil, nil, nil)
        var exitSignal: String?
        if let signal {
            exitSignal = String(decoding: UnsafeRawBufferPointer(start: signal, count: signalLength), as: UTF8.self)
            libssh2_free(handle, signal)
        }
        return (exitSignal == nil ? libssh2_channel_get_exit_status(channel) : nil, exitSignal)
    }

    /// Frees the channel. An abandoned one (timeout, error, cancel) is closed without waiting
    /// for the server's reply: sshd answers only once the command has exited, which may be never.
    private func free(_ channel: OpaquePointer, handle: OpaquePointer, abandoned: Bool) {
        if abandoned { libssh2_session_set_timeout(handle, 250) }
        _ = libssh2_channel_free(channel)
        if abandoned {
            libssh2_session_set_timeout(handle, Int(milliseconds(configuration.operationTimeout)))
        }
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
    private func waitForSocket(_ handle: OpaquePointer, deadline: ContinuousClock.Instant?, what: String, wake: Int32? = nil) throws(SSHError) {
        var wait = Self.cancellationInterval
        if let deadline {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero {
                throw SSHError(host: configuration.endpoint, stage: .exec, message: "\(what) did not finish within its timeout; the channel was closed")
            }
            wait = min(wait, left)
        }
        let directions = libssh2_session_block_directions(handle)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        if events == 0 { events = Int16(POLLIN) }
        var descriptors = [pollfd(fd: socket, events: events, revents: 0)]
        if let wake, wake >= 0 { descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&descriptors, nfds_t(descriptors.count), milliseconds(wait))
    }
}
