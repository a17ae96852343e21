#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SSH
import Synchronization

/// Drives many running commands (`RunningCommand`) from one thread: polls all their sockets
/// at once and advances the ones that are ready, so a push's hosts hold no thread while their
/// peers download and seed — a thousand peers' event streams are a few lines a second each.
/// The thread runs while there are commands and ends after the last one.
public final class CommandPump: Sendable {
    private struct Arrival {
        let command: RunningCommand
        let done: CheckedContinuation<Result<Void, SSHError>, Never>
    }

    private struct State {
        var arrivals: [Arrival] = []
        var running = false
    }

    private let state = Mutex(State())
    private let wake = WakePipe()
    /// Every command is advanced at least this often, so cancellation, deadlines and
    /// keep-alives are noticed even when its host says nothing.
    static let tick = Duration.milliseconds(200)
    /// Advances of one command in a row before the others get their turn.
    static let burst = 32

    public init() {}

    /// Advances `command` until both its output streams end (`.success`: the caller then
    /// `close()`s it for the exit status) or it fails (`.failure`: the caller `abandon()`s it).
    /// `onLine` and `isCancelled` of the command run on the pump's thread.
    public func drive(_ command: RunningCommand) async -> Result<Void, SSHError> {
        await withCheckedContinuation { continuation in
            let startThread = state.withLock { state -> Bool in
                state.arrivals.append(Arrival(command: command, done: continuation))
                defer { state.running = true }
                return !state.running
            }
            if startThread { startDetachedThread { self.loop() } } else { wake.signal() }
        }
    }

    private struct Driven {
        let arrival: Arrival
        var lastAdvance: ContinuousClock.Instant
        /// Still moving after its last burst: advance again without waiting.
        var busy = true
    }

    private func loop() {
        var driven: [Driven] = []
        var descriptors: [pollfd] = []
        while true {
            let now = ContinuousClock.now
            // Drained before the arrivals are taken: a wake-up for one that comes after this
            // is still there for the poll below.
            wake.drain()
            let arrived = state.withLock { state -> [Arrival] in
                let arrived = state.arrivals
                state.arrivals.removeAll()
                if arrived.isEmpty, driven.isEmpty { state.running = false }
                return arrived
            }
            if arrived.isEmpty, driven.isEmpty { return }
            driven += arrived.map { Driven(arrival: $0, lastAdvance: now - Self.tick) }

            // Advance what is ready, due or still busy; drop what ended.
            var index = 0
            while index < driven.count {
                let ready = driven[index].busy || descriptors.indices.contains(index) && isReady(index, in: descriptors)
                guard ready || now - driven[index].lastAdvance >= Self.tick else {
                    index += 1
                    continue
                }
                if let ended = advance(&driven[index], now: now) {
                    driven[index].arrival.done.resume(returning: ended)
                    driven.remove(at: index)
                    descriptors = []  // indices shifted: readiness is asked again below
                } else {
                    index += 1
                }
            }

            descriptors = [pollfd(fd: wake.descriptor, events: Int16(POLLIN), revents: 0)]
            for entry in driven {
                let request = entry.arrival.command.waitRequest
                descriptors.append(pollfd(fd: request.socket, events: request.socketEvents, revents: 0))
                descriptors.append(pollfd(fd: request.wake ?? -1, events: Int16(POLLIN), revents: 0))
            }
            let anyBusy = driven.contains(where: \.busy)
            let nextDue = driven.map { $0.lastAdvance + Self.tick }.min().map { ContinuousClock.now.duration(to: $0) }
            let timeout = anyBusy ? .zero : max(.zero, nextDue ?? Self.tick)
            _ = poll(&descriptors, nfds_t(descriptors.count), pollMilliseconds(timeout))
            descriptors.removeFirst()
        }
    }

    /// Whether command `index`'s socket or input woke the poll (two descriptors per command).
    private func isReady(_ index: Int, in descriptors: [pollfd]) -> Bool {
        let socket = 2 * index
        guard socket + 1 < descriptors.count else { return false }
        return descriptors[socket].revents != 0 || descriptors[socket + 1].revents != 0
    }

    /// Advances one command for up to a burst; its result once it ended, else nil.
    private func advance(_ entry: inout Driven, now: ContinuousClock.Instant) -> Result<Void, SSHError>? {
        entry.lastAdvance = now
        entry.busy = false
        for _ in 0..<Self.burst {
            do throws(SSHError) {
                switch try entry.arrival.command.advance() {
                case .finished: return .success(())
                case .idle: return nil
                case .moved: continue
                }
            } catch {
                return .failure(error)
            }
        }
        entry.busy = true
        return nil
    }
}
