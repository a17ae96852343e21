import ArgumentParser
import DeployConfiguration
import DeployProtocol
import Foundation
import Push

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which release every host runs at a destination, and whether the fleet agrees.",
        usage: "swarmdeploy status --to <dest> --on <hosts-file> [<options>]",
        discussion: """
            Runs the peer's status on every host (uploading the peer first where its cache lacks \
            it) and prints, per host, the layout, the release in use and the one before it. A \
            host whose release differs from the one most hosts run is marked DRIFTED.

            Examples:
              swarmdeploy status --to /opt/app --on hosts.txt
              swarmdeploy status --to /opt/app --on hosts.txt --json | jq .agreed

            Exit codes: 0 every host answered and they agree, 1 controller failure, 2 a host did \
            not answer or the hosts disagree, 64 bad input.
            """
    )

    @OptionGroup var target: ReleaseFleetFlags

    @OptionGroup(title: "SSH") var ssh: SSHFlags

    struct Report: Encodable {
        struct Host: Encodable {
            var name: String
            var line: Int
            var answered: Bool
            var layout: String?
            var current: String?
            var previous: String?
            var releases: [String]
            var drifted: Bool
            var error: String?
        }
        var destination: String
        var agreed: Bool
        /// The release most hosts run.
        var current: String?
        var hosts: [Host]
    }

    func run() async throws {
        let fleet = try target.fleet(ssh: ssh)
        let outcomes = await fleet.run(["status", fleet.destination], timeout: .seconds(60))
        let statuses = outcomes.map(ReleaseFleet.status(in:))
        let report = Self.report(fleet: fleet, outcomes: outcomes, statuses: statuses)
        if target.json {
            printLine(try JSONOutput.text(report))
        } else {
            printLine(Self.text(report, hostsFile: fleet.hostsFile))
        }
        let unanswered = report.hosts.count { !$0.answered }
        if unanswered > 0 {
            throw CommandFailure(exitCode: .hostsFailed, message: "\(HumanUnits.count(unanswered, "host")) did not answer")
        }
        if !report.agreed {
            throw CommandFailure(exitCode: .hostsFailed, message: "the hosts disagree: \(report.hosts.count(where: \.drifted)) drifted from \(report.current ?? "the release most run")")
        }
    }

    /// What a host runs, for comparing hosts: nothing there, a tree whose release is not
    /// recorded, and a release differ from each other.
    static func key(_ status: DestinationStatus) -> String {
        guard status.layout != nil else { return "(nothing)" }
        return status.current ?? "(unrecorded)"
    }

    /// The release most answering hosts run (ties: the newest), and who differs from it.
    static func report(fleet: ReleaseFleet, outcomes: [PeerCommandRun.HostOutcome], statuses: [DestinationStatus?]) -> Report {
        let keys = statuses.compactMap { $0.map(key) }
        let majority = ReleaseFleet.mostCommon(keys)
        let hosts = fleet.hosts.indices.map { index in
            let status = statuses[index]
            return Report.Host(
                name: fleet.hosts[index].name, line: fleet.lines[index], answered: status != nil,
                layout: status.map { $0.layout?.rawValue ?? "none" }, current: status?.current, previous: status?.previous,
                releases: status?.releases ?? [],
                drifted: status.map { key($0) != majority } ?? false,
                error: status == nil ? ReleaseFleet.failure(of: outcomes[index]) ?? "no status line in the peer's output" : nil)
        }
        return Report(
            destination: fleet.destination, agreed: Set(keys).count <= 1,
            current: majority.flatMap { $0.hasPrefix("(") ? nil : $0 }, hosts: hosts)
    }

    static func text(_ report: Report, hostsFile: String) -> String {
        var rows = [["host", "layout", "current", "previous", "releases", ""]]
        for host in report.hosts {
            guard host.answered else {
                rows.append([host.name, "-", "-", "-", "-", "NO ANSWER: \(host.error ?? "")"])
                continue
            }
            rows.append([
                host.name, host.layout ?? "none", host.current ?? (host.layout == "sibling" ? "(unrecorded)" : "-"),
                host.previous ?? "-", host.layout == "releases" ? "\(host.releases.count)" : "-", host.drifted ? "DRIFTED" : "",
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { $1 + String(repeating: " ", count: widths[$0] - $1.count) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        lines.append("")
        let answered = report.hosts.filter(\.answered)
        if report.agreed, let current = report.current {
            lines.append("all \(HumanUnits.count(answered.count, "host")) run \(current) at \(report.destination)")
        } else if report.agreed {
            lines.append("no host that answered has a recorded release at \(report.destination)")
        } else {
            let drifted = report.hosts.filter(\.drifted)
            lines.append("the hosts disagree: \(answered.count - drifted.count) run \(report.current ?? "no recorded release"); drifted: "
                + drifted.map { "\($0.name) (\(hostsFile):\($0.line)) runs \($0.current ?? "no recorded release")" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
