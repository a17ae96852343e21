import DeployProtocol

/// How far one host got. Phases happen in this order.
public enum HostPhase: String, Sendable, Codable, CaseIterable, Comparable {
    case waiting
    /// TCP, host key, authentication.
    case connect
    /// Making sure the host has the peer binary (uploaded only when its cache lacks it).
    case upload
    case prepare
    case download
    case extract
    /// Verified and extracted, waiting for its turn to switch (see `ActivationGate`).
    case staged
    case beforeActivate = "before-activate"
    case install
    case afterActivate = "after-activate"
    case healthCheck = "health-check"
    /// Installed; serving pieces to the others for the grace period.
    case seed
    /// The peer exited after installing.
    case done

    public static func < (lhs: HostPhase, rhs: HostPhase) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    init(_ stage: PeerStage) {
        switch stage {
        case .prepare: self = .prepare
        case .download: self = .download
        case .extract: self = .extract
        case .staged: self = .staged
        case .beforeActivate: self = .beforeActivate
        case .install: self = .install
        case .afterActivate: self = .afterActivate
        case .healthCheck: self = .healthCheck
        case .seed: self = .seed
        }
    }
}

/// Where a host's peer program came from in this push.
public enum PeerProgramOrigin: Sendable, Equatable {
    /// The host's cache had it.
    case cached
    /// The controller uploaded it.
    case uploaded
    /// The host fetched it from this host of the push (by name).
    case fetched(from: String)

    /// As the report shows it: "cached", "uploaded" or "from HOST".
    public var text: String {
        switch self {
        case .cached: "cached"
        case .uploaded: "uploaded"
        case .fetched(let host): "from \(host)"
        }
    }
}

/// Something that happened to one host, as the push runner observes it.
public enum HostEvent: Sendable, Equatable {
    case connecting
    case connected
    /// The peer binary is on the host, and where it came from.
    case peerReady(program: PeerProgramOrigin)
    case peer(PeerEvent)
    /// The peer's process ended with this status (nil with a signal).
    case exited(status: Int32?, signal: String?, lastError: String?)
    /// SSH (connect, host key, auth, upload, exec) or the controller gave up on the host.
    case failed(phase: HostPhase, message: String)
    /// The rollout stopped before this host's turn: it was told not to switch.
    case notActivated(reason: String)
}

/// One host's state during a push: a pure value, changed only by `apply`.
public struct HostState: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        case running, succeeded, failed
        /// The rollout stopped before its turn; its destination is as it was.
        case notActivated = "not-activated"
    }

    public let name: String
    public private(set) var phase: HostPhase = .waiting
    public private(set) var outcome: Outcome = .running
    /// The phase at which it failed.
    public private(set) var failedPhase: HostPhase?
    public private(set) var error: String?
    public private(set) var peerProgram: PeerProgramOrigin?
    public private(set) var peerID: String?
    public private(set) var progress: PeerProgress?
    public private(set) var installedFiles: Int?
    /// Since the push started.
    public private(set) var connectedAt: Duration?
    /// Its peer joined the swarm (after reading the job and building what it could).
    public private(set) var startedAt: Duration?
    /// It held the whole payload, verified.
    public private(set) var downloadedAt: Duration?
    public private(set) var installedAt: Duration?
    public private(set) var endedAt: Duration?
    /// The last time its peer said anything (started, progress, a stage, a log line).
    public private(set) var peerSpokeAt: Duration?
    /// The release in use before this push switched (when it did).
    public private(set) var previousRelease: String?
    /// A hook or the health check failed after the switch and the host went back.
    public private(set) var rolledBack = false
    /// The last lines its hooks wrote, "[hook] line", at most `hookOutputLimit`.
    public private(set) var hookOutput: [String] = []
    /// What the peer warned about (a web seed it dropped, say), the latest few.
    public private(set) var warnings: [String] = []
    public static let hookOutputLimit = 40

    public init(name: String) {
        self.name = name
    }

    /// Installed or failed: nothing this host does any more changes the push's result.
    public var isSettled: Bool { outcome != .running || installedAt != nil }

    /// Whether its peer runs but has said nothing for `limit`: frozen, cut off or stuck.
    /// Not before the peer started (connecting and uploading have their own timeouts), nor
    /// once staged (it waits for its turn then, and its hooks have their own timeouts).
    public func isStalled(at now: Duration, limit: Duration) -> Bool {
        guard outcome == .running, phase < .staged, let peerSpokeAt else { return false }
        return now - peerSpokeAt >= limit
    }

    /// Share of the payload verified, 0...1 (1 once installed).
    public var fraction: Double {
        if installedAt != nil { return 1 }
        guard let progress, progress.pieceCount > 0 else { return 0 }
        return Double(progress.verifiedPieces) / Double(progress.pieceCount)
    }

    /// Applies `event`, observed at `time` since the push started. Returns a line describing
    /// the change for logs, or nil when nothing worth a line happened (progress updates).
    @discardableResult
    public mutating func apply(_ event: HostEvent, at time: Duration) -> String? {
        guard outcome == .running else { return nil }
        switch event {
        case .connecting:
            phase = .connect
            return nil
        case .connected:
            connectedAt = time
            phase = .upload
            return "connected"
        case .peerReady(let program):
            peerProgram = program
            peerSpokeAt = time
            phase = .prepare
            return "peer binary \(program.text)"
        case .peer(let peerEvent):
            peerSpokeAt = time
            return apply(peerEvent, at: time)
        case .exited(let status, let signal, let lastError):
            endedAt = time
            if installedAt != nil && status == 0 {
                outcome = .succeeded
                phase = .done
                return "done"
            }
            if installedAt != nil {
                // The tree is in place; only seeding was cut short.
                outcome = .succeeded
                return "installed; the peer then ended with \(signal.map { "signal \($0)" } ?? "status \(status ?? -1)")"
            }
            let cause = error ?? lastError ?? (signal.map { "the peer was killed by signal \($0)" } ?? "the peer exited with status \(status ?? -1) before installing")
            return fail(at: failedPhase ?? phase, cause)
        case .failed(let failed, let message):
            endedAt = time
            if installedAt != nil {
                outcome = .succeeded
                return "installed; then \(message)"
            }
            return fail(at: failed, message)
        case .notActivated(let reason):
            outcome = .notActivated
            error = "not activated: \(reason)"
            return "not activated (\(reason)); its destination is unchanged"
        }
    }

    private mutating func apply(_ event: PeerEvent, at time: Duration) -> String? {
        switch event {
        case .started(_, let id, _):
            peerID = id
            startedAt = time
            phase = .download
            return "downloading"
        case .progress(let progress):
            self.progress = progress
            return nil
        case .downloaded:
            downloadedAt = time
            phase = .extract
            if let pieceCount = progress?.pieceCount {
                progress?.verifiedPieces = pieceCount
            }
            return "downloaded and verified"
        case .staged:
            phase = .staged
            return "staged"
        case .switched(let release, let previous):
            previousRelease = previous
            phase = .afterActivate
            return "switched to \(release ?? "the new tree")" + (previous.map { " (from \($0))" } ?? "")
        case .hook(let name, let message):
            let line = "[\(name.rawValue)] \(message)"
            hookOutput.append(line)
            if hookOutput.count > Self.hookOutputLimit { hookOutput.removeFirst(hookOutput.count - Self.hookOutputLimit) }
            return line
        case .rolledBack(let release):
            rolledBack = true
            return "rolled back to \(release ?? "no tree (there was none before)")"
        case .installed(let files, _):
            installedFiles = files
            installedAt = time
            phase = .seed
            return "installed (\(files) files)"
        case .finished(let progress):
            self.progress = progress
            return nil
        case .warning(let message):
            warnings.append(message)
            if warnings.count > Self.hookOutputLimit { warnings.removeFirst(warnings.count - Self.hookOutputLimit) }
            return "warning: \(message)"
        case .log, .serving:
            // Diagnostics go to the controller's log, a program server to the runner.
            return nil
        case .failed(let stage, let message):
            // The exit follows; keep the peer's own account of what went wrong.
            failedPhase = HostPhase(stage)
            error = message
            return nil
        }
    }

    private mutating func fail(at failed: HostPhase, _ message: String) -> String {
        outcome = .failed
        failedPhase = failed
        error = message
        return "failed at \(failed.rawValue): \(message)"
    }
}
