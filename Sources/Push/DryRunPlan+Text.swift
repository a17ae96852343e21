import DeployConfiguration

extension DryRunPlan {
    /// Longest host list shown inline before "… and N more".
    static let inlineHostLimit = 6

    /// The plan for people: aligned two-column sections, no colour or terminal escapes.
    public func renderText() -> String {
        var out: [String] = []
        out.append("Dry run: nothing was contacted and nothing was changed.")
        out.append("This is what `swarmdeploy push` would do.")
        out.append("")

        let hash = torrent.payloadSHA256 ?? "not computed (estimate only)"
        let codec = archive.compressed ? archive.compression.split(separator: "=").joined(separator: " level ") : "not compressed"
        out += Self.table([
            ("Source", source),
            ("Destination", destination),
            ("Payload", "\(HumanUnits.count(payload.files, "file")), \(HumanUnits.count(payload.directories, "directory", plural: "directories")), "
                + "\(HumanUnits.count(payload.symlinks, "symlink")), \(Self.sized(payload.bytes))"),
            ("Archive", "\(Self.sized(archive.bytes)), \(codec)"),
            ("Pieces", "\(HumanUnits.count(torrent.pieceCount)) × \(HumanUnits.bytes(Int64(torrent.pieceLength))) "
                + "(\(HumanUnits.count(torrent.pieceLength)) bytes each)"),
            ("SHA-256", hash),
        ])
        out.append("")

        out += Self.table([("Hosts", "\(HumanUnits.count(hostCount)) from \(hostsFile)")])
        var groupRows = labelGroups.map { group in
            ("  \(group.key)=\(group.value)", Self.hostList(group.hosts))
        }
        if !unlabeledHosts.isEmpty, !labelGroups.isEmpty {
            groupRows.append(("  (no labels)", Self.hostList(unlabeledHosts)))
        } else if labelGroups.isEmpty, !hosts.isEmpty {
            groupRows.append(("  (all)", Self.hostList(hosts.map { Self.display($0) })))
        }
        out += Self.table(groupRows)
        out.append("")
        if let topology {
            out += Self.table(Self.topologyRows(topology))
            out.append("")
        }

        var controllerRows = [("Controller", (controller.address ?? "unknown") + " (\(controller.note))")]
        if let url = controller.trackerURL {
            controllerRows.append(("Tracker", url + " (port chosen when the push starts)"))
        } else if !controller.extraTrackers.isEmpty {
            controllerRows.append(("Tracker", "none of its own (--no-builtin-tracker): the extra trackers only"))
        }
        for (index, extra) in controller.extraTrackers.enumerated() {
            controllerRows.append((index == 0 ? "Extra trackers" : "", extra))
        }
        out += Self.table(controllerRows)
        out.append("")

        if let cap = estimate.maxRateBitsPerSecond, cap < settings.linkRateBitsPerSecond {
            out.append("Estimate at \(HumanUnits.bitRate(estimate.linkRateBitsPerSecond)) per link (transfer.max_rate caps the \(HumanUnits.bitRate(settings.linkRateBitsPerSecond)) links):")
        } else {
            out.append("Estimate at \(HumanUnits.bitRate(estimate.linkRateBitsPerSecond)) per link (transfer.link_rate):")
        }
        out += Self.table([
            ("  One by one", "\(HumanUnits.duration(estimate.sequentialSeconds))  "
                + "(\(HumanUnits.count(hostCount)) × \(HumanUnits.duration(estimate.singleCopySeconds)) through the controller's link)"),
            ("  Swarm", "\(HumanUnits.duration(estimate.swarmSeconds))  "
                + "(\(HumanUnits.count(torrent.pieceCount, "piece")) pipelined, binary fan-out)"),
            ("  Speed-up", "\(HumanUnits.decimal(estimate.speedup, fractionDigits: 1))x"),
        ])
        out.append("")

        out.append("On each host it would:")
        out += hostSteps.enumerated().map { "  \($0.offset + 1). \($0.element)" }
        out.append("")
        out.append("On this machine it would:")
        out += controllerSteps.enumerated().map { "  \($0.offset + 1). \($0.element)" }
        return out.joined(separator: "\n") + "\n"
    }

    /// `user@host:port` with the defaults filled in.
    static func display(_ target: Target) -> String {
        "\(target.user)@\(HostAddress(host: target.host, port: target.port))"
    }

    /// `512 MiB (536,870,912 bytes)`.
    static func sized(_ bytes: Int64) -> String {
        bytes < 1024 ? "\(bytes) B" : "\(HumanUnits.bytes(bytes)) (\(HumanUnits.count(bytes)) bytes)"
    }

    /// `4 hosts (a, b, c, d)`, abbreviated after `inlineHostLimit` names.
    static func hostList(_ names: [String]) -> String {
        let noun = names.count == 1 ? "host" : "hosts"
        var shown = names.prefix(inlineHostLimit).joined(separator: ", ")
        if names.count > inlineHostLimit {
            shown += ", … and \(HumanUnits.count(names.count - inlineHostLimit)) more"
        }
        return "\(HumanUnits.count(names.count)) \(noun) (\(shown))"
    }

    /// Width of the label column, shared by all sections so values line up.
    static let labelWidth = 18

    /// Rows with the labels padded to one column width.
    static func table(_ rows: [(String, String)]) -> [String] {
        let width = max(labelWidth, (rows.map { $0.0.count }.max() ?? 0) + 2)
        return rows.map { label, value in
            label + String(repeating: " ", count: max(width - label.count, 2)) + value
        }
    }

    /// Datacenters, their racks with host counts, and the cross-rack bytes to expect.
    static func topologyRows(_ topology: Topology) -> [(String, String)] {
        var rows: [(String, String)] = []
        for (index, datacenter) in topology.datacenters.enumerated() {
            let racks = datacenter.racks.map { "\($0.name ?? "(no rack)") \($0.hosts)" }.joined(separator: ", ")
            rows.append((
                index == 0 ? "Topology" : "",
                "\(datacenter.name ?? "(no dc)"): \(HumanUnits.count(datacenter.racks.count, "rack")), "
                    + "\(HumanUnits.count(datacenter.hosts, "host")): \(racks)"))
        }
        let rackPeers = topology.peerSelection.hasPrefix("rack")
        rows.append((
            "Peers",
            rackPeers
                ? "mostly from each host's own rack, a few from other racks and datacenters; each host brings "
                    + "its share of the pieces into its rack (--peer-selection \(topology.peerSelection))"
                : "drawn at random from the whole fleet (--peer-selection rack keeps most in each rack)"))
        let random = "about \(HumanUnits.bytes(topology.crossRackBytesRandomPeers)) with peers drawn at random from the fleet"
        let rack = "about \(HumanUnits.bytes(topology.crossRackBytesRackPeers)) with rack peers"
        rows.append((
            "Cross-rack bytes",
            (rackPeers ? "\(rack) (\(random))" : "\(random) (\(rack))")
                + "; at least \(HumanUnits.bytes(topology.crossRackBytesAtLeast)) (one copy into each rack)"))
        return rows
    }
}
