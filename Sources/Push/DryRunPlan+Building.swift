import Archive
import DeployConfiguration
import Fleet
import PayloadPacking
import TorrentMetainfo

extension DryRunPlan {
    public init(_ input: DryRunInput) {
        let settings = input.settings
        nothingContacted = true
        source = input.source
        destination = input.destination
        hostsFile = input.hostsFile
        self.settings = settings
        payload = Payload(
            files: input.fileCount,
            directories: input.directoryCount,
            symlinks: input.symlinkCount,
            bytes: input.payloadBytes
        )
        archive = Archive(
            bytes: input.archiveBytes,
            compressed: input.compressed,
            compression: input.compressed ? settings.compression.description : "none",
            gzipLevel: { if input.compressed, case .gzip(let level) = settings.compression { level } else { nil } }()
        )
        torrent = Torrent(pieceLength: input.pieceLength, pieceCount: input.pieceCount, payloadSHA256: input.payloadSHA256)

        hostCount = input.hosts.count
        // As the push resolves them (`Fleet.hosts`): the host line's user and port, else the settings'.
        hosts = input.hosts.map { host in
            Target(
                user: host.configuration.user,
                host: host.configuration.host,
                port: host.configuration.port,
                labels: host.entry.labels,
                line: host.entry.line
            )
        }
        labelGroups = DryRunPlan.groups(input.hosts.map(\.entry))
        unlabeledHosts = input.hosts.filter { $0.entry.labels.isEmpty }.map { $0.entry.address.description }
        topology = DryRunPlan.topology(
            FleetTopology(input.hosts.map(\.entry)), archiveBytes: input.archiveBytes, peerSelection: settings.peerSelection)

        controller = DryRunPlan.controller(input)

        let rate = settings.effectiveRateBitsPerSecond
        let sequential = TransferEstimate.sequentialSeconds(bytes: input.archiveBytes, hosts: hostCount, bitsPerSecond: rate)
        let swarm = TransferEstimate.swarmSeconds(
            bytes: input.archiveBytes, hosts: hostCount, pieces: input.pieceCount, bitsPerSecond: rate
        )
        estimate = Estimate(
            linkRateBitsPerSecond: rate,
            maxRateBitsPerSecond: settings.maxRateBitsPerSecond,
            singleCopySeconds: TransferEstimate.singleCopySeconds(bytes: input.archiveBytes, bitsPerSecond: rate),
            sequentialSeconds: sequential,
            swarmSeconds: swarm,
            speedup: TransferEstimate.speedup(sequential: sequential, swarm: swarm)
        )

        hostSteps = DryRunPlan.hostSteps(input, tracker: controller.trackerURL)
        controllerSteps = DryRunPlan.controllerSteps(input, address: controller.address)
    }

    static func topology(_ fleet: FleetTopology, archiveBytes: Int64, peerSelection: PushSettings.PeerSelection) -> Topology? {
        guard !fleet.isFlat else { return nil }
        return Topology(
            datacenters: fleet.datacenters.map { datacenter in
                Topology.Datacenter(
                    name: datacenter.name, hosts: datacenter.hostCount,
                    racks: datacenter.racks.map { Topology.Rack(name: $0.name, hosts: $0.hosts.count) })
            },
            peerSelection: peerSelection.description,
            crossRackBytesRandomPeers: fleet.crossRackBytesWithRandomPeers(payloadBytes: archiveBytes),
            crossRackBytesAtLeast: fleet.crossRackBytesAtLeast(payloadBytes: archiveBytes),
            crossRackBytesRackPeers: fleet.crossRackBytesWithRackShares(payloadBytes: archiveBytes))
    }

    /// One group per (label key, value), keys and values in natural order (r2 before r10),
    /// hosts in file order.
    static func groups(_ hosts: [HostEntry]) -> [LabelGroup] {
        var byKey: [String: [String: [String]]] = [:]
        for entry in hosts {
            for (key, value) in entry.labels {
                byKey[key, default: [:]][value, default: []].append(entry.address.description)
            }
        }
        return byKey.keys.sorted(by: NaturalOrder.areInIncreasingOrder).flatMap { key in
            byKey[key]!.keys.sorted(by: NaturalOrder.areInIncreasingOrder).map { value in
                LabelGroup(key: key, value: value, hosts: byKey[key]![value]!)
            }
        }
    }

    static func controller(_ input: DryRunInput) -> Controller {
        let note: String
        if input.controllerAddress != nil {
            if input.settings.listen != nil {
                note = "from transfer.listen"
            } else if let first = input.hosts.first {
                note = "source address of the route to \(first.configuration.host)"
            } else {
                note = "detected"
            }
        } else {
            let why = input.controllerAddressProblem ?? "it could not be determined"
            note = "unknown: \(why); set transfer.listen (--listen) to the address hosts can reach"
        }
        let tracker = input.settings.builtinTracker ? input.controllerAddress.map { address in
            let host = address.contains(":") ? "[\(address)]" : address
            return "http://\(host):<port>/announce"
        } : nil
        return Controller(address: input.controllerAddress, note: note, trackerURL: tracker, extraTrackers: input.settings.trackers)
    }

    static func hostSteps(_ input: DryRunInput, tracker: String?) -> [String] {
        let settings = input.settings
        let destination = input.destination
        let keys = settings.identities.isEmpty
            ? "ssh-agent, then ~/.ssh/" + PushSettings.defaultIdentityNames.joined(separator: ", ")
            : settings.identities.joined(separator: ", ")
        let hostKeys = settings.acceptNewHostKeys ? "unknown host keys are accepted and recorded" : "unknown host keys are refused"
        let hash = "with a random nonce, so its info-hash is new and known only to this push's hosts"
        let format: String = switch settings.compression {
        case .gzip where input.compressed: "gzip-compressed tar"
        case .zstd where input.compressed: "zstd-compressed tar"
        default: "tar"
        }
        let pieces = "\(HumanUnits.count(input.pieceCount, "piece")) of \(HumanUnits.bytes(Int64(input.pieceLength)))"
        let trimmed = destination.hasSuffix("/") && destination.count > 1 ? String(destination.dropLast()) : destination
        let slash = trimmed.lastIndex(of: "/") ?? trimmed.startIndex
        let parent = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
        let staging = (parent == "/" ? "" : parent) + "/." + trimmed[trimmed.index(after: slash)...] + ".swarmdeploy-<id>"
        let config = settings.sshConfig.map { $0 == "none" ? "no ssh_config" : "the ssh_config \($0)" }
            ?? "~/.ssh/config and /etc/ssh/ssh_config"
        var bastions: [String] = []
        for host in input.hosts {
            if let name = host.configuration.jump?.name, !bastions.contains(name) { bastions.append(name) }
        }
        let through = bastions.isEmpty ? "" : "; through the bastion " + bastions.joined(separator: ", ")
            + " (one SSH connection to it carries every host's session; the swarm itself connects directly)"
        let sudo = settings.sudo ? " as root through `sudo -n` (a host where sudo wants a password fails)" : ""
        var steps = [
            "connect over SSH as user@host:port (the host line's, else user \(settings.user), port \(settings.port) "
                + "where a flag or the Deployfile gives them, else \(config)), timeout "
                + "\(HumanUnits.duration(settings.connectTimeout)); keys: \(keys)\(through)",
            "check the host key against \(settings.knownHosts); \(hostKeys)",
            "run `~/.cache/swarmdeploy/peer-<sha256> deploy`\(sudo) if the host has it; otherwise upload the "
                + "swarmdeploy-peer binary there (gzip-compressed; renamed to that name only once sha256sum on "
                + "the host agrees) and run it, sending the torrent (\(hash)), the tracker URL "
                + "\(tracker.map { "(\($0) with the push's secret)" } ?? "with the push's secret")"
                + (settings.trackers.isEmpty ? "" : ", then the extra trackers \(settings.trackers.joined(separator: ", "))")
                + ", the push's peer key and the addresses of its hosts, and the "
                + "destination on its standard input",
            "check that \(parent) has room for the \(format) and the extracted tree; remove leftovers of an "
                + "interrupted run of the same push",
            "download \(pieces) (\(HumanUnits.bytes(input.archiveBytes))) from the controller and other hosts "
                + "into \(staging).tar, checking every piece's SHA-1 and the whole archive's SHA-256",
            "extract it to \(staging).new as the verified pieces arrive, refusing entries that would escape it",
        ]
        if let owner = settings.owner {
            steps.append("give the extracted tree to \(owner) (as the host's /etc/passwd and /etc/group name them)")
        }
        steps += activationSteps(settings.rollout, keepPrevious: settings.keepPrevious, destination: destination, staging: staging)
        steps.append("keep serving pieces to the other hosts until every host has installed or failed "
            + "(at most \(HumanUnits.duration(settings.seedGrace))), then remove the archive and exit; "
            + "stop at once if the SSH connection closes")
        return steps
    }

    /// What a host does from the staged tree to the tree in use, as the rollout settings say.
    static func activationSteps(_ rollout: RolloutSettings, keepPrevious: Bool, destination: String, staging: String) -> [String] {
        var steps: [String] = []
        let together = rollout.activation == .together
        if together || rollout.canary > 0 || rollout.batch != nil {
            var turn = together ? "every host of its wave has staged the tree" : "its wave has begun"
            if rollout.canary > 0 { turn += "; first the canaries, the first \(HumanUnits.count(rollout.canary, "host")) of the hosts file" }
            switch rollout.batch {
            case .hosts(let count)?: turn += "; then waves of \(HumanUnits.count(count, "host"))"
            case .percent(let share)?: turn += "; then waves of \(HostCount.percent(share)) of the hosts"
            case nil: break
            }
            steps.append("wait, seeding, until the controller says to switch (\(turn))")
        }
        if let command = rollout.beforeActivate { steps.append("run the before-activate hook `\(command)`; if it fails, keep the old tree") }
        switch rollout.layout {
        case .releases:
            steps.append("move the tree to \(destination)/releases/<release id> and point \(destination)/current at it "
                + "(a new link renamed over the old)")
        case .sibling where keepPrevious:
            steps.append("swap \(staging).new and \(destination) in one atomic rename, "
                + "then keep the old tree as \(destination).prev (replacing an older one)")
        case .sibling:
            steps.append("swap \(staging).new and \(destination) in one atomic rename, "
                + "then delete the old tree (and any \(destination).prev)")
        }
        if let command = rollout.afterActivate { steps.append("run the after-activate hook `\(command)`") }
        if let command = rollout.healthCheck {
            steps.append("run the health check `\(command)` (up to \(rollout.healthRetries + 1) attempts, "
                + "\(HumanUnits.duration(rollout.healthTimeout)) each); if it keeps failing, switch back")
        }
        if rollout.layout == .releases { steps.append("remove the oldest releases beyond \(rollout.keepReleases) (never the current or previous)") }
        return steps
    }

    static func controllerSteps(_ input: DryRunInput, address: String?) -> [String] {
        let settings = input.settings
        let failures = settings.maxFailures == .hosts(0)
            ? "fail the push if any host fails"
            : "fail the push if more than \(settings.maxFailures) hosts fail"
        return [
            "pack \(input.source) into an archive in memory and make its torrent",
            "run the tracker (with a random secret) and the seeder on \(address ?? "the address given by transfer.listen")",
            "contact every host over SSH, at most \(settings.sshParallel) connecting and uploading at once",
            "when every host has installed or failed, tell the peers to stop seeding",
            "fail a host whose peer makes no progress for \(HumanUnits.duration(settings.stallTimeout)) (closing its "
                + "session), and the whole push after \(HumanUnits.duration(settings.timeout)); \(failures)",
        ]
    }
}

extension DryRunPlan {
    /// The plan for a packed release (`--torrent`), checked against its torrent but not sent
    /// (file counts are zero for one whose tarball is not here).
    public init(plan: PushPlan, release: PackedPayload) {
        let tally = release.tally ?? ArchiveMeasurement.Tally()
        self.init(
            plan: plan, metainfo: release.metainfo, files: tally.files, directories: tally.directories, symlinks: tally.symlinks,
            payloadBytes: release.extractedBytes, archiveBytes: release.archiveLength,
            compressed: release.tarBytes != release.archiveLength)
    }

    /// The plan as `push --dry-run` shows it, with the facts of the hashed (not sent) payload.
    public init(plan: PushPlan, payload: PayloadPacking.Payload) {
        let manifest = payload.manifest
        self.init(
            plan: plan, metainfo: payload.metainfo, files: manifest.fileCount, directories: manifest.directoryCount,
            symlinks: manifest.symlinkCount, payloadBytes: manifest.payloadBytes, archiveBytes: payload.archiveLength,
            compressed: plan.payload.compression != .none)
    }

    private init(
        plan: PushPlan, metainfo: Metainfo, files: Int, directories: Int, symlinks: Int, payloadBytes: Int64, archiveBytes: Int64,
        compressed: Bool
    ) {
        self.init(DryRunInput(
            source: plan.source,
            destination: plan.destination,
            hostsFile: plan.hostsFile,
            hosts: plan.hosts,
            fileCount: files,
            directoryCount: directories,
            symlinkCount: symlinks,
            payloadBytes: payloadBytes,
            archiveBytes: archiveBytes,
            compressed: compressed,
            pieceLength: metainfo.pieceLength,
            pieceCount: metainfo.pieceCount,
            payloadSHA256: metainfo.payloadSHA256.map { Hex.encode($0) },
            settings: plan.settings,
            controllerAddress: plan.listen.address,
            controllerAddressProblem: {
                if case .unknown(let problem) = plan.listen { return problem }
                return nil
            }()
        ))
    }
}
