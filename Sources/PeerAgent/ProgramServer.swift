import Archive
import Dispatch
import Glibc
import Swarm
import Synchronization
import TorrentMetainfo
import Tracker

/// Serves this peer's own program, gzip-compressed, to the push's other hosts: the
/// controller then uploads it to a few hosts only, and the rest fetch it from each other
/// (see `Push.ProgramDistribution`). A client connects, sends the push's program token as
/// hex and a newline, and reads the compressed program to the end. It verifies the
/// program's SHA-256 itself before running it, so what this serves needs no other proof.
///
/// Only addresses of the push (the job's `peerAddresses`) are served, a few at a time; a
/// client that does not send the token within a few seconds is closed.
final class ProgramServer: Sendable {
    let port: Int
    private let listener: Int32
    private let stopped = Atomic<Bool>(false)
    /// Clients being sent the program now, and who hears when that number leaves or
    /// reaches zero.
    private let sending = Mutex<(count: Int, onBusy: (@Sendable (Bool) -> Void)?)>((0, nil))
    /// The push's rate cap (`PeerJob.maxRateBitsPerSecond`), shared by every client: the
    /// swarm's uploads are held while the program is sent, so the uplink carries one or the other.
    private let pace: Mutex<TokenBucket?>
    private let isPaced: Bool
    private let started = ContinuousClock.now

    /// Clients served at once; more are closed.
    static let concurrentClients = 4
    static let requestTimeoutSeconds = 5
    /// A client reading slower than this many seconds per write is dropped.
    static let sendTimeoutSeconds = 30

    private init(listener: Int32, port: Int, maxRate: Double?) {
        self.listener = listener
        self.port = port
        pace = Mutex(maxRate.map { RateCap.bucket(bitsPerSecond: $0, now: .zero) })
        isPaced = maxRate != nil
    }

    /// Listens on `address` (port chosen by the kernel) and serves from a thread of its own.
    /// `program` is the running executable; a `program.gz` beside it is served as it is,
    /// otherwise the program is compressed once, in memory, when first asked for.
    static func start(address: String, token: [UInt8], admitted: [String]?, program: String, maxRate: Double? = nil) throws -> ProgramServer {
        guard let ip = IPAddress(address) else { throw PeerFailure("cannot serve the program on \(address): not an IP address") }
        let family = ip.isIPv4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PeerFailure("cannot serve the program: socket: \(String(cString: strerror(errno)))") }
        var storage = sockaddr_storage()
        let length = Self.fill(&storage, ip)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw PeerFailure("cannot serve the program on \(address): \(reason)")
        }
        var named = sockaddr_storage()
        var namedLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &named) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &namedLength) }
        }
        let port = withUnsafeBytes(of: named) { raw in
            // sin_port and sin6_port sit at the same offset, in network order.
            Int(UInt16(raw[2]) << 8 | UInt16(raw[3]))
        }
        let server = ProgramServer(listener: fd, port: port, maxRate: maxRate)
        let payload = ProgramPayload(program: program)
        let allowed = admitted.map { Set($0.compactMap(IPAddress.init)) }
        let expected = Array(Hex.encode(token).utf8)
        DispatchQueue(label: "swarmdeploy.program-server").async {
            server.acceptLoop(payload: payload, allowed: allowed, expected: expected)
        }
        return server
    }

    /// Calls `handler(true)` when the server starts sending the program to a client while it
    /// sent to none, and `handler(false)` when the last such client is done (at once with
    /// `true` if it is sending now). Nil stops the calls: none runs after this returns.
    func whileSending(_ handler: (@Sendable (Bool) -> Void)?) {
        sending.withLock { state in
            state.onBusy = handler
            if state.count > 0 { handler?(true) }
        }
    }

    /// Called under the lock, so `whileSending(nil)` stops every call.
    private func sendingChanged(by delta: Int) {
        sending.withLock { state in
            let before = state.count
            state.count += delta
            if (before == 0) != (state.count == 0) { state.onBusy?(state.count > 0) }
        }
    }

    /// Stops accepting; clients being served finish.
    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop(payload: ProgramPayload, allowed: Set<IPAddress>?, expected: [UInt8]) {
        let active = Atomic<Int>(0)
        while !stopped.load(ordering: .relaxed) {
            var remote = sockaddr_storage()
            var remoteLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &remote) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &remoteLength) }
            }
            guard client >= 0 else {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let address = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { IPAddress(socketAddress: $0) } }
            let permitted = address.map { allowed?.contains($0) ?? true } ?? false
            guard permitted else {
                close(client)
                continue
            }
            guard active.add(1, ordering: .relaxed).newValue <= Self.concurrentClients else {
                active.subtract(1, ordering: .relaxed)
                close(client)
                continue
            }
            DispatchQueue.global().async {
                defer {
                    close(client)
                    active.subtract(1, ordering: .relaxed)
                }
                self.serve(client, payload: payload, expected: expected)
            }
        }
    }

    private func serve(_ client: Int32, payload: ProgramPayload, expected: [UInt8]) {
        Self.setTimeout(client, SO_RCVTIMEO, seconds: Self.requestTimeoutSeconds)
        Self.setTimeout(client, SO_SNDTIMEO, seconds: Self.sendTimeoutSeconds)
        // The token line: hex digits and a newline, nothing longer.
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count <= expected.count {
            guard recv(client, &byte, 1, 0) == 1 else { return }
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        guard ConstantTime.equal(line, expected), let bytes = payload.bytes() else { return }
        sendingChanged(by: 1)
        defer { sendingChanged(by: -1) }
        bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                // Under a rate cap, a chunk at a time, each once the cap allows it.
                let chunk = !isPaced ? raw.count - sent : min(raw.count - sent, Self.pacedChunk)
                waitForCap(chunk)
                let count = send(client, raw.baseAddress! + sent, chunk, Int32(MSG_NOSIGNAL))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { return }
                sent += count
            }
        }
    }

    static let pacedChunk = 64 << 10

    /// Blocks this client's thread until the cap allows `bytes` more, and counts them.
    private func waitForCap(_ bytes: Int) {
        guard isPaced else { return }
        while !stopped.load(ordering: .relaxed) {
            let now = ContinuousClock.now - started
            let delay = pace.withLock { bucket -> Duration in
                guard let delay = bucket?.delay(at: now) else { return .zero }
                if delay == .zero { bucket?.spend(RateCap.wireBytes(ofStream: bytes), at: now) }
                return delay
            }
            guard delay > .zero else { return }
            let (seconds, attoseconds) = delay.components
            var time = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            nanosleep(&time, nil)
        }
    }

    private static func setTimeout(_ fd: Int32, _ option: Int32, seconds: Int) {
        var time = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, option, &time, socklen_t(MemoryLayout<timeval>.size))
    }

    private static func fill(_ storage: inout sockaddr_storage, _ address: IPAddress) -> socklen_t {
        withUnsafeMutableBytes(of: &storage) { raw in
            if address.isIPv4 {
                var sin = sockaddr_in()
                sin.sin_family = sa_family_t(AF_INET)
                withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: address.bytes) }
                withUnsafeBytes(of: sin) { raw.copyMemory(from: $0) }
                return socklen_t(MemoryLayout<sockaddr_in>.size)
            }
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: address.bytes) }
            withUnsafeBytes(of: sin6) { raw.copyMemory(from: $0) }
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }
}

/// The compressed program, read or made once.
private final class ProgramPayload: Sendable {
    private let program: String
    private let made = Mutex<[UInt8]??>(nil)

    init(program: String) {
        self.program = program
    }

    /// Far more than a compressed peer program takes.
    static let programLimit = 256 << 20

    func bytes() -> [UInt8]? {
        made.withLock { made in
            if let done = made { return done }
            let bytes = (try? readWholeFile(program + ".gz", limit: Self.programLimit)) ?? (try? GzipCompressor.compress(fileAt: program, level: 6))
            made = .some(bytes)
            return bytes
        }
    }
}
