import DeployConfiguration
import DeployProtocol
import Fleet
import Logging
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
        /// Bytes the controller sent uploading the peer program.
        public let programBytesSent: Int64
        /// Bytes of the job each host was sent.
        public let jobBytes: Int64
        public let transferStart: Duration?
        /// The release the hosts switched to (see `ReleaseID`).
        public let releaseID: String
        /// Why the rollout stopped before every host's turn; nil when it did not.
        public let stopReason: String?
    }

    private struct State {
        var board: PushBoard
        var inputs: [SSHInput?]
        var transferStart: Duration?
        var finishSent = false
        var cancelled = false
        /// The seeder could not serve the payload (the source changed): the push stops.
        var seederFailure: String?
        /// When each host switches; nil when each does so as soon as it can.
        var gate: ActivationGate?
        /// The controller's seeder, whose upload cap (`--max-rate`) the jobs and program
        /// uploads sent over SSH count against too.
        var seeder: SwarmNode?
    }

    /// Waits until the controller's uplink cap allows `bytes` more sent over SSH (a job, the
    /// peer program), and counts them; at once without a cap.
    func reserveUplink(_ bytes: Int) async {
        guard plan.settings.maxRateBitsPerSecond != nil, let seeder = state.withLock({ $0.seeder }) else { return }
        await seeder.reserveUpload(bytes)
    }

    let plan: PushPlan
    private let listenHost: String
    let peerBinary: PeerBinary
    private let payload: PackedPayload
    private let state: Mutex<State>
    private let start = ContinuousClock.now
    let logger: Logger
    let compressedPeer: CompressedPeer
    /// Who serves the peer program to hosts that lack it.
    let programSources = ProgramSources()

    /// A runner for `plan`, serving `payload` on `listenHost`.
    /// `logger` gets the runner's own diagnostics and every peer's `log` lines (peers send
    /// them at `logger.logLevel` and above).
    public init(plan: PushPlan, listenHost: String, peerBinary: PeerBinary, payload: PackedPayload, logger: Logger = .disabled) {
        self.plan = plan
        self.logger = logger
        self.listenHost = listenHost
        self.peerBinary = peerBinary
        self.payload = payload
        compressedPeer = CompressedPeer(path: peerBinary.path)
        state = Mutex(State(
            board: PushBoard(names: plan.hosts.map(\.name)),
            inputs: Array(repeating: nil, count: plan.hosts.count),
            gate: plan.waitsForActivation ? plan.activationGate() : nil
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
        // Only the push's hosts may take part: each proves it holds this key, from one of these addresses.
        let key = PeerAuthenticationKey.random()
        let hostAddresses = plan.hostAddresses()
        let addresses = plan.peerAddresses(controller: listenHost, hostAddresses: hostAddresses)
        var seederLogger = logger
        seederLogger[metadataKey: "host"] = "seeder"
        let webSeeds = try plan.webSeedEntries(for: payload.metainfo)
        guard plan.localSeed || !webSeeds.isEmpty else {
            throw PushError(
                .invalidRequest, "--no-local-seed leaves the hosts no source of the payload: no web seed is given and the torrent lists none",
                remedy: "add --web-seed URL, or seed from here")
        }
        let swarm = try await ControllerSwarm.start(
            listenHost: listenHost, metainfo: payload.metainfo, storage: payload.storage, key: key, admitting: addresses,
            builtinTracker: plan.builtinTracker, seeding: plan.localSeed, standby: !webSeeds.isEmpty, locality: plan.peerLocality(hostAddresses: hostAddresses),
            uploadCap: plan.settings.maxRateBitsPerSecond, logger: seederLogger, tiers: plan.trackerTiers(announceURL:)
        )
        let releaseID = ReleaseID.make(utc: UTCTime.now(), digest: payload.metainfo.payloadSHA256 ?? payload.metainfo.infoHash.bytes)
        var peerJob = plan.peerJob(
            for: payload, announceURL: swarm.announceURL, peerKey: key.bytes, peerAddresses: addresses, releaseID: releaseID,
            hostAddresses: hostAddresses)
        peerJob.programToken = programSources.token
        if !webSeeds.isEmpty {
            peerJob.webSeeds = webSeeds
            peerJob.webSeedCertificates = plan.webSeedCertificates
            peerJob.webSeedHosts = hostAddresses.map { $0.map(\.description) }
        }
        if logger.isEnabled { peerJob.logLevel = logger.logLevel.rawValue }
        let job = peerJob.encoded()
        // Not the announce URL: it holds the push's secret.
        logger.info("\(plan.localSeed ? "seeder and tracker" : "tracker (no seeder: web seeds only)") listening on \(listenHost)")
        // Every host gets the job, so its size counts once per host on the controller's link.
        logger.info("each host's job: \(job.count) bytes, of them \(payload.archiveIndex?.count ?? 0) the archive's index")
        // For tracing: the info-hash is new with each push and useless without the key.
        logger.debug("torrent info-hash \(payload.metainfo.infoHash.hex), peers admitted from \(addresses.count) addresses")

        state.withLock { $0.seeder = swarm.seeder?.node }
        let heartbeat = Task { await self.sendHeartbeats() }
        defer { heartbeat.cancel() }
        let watcher = Task { if let seeder = swarm.seeder { await self.watch(seeder.node) } }
        defer { watcher.cancel() }
        // A task per host, no thread: at most `sshParallel` hosts between connecting and their
        // peer's first word, their blocking steps on a pool of as many threads, and one pump
        // thread for every peer's channel after that.
        let parallel = min(plan.sshParallel, plan.hosts.count)
        let workers = HostWorkers(blockingThreads: parallel)
        let admission = HostAdmission(limit: parallel)
        defer { plan.hosts.closeBastions() }
        await withTaskGroup(of: Void.self) { group in
            for index in plan.hosts.indices {
                group.addTask {
                    let ticket = await admission.enter(rank: index)
                    defer { ticket.release() }
                    await self.pushHost(index, job: job, workers: workers, ticket: ticket, onLine: onLine)
                }
            }
        }

        let seederSent = (try? await swarm.seeder?.node.uploadedByPeer) ?? [:]
        await swarm.shutdown()
        if let failure = state.withLock({ $0.seederFailure }) {
            throw PushError(
                .controller, failure,
                remedy: "hosts that had installed keep the new tree (every byte was verified); the others keep theirs")
        }
        return state.withLock { state in
            Outcome(
                board: state.board,
                seederSent: Dictionary(uniqueKeysWithValues: seederSent.map { ($0.key.description, $0.value) }),
                programBytesSent: programSources.bytesSent,
                jobBytes: Int64(job.count),
                transferStart: state.transferStart,
                releaseID: releaseID,
                stopReason: state.gate?.stopReason
            )
        }
    }

    /// Connects to host `index` and runs its peer until it exits, getting the peer program
    /// there first when the host's cache lacks it: carries out what `HostPushMachine` decides.
    /// Records the host's outcome itself; lets the next host in (`ticket`) once its peer speaks.
    private func pushHost(
        _ index: Int, job: [UInt8], workers: HostWorkers, ticket: HostAdmission.Ticket,
        onLine: @escaping @Sendable (String) -> Void
    ) async {
        let host = plan.hosts[index]
        let connected = await workers.pool.run { () -> Result<HeldSession, SSHError> in
            do throws(SSHError) {
                return .success(HeldSession(try Fleet.connect(host, index: index) { event in
                    if case .connected(let newHostKey) = event.kind {
                        self.record(.connected, index, onLine)
                        if let newHostKey { onLine("\(host.name): host key \(newHostKey) recorded in \(host.configuration.knownHostsPath)") }
                    } else {
                        self.record(.connecting, index, onLine)
                    }
                }))
            } catch {
                return .failure(error)
            }
        }
        let session: HeldSession
        switch connected {
        case .success(let held): session = held
        case .failure(let error):
            record(.failed(phase: .connect, message: error.detail), index, onLine)
            return
        }

        let machine = MachineOfHost()
        // A host the rollout stopped before (a failed canary) while it connected need not start.
        var actions = machine.step { $0.connected(cancelled: isCancelled || isNotActivated(index)) }
        while !actions.isEmpty {
            let action = actions.removeFirst()
            switch action {
            case .record, .log, .letNextHostIn:
                carryOut(action, index, ticket, onLine)
            case .cleanUp:
                await cleanUpAfterKilledPeer(index, session: session, workers: workers)
            case .upload:
                switch await obtainProgram(index, session: session, workers: workers) {
                case .success(let (replaced, source)): actions += machine.step { $0.uploadEnded(replaced: replaced, from: source) }
                case .failure(let error): actions += machine.step { $0.uploadFailed(error.detail) }
                }
            case .launch(let launch):
                actions += await runPeer(
                    index, launch, session: session, job: job, machine: machine, workers: workers, ticket: ticket, onLine: onLine)
            }
        }
        await workers.pool.run { session.session.close() }
    }

    /// Runs the peer over a new channel until it exits; returns what the machine makes of how
    /// it ended. Lines the peer writes take effect as they arrive.
    private func runPeer(
        _ index: Int, _ launch: HostPushMachine.Launch, session: HeldSession, job: [UInt8],
        machine: MachineOfHost, workers: HostWorkers, ticket: HostAdmission.Ticket, onLine: @escaping @Sendable (String) -> Void
    ) async -> [HostPushMachine.Action] {
        if isNotActivated(index) {
            return machine.step { $0.channelFailed(at: .connect, "not started: the rollout stopped before its turn") }
        }
        let deadline = start + plan.timeout
        let input = SSHInput()
        let finishNow = state.withLock { state in
            state.inputs[index] = input
            return state.finishSent
        }
        if finishNow { input.close() }
        defer {
            // The channel is over: nothing more to say to this peer, and it serves no more.
            state.withLock { $0.inputs[index] = nil }
            input.close()
            programSources.stoppedServing(host: index)
        }
        await reserveUplink(job.count)
        let command = launch == .cached
            ? peerBinary.commandIfCached(["deploy"], sudo: plan.sudo) : peerBinary.command(["deploy"], sudo: plan.sudo)
        let result = await workers.execute(
            command, on: session, stdin: job, input: input,
            timeout: ContinuousClock.now.duration(to: deadline) + plan.seedGrace + .seconds(10),
            collectOutput: false,
            onLine: { stream, raw in
                // Whatever a host says reaches logs, the report and the terminal escaped: it
                // cannot rewrite what the operator sees.
                let line = HostText.printable(raw)
                // Carried out at once: the board follows the peer as it speaks.
                if stream == .stdout {
                    for action in machine.step({ $0.stdout(line) }) { self.carryOut(action, index, ticket, onLine) }
                } else {
                    machine.step { $0.stderr(line) }
                }
            },
            isCancelled: {
                self.isCancelled || self.isStalled(index) || ContinuousClock.now > deadline + self.plan.seedGrace
            }
        )
        switch result {
        case .success(let ended):
            return machine.step { $0.launchEnded(status: ended.exitStatus, signal: ended.exitSignal) }
        case .failure(let error):
            var message = isCancelled ? "the push was cancelled" :
                isStalled(index) ? "no progress for \(HumanUnits.duration(plan.stallTimeout)) (see --stall-timeout); its session was closed" :
                ContinuousClock.now > deadline ? "not done within the push's --timeout" : error.detail
            // What the peer last warned about is often why it stood still (its web seed failed).
            if let warning = board.hosts[index].warnings.last { message += "; last warning: \(warning)" }
            let phase = board.hosts[index].phase
            return machine.step { $0.channelFailed(at: phase, message) }
        }
    }

    /// Removes the staging files a killed peer left on host `index`, through the peer's
    /// `clean-up`. The host's outcome is already recorded; this only logs what happened.
    private func cleanUpAfterKilledPeer(_ index: Int, session: HeldSession, workers: HostWorkers) async {
        let command = peerBinary.command(["clean-up", plan.destination], sudo: plan.sudo)
        let host = plan.hosts[index].name
        switch await workers.execute(command, on: session, timeout: .seconds(30)) {
        case .success(let result):
            let said = String(decoding: result.exitStatus == 0 ? result.stdout : result.stderr, as: UTF8.self)
            logger.info("clean-up after the killed peer: \(said.trimmingCharacters(in: .whitespacesAndNewlines))", metadata: ["host": "\(host)"])
        case .failure(let error):
            logger.notice("cannot clean up after the killed peer: \(error.detail)", metadata: ["host": "\(host)"])
        }
    }

    /// Tells every running peer that the controller is still there, until cancelled. A peer
    /// that hears nothing for `PushPlan.controllerSilence` leaves as if its input had closed.
    private func sendHeartbeats() async {
        let line = Array("\(PeerControl.alive.rawValue)\n".utf8)
        while (try? await Task.sleep(for: plan.heartbeatInterval)) != nil {
            for input in state.withLock({ $0.inputs.compactMap { $0 } }) { input.write(line) }
        }
    }

    /// Stops the push when the seeder cannot serve the payload: no host could complete it.
    private func watch(_ seeder: SwarmNode) async {
        while (try? await Task.sleep(for: .milliseconds(250))) != nil {
            guard let failure = try? await seeder.progress.failure else { continue }
            logger.error("the seeder stopped: \(failure)")
            state.withLock { state in
                state.seederFailure = failure
                state.cancelled = true
            }
            return
        }
    }

    /// A peer's diagnostic line, under the host's name.
    private func peerLog(_ level: String, _ message: String, _ index: Int) {
        logger.log(level: Logger.Level(rawValue: level) ?? .info, "\(message)", metadata: ["host": "\(plan.hosts[index].name)"])
    }

    /// Carries out an action that takes effect at once (a record, the ticket, a log line), as a
    /// peer's output lines lead to; launches and uploads are the loop's own steps.
    private func carryOut(
        _ action: HostPushMachine.Action, _ index: Int, _ ticket: HostAdmission.Ticket, _ onLine: @escaping @Sendable (String) -> Void
    ) {
        switch action {
        case .record(let event):
            if case .peer(.serving(let address, let port)) = event {
                programSources.serving(host: index, address: address, port: port)
            }
            record(event, index, onLine)
        case .letNextHostIn: ticket.release()
        case .log(let level, let message): peerLog(level, message, index)
        case .launch, .upload, .cleanUp: assertionFailure("\(action) is a step of the host's loop, not an immediate action")
        }
    }

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Whether the rollout stopped before host `index`'s turn.
    private func isNotActivated(_ index: Int) -> Bool {
        state.withLock { $0.board.hosts[index].outcome == .notActivated }
    }

    /// Whether host `index`'s peer has said nothing for the stall timeout (see `HostState.isStalled`).
    private func isStalled(_ index: Int) -> Bool {
        let now = ContinuousClock.now - start
        return state.withLock { $0.board.hosts[index].isStalled(at: now, limit: plan.stallTimeout) }
    }

    /// Applies an event; once every host has installed or failed, tells every peer to stop
    /// seeding (and closes their input, so none waits out the grace period for nothing).
    private func record(_ event: HostEvent, _ index: Int, _ onLine: (String) -> Void) {
        let time = ContinuousClock.now - start
        let (lines, words, inputsToFinish) = state.withLock { state -> ([String], [(SSHInput, PeerControl)], [SSHInput]) in
            let wasRunning = state.board.hosts[index].outcome == .running
            var lines = [state.board.apply(event, toHost: index, at: time).map { "\(plan.hosts[index].name): \($0)" }].compactMap { $0 }
            if case .peer(.started) = event, state.transferStart == nil { state.transferStart = time }
            let words = gateWords(after: event, index, wasRunning: wasRunning, at: time, &state, &lines)
            guard !state.finishSent, state.board.isEverySettled else { return (lines, words, []) }
            state.finishSent = true
            return (lines, words, state.inputs.compactMap { $0 })
        }
        for (input, word) in words { input.write(Array("\(word.rawValue)\n".utf8)) }
        for input in inputsToFinish {
            input.write(Array("\(PeerControl.finish.rawValue)\n".utf8))
            input.close()
        }
        for line in lines { onLine(line) }
    }

    /// Feeds the activation gate what `event` means for host `index` and returns what to tell
    /// which peers: `activate` to those whose turn came, `abort` to those the rollout stopped
    /// before (recorded on the board as not activated, with a line each in `lines`).
    private func gateWords(
        after event: HostEvent, _ index: Int, wasRunning: Bool, at time: Duration, _ state: inout State, _ lines: inout [String]
    ) -> [(SSHInput, PeerControl)] {
        guard var gate = state.gate else { return [] }
        defer { state.gate = gate }
        let actions: [ActivationGate.Action]
        switch event {
        case .peer(.staged): actions = gate.staged(index)
        case .peer(.installed): actions = gate.installed(index)
        default:
            guard wasRunning, state.board.hosts[index].outcome == .failed else { return [] }
            actions = gate.failed(index)
        }
        var words: [(SSHInput, PeerControl)] = []
        for action in actions {
            switch action {
            case .activate(let hosts):
                words += hosts.compactMap { host in state.inputs[host].map { ($0, .activate) } }
            case .abort(let hosts, let reason):
                for host in hosts {
                    if let line = state.board.apply(.notActivated(reason: reason), toHost: host, at: time) {
                        lines.append("\(plan.hosts[host].name): \(line)")
                    }
                    if let input = state.inputs[host] { words.append((input, .abort)) }
                }
            }
        }
        return words
    }
}

/// A host's `HostPushMachine`, stepped by its task and, while the peer runs, by the pump's
/// thread as lines arrive — one after the other, never at once (each awaits the other).
private final class MachineOfHost: @unchecked Sendable {
    private var machine = HostPushMachine()

    @discardableResult
    func step<T>(_ input: (inout HostPushMachine) -> T) -> T {
        input(&machine)
    }
}
