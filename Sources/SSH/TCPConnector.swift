#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens the TCP connection a session runs on: every address of the host in
/// turn (IPv6 and IPv4, as the resolver orders them), each connect
/// non-blocking and bounded by what is left of one overall deadline.
///
/// The socket stays non-blocking afterwards: libssh2 waits on it itself, and
/// only a non-blocking socket lets `libssh2_session_set_timeout` take effect.
enum TCPConnector {
    static func connect(host: String, port: Int, timeout: Duration, deadHostTimeout: Duration, endpoint: String) throws(SSHError) -> Int32 {
        func failure(_ message: String) -> SSHError {
            SSHError(host: endpoint, stage: .connect, message: message)
        }

        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw failure("cannot resolve host name: \(String(cString: gai_strerror(status))); check the name in the hosts file")
        }
        defer { freeaddrinfo(first) }

        let deadline = ContinuousClock.now + timeout
        var attempts: [String] = []
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let info = current {
            current = info.pointee.ai_next
            let address = numericAddress(info.pointee)
            switch attempt(info.pointee, deadline: deadline) {
            case .success(let fd):
                detectDeadHost(fd, after: deadHostTimeout)
                return fd
            case .failure(let error):
                attempts.append("\(address): \(error.reason)")
                if case .timedOut = error { current = nil }
            }
        }
        let tried = attempts.joined(separator: "; ")
        if attempts.contains(where: { $0.hasSuffix(AttemptError.timedOut.reason) }) {
            throw failure("no answer within \(timeout) (\(tried)); check that the host is up and that a firewall does not drop SSH, or raise the connect timeout")
        }
        throw failure("cannot connect (\(tried)); check that sshd runs there and listens on port \(port)")
    }

    /// TCP keep-alive probes on a quiet connection, and TCP_USER_TIMEOUT so data the host
    /// leaves unacknowledged for `timeout` (a lost link, a powered-off host) is an error
    /// rather than minutes of retransmissions.
    private static func detectDeadHost(_ fd: Int32, after timeout: Duration) {
        func set(_ level: Int32, _ name: Int32, _ value: Int32) {
            var value = value
            _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
        let seconds = Int32(clamping: max(1, timeout.components.seconds))
        set(SOL_SOCKET, SO_KEEPALIVE, 1)
        set(Int32(IPPROTO_TCP), TCP_KEEPIDLE, max(1, seconds / 3))
        set(Int32(IPPROTO_TCP), TCP_KEEPINTVL, max(1, seconds / 6))
        set(Int32(IPPROTO_TCP), TCP_KEEPCNT, 3)
        set(Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, Int32(clamping: pollMilliseconds(timeout)))
    }

    private enum AttemptError: Error {
        case system(Int32)
        case timedOut

        var reason: String {
            switch self {
            case .system(let code): return String(cString: strerror(code))
            case .timedOut: return "timed out"
            }
        }
    }

    private static func attempt(_ info: addrinfo, deadline: ContinuousClock.Instant) -> Result<Int32, AttemptError> {
        #if canImport(Glibc)
        let type = info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = info.ai_socktype
        #endif
        let fd = socket(info.ai_family, type, info.ai_protocol)
        if fd < 0 { return .failure(.system(errno)) }
        var keep = false
        defer { if !keep { close(fd) } }

        let flags = fcntl(fd, F_GETFL)
        if flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 { return .failure(.system(errno)) }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))

        if posixConnect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { return .failure(.system(errno)) }
            while true {
                let left = ContinuousClock.now.duration(to: deadline)
                if left <= .zero { return .failure(.timedOut) }
                var pollFD = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&pollFD, 1, pollMilliseconds(left))
                if ready < 0 {
                    if errno == EINTR { continue }
                    return .failure(.system(errno))
                }
                if ready == 0 { continue }
                break
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length) != 0 { return .failure(.system(errno)) }
            if socketError != 0 { return .failure(.system(socketError)) }
        }
        keep = true
        return .success(fd)
    }

    private static func numericAddress(_ info: addrinfo) -> String {
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let status = getnameinfo(
            info.ai_addr, info.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST
        )
        guard status == 0 else { return "?" }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return info.ai_family == AF_INET6 ? "[\(text)]" : text
    }
}

/// Milliseconds for poll(2) and libssh2, rounded up so a tiny positive wait
/// never becomes "do not wait", and capped to fit an Int32.
public func pollMilliseconds(_ duration: Duration) -> Int32 {
    let (seconds, attoseconds) = duration.components
    if seconds < 0 { return 0 }
    let total = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int32(clamping: total)
}
