import Dispatch
import DeployProtocol
import Fleet
import SSH
import Swarm
import Synchronization
import TorrentMetainfo

/// Runs one push: the controller's seeder and tracker, then every host over SSH at once —
/// peer binary, job, live events — until every host has installed or failed, then tells the
/// peers to stop seeding and shuts everything down. Nothing keeps listening afterwards.
public final class PushRunner: Sendable {
    /// What the run leaves for the report.
    public struct Outcome: Sendable {
        public let board: PushBoard
        /// Payload bytes the seeder sent, by peer id (as peers report theirs).
        public let seederSent: [String: Int64]
        public let transferStart: Duration?
    }

    private struct State {
        var board: PushBoard
        var inputs: [SSHInput?]
        var transferStart: Duration?
        var finishSent = false
        var cancelled = false
    }

    private let plan: PushPlan
    private let listenHost: String
    private let peerBinary: PeerBinary
    private let payload: PackedPayload
    private let state: Mutex<State>
    private let start = ContinuousClock.now
    private let compressedPeer: CompressedPeer

    /// A runner for `plan`, serving `payload` from memory on `listenHost`.
    public init(plan: PushPlan, listenHost: String, peerBinary: PeerBinary, payload: PackedPayload) {
        self.plan = plan
        self.listenHost = listenHost
        self.peerBinary = peerBinary
        self.payload = payload
        compressedPeer = CompressedPeer(path: peerBinary.path)
        state = Mutex(State(
            board: PushBoard(names: plan.hosts.map(\.name)),
            inputs: Array(repeating: nil, count: plan.hosts.count)
        ))
    }

    /// The current state of every host, for a live view.
    public var board: PushBoard { state.withLock { $0.board } }

    /// Stops the push: every host's channel closes, so peers that have not installed yet
    /// remove their staging files and leave their destination as it was.
    public func cancel() {
        state.withLock { $0.cancelled = true }
    }

    /// Runs the push. `onLine` receives one line per host event ("name: what happened"),
    /// from any thread.
    public func run(onLine: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        let swarm = try await ControllerSwarm.start(
            listenHost: listenHost, metainfo: payload.metainfo, payload: payload.bytes,
            extraTrackers: plan.extraTrackers
        )
        let job = plan.peerJob(for: payload, announceURL: swarm.announceURL).encoded()

        // One thread per host: each holds its SSH channel for the whole transfer. Connecting
        // and launching the peer, the costly part, is bounded by `sshParallel`: a host gives
        // its slot back as soon as its peer runs.
        _ = await Fleet.run(plan.hosts, parallelism: plan.sshParallel, onEvent: { event in
            switch event.kind {
            case .connecting: self.record(.connecting, event.index, onLine)
            case .connected: self.record(.connected, event.index, onLine)
            case .failed(let error, _): self.record(.failed(phase: .connect, message: Self.describe(error)), event.index, onLine)
            case .finished: break
            }
        }) { index, session, slot in
            self.runPeer(index, session: session, job: job, slot: slot, onLine: onLine)
        }

        let seederSent = (try? await swarm.seeder.uploadedByPeer) ?? [:]
        await swarm.shutdown()
        return state.withLock { state in
            Outcome(
                board: state.board,
                seederSent: Dictionary(uniqueKeysWithValues: seederSent.map { ($0.key.description, $0.value) }),
                transferStart: state.transferStart
            )
        }
    }

    /// Runs the peer on a connected host until it exits, uploading it first when the host's
    /// cache lacks it. Records the host's outcome itself, so it never throws.
    private func runPeer(_ index: Int, session: SSHSession, job: [UInt8], slot: HostSlot, onLine: @escaping @Sendable (String) -> Void) {
        let deadline = start + plan.timeout
        if isCancelled { return record(.failed(phase: .connect, message: "the push was cancelled"), index, onLine) }

        // The peer is launched straight away when the host's cache holds it (one channel for a
        // warm host; see `launchIfCached`); otherwise it is uploaded first and launched again.
        let binary = peerBinary
        var uploaded: Bool?
        var lastError: String?
        for attempt in 0..<2 {
            let input = SSHInput()
            let finishNow = state.withLock { state in
                state.inputs[index] = input
                return state.finishSent
            }
            if finishNow { input.close() }

            var notCached = false
            var peerSpoke = false
            let command = attempt == 0 ? Self.launchIfCached(binary) : "exec ./\(binary.remotePath) deploy"
            do throws(SSHError) {
                let result = try session.execute(
                    command,
                    stdin: job,
                    input: input,
                    timeout: ContinuousClock.now.duration(to: deadline) + plan.seedGrace + .seconds(10),
                    collectOutput: false,
                    onLine: { stream, line in
                        if stream == .stdout, let event = PeerEvent(line: line) {
                            if !peerSpoke {
                                // The peer runs: the next host may connect.
                                slot.release()
                                self.record(.peerReady(uploaded: uploaded ?? false), index, onLine)
                            }
                            peerSpoke = true
                            self.record(.peer(event), index, onLine)
                        } else if stream == .stdout, line == Self.notCachedMarker {
                            notCached = true
                        } else if stream == .stderr, !line.isEmpty {
                            lastError = String(line.prefix(500))
                        }
                    },
                    isCancelled: { self.isCancelled || ContinuousClock.now > deadline + self.plan.seedGrace }
                )
                let missing = notCached && result.exitStatus == Self.notCachedStatus
                // A cached binary that ran without a word (damaged on the host's disk, say) is
                // checked by hash too, and launched again only if that replaced it.
                let silent = !peerSpoke && (result.exitStatus != 0 || result.exitSignal != nil)
                if attempt == 0, missing || silent {
                    do throws(SSHError) {
                        uploaded = try session.ensureFile(
                            contentsOf: binary.path, sha256: binary.sha256, at: binary.remotePath, permissions: 0o755,
                            gzipped: { self.compressedPeer.bytes() }
                        )
                    } catch {
                        return record(.failed(phase: .upload, message: Self.describe(error)), index, onLine)
                    }
                    if missing || uploaded == true { continue }
                }
                return record(.exited(status: result.exitStatus, signal: result.exitSignal, lastError: lastError), index, onLine)
            } catch {
                let phase = board.hosts[index].phase
                let message = isCancelled ? "the push was cancelled" :
                    ContinuousClock.now > deadline ? "not done within the push's --timeout" : Self.describe(error)
                return record(.failed(phase: phase, message: message), index, onLine)
            }
        }
    }

    /// What a host prints, and its exit status, when its cache lacks this peer binary.
    static let notCachedMarker = "swarmdeploy-peer-not-cached"
    static let notCachedStatus: Int32 = 97

    /// Runs the cached peer if the host has it; otherwise says so and exits. The name holds
    /// the binary's SHA-256 and `SSHSession.ensureFile` renames a copy to it only after the
    /// host hashed it, so the name is proof enough here — hashing 20 MiB again on every push
    /// would cost each host a tenth of a second of CPU before its peer starts.
    static func launchIfCached(_ binary: PeerBinary) -> String {
        let path = binary.remotePath
        return "if [ -x \(path) ]; then exec ./\(path) deploy; fi; "
            + "echo \(notCachedMarker); exit \(notCachedStatus)"
    }

    private var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Applies an event; once every host has installed or failed, tells every peer to stop
    /// seeding (and closes their input, so none waits out the grace period for nothing).
    private func record(_ event: HostEvent, _ index: Int, _ onLine: (String) -> Void) {
        let time = ContinuousClock.now - start
        let (line, inputsToFinish) = state.withLock { state -> (String?, [SSHInput]) in
            let line = state.board.apply(event, toHost: index, at: time)
            if case .peer(.started) = event, state.transferStart == nil { state.transferStart = time }
            guard !state.finishSent, state.board.isEverySettled else { return (line, []) }
            state.finishSent = true
            return (line, state.inputs.compactMap { $0 })
        }
        for input in inputsToFinish {
            input.write(Array("\(PeerControl.finish.rawValue)\n".utf8))
            input.close()
        }
        if let line { onLine("\(plan.hosts[index].name): \(line)") }
    }

    private static func describe(_ error: SSHError) -> String {
        var text = "\(error.stage.rawValue): \(error.message)"
        if let message = error.libssh2Message, !message.isEmpty { text += " (libssh2: \(message))" }
        return text
    }
}
