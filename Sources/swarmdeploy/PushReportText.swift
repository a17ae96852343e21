import DeployConfiguration
import Push

/// The human-readable push report printed at the end (the JSON report carries the same).
enum PushReportText {
    static func render(_ report: PushReport, hostsFile: String, tarballName: String) -> String {
        let totals = report.totals
        var lines: [String] = []
        var outcome = totals.failed == 0 && totals.notActivated == 0
            ? "all \(HumanUnits.count(totals.hosts, "host")) succeeded"
            : "\(totals.succeeded) of \(HumanUnits.count(totals.hosts, "host")) succeeded, \(totals.failed) failed"
        if totals.notActivated > 0 { outcome += ", \(totals.notActivated) not activated" }
        lines.append("push of \(tarballName) (\(HumanUnits.bytes(totals.archiveBytes))) to \(report.destination): \(outcome)")
        if let release = report.release {
            let layout = report.layout == "releases" ? "\(report.destination)/releases/\(release)" : "\(report.destination) (sibling layout)"
            lines.append("release \(release) at \(layout)")
        }
        if let stopped = report.stopped {
            lines.append("the rollout stopped: \(stopped); hosts not activated keep the tree they had")
        }
        lines.append("")

        // The web seeds' column only when some host fetched from one.
        let web = report.totals.webSeedBytes > 0
        let header = ["host", "status", "stage", "seconds", "reused", "from seeder"] + (web ? ["from web"] : []) + ["from peers", "uploaded", "peer"]
        let numeric = 3...(web ? 8 : 7)
        var rows = [header]
        for host in report.hosts {
            rows.append([
                host.name,
                host.status == .succeeded ? "ok" : host.status == .notActivated ? "not activated" : host.rolledBack ? "ROLLED BACK" : "FAILED",
                host.stage.rawValue,
                host.seconds.map { HumanUnits.decimal($0, fractionDigits: 1) } ?? "-",
                HumanUnits.bytes(host.bytesReused),
                HumanUnits.bytes(host.bytesFromSeeder),
            ] + (web ? [HumanUnits.bytes(host.bytesFromWebSeeds)] : []) + [
                HumanUnits.bytes(host.bytesFromPeers),
                HumanUnits.bytes(host.bytesUploaded),
                host.peerBinary ?? "-",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                // Numbers right-aligned, words left-aligned.
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return numeric.contains(column) ? pad + cell : cell + pad
            }
            lines.append(cells.joined(separator: "  ").trimmingTrailingSpaces())
        }

        let failed = report.hosts.filter { $0.status == .failed }
        if !failed.isEmpty {
            lines.append("")
            lines.append("failed hosts:")
            for host in failed {
                let got = host.stage >= .download && host.stage < .staged ? " (\(Int((host.verifiedFraction * 100).rounded(.down))) % verified)" : ""
                lines.append("  \(host.name) (\(hostsFile):\(host.line)) at \(host.stage.rawValue)\(got): \(host.error ?? "unknown error")")
                for output in host.hookOutput.suffix(5) { lines.append("    \(output)") }
                for warning in host.warnings.suffix(3) where !(host.error ?? "").contains(warning) { lines.append("    warning: \(warning)") }
            }
        }

        // Hosts that got there anyway: the same warning from many hosts is one line.
        var warned: [String: [String]] = [:]
        for host in report.hosts where host.status != .failed {
            for warning in Set(host.warnings) { warned[warning, default: []].append(host.name) }
        }
        if !warned.isEmpty {
            lines.append("")
            lines.append("warnings:")
            for (warning, hosts) in warned.sorted(by: { $0.key < $1.key }) {
                let who = hosts.count == 1 ? hosts[0] : "\(hosts.count) hosts, \(hosts[0]) first"
                lines.append("  \(warning) (\(who))")
            }
        }

        let banned = report.hosts.filter { !$0.bannedBy.isEmpty }
        if !banned.isEmpty {
            lines.append("")
            lines.append("hosts banned by others for sending data that failed SHA-1 checks (check their memory, disk and NIC):")
            for host in banned {
                lines.append("  \(host.name) (\(hostsFile):\(host.line)): banned by \(HumanUnits.count(host.bannedBy.count, "host")) (\(host.bannedBy.joined(separator: ", ")))")
            }
        }

        if let racks = report.racks {
            lines.append("")
            lines.append("payload into each rack from outside it (one copy is the least):")
            for rack in racks.racks {
                let place = [rack.datacenter.map { "dc=\($0)" }, "rack=\(rack.rack ?? "(none)")"].compactMap { $0 }.joined(separator: " ")
                lines.append("  \(place) (\(HumanUnits.count(rack.hosts, "host"))): \(HumanUnits.bytes(rack.bytesIn)), "
                    + "\(HumanUnits.decimal(rack.copiesIn, fractionDigits: 2)) copies")
            }
            lines.append("  across racks \(HumanUnits.bytes(racks.crossRackBytes)), across datacenters \(HumanUnits.bytes(racks.crossDatacenterBytes))")
        }

        lines.append("")
        var summary = "wall time \(HumanUnits.duration(totals.wallSeconds))"
        if let transfer = totals.transferSeconds {
            summary += ", transfer \(HumanUnits.duration(transfer))"
        }
        summary += "; the controller sent \(HumanUnits.bytes(totals.seederBytesSent)) (\(HumanUnits.decimal(totals.seederCopies, fractionDigits: 2)) copies)"
        if totals.peerProgramBytesSent > 0 {
            summary += " and \(HumanUnits.bytes(totals.peerProgramBytesSent)) of peer programs"
        }
        if totals.webSeedBytes > 0 {
            summary += "; web seeds sent \(HumanUnits.bytes(totals.webSeedBytes)) (\(HumanUnits.decimal(totals.webSeedCopies, fractionDigits: 2)) copies)"
        }
        if totals.bytesReused > 0 {
            summary += "; hosts built \(HumanUnits.bytes(totals.bytesReused)) from the trees they held"
        }
        lines.append(summary)
        if let efficiency = totals.efficiency, totals.idealSeconds >= 1 {
            let link = totals.maxRateBitsPerSecond.map { $0 <= totals.linkRateBitsPerSecond } == true
                ? "at the \(HumanUnits.bitRate(totals.linkRateBitsPerSecond)) cap (--max-rate)"
                : "through one \(HumanUnits.bitRate(totals.linkRateBitsPerSecond)) NIC"
            lines.append("one copy \(link) takes \(HumanUnits.duration(totals.idealSeconds)): efficiency \(HumanUnits.decimal(efficiency, fractionDigits: 2)) (set --link-rate to your NIC's rate)")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = Substring(self)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
