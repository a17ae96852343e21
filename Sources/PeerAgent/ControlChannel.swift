import DeployProtocol
import Glibc
import Synchronization

/// The peer's standard input, which is the controller's SSH channel: first the job, then
/// control lines, and EOF when the controller or its connection goes away.
public enum JobInput {
    /// Reads the job header and body from `descriptor`. Blocks; call before starting anything else.
    public static func readJob(from descriptor: Int32 = STDIN_FILENO) throws -> PeerJob {
        var header: [UInt8] = []
        while true {
            var byte: UInt8 = 0
            let count = read(descriptor, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else {
                throw PeerFailure("standard input ended before a job arrived; this command is started by swarmdeploy push, which sends the job on standard input")
            }
            if byte == UInt8(ascii: "\n") { break }
            header.append(byte)
            guard header.count <= 200 else { throw PeerFailure("the job header line is too long; is this input from swarmdeploy push?") }
        }
        let length = try PeerJob.bodyLength(fromHeader: String(decoding: header, as: UTF8.self))
        var body = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let count = body.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, length - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw PeerFailure("standard input ended after \(filled) of the job's \(length) bytes") }
            filled += count
        }
        return try PeerJob(body: body)
    }
}

/// Watches standard input after the job on a thread of its own (reads block) and lets tasks
/// wait for the controller's word (`finish`, `activate`, `abort`) or for the channel to close.
/// With a silence limit, a controller not heard from for that long counts as gone too: a host
/// cut off from the controller never sees EOF. `abort` ends every wait, as a close does.
public final class ControlChannel: Sendable {
    public enum Signal: Sendable, Hashable { case finish, activate, abort, closed }

    private struct State {
        var received: Set<Signal> = []
        var silent = false
        var nextWaiter = 0
        var waiters: [Int: (wanted: Set<Signal>, continuation: CheckedContinuation<Signal?, Never>)] = [:]
    }
    private let state = Mutex(State())
    private let descriptor: Int32
    private let silenceLimit: Duration?

    /// A channel on `descriptor` (standard input by default), read once `start` is called,
    /// that counts as closed after `silenceLimit` without input (nil: only at EOF).
    public init(descriptor: Int32 = STDIN_FILENO, silenceLimit: Duration? = nil) {
        self.descriptor = descriptor
        self.silenceLimit = silenceLimit
    }

    /// Starts the reading thread; it lives until EOF (or the process ends).
    public func start() {
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            let channel = Unmanaged<ControlChannel>.fromOpaque(raw!).takeRetainedValue()
            channel.readUntilClosed()
            return nil
        }, box.toOpaque())
        if started == 0 {
            pthread_detach(thread)
        } else {
            box.release()
        }
    }

    /// Whether standard input has closed (the controller or its connection is gone), or the
    /// controller said `abort`.
    public var isClosed: Bool { state.withLock { !$0.received.isDisjoint(with: [.closed, .abort]) } }

    /// Why the channel counts as closed, for the peer's report.
    public var closedBecause: String {
        let (silent, aborted) = state.withLock { ($0.silent, $0.received.contains(.abort)) }
        if aborted { return "the controller stopped the rollout before this host's turn" }
        guard silent, let silenceLimit else {
            return "the controller went away (standard input closed)"
        }
        return "the controller was not heard from for \(silenceLimit.components.seconds) s (its connection to this host is down, or it stopped)"
    }

    /// Returns `.closed` (or `.abort`) when standard input closes (or the controller aborts),
    /// nil when the waiting task is cancelled.
    public func waitUntilClosed() async -> Signal? {
        await wait(for: [])
    }

    /// Returns `.finish` when the controller says every host is done, `.closed` or `.abort`
    /// as `waitUntilClosed`.
    public func waitForFinishOrClose() async -> Signal? {
        await wait(for: [.finish])
    }

    /// Returns `.activate` when the controller says to switch, `.closed` or `.abort` as
    /// `waitUntilClosed`.
    public func waitForActivation() async -> Signal? {
        await wait(for: [.activate])
    }

    private func wait(for wanted: Set<Signal>) async -> Signal? {
        let wanted = wanted.union([.abort, .closed])
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Signal?? = state.withLock { state in
                    for signal in [Signal.abort, .closed, .activate, .finish] where wanted.contains(signal) && state.received.contains(signal) {
                        return .some(signal)
                    }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = (wanted, continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(returning: nil)
        }
    }

    private func readUntilClosed() {
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        var heard = ContinuousClock.now
        while true {
            if let silenceLimit {
                var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let count = poll(&ready, 1, 250)
                if count < 0 && errno == EINTR { continue }
                if count == 0 {
                    guard ContinuousClock.now - heard < silenceLimit else {
                        state.withLock { $0.silent = true }
                        break
                    }
                    continue
                }
            }
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            heard = ContinuousClock.now
            for byte in buffer[..<count] {
                if byte == UInt8(ascii: "\n") {
                    switch PeerControl(rawValue: String(decoding: line, as: UTF8.self)) {
                    case .finish: signal(.finish)
                    case .activate: signal(.activate)
                    case .abort: signal(.abort)
                    case .alive, nil: break
                    }
                    line.removeAll()
                } else if line.count < 256 {
                    line.append(byte)
                }
            }
        }
        signal(.closed)
    }

    private func signal(_ signal: Signal) {
        let resumed: [CheckedContinuation<Signal?, Never>] = state.withLock { state in
            state.received.insert(signal)
            let woken = state.waiters.filter { $0.value.wanted.contains(signal) }
            for id in woken.keys { state.waiters[id] = nil }
            return woken.values.map(\.continuation)
        }
        for continuation in resumed { continuation.resume(returning: signal) }
    }
}
