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
        let describedCommand = command.count > 80 ? String(command.prefix(77)) + "..." : command

        // Non-blocking while data flows: stdin, stdout and stderr all move in
        // one loop, so neither side can stall the other on a full window.
        libssh2_session_set_blocking(handle, 0)
        var channel: OpaquePointer?
        var abandoned = true
        defer {
            libssh2_session_set_blocking(handle, 1)
            if let channel {
                // An abandoned channel (timeout, error) is closed without
                // waiting for the server's reply: sshd answers only once the
                // command has exited, which may be never.
                if abandoned { libssh2_session_set_timeout(handle, 250) }
                _ = libssh2_channel_free(channel)
                if abandoned {
                    libssh2_session_set_timeout(handle, Int(milliseconds(configuration.operationTimeout)))
                }
            }
        }

        while channel == nil {
            channel = libssh2_channel_open_ex(handle, "session", 7, 2 * 1024 * 1024, 32 * 1024, nil, 0)
            if channel == nil {
                try check(libssh2_session_last_errno(handle), "cannot open a channel for `\(describedCommand)`", deadline: deadline)
            }
        }
        guard let channel else { return SSHCommandResult(exitStatus: nil, exitSignal: nil, stdout: [], stderr: []) }

        while true {
            let code = libssh2_channel_process_startup(channel, "exec", 4, command, UInt32(command.utf8.count))
            if code == 0 { break }
            try check(code, "the server refused to run `\(describedCommand)`", deadline: deadline)
        }

        var output = (stdout: [UInt8](), stderr: [UInt8]())
        var splitters = (stdout: LineSplitter(), stderr: LineSplitter())
        var stdin = stdin
        var stdinOffset = 0
        var stdinComplete = input == nil
        var eofSent = false
        var finished = (stdout: false, stderr: false)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        while !(finished.stdout && finished.stderr) {
            var progressed = false

            if stdinOffset < stdin.count {
                let written = stdin.withUnsafeBytes { bytes in
                    libssh2_channel_write_ex(
                        channel, 0,
                        bytes.baseAddress!.advanced(by: stdinOffset).assumingMemoryBound(to: CChar.self),
                        min(stdin.count - stdinOffset, 32 * 1024)
                    )
                }
                if written > 0 {
                    stdinOffset += written
                    progressed = true
                } else if written != LIBSSH2_ERROR_EAGAIN {
                    // The command stopped reading (exited or closed stdin): drop the rest, as ssh does.
                    stdinOffset = stdin.count
                }
            }
            if stdinOffset >= stdin.count, !stdinComplete, let input {
                let (more, closed) = input.take()
                stdin = more
                stdinOffset = 0
                stdinComplete = closed
            }
            if stdinOffset >= stdin.count && stdinComplete && !eofSent {
                let code = libssh2_channel_send_eof(channel)
                if code != LIBSSH2_ERROR_EAGAIN { eofSent = true }
            }

            for stream in [SSHOutputStream.stdout, .stderr] {
                if stream == .stdout ? finished.stdout : finished.stderr { continue }
                let streamID: Int32 = stream == .stdout ? 0 : SSH_EXTENDED_DATA_STDERR
                let count = buffer.withUnsafeMutableBytes {
                    libssh2_channel_read_ex(channel, streamID, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
                }
                if count > 0 {
                    progressed = true
                    if collectOutput {
                        let size = stream == .stdout ? output.stdout.count : output.stderr.count
                        guard size + count <= outputLimit else {
                            throw failure(.exec, "`\(describedCommand)` wrote more than \(outputLimit) bytes to \(stream.rawValue); raise the output limit or stop collecting output")
                        }
                    }
                    buffer.withUnsafeBytes { all in
                        let chunk = UnsafeRawBufferPointer(rebasing: all[0..<count])
                        if collectOutput {
                            if stream == .stdout { output.stdout.append(contentsOf: chunk) } else { output.stderr.append(contentsOf: chunk) }
                        }
                        if let onLine {
                            if stream == .stdout {
                                splitters.stdout.append(chunk) { onLine(.stdout, $0) }
                            } else {
                                splitters.stderr.append(chunk) { onLine(.stderr, $0) }
                            }
                        }
                    }
                } else if count == 0 {
                    // 0 means the stream is drained; it has ended once the server also sent EOF.
                    if libssh2_channel_eof(channel) != 0 {
                        if stream == .stdout { finished.stdout = true } else { finished.stderr = true }
                    }
                } else if count != LIBSSH2_ERROR_EAGAIN {
                    throw failure(.exec, "reading the output of `\(describedCommand)` failed", code: Int32(count))
                }
            }

            if let isCancelled, isCancelled() {
                throw SSHError(host: configuration.endpoint, stage: .exec, message: "`\(describedCommand)` was cancelled; the channel was closed")
            }
            if !progressed && !(finished.stdout && finished.stderr) {
                // Input that arrives meanwhile wakes the wait, unless it is all sent already.
                let wake = stdinComplete ? nil : input?.wakeDescriptor
                try waitForSocket(handle, deadline: deadline, what: "`\(describedCommand)`", wake: wake)
            }
        }
        if let onLine {
            splitters.stdout.finish { onLine(.stdout, $0) }
            splitters.stderr.finish { onLine(.stderr, $0) }
        }

        // Exit status and signal arrive before the server closes the channel.
        abandoned = false
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
        let exitStatus: Int32? = exitSignal == nil ? libssh2_channel_get_exit_status(channel) : nil
        return SSHCommandResult(exitStatus: exitStatus, exitSignal: exitSignal, stdout: output.stdout, stderr: output.stderr)
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
