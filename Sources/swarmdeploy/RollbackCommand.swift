import ArgumentParser
import DeployConfiguration
import DeployProtocol
import Foundation
import Push

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Switch every host back to the previous (or the named) release, which is already there.",
        usage: "swarmdeploy rollback --to <dest> --on <hosts-file> [--release <id>] [<options>]",
        discussion: """
            Nothing is transferred: each host switches to a release it holds. Without --release \
            the target is the release before the one most hosts run, so hosts already on it (sent \
            back by a health check, say) stay. In the release layout DEST/current is pointed at \
            it; in the sibling layout DEST and DEST.prev change places, so rolling back twice goes \
            forward again. The before- and after-activate hooks (flags or the Deployfile's hooks:) \
            run around each host's switch as in a push. A host that fails keeps what it had.

            Examples:
              swarmdeploy rollback --to /opt/app --on hosts.txt
              swarmdeploy rollback --to /opt/app --on hosts.txt --release 20261206T133501Z-1a2b3c4d
              swarmdeploy rollback --to /opt/app --on hosts.txt --after-activate 'systemctl restart app' --json

            Exit codes: 0 every host switched, 1 controller failure, 2 hosts failed (more than \
            --max-failures), 3 partial (some failed, no more than --max-failures), 64 bad input.
            """
    )

    @Option(help: ArgumentHelp("The release to switch to (default: the one before the release most hosts run).", valueName: "id"))
    var release: String?

    @OptionGroup var hooks: HookFlags

    @Option(help: ArgumentHelp("Hosts allowed to fail while the rollback still succeeds, a number or a share (10%) (default: 0).", valueName: "k|p%"))
    var maxFailures: String?

    @Option(help: ArgumentHelp("Also write a JUnit XML report here: one test case per host (for CI systems).", valueName: "file"))
    var junit: String?

    @OptionGroup var target: ReleaseFleetFlags

    @OptionGroup(title: "SSH") var ssh: SSHFlags

    struct Report: Encodable {
        struct Host: Encodable {
            var name: String
            var line: Int
            var status: String
            /// The release in use now (after the switch on success).
            var release: String?
            /// The release in use before.
            var previousRelease: String?
            var seconds: Double
            var hookOutput: [String]
            var error: String?

            enum CodingKeys: String, CodingKey {
                case name, line, status, release, seconds, error
                case previousRelease = "previous_release"
                case hookOutput = "hook_output"
            }
        }
        struct Totals: Encodable {
            var hosts: Int
            var succeeded: Int
            var failed: Int
        }
        var result: String
        var destination: String
        var hosts: [Host]
        var totals: Totals
    }

    func run() async throws {
        if let release, let problem = ReleaseID.problem(with: release) {
            throw CommandFailure.badInput("--release \(release): \(problem)")
        }
        let fleet = try target.fleet(ssh: ssh)
        let junitFile = try JUnitFile(path: junit)
        let started = Date()
        var rollout = fleet.settings.rollout
        try hooks.apply(to: &rollout)
        let allowed = try maxFailures.map { text throws(CommandFailure) in try parseFlag("--max-failures", text, HostCount.parse) }
            ?? fleet.settings.maxFailures

        var arguments = ["rollback", fleet.destination]
        let goal: String?
        if let release { goal = release } else { goal = try await Self.fleetTarget(fleet) }
        if let goal { arguments += ["--release", goal] }
        if let before = rollout.beforeActivate { arguments += ["--before-activate", before] }
        if let after = rollout.afterActivate { arguments += ["--after-activate", after] }
        arguments += ["--hook-timeout", "\(max(1, Int(rollout.hookTimeout.inSeconds.rounded(.up))))"]
        let names = fleet.hosts.map(\.name)
        let quiet = target.json
        let outcomes = await fleet.run(arguments, timeout: rollout.hookTimeout * 2 + .seconds(60)) { index, line in
            guard !quiet, let event = PeerEvent(line: line) else { return }
            switch event {
            case .hook(let name, let message): StandardError.write("\(names[index]): [\(name.rawValue)] \(message)\n")
            case .switched(let release, _): StandardError.write("\(names[index]): switched to \(release ?? "the previous tree")\n")
            default: break
            }
        }
        let report = Self.report(fleet: fleet, outcomes: outcomes, maxFailures: allowed.resolved(of: fleet.hosts.count))
        try junitFile?.write(JUnitReport(
            command: "swarmdeploy rollback", suite: "rollback \(fleet.destination)", started: started,
            seconds: Date().timeIntervalSince(started),
            cases: report.hosts.map { host in
                JUnitReport.Case(
                    name: host.name, seconds: host.seconds,
                    outcome: host.error.map { JUnitReport.Outcome.failed(type: "rollback", message: $0) } ?? .passed, output: host.hookOutput)
            }))
        if target.json {
            printLine(try JSONOutput.text(report))
        } else {
            printLine(Self.text(report, hostsFile: fleet.hostsFile))
        }
        let limit = allowed.resolved(of: fleet.hosts.count)
        if report.totals.failed > limit {
            throw CommandFailure(exitCode: .hostsFailed, message: "\(HumanUnits.count(report.totals.failed, "host")) failed to roll back (allowed: \(limit), see --max-failures)")
        }
        if report.totals.failed > 0 {
            throw CommandFailure(exitCode: .partial, message: "\(HumanUnits.count(report.totals.failed, "host")) failed to roll back, within --max-failures \(limit)")
        }
    }

    /// The release the fleet goes back to without --release: the one before the release most
    /// hosts run, as most of those hosts have it. Hosts already on it (sent back by a health
    /// check, say) then stay; each host goes to its own previous one only when no host could
    /// tell (nil: the sibling layout without records).
    static func fleetTarget(_ fleet: ReleaseFleet) async throws(CommandFailure) -> String? {
        let statuses = await fleet.run(["status", fleet.destination], timeout: .seconds(60)).compactMap(ReleaseFleet.status(in:))
        guard !statuses.isEmpty else {
            throw CommandFailure(exitCode: .hostsFailed, message: "no host answered with its status; nothing was switched")
        }
        guard let current = ReleaseFleet.mostCommon(statuses.compactMap(\.current)) else { return nil }
        guard let previous = ReleaseFleet.mostCommon(statuses.filter { $0.current == current }.compactMap(\.previous)) else {
            throw CommandFailure(
                exitCode: .hostsFailed,
                message: "the hosts on \(current) have no release before it to go back to; nothing was switched (name one with --release)")
        }
        return previous
    }

    static func report(fleet: ReleaseFleet, outcomes: [PeerCommandRun.HostOutcome], maxFailures: Int) -> Report {
        let hosts = fleet.hosts.indices.map { index in
            let outcome = outcomes[index]
            var events: [PeerEvent] = []
            if case .success(let ended) = outcome.result {
                events = String(decoding: ended.stdout, as: UTF8.self).split(separator: "\n").compactMap { PeerEvent(line: String($0)) }
            }
            var switched: (release: String?, previous: String?)?
            var hooks: [String] = []
            for event in events {
                if case .switched(let release, let previous) = event { switched = (release, previous) }
                if case .hook(let name, let message) = event { hooks.append("[\(name.rawValue)] \(message)") }
            }
            let error = ReleaseFleet.failure(of: outcome)
            let status = ReleaseFleet.status(in: outcome)
            return Report.Host(
                name: fleet.hosts[index].name, line: fleet.lines[index], status: error == nil ? "succeeded" : "failed",
                release: status?.current ?? switched?.release, previousRelease: switched?.previous,
                seconds: outcome.seconds, hookOutput: Array(hooks.suffix(HostState.hookOutputLimit)), error: error)
        }
        let failed = hosts.count { $0.status == "failed" }
        return Report(
            result: failed == 0 ? "succeeded" : failed <= maxFailures ? "succeeded with failures" : "failed",
            destination: fleet.destination, hosts: hosts,
            totals: Report.Totals(hosts: hosts.count, succeeded: hosts.count - failed, failed: failed))
    }

    static func text(_ report: Report, hostsFile: String) -> String {
        var lines = ["rollback of \(report.destination): \(report.totals.succeeded) of \(HumanUnits.count(report.totals.hosts, "host")) switched back"]
        for host in report.hosts {
            if let error = host.error {
                lines.append("  \(host.name) (\(hostsFile):\(host.line)) FAILED: \(error)")
                for output in host.hookOutput.suffix(5) { lines.append("    \(output)") }
            } else {
                lines.append("  \(host.name): \(host.previousRelease ?? "(unrecorded)") -> \(host.release ?? "(unrecorded)")")
            }
        }
        return lines.joined(separator: "\n")
    }
}
