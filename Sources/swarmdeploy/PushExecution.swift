import DeployConfiguration
import Foundation
import Logging
import Push

/// A real push as the command shows it: packing progress, the live view, the report, and the
/// exit code. The push itself is `PushOperation`'s.
enum PushExecution {
    static func run(
        _ plan: PushPlan, peerBinaryFlag: String?, writeTorrent: String?, junit: JUnitFile?, json: Bool, quiet: Bool, logger: Logger
    ) async throws(CommandFailure) {
        let started = Date()
        // The report's wall time is the whole command's: reading and packing the source too.
        let commandStart = ContinuousClock.now
        let silent = quiet || json
        let peerBinary = try PeerBinaryLocator.locate(flag: peerBinaryFlag)
        let listenHost = try CommandFailure.push { () throws(PushError) in try plan.listenAddress() }

        let payload = try preparePayload(plan, silent: silent)
        if let writeTorrent {
            do {
                let sink = try FileSink(path: writeTorrent)
                try sink.write(payload.metainfo.bytes)
                try sink.commit()
            } catch let failure as CommandFailure {
                throw failure
            } catch {
                throw .controller("cannot write the torrent to \(writeTorrent): \(error)")
            }
        }
        let push = try CommandFailure.push { () throws(PushError) in
            try PushOperation(plan: plan, peerBinary: peerBinary, payload: payload, commandStart: commandStart, logger: logger)
        }

        let title = "pushing \(payload.metainfo.name) (\(HumanUnits.bytes(payload.archiveLength))) to \(plan.destination) on \(HumanUnits.count(plan.hosts.count, "host"))"
        let view = LiveView(title: title, hostCount: plan.hosts.count, quiet: silent)
        if !silent {
            let listeners = plan.builtinTracker ? "seeder and tracker on \(listenHost)" : "seeder on \(listenHost), tracker \(plan.extraTrackers.joined(separator: ", "))"
            StandardError.write("\(title); \(listeners), serving only the push's hosts\n")
        }
        let refresher = Task {
            while !Task.isCancelled {
                view.refresh(push.board)
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        let interrupter = Task {
            await TerminationSignal.wait()
            StandardError.write("swarmdeploy: interrupted; stopping every host (destinations not yet switched stay as they were)\n")
            push.cancel()
        }
        defer {
            refresher.cancel()
            interrupter.cancel()
        }
        let report: PushReport
        do {
            report = try await push.run(onLine: view.event)
        } catch {
            view.finish()
            throw CommandFailure(exitCode: error.isBadInput ? .badInput : .controllerFailure, message: error.description)
        }
        view.finish()

        try printReport(report, plan: plan, tarballName: payload.metainfo.name, json: json)
        try junit?.write(junitReport(report, plan: plan, started: started))
        try exitCode(failed: report.totals.failed, notActivated: report.totals.notActivated, stopped: report.stopped, maxFailures: plan.maxFailures)
    }

    /// The directory packed and hashed, or the packed release checked against its torrent.
    private static func preparePayload(_ plan: PushPlan, silent: Bool) throws(CommandFailure) -> PackedPayload {
        if let torrent = plan.torrentFile {
            return try ReleaseCheck.run(plan, torrent: torrent, quiet: silent)
        }
        let manifest = try CommandFailure.push { () throws(PushError) in try plan.scanSource() }
        let packing = ProgressLine(label: "packing", total: manifest.tarLength, quiet: silent)
        let payload = try CommandFailure.push { () throws(PushError) in
            try plan.pack(manifest) { done, _ in packing.update(done) }
        }
        packing.finish()
        return payload
    }

    private static func printReport(_ report: PushReport, plan: PushPlan, tarballName: String, json: Bool) throws(CommandFailure) {
        guard json else {
            printLine(PushReportText.render(report, hostsFile: plan.hostsFile, tarballName: tarballName))
            return
        }
        printLine(try JSONOutput.text(report))
    }

    /// One test case per host: its stage and error when it failed, skipped when the rollout
    /// stopped before its turn; its hooks' output kept.
    private static func junitReport(_ report: PushReport, plan: PushPlan, started: Date) -> JUnitReport {
        JUnitReport(
            command: "swarmdeploy push", suite: "push \(plan.source) to \(plan.destination)", started: started,
            seconds: report.totals.wallSeconds,
            cases: report.hosts.map { host in
                let outcome: JUnitReport.Outcome = switch host.status {
                case .succeeded, .running: .passed
                case .failed: .failed(type: host.stage.rawValue, message: "failed at \(host.stage.rawValue): \(host.error ?? "unknown error")")
                case .notActivated: .skipped(message: host.error ?? "not activated")
                }
                return JUnitReport.Case(name: host.name, seconds: host.seconds ?? 0, outcome: outcome, output: host.hookOutput)
            })
    }

    /// 0 when every host succeeded; 3 when some failed within --max-failures; 2 beyond it, or
    /// when the rollout stopped before some hosts' turn.
    private static func exitCode(failed: Int, notActivated: Int, stopped: String?, maxFailures: Int) throws(CommandFailure) {
        if notActivated > 0 {
            throw CommandFailure(
                exitCode: .hostsFailed,
                message: "the rollout stopped (\(stopped ?? "hosts failed")): \(HumanUnits.count(notActivated, "host")) kept the tree they had"
            )
        }
        if failed > maxFailures {
            throw CommandFailure(
                exitCode: .hostsFailed,
                message: "\(HumanUnits.count(failed, "host")) failed (allowed: \(maxFailures), see --max-failures)"
            )
        }
        if failed > 0 {
            throw CommandFailure(
                exitCode: .partial,
                message: "\(HumanUnits.count(failed, "host")) failed, within --max-failures \(maxFailures); the others have the new tree"
            )
        }
    }
}
