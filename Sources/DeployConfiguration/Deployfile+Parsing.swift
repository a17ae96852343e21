import Yams

extension Deployfile {
    /// Parses Deployfile YAML. `path` is used in messages and as the base for
    /// relative paths. Unknown keys, wrong types and out-of-range values are
    /// errors that name the key and its line.
    public static func parse(_ yaml: String, path: String) throws -> Deployfile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw DeployfileReader.convert(error, path: path)
        }
        var file = Deployfile(path: path)
        guard let root, !DeployfileReader.isNull(root) else { return file }
        let reader = DeployfileReader(path: path)
        for (key, value) in try reader.entries(of: root, section: nil) where !DeployfileReader.isNull(value) {
            switch key {
            case "source": file.source = try reader.path(value, "source")
            case "destination": file.destination = try reader.parsed(value, "destination", SettingParsers.destination)
            case "hosts": file.hosts = try reader.path(value, "hosts")
            case "ssh": try file.readSSH(value, reader)
            case "transfer": try file.readTransfer(value, reader)
            case "deploy": try file.readDeploy(value, reader)
            case "hooks": try file.readHooks(value, reader)
            default: preconditionFailure("key \(key) passed the schema but has no reader")
            }
        }
        return file
    }

    private mutating func readSSH(_ node: Node, _ reader: DeployfileReader) throws {
        for (key, value) in try reader.entries(of: node, section: "ssh") where !DeployfileReader.isNull(value) {
            let name = "ssh.\(key)"
            switch key {
            case "user": user = try reader.parsed(value, name, SettingParsers.user)
            case "port": port = try reader.integer(value, name, in: 1...65535)
            case "identity": identities = try reader.pathList(value, name)
            case "known_hosts": knownHosts = try reader.path(value, name)
            case "accept_new_host_keys": acceptNewHostKeys = try reader.boolean(value, name)
            case "parallel": parallel = try reader.integer(value, name, in: 1...PushSettings.maxParallel)
            case "connect_timeout": connectTimeout = try reader.duration(value, name, allowZero: false)
            case "sudo": sudo = try reader.boolean(value, name)
            case "config":
                let text = try reader.string(value, name)
                sshConfig = text == "none" ? text : try reader.path(value, name)
            default: preconditionFailure("key \(name) passed the schema but has no reader")
            }
        }
    }

    /// `compress` and the older `gzip` say the same thing: a file may give one of them.
    private static func refuseBoth(_ other: Bool, _ node: Node, _ name: String, _ reader: DeployfileReader) throws {
        guard other else { return }
        try reader.checking(node, name) {
            throw DeployError(.invalidValue, "transfer.compress and transfer.gzip are both given", remedy: "keep one, e.g. compress: gzip=1")
        }
    }

    private mutating func readTransfer(_ node: Node, _ reader: DeployfileReader) throws {
        for (key, value) in try reader.entries(of: node, section: "transfer") where !DeployfileReader.isNull(value) {
            let name = "transfer.\(key)"
            switch key {
            case "piece_size":
                if reader.isAuto(value) {
                    pieceSize = .auto
                } else {
                    let bytes = try reader.size(value, name)
                    pieceSize = .value(try reader.checking(value, name) {
                        try SettingParsers.checkedPieceSize(bytes, shown: value.scalar?.string ?? "\(bytes)")
                    })
                }
            case "gzip":
                try Self.refuseBoth(compress != nil, value, name, reader)
                if let on = value.bool, value.tagName == .bool {
                    gzip = on ? .level(SettingParsers.defaultGzipLevel) : .off
                } else {
                    let level = try reader.integer(value, name, expected: "false, true or a level 1-9")
                    gzip = .level(try reader.checking(value, name) { try SettingParsers.checkedGzipLevel(level) })
                }
            case "reuse": reuse = try reader.boolean(value, name)
            case "compress":
                try Self.refuseBoth(gzip != nil, value, name, reader)
                compress = try reader.parsed(value, name, SettingParsers.compression)
            case "trackers":
                trackers = try reader.stringList(value, name).map { item in
                    try reader.checking(item.node, name) { try SettingParsers.trackerURL(item.text) }
                }
            case "builtin_tracker": builtinTracker = try reader.boolean(value, name)
            case "listen":
                let address = try reader.parsed(value, name, SettingParsers.listen)
                listen = address.map { .value($0) } ?? .auto
            case "link_rate":
                linkRateBitsPerSecond = try reader.number(value, name, parser: SettingParsers.linkRate) { rate in
                    try SettingParsers.linkRate(bitsPerSecond: rate, written: value.scalar?.string ?? "\(rate)")
                }
            case "max_rate":
                if value.scalar?.string.lowercased() == "none" {
                    maxRateBitsPerSecond = .auto
                } else {
                    maxRateBitsPerSecond = .value(try reader.number(value, name, parser: SettingParsers.linkRate) { rate in
                        try SettingParsers.maxRate(bitsPerSecond: rate, written: value.scalar?.string ?? "\(rate)")
                    })
                }
            case "seed_grace": seedGrace = try reader.duration(value, name, allowZero: true)
            case "peer_selection": peerSelection = try reader.parsed(value, name, SettingParsers.peerSelection)
            case "web_seeds":
                webSeeds = try reader.stringList(value, name).map { item in
                    try reader.checking(item.node, name) { try SettingParsers.webSeedURL(item.text) }
                }
            case "local_seed": localSeed = try reader.boolean(value, name)
            default: preconditionFailure("key \(name) passed the schema but has no reader")
            }
        }
    }

    private mutating func readDeploy(_ node: Node, _ reader: DeployfileReader) throws {
        for (key, value) in try reader.entries(of: node, section: "deploy") where !DeployfileReader.isNull(value) {
            let name = "deploy.\(key)"
            switch key {
            case "timeout": timeout = try reader.duration(value, name, allowZero: false)
            case "stall_timeout": stallTimeout = try reader.duration(value, name, allowZero: false)
            case "max_failures": maxFailures = try reader.hostCount(value, name, HostCount.parse)
            case "keep_previous": keepPrevious = try reader.boolean(value, name)
            case "layout": layout = try reader.parsed(value, name, SettingParsers.layout)
            case "keep_releases": keepReleases = try reader.integer(value, name, in: 1...10_000)
            case "activate": activation = try reader.parsed(value, name, SettingParsers.activation)
            case "canary": canary = try reader.integer(value, name, in: 0...Int.max)
            case "batch": batch = try reader.hostCount(value, name, SettingParsers.batch)
            case "owner": owner = try reader.parsed(value, name, SettingParsers.owner)
            default: preconditionFailure("key \(name) passed the schema but has no reader")
            }
        }
    }

    private mutating func readHooks(_ node: Node, _ reader: DeployfileReader) throws {
        for (key, value) in try reader.entries(of: node, section: "hooks") where !DeployfileReader.isNull(value) {
            let name = "hooks.\(key)"
            switch key {
            case "before_activate": beforeActivate = try reader.parsed(value, name, SettingParsers.hookCommand)
            case "after_activate": afterActivate = try reader.parsed(value, name, SettingParsers.hookCommand)
            case "health_check": healthCheck = try reader.parsed(value, name, SettingParsers.hookCommand)
            case "timeout": hookTimeout = try reader.duration(value, name, allowZero: false)
            case "health_timeout": healthTimeout = try reader.duration(value, name, allowZero: false)
            case "health_retries": healthRetries = try reader.integer(value, name, in: 0...1000)
            case "health_interval": healthInterval = try reader.duration(value, name, allowZero: false)
            default: preconditionFailure("key \(name) passed the schema but has no reader")
            }
        }
    }
}
