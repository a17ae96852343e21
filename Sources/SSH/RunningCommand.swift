import CLibSSH2

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A command started on a host (`SSHSession.start`) whose output is still coming. It moves
/// without blocking: `advance()` sends what stdin it can, reads what output is there and says
/// whether anything moved; `waitRequest` tells what to poll for before advancing again. So
/// one thread can drive many commands (`Fleet.CommandPump`) instead of one thread each.
///
/// Used by one thread at a time (its session is single-threaded); the unchecked `Sendable`
/// lets it be handed from the thread that started it to the one that drives it and back.
/// End it with `close()` once `advance()` says `.finished`, or `abandon()` after it threw.
public final class RunningCommand: @unchecked Sendable {
    public enum Progress: Sendable, Equatable {
        /// Bytes moved: advance again at once.
        case moved
        /// Nothing to do until `waitRequest` is ready (or the cancellation interval passes).
        case idle
        /// Both output streams ended: call `close()`.
        case finished
    }

    /// What to poll before advancing again: the session's socket in the direction libssh2
    /// waits on, and the input's wake-up descriptor while more input may come.
    public struct WaitRequest: Sendable, Equatable {
        public let socket: Int32
        public let socketEvents: Int16
        public let wake: Int32?
    }

    private let session: SSHSession
    private var channel: OpaquePointer?
    private var feeder: StdinFeeder
    private var streams: [OutputReader]
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private let deadline: ContinuousClock.Instant?
    /// The command as errors name it: shortened.
    let described: String
    private let onLine: ((SSHOutputStream, String) -> Void)?
    private let isCancelled: (() -> Bool)?

    init(
        session: SSHSession, channel: OpaquePointer, described: String,
        stdin: [UInt8], input: SSHInput?, deadline: ContinuousClock.Instant?,
        collectOutput: Bool, outputLimit: Int,
        onLine: ((SSHOutputStream, String) -> Void)?, isCancelled: (() -> Bool)?
    ) {
        self.session = session
        self.channel = channel
        self.described = described
        self.deadline = deadline
        self.onLine = onLine
        self.isCancelled = isCancelled
        feeder = StdinFeeder(stdin, input: input)
        streams = [
            OutputReader(.stdout, collect: collectOutput, limit: outputLimit),
            OutputReader(.stderr, collect: collectOutput, limit: outputLimit),
        ]
    }

    deinit {
        abandon()
    }

    /// The host this command runs on, as errors name it.
    public var endpoint: String { session.configuration.endpoint }

    /// Moves what can move without blocking. Throws when reading failed, the output outgrew
    /// its limit, the timeout passed or `isCancelled` said so; the caller then `abandon()`s.
    public func advance() throws(SSHError) -> Progress {
        guard let channel else { return .finished }
        let handle = try session.openHandle(for: .exec)
        var progressed = feeder.pump(channel)
        for index in streams.indices {
            progressed = try read(index, channel) || progressed
        }
        // Reading stderr takes in every packet that is there, stdout's too: look at stdout once
        // more before calling the command idle, or its line would wait for the next wake-up.
        if !progressed { progressed = try read(0, channel) }
        if streams.allSatisfy(\.finished) { return .finished }
        if let isCancelled, isCancelled() {
            throw SSHError(host: endpoint, stage: .exec, message: "`\(described)` was cancelled; the channel was closed")
        }
        if let deadline, ContinuousClock.now >= deadline {
            throw SSHError(host: endpoint, stage: .exec, message: "`\(described)` did not finish within its timeout; the channel was closed")
        }
        if progressed { return .moved }
        // Only when idle (nothing half-written), and only once due: a keep-alive the host must
        // answer, so a silent host's connection breaks (see `deadHostTimeout`). And only with
        // room in the socket: libssh2 ignores a keep-alive that would block (EAGAIN) but keeps
        // it half-sent, and then refuses every other packet (-39; see `StdinFeeder.blocked`).
        if session.waitWritable(milliseconds: 0) == true {
            var nextKeepAlive: Int32 = 0
            _ = libssh2_keepalive_send(handle, &nextKeepAlive)
        }
        return .idle
    }

    /// Reads what stream `index` has; true if any byte arrived.
    private func read(_ index: Int, _ channel: OpaquePointer) throws(SSHError) -> Bool {
        try streams[index].read(channel, into: &buffer, onLine: onLine, failure: { message, code in
            self.session.failure(.exec, message, code: code)
        }, command: described)
    }

    public var waitRequest: WaitRequest {
        let wake = feeder.wakeDescriptor.flatMap { $0 >= 0 ? $0 : nil }
        return WaitRequest(socket: session.socket, socketEvents: SSHSession.blockedEvents(session.handle), wake: wake)
    }

    /// Waits (at most `limit`) until advancing is worth it; for a thread that drives this
    /// command alone.
    func wait(atMost limit: Duration) {
        let request = waitRequest
        var descriptors = [pollfd(fd: request.socket, events: request.socketEvents, revents: 0)]
        if let wake = request.wake { descriptors.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&descriptors, nfds_t(descriptors.count), pollMilliseconds(limit))
    }

    /// Ends a finished command (blocking, briefly): hands over a last line without a newline,
    /// closes the channel and reads how the command ended — exit status and signal arrive
    /// before the server closes it.
    public func close() -> SSHCommandResult {
        for index in streams.indices { streams[index].finish(onLine: onLine) }
        guard let channel, let handle = session.handle else {
            self.channel = nil  // the session closed, and freed its channels with it
            return SSHCommandResult(exitStatus: nil, exitSignal: nil, stdout: [], stderr: [])
        }
        self.channel = nil
        session.sendKeepAlives(handle, false)
        libssh2_session_set_blocking(handle, 1)
        _ = feeder.finishBlocked(channel)
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
        let exitStatus = exitSignal == nil ? libssh2_channel_get_exit_status(channel) : nil
        _ = libssh2_channel_free(channel)
        return SSHCommandResult(exitStatus: exitStatus, exitSignal: exitSignal, stdout: streams[0].collected, stderr: streams[1].collected)
    }

    /// Drops the channel without waiting for the server's reply (see
    /// `SSHSession.freeWithoutWaiting`); the remote side sees EOF. Idempotent.
    public func abandon() {
        guard let channel, let handle = session.handle else {
            self.channel = nil  // the session closed, and freed its channels with it
            return
        }
        self.channel = nil
        session.sendKeepAlives(handle, false)
        // Without blocking for long: a host that stopped reading may be why the command is given up.
        session.freeWithoutWaiting(channel, handle: handle) { self.feeder.finishBlocked(channel) }
    }
}
