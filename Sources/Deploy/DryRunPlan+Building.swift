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
            gzipLevel: input.compressed ? settings.gzipLevel : nil
        )
        torrent = Torrent(pieceLength: input.pieceLength, pieceCount: input.pieceCount, infoHash: input.infoHash)

        hostCount = input.hosts.count
        hosts = input.hosts.map { entry in
            Target(
                user: entry.user ?? settings.user,
                host: entry.address.host,
                port: entry.address.port ?? settings.port,
                labels: entry.labels,
                line: entry.line
            )
        }
        labelGroups = DryRunPlan.groups(input.hosts)
        unlabeledHosts = input.hosts.filter { $0.labels.isEmpty }.map { $0.address.description }

        controller = DryRunPlan.controller(input)

        let rate = settings.linkRateBitsPerSecond
        let sequential = TransferEstimate.sequentialSeconds(bytes: input.archiveBytes, hosts: hostCount, bitsPerSecond: rate)
        let swarm = TransferEstimate.swarmSeconds(
            bytes: input.archiveBytes, hosts: hostCount, pieces: input.pieceCount, bitsPerSecond: rate
        )
        estimate = Estimate(
            linkRateBitsPerSecond: rate,
            singleCopySeconds: TransferEstimate.singleCopySeconds(bytes: input.archiveBytes, bitsPerSecond: rate),
            sequentialSeconds: sequential,
            swarmSeconds: swarm,
            speedup: TransferEstimate.speedup(sequential: sequential, swarm: swarm)
        )

        hostSteps = DryRunPlan.hostSteps(input, tracker: controller.trackerURL)
        controllerSteps = DryRunPlan.controllerSteps(input, address: controller.address)
    }

    /// One group per (label key, value), keys and values sorted, hosts in file order.
    static func groups(_ hosts: [HostEntry]) -> [LabelGroup] {
        var byKey: [String: [String: [String]]] = [:]
        for entry in hosts {
            for (key, value) in entry.labels {
                byKey[key, default: [:]][value, default: []].append(entry.address.description)
            }
        }
        return byKey.keys.sorted().flatMap { key in
            byKey[key]!.keys.sorted().map { value in
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
                note = "source address of the route to \(first.address.host)"
            } else {
                note = "detected"
            }
        } else {
            let why = input.controllerAddressProblem ?? "it could not be determined"
            note = "unknown: \(why); set transfer.listen (--listen) to the address hosts can reach"
        }
        let tracker = input.controllerAddress.map { address in
            let host = address.contains(":") ? "[\(address)]" : address
            return "http://\(host):<port>/announce"
        }
        return Controller(address: input.controllerAddress, note: note, trackerURL: tracker, extraTrackers: input.settings.trackers)
    }

    static func hostSteps(_ input: DryRunInput, tracker: String?) -> [String] {
        let settings = input.settings
        let destination = input.destination
        let keys = settings.identities.isEmpty
            ? "ssh-agent, then ~/.ssh/" + PushSettings.defaultIdentityNames.joined(separator: ", ")
            : settings.identities.joined(separator: ", ")
        let hostKeys = settings.acceptNewHostKeys ? "unknown host keys are accepted and recorded" : "unknown host keys are refused"
        let hash = input.infoHash.map { "info-hash \($0)" } ?? "info-hash computed at push time"
        let format = input.compressed ? "gzip-compressed tar" : "tar"
        let pieces = "\(HumanUnits.count(input.pieceCount, "piece")) of \(HumanUnits.bytes(Int64(input.pieceLength)))"
        var steps = [
            "connect over SSH as user@host:port (user \(settings.user), port \(settings.port) unless the host line "
                + "gives them), timeout \(HumanUnits.duration(settings.connectTimeout)); keys: \(keys)",
            "check the host key against \(settings.knownHosts); \(hostKeys)",
            "upload the swarmdeploy-peer binary to ~/.cache/swarmdeploy/ unless the same binary is already there",
            "run the peer for the torrent (\(hash)), announcing to \(tracker ?? "the controller's tracker")",
            "download \(pieces) (\(HumanUnits.bytes(input.archiveBytes))) from the controller and other hosts, "
                + "checking every piece's SHA-1",
            "extract the \(format) to \(destination).new-<id>",
        ]
        if settings.keepPrevious {
            steps.append("move the current \(destination) to \(destination).prev (replacing an older one), "
                + "then rename \(destination).new-<id> to \(destination)")
        } else {
            steps.append("rename \(destination).new-<id> to \(destination) and delete the replaced tree")
        }
        steps.append("keep seeding to the other hosts until the push ends, then stop the peer")
        return steps
    }

    static func controllerSteps(_ input: DryRunInput, address: String?) -> [String] {
        let settings = input.settings
        let failures = settings.maxFailures == 0
            ? "fail the push if any host fails"
            : "fail the push if more than \(settings.maxFailures) hosts fail"
        return [
            "write the archive of \(input.source) and its torrent",
            "run the tracker and seed on \(address ?? "the address given by transfer.listen")",
            "contact at most \(settings.sshParallel) hosts at once over SSH",
            "keep seeding \(HumanUnits.duration(settings.seedGrace)) after the last host finishes",
            "give up after \(HumanUnits.duration(settings.timeout)); \(failures)",
        ]
    }
}
