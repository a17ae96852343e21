import DeployConfiguration
import Logging
import Swarm

/// One real push carried out from its plan: the seeder and tracker, every host, and the
/// report. The caller packs first (`PushPlan.pack`) so it can show progress, and may watch
/// `board` or `cancel()` from other tasks while `run` works.
public final class PushOperation: Sendable {
    public let plan: PushPlan
    private let payload: PackedPayload
    private let runner: PushRunner
    private let commandStart: ContinuousClock.Instant
    /// When the runner's clock (every host's timeline) started.
    private let runnerStart: ContinuousClock.Instant

    /// `commandStart` is when the command began, so the report's wall time covers packing too.
    /// Fails when the plan has no address the hosts could reach us at, or when the open-file
    /// limit cannot be raised to what the push needs (see `DescriptorLimit`).
    public init(
        plan: PushPlan, peerBinary: PeerBinary, payload: PackedPayload,
        commandStart: ContinuousClock.Instant = .now, logger: Logger = .disabled
    ) throws(PushError) {
        self.plan = plan
        self.payload = payload
        self.commandStart = commandStart
        try DescriptorLimit.raise(forHosts: plan.hosts.count)
        runnerStart = .now
        runner = PushRunner(
            plan: plan, listenHost: try plan.listenAddress(), peerBinary: peerBinary, payload: payload, logger: logger
        )
    }

    /// Every host's state now, for a live view.
    public var board: PushBoard { runner.board }

    /// Stops every host; those not yet switched keep their destination as it was.
    public func cancel() { runner.cancel() }

    /// Runs the push to its end and reports on every host. `onLine` gets one line per host
    /// event ("name: what happened"), from any thread. Hosts failing is not an error here: the
    /// report says which did; only a push that could not run at all throws.
    public func run(onLine: @escaping @Sendable (String) -> Void = { _ in }) async throws(PushError) -> PushReport {
        let outcome: PushRunner.Outcome
        do {
            outcome = try await runner.run(onLine: onLine)
        } catch let error as PushError {
            throw error
        } catch {
            throw PushError(.controller, "\(error)")
        }
        return PushReport.make(
            board: outcome.board,
            lines: plan.hosts.map(\.entry.line),
            infoHash: payload.metainfo.infoHash.hex,
            destination: plan.destination,
            archiveBytes: payload.archiveLength,
            seederSent: outcome.seederSent,
            programBytesSent: outcome.programBytesSent,
            jobBytes: outcome.jobBytes,
            transferStart: outcome.transferStart,
            wall: ContinuousClock.now - commandStart,
            prepared: runnerStart - commandStart,
            linkRateBitsPerSecond: plan.linkRateBitsPerSecond,
            maxRateBitsPerSecond: plan.settings.maxRateBitsPerSecond,
            maxFailures: plan.maxFailures,
            release: outcome.releaseID,
            layout: plan.rollout.layout.rawValue,
            stopped: outcome.stopReason,
            topology: FleetTopology(plan.hosts.map(\.entry))
        )
    }
}
