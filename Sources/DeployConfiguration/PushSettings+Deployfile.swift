extension PushSettings {
    /// Lays a Deployfile over these settings: keys present in the file win.
    /// Local paths (source, hosts, identities, known_hosts) get `~` expanded
    /// and, when relative, are taken from the Deployfile's directory, so a
    /// Deployfile works from any working directory.
    public mutating func apply(_ file: Deployfile) {
        let base = file.directory
        func local(_ path: String) -> String { PathResolution.resolve(path, against: base) }

        if let source = file.source { self.source = local(source) }
        if let destination = file.destination { self.destination = destination }
        if let hosts = file.hosts { hostsFile = local(hosts) }

        if let user = file.user { self.user = user; sshGiven.insert(.user) }
        if let port = file.port { self.port = port; sshGiven.insert(.port) }
        if let identities = file.identities { self.identities = identities.map(local); sshGiven.insert(.identities) }
        if let knownHosts = file.knownHosts { self.knownHosts = local(knownHosts); sshGiven.insert(.knownHosts) }
        if let accept = file.acceptNewHostKeys { acceptNewHostKeys = accept; sshGiven.insert(.acceptNewHostKeys) }
        if let parallel = file.parallel { sshParallel = parallel }
        if let timeout = file.connectTimeout { connectTimeout = timeout }
        if let sudo = file.sudo { self.sudo = sudo }
        if let config = file.sshConfig { sshConfig = config == "none" ? config : local(config) }

        switch file.pieceSize {
        case .auto: pieceSize = nil
        case .value(let bytes): pieceSize = bytes
        case nil: break
        }
        switch file.gzip {
        case .off: compression = .none
        case .level(let level): compression = .gzip(level: level)
        case nil: break
        }
        if let compress = file.compress { compression = compress }
        if let reuse = file.reuse { self.reuse = reuse }
        if let trackers = file.trackers { self.trackers = trackers }
        if let builtin = file.builtinTracker { builtinTracker = builtin }
        switch file.listen {
        case .auto: listen = nil
        case .value(let address): listen = address
        case nil: break
        }
        if let rate = file.linkRateBitsPerSecond { linkRateBitsPerSecond = rate }
        switch file.maxRateBitsPerSecond {
        case .auto: maxRateBitsPerSecond = nil
        case .value(let rate): maxRateBitsPerSecond = rate
        case nil: break
        }
        if let grace = file.seedGrace { seedGrace = grace }
        if let selection = file.peerSelection { peerSelection = selection }
        if let webSeeds = file.webSeeds { self.webSeeds = webSeeds }
        if let localSeed = file.localSeed { self.localSeed = localSeed }
        if let stall = file.stallTimeout { stallTimeout = stall }

        if let timeout = file.timeout { self.timeout = timeout }
        if let maxFailures = file.maxFailures { self.maxFailures = maxFailures }
        if let keep = file.keepPrevious { keepPrevious = keep }
        if let owner = file.owner { self.owner = owner }
        if let layout = file.layout { rollout.layout = layout }
        if let keep = file.keepReleases { rollout.keepReleases = keep }
        if let activation = file.activation { rollout.activation = activation }
        if let canary = file.canary { rollout.canary = canary }
        if let batch = file.batch { rollout.batch = batch }
        if let command = file.beforeActivate { rollout.beforeActivate = command }
        if let command = file.afterActivate { rollout.afterActivate = command }
        if let command = file.healthCheck { rollout.healthCheck = command }
        if let timeout = file.hookTimeout { rollout.hookTimeout = timeout }
        if let timeout = file.healthTimeout { rollout.healthTimeout = timeout }
        if let retries = file.healthRetries { rollout.healthRetries = retries }
        if let interval = file.healthInterval { rollout.healthInterval = interval }
    }
}
