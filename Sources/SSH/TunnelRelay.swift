import CLibSSH2
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Moves bytes between local socket pairs and `direct-tcpip` channels of one bastion session,
/// on a thread of its own: the only thread that calls libssh2 for that session.
///
/// Each host's `SSHSession` gets one end of a socket pair as if it were its TCP connection;
/// the relay holds the other end and copies in both directions. The bastion session runs
/// non-blocking, and libssh2 then has one rule: a call that stopped half-way through sending
/// a packet (EAGAIN, blocked outbound) must be repeated, with the same arguments, before any
/// other call on the session. `stuck` holds that call; nothing else runs until it completes.
final class TunnelRelay: @unchecked Sendable {
    /// A host's wish for a tunnel, answered by the relay thread.
    final class Request: @unchecked Sendable {
        let host: String
        let port: Int32
        let endpoint: String
        let answered = DispatchSemaphore(value: 0)
        /// Set by the relay thread before `answered` is signalled.
        var result: Result<Int32, SSHError>?
        /// `waiting`, then either `answered` (the relay won: the requester takes the result) or
        /// `abandoned` (the requester gave up first: the relay closes what it opened). One
        /// compare-and-exchange each side decides it, so a socket is never both taken and closed.
        let outcome = Atomic<Int>(Request.waiting)
        static let waiting = 0, answered = 1, abandoned = 2

        init(host: String, port: Int, endpoint: String) {
            self.host = host
            self.port = Int32(clamping: port)
            self.endpoint = endpoint
        }
    }

    /// One channel and its socket pair end, with what is on its way in each direction.
    final class Tunnel {
        let local: Int32
        let channel: OpaquePointer
        /// Read from the local end, not yet written to the channel (a stable buffer: libssh2
        /// wants a repeated write to pass the same bytes at the same address).
        let outbound = UnsafeMutableRawBufferPointer.allocate(byteCount: TunnelRelay.chunk, alignment: 1)
        var outboundStart = 0
        var outboundEnd = 0
        let inbound = UnsafeMutableRawBufferPointer.allocate(byteCount: TunnelRelay.chunk, alignment: 1)
        var inboundStart = 0
        var inboundEnd = 0
        var localEOF = false
        var sentEOF = false
        var channelEOF = false
        var finished = false
        /// The channel was freed (by a repeated call; see `stuck`).
        var freed = false

        init(local: Int32, channel: OpaquePointer) {
            self.local = local
            self.channel = channel
        }

        deinit {
            outbound.deallocate()
            inbound.deallocate()
        }
    }

    static let chunk = 32 * 1024

    private let bastion: SSHSession
    private let handle: OpaquePointer
    private let wake = WakePipe()
    private let pending = Mutex<[Request]>([])
    private let stopping = Atomic<Bool>(false)
    /// Why the bastion connection is unusable, once it is: later requests fail at once.
    private let broken = Mutex<String?>(nil)
    private let finished = DispatchSemaphore(value: 0)

    // Touched by the relay thread only.
    private var opening: Request?
    private var tunnels: [Tunnel] = []
    /// The call that must be repeated before any other (see the type's comment).
    private var stuck: (() -> Int32)?

    init(bastion: SSHSession) throws(SSHError) {
        self.bastion = bastion
        handle = try bastion.openHandle(for: .connect)
        libssh2_session_set_blocking(handle, 0)
        let made = startDetachedThread(inlineWhenNoThread: false) { [self] in run() }
        guard made else {
            bastion.close()
            throw SSHError(host: bastion.configuration.endpoint, stage: .connect, message: "cannot start a thread to relay through the bastion (out of threads?)")
        }
    }

    /// Opens a channel to `host`:`port` and returns the socket to run a session on.
    func open(host: String, port: Int, timeout: Duration, endpoint: String) throws(SSHError) -> Int32 {
        let request = Request(host: host, port: port, endpoint: endpoint)
        if let reason = broken.withLock({ $0 }) {
            throw SSHError(host: endpoint, stage: .connect, message: reason)
        }
        pending.withLock { $0.append(request) }
        wake.signal()
        let milliseconds = Int(pollMilliseconds(timeout))
        if request.answered.wait(timeout: .now() + .milliseconds(milliseconds)) == .timedOut {
            let gaveUp = request.outcome.compareExchange(
                expected: Request.waiting, desired: Request.abandoned, ordering: .sequentiallyConsistent).exchanged
            if gaveUp {
                throw SSHError(host: endpoint, stage: .connect, message: "the bastion \(bastion.configuration.endpoint) did not open a channel here within \(timeout); check that it can reach this host")
            }
            // The relay answered just now: its signal is on its way.
            request.answered.wait()
        }
        return try request.result!.get()
    }

    /// Stops the thread, closes every tunnel and the bastion session; waits for the thread.
    func stop() {
        guard !stopping.exchange(true, ordering: .sequentiallyConsistent) else { return }
        wake.signal()
        finished.wait()
        // Freeing the session (in `bastion.close()`, bounded to a second) frees its channels:
        // none is closed one by one, which could wait on a dead bastion once per host.
        for tunnel in tunnels { posixClose(tunnel.local) }
        tunnels = []
        for request in pending.withLock({ requests in defer { requests = [] }; return requests }) + (opening.map { [$0] } ?? []) {
            answer(request, .failure(SSHError(host: request.endpoint, stage: .connect, message: "the connection to the bastion was closed")))
        }
        opening = nil
        bastion.close()
    }

    // MARK: - The relay thread

    private func run() {
        defer { finished.signal() }
        while !stopping.load(ordering: .sequentiallyConsistent) {
            waitForWork()
            wake.drain()
            // libssh2 may hold data for a channel it read while serving another, which no
            // poll would report: go round again while anything moves.
            for _ in 0..<64 {
                let (failure, moved) = step()
                if let failure {
                    fail(failure)
                    return
                }
                if !moved || stuck != nil { break }
            }
        }
    }

    /// Polls the bastion's socket, the wake pipe and every local end that can move bytes.
    private func waitForWork() {
        var descriptors = [pollfd(fd: wake.descriptor, events: Int16(POLLIN), revents: 0)]
        let directions = libssh2_session_block_directions(handle)
        var bastionEvents = Int16(POLLIN)
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { bastionEvents |= Int16(POLLOUT) }
        descriptors.append(pollfd(fd: bastion.socket, events: bastionEvents, revents: 0))
        for tunnel in tunnels where !tunnel.finished {
            var events: Int16 = 0
            if tunnel.outboundStart == tunnel.outboundEnd && !tunnel.localEOF { events |= Int16(POLLIN) }
            if tunnel.inboundStart < tunnel.inboundEnd { events |= Int16(POLLOUT) }
            if events != 0 { descriptors.append(pollfd(fd: tunnel.local, events: events, revents: 0)) }
        }
        // A channel's window may open without the socket saying so: look again soon.
        _ = poll(&descriptors, nfds_t(descriptors.count), 200)
    }

    /// One round over everything: a failure of the bastion connection itself, and whether
    /// any bytes moved.
    private func step() -> (failure: String?, moved: Bool) {
        if let call = stuck {
            let code = call()
            if code == LIBSSH2_ERROR_EAGAIN && blockedOutbound { return (nil, false) }
            stuck = nil
        }
        if let failure = stepOpening() { return (failure, false) }
        var moved = false
        for tunnel in tunnels where !tunnel.finished {
            if stuck != nil { return (nil, moved) }
            if move(tunnel) { moved = true }
        }
        tunnels.removeAll { tunnel in
            guard tunnel.finished else { return false }
            if !tunnel.freed {
                guard stuck == nil else { return false }
                // Freeing closes the channel, which sends a message: it may stop half-way too.
                let code = libssh2_channel_free(tunnel.channel)
                if code == LIBSSH2_ERROR_EAGAIN {
                    if blockedOutbound {
                        stuck = { [tunnel] in
                            let code = libssh2_channel_free(tunnel.channel)
                            if code != LIBSSH2_ERROR_EAGAIN { tunnel.freed = true }
                            return code
                        }
                    }
                    return false
                }
            }
            posixClose(tunnel.local)
            return true
        }
        return (nil, moved)
    }

    private var blockedOutbound: Bool {
        libssh2_session_block_directions(handle) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0
    }

    /// Opens one channel at a time (libssh2 keeps one open in progress per session).
    private func stepOpening() -> String? {
        if opening == nil {
            opening = pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        }
        guard let request = opening else { return nil }
        guard let channel = libssh2_channel_direct_tcpip_ex(handle, request.host, request.port, "127.0.0.1", 22) else {
            let code = libssh2_session_last_errno(handle)
            if code == LIBSSH2_ERROR_EAGAIN { return nil }
            opening = nil
            let said = lastError()
            if code == LIBSSH2_ERROR_SOCKET_SEND || code == LIBSSH2_ERROR_SOCKET_RECV || code == LIBSSH2_ERROR_SOCKET_DISCONNECT {
                answer(request, .failure(SSHError(host: request.endpoint, stage: .connect, message: "the connection to the bastion broke (\(said))")))
                return "the connection to the bastion \(bastion.configuration.endpoint) broke (\(said))"
            }
            answer(request, .failure(SSHError(
                host: request.endpoint, stage: .connect,
                message: "the bastion \(bastion.configuration.endpoint) could not open a connection here (\(said)); check that it reaches this address and port, and that its sshd allows TCP forwarding")))
            return nil
        }
        opening = nil
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = libssh2_channel_free(channel)
            answer(request, .failure(SSHError(host: request.endpoint, stage: .connect, message: "cannot make a socket pair: \(reason)")))
            return nil
        }
        _ = fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK)
        _ = fcntl(pair[1], F_SETFL, fcntl(pair[1], F_GETFL) | O_NONBLOCK)
        tunnels.append(Tunnel(local: pair[0], channel: channel))
        if !answer(request, .success(pair[1])) {
            posixClose(pair[1])
        }
        return nil
    }

    /// Hands the requester its answer; false when it stopped waiting (nobody takes the socket).
    @discardableResult
    private func answer(_ request: Request, _ result: Result<Int32, SSHError>) -> Bool {
        request.result = result
        let taken = request.outcome.compareExchange(
            expected: Request.waiting, desired: Request.answered, ordering: .sequentiallyConsistent).exchanged
        if taken { request.answered.signal() }
        return taken
    }

    /// Copies what can be copied in both directions without waiting; true when bytes moved.
    @discardableResult
    private func move(_ tunnel: Tunnel) -> Bool {
        var moved = false
        // Local end to channel.
        if tunnel.outboundStart == tunnel.outboundEnd && !tunnel.localEOF {
            let count = recv(tunnel.local, tunnel.outbound.baseAddress, tunnel.outbound.count, Int32(MSG_DONTWAIT))
            if count > 0 {
                tunnel.outboundStart = 0
                tunnel.outboundEnd = count
                moved = true
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                tunnel.localEOF = true
            }
        }
        while tunnel.outboundStart < tunnel.outboundEnd {
            let start = tunnel.outbound.baseAddress! + tunnel.outboundStart
            let length = tunnel.outboundEnd - tunnel.outboundStart
            let written = libssh2_channel_write_ex(tunnel.channel, 0, start.assumingMemoryBound(to: CChar.self), length)
            if written > 0 {
                tunnel.outboundStart += written
                moved = true
                continue
            }
            if written == LIBSSH2_ERROR_EAGAIN {
                if blockedOutbound {
                    stuck = { [tunnel] in
                        let code = Int32(clamping: libssh2_channel_write_ex(tunnel.channel, 0, start.assumingMemoryBound(to: CChar.self), length))
                        if code > 0 { tunnel.outboundStart += Int(code) }
                        return code
                    }
                }
                return moved
            }
            tunnel.finished = true
            return moved
        }
        if tunnel.localEOF && !tunnel.sentEOF {
            let code = libssh2_channel_send_eof(tunnel.channel)
            if code == LIBSSH2_ERROR_EAGAIN {
                if blockedOutbound {
                    stuck = { libssh2_channel_send_eof(tunnel.channel) }
                    tunnel.sentEOF = true
                }
                return moved
            }
            tunnel.sentEOF = true
        }

        // Channel to local end.
        while true {
            if tunnel.inboundStart < tunnel.inboundEnd {
                let start = tunnel.inbound.baseAddress! + tunnel.inboundStart
                let sent = send(tunnel.local, start, tunnel.inboundEnd - tunnel.inboundStart, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
                if sent > 0 {
                    tunnel.inboundStart += sent
                    moved = true
                    continue
                }
                if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { break }
                // The session on the local end is gone.
                tunnel.finished = true
                return moved
            }
            if tunnel.channelEOF { break }
            let read = libssh2_channel_read_ex(tunnel.channel, 0, tunnel.inbound.baseAddress!.assumingMemoryBound(to: CChar.self), tunnel.inbound.count)
            if read > 0 {
                tunnel.inboundStart = 0
                tunnel.inboundEnd = read
                moved = true
                continue
            }
            if read == LIBSSH2_ERROR_EAGAIN {
                if blockedOutbound {
                    // A window adjustment half sent: the same read, again, finishes it.
                    let buffer = tunnel.inbound.baseAddress!.assumingMemoryBound(to: CChar.self)
                    let capacity = tunnel.inbound.count
                    stuck = { [tunnel] in
                        let code = libssh2_channel_read_ex(tunnel.channel, 0, buffer, capacity)
                        if code > 0 {
                            tunnel.inboundStart = 0
                            tunnel.inboundEnd = code
                        }
                        return Int32(clamping: code)
                    }
                    return moved
                }
                if libssh2_channel_eof(tunnel.channel) == 0 { break }
            }
            if read == 0 && libssh2_channel_eof(tunnel.channel) == 0 { break }
            // EOF from the host (or an error on this channel only): the local end reads EOF.
            tunnel.channelEOF = true
            _ = shutdown(tunnel.local, Int32(SHUT_WR))
            break
        }
        if tunnel.channelEOF && tunnel.localEOF && tunnel.sentEOF && tunnel.inboundStart == tunnel.inboundEnd {
            tunnel.finished = true
        }
        return moved
    }

    /// The bastion connection broke: every tunnel ends, and hosts still waiting fail.
    private func fail(_ message: String) {
        broken.withLock { $0 = message }
        for tunnel in tunnels { _ = shutdown(tunnel.local, Int32(SHUT_RDWR)) }
        let waiting = pending.withLock { requests in defer { requests = [] }; return requests }
        for request in waiting {
            answer(request, .failure(SSHError(host: request.endpoint, stage: .connect, message: message)))
        }
    }

    private func lastError() -> String {
        var text: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        let code = libssh2_session_last_error(handle, &text, &length, 0)
        guard let text, length > 0 else { return "libssh2 code \(code)" }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: Int(length)), as: UTF8.self)
    }
}
