import ArgumentParser
import DeployConfiguration

/// How to reach the hosts. Each flag, when given, overrides the Deployfile.
struct SSHFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Login user for hosts whose line names none (default: the current user).", valueName: "user"))
    var user: String?

    @Option(help: ArgumentHelp("SSH port for hosts whose line names none (default: 22).", valueName: "port"))
    var port: Int?

    @Option(name: [.customShort("i"), .long], help: ArgumentHelp("Identity (private key) file; repeatable. Default: ssh-agent, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa.", valueName: "file"))
    var identity: [String] = []

    @Option(help: ArgumentHelp("known_hosts file to verify host keys against (default: ~/.ssh/known_hosts).", valueName: "file"))
    var knownHosts: String?

    @Flag(help: "Add unknown host keys to known_hosts (like OpenSSH's accept-new); a changed key still fails.")
    var acceptNewHostKeys = false

    @Option(help: ArgumentHelp("How many hosts to contact at once (default: 64).", valueName: "n"))
    var sshParallel: Int?

    @Option(help: ArgumentHelp("Give up connecting to a host after this long, e.g. 10s (default: 10s).", valueName: "duration"))
    var connectTimeout: String?

    @Option(name: [.customShort("F"), .customLong("ssh-config")], help: ArgumentHelp(
        "OpenSSH client configuration to read for Host, HostName, User, Port, IdentityFile, ProxyJump, ... (default: ~/.ssh/config; none: read none).",
        valueName: "file"))
    var sshConfig: String?

    @Flag(help: "Log in as an unprivileged user and run swarmdeploy's program on the host as root through 'sudo -n' (needs passwordless sudo).")
    var sudo = false

    func apply(to settings: inout PushSettings) throws(CommandFailure) {
        if let user {
            guard !user.isEmpty else { throw .badInput("--user must not be empty") }
            settings.user = user
            settings.sshGiven.insert(.user)
        }
        if let port {
            guard (1...65535).contains(port) else { throw .badInput("--port \(port): a port is 1 to 65535") }
            settings.port = port
            settings.sshGiven.insert(.port)
        }
        if !identity.isEmpty {
            settings.identities = identity
            settings.sshGiven.insert(.identities)
        }
        if let knownHosts {
            settings.knownHosts = knownHosts
            settings.sshGiven.insert(.knownHosts)
        }
        if acceptNewHostKeys {
            settings.acceptNewHostKeys = true
            settings.sshGiven.insert(.acceptNewHostKeys)
        }
        if let sshParallel {
            guard sshParallel >= 1 else { throw .badInput("--ssh-parallel \(sshParallel): at least 1 host at a time") }
            settings.sshParallel = sshParallel
        }
        if let connectTimeout {
            settings.connectTimeout = try parseFlag("--connect-timeout", connectTimeout) { try SettingParsers.duration($0, allowZero: false) }
        }
        if let sshConfig {
            guard !sshConfig.isEmpty else { throw .badInput("--ssh-config must name a file, or none") }
            settings.sshConfig = sshConfig
        }
        if sudo { settings.sudo = true }
    }
}

/// How the transfer runs and when the push counts as failed.
struct TransferFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Address the hosts reach this machine at (default: the source address of the route to the first host).", valueName: "addr"))
    var listen: String?

    @Option(help: ArgumentHelp("Link rate for --dry-run estimates, e.g. 1gbit, 100mbit (default: 1gbit).", valueName: "rate"))
    var linkRate: String?

    @Option(help: ArgumentHelp(
        "Cap what the push puts on each host's link, each way, and on this machine's uplink, headers included, e.g. 20mbit; none for no cap (default: none).",
        valueName: "rate"))
    var maxRate: String?

    @Option(help: ArgumentHelp("How long peers keep seeding after they finish, unless every host is done sooner (default: 30s).", valueName: "duration"))
    var seedGrace: String?

    @Option(help: ArgumentHelp(
        "random: each host's peers come from the whole fleet; rack (or rack:R,D,U): mostly from its own rack (rack= and dc= labels), at most R from other racks, D from other datacenters, U from no rack; rack means rack:4,1,1 (default: rack; a fleet without rack= labels gets random peers).",
        valueName: "how"))
    var peerSelection: String?

    @Option(help: ArgumentHelp("Give up on the whole push after this long (default: 10m).", valueName: "duration"))
    var timeout: String?

    @Option(help: ArgumentHelp("Fail a host whose peer makes no progress for this long (default: 30s).", valueName: "duration"))
    var stallTimeout: String?

    @Option(help: ArgumentHelp(
        "Hosts allowed to fail while the push still succeeds, as a number or a share (10%); more stop further waves (default: 0).",
        valueName: "k|p%"))
    var maxFailures: String?

    @Flag(inversion: .prefixedNo, help: "Keep the replaced tree as DEST.prev (default: keep).")
    var keepPrevious: Bool?

    @Flag(
        inversion: .prefixedNo,
        help: "Let hosts build the pieces of files they already hold (in the tree being replaced) instead of downloading them (default: on).")
    var reuse: Bool?

    @Option(help: ArgumentHelp("Give the installed tree to this user and group on each host (names or ids; needs root, see --sudo).", valueName: "user[:group]"))
    var owner: String?

    @Flag(
        inversion: .prefixedNo,
        help: "Run the controller's own tracker (default: on). With --no-builtin-tracker, hosts find each other through --tracker only.")
    var builtinTracker: Bool?

    @Option(
        name: .customLong("web-seed"),
        help: ArgumentHelp(
            "An HTTP(S) URL serving the packed release's tarball (BEP 19; a URL ending in '/' is its directory); repeat for more. With --torrent only.",
            discussion: "Hosts fetch their share of the pieces from it with range requests and the rest from each other; the controller seeds only what they cannot get.",
            valueName: "url"))
    var webSeeds: [String] = []

    @Flag(
        inversion: .prefixedNo,
        help: "Seed from this machine (default: on). With --no-local-seed the hosts get the payload from the web seeds and each other only.")
    var localSeed: Bool?

    @Option(
        name: .customLong("web-seed-ca"),
        help: ArgumentHelp(
            "PEM file of the authorities https:// web seeds' certificates chain to (default: each host's own store).",
            valueName: "file"))
    var webSeedCA: String?

    func apply(to settings: inout PushSettings) throws(CommandFailure) {
        if !webSeeds.isEmpty { settings.webSeeds = webSeeds }
        if let webSeedCA { settings.webSeedCA = webSeedCA }
        if let localSeed { settings.localSeed = localSeed }
        if let listen { settings.listen = listen }
        if let linkRate {
            settings.linkRateBitsPerSecond = try parseFlag("--link-rate", linkRate, SettingParsers.linkRate)
        }
        if let maxRate { settings.maxRateBitsPerSecond = try parseFlag("--max-rate", maxRate, SettingParsers.maxRate) }
        if let seedGrace { settings.seedGrace = try parseFlag("--seed-grace", seedGrace) { try SettingParsers.duration($0) } }
        if let peerSelection { settings.peerSelection = try parseFlag("--peer-selection", peerSelection, SettingParsers.peerSelection) }
        if let timeout { settings.timeout = try parseFlag("--timeout", timeout) { try SettingParsers.duration($0, allowZero: false) } }
        if let stallTimeout {
            settings.stallTimeout = try parseFlag("--stall-timeout", stallTimeout) { try SettingParsers.duration($0, allowZero: false) }
        }
        if let maxFailures { settings.maxFailures = try parseFlag("--max-failures", maxFailures, HostCount.parse) }
        if let keepPrevious { settings.keepPrevious = keepPrevious }
        if let reuse { settings.reuse = reuse }
        if let owner { settings.owner = try parseFlag("--owner", owner, SettingParsers.owner) }
        if let builtinTracker { settings.builtinTracker = builtinTracker }
    }
}

/// The hooks around a switch, which push and rollback both run.
struct HookFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Run on each host before its switch, through the login shell; failing keeps the old tree there.", valueName: "command"))
    var beforeActivate: String?

    @Option(help: ArgumentHelp("Run on each host after its switch (and again after a rollback there), through the login shell.", valueName: "command"))
    var afterActivate: String?

    @Option(help: ArgumentHelp("The longest a before- or after-activate hook may run (default: 5m).", valueName: "duration"))
    var hookTimeout: String?

    func apply(to rollout: inout RolloutSettings) throws(CommandFailure) {
        if let beforeActivate { rollout.beforeActivate = try parseFlag("--before-activate", beforeActivate, SettingParsers.hookCommand) }
        if let afterActivate { rollout.afterActivate = try parseFlag("--after-activate", afterActivate, SettingParsers.hookCommand) }
        if let hookTimeout {
            rollout.hookTimeout = try parseFlag("--hook-timeout", hookTimeout) { try SettingParsers.duration($0, allowZero: false) }
        }
    }
}

/// How the new tree is laid out on the hosts, what runs around the switch, and when each
/// host switches.
struct RolloutFlags: ParsableArguments {
    @Option(help: ArgumentHelp(
        "sibling: replace DEST, keeping DEST.prev; releases: install DEST/releases/<id> and link DEST/current (default: sibling).",
        valueName: "layout"))
    var layout: String?

    @Option(help: ArgumentHelp("Releases kept on each host with --layout releases; never the current or previous one (default: 5).", valueName: "k"))
    var keepReleases: Int?

    @Option(help: ArgumentHelp(
        "asap: each host switches as soon as it has the tree; together: every host (of a wave) once the last has it (default: asap).",
        valueName: "when"))
    var activate: String?

    @Option(help: ArgumentHelp("The first N hosts switch and pass their checks before any other; a failed canary stops the push.", valueName: "n"))
    var canary: Int?

    @Option(help: ArgumentHelp("Switch in waves of this many hosts, or this share (25%); the download still uses every host.", valueName: "n|p%"))
    var batch: String?

    @OptionGroup var hooks: HookFlags

    @Option(help: ArgumentHelp("Run on each host after the switch and the after-hook; failing every attempt switches that host back.", valueName: "command"))
    var healthCheck: String?

    @Option(help: ArgumentHelp("The longest one health-check attempt may run (default: 30s).", valueName: "duration"))
    var healthTimeout: String?

    @Option(help: ArgumentHelp("Health-check attempts after the first failed one (default: 2).", valueName: "n"))
    var healthRetries: Int?

    @Option(help: ArgumentHelp("Wait between health-check attempts (default: 2s).", valueName: "duration"))
    var healthInterval: String?

    func apply(to rollout: inout RolloutSettings) throws(CommandFailure) {
        try hooks.apply(to: &rollout)
        if let layout { rollout.layout = try parseFlag("--layout", layout, SettingParsers.layout) }
        if let keepReleases {
            guard (1...10_000).contains(keepReleases) else { throw .badInput("--keep-releases \(keepReleases): keep 1 to 10000 releases") }
            rollout.keepReleases = keepReleases
        }
        if let activate { rollout.activation = try parseFlag("--activate", activate, SettingParsers.activation) }
        if let canary {
            guard canary >= 0 else { throw .badInput("--canary \(canary): give 0 or more hosts") }
            rollout.canary = canary
        }
        if let batch { rollout.batch = try parseFlag("--batch", batch, SettingParsers.batch) }
        if let healthCheck { rollout.healthCheck = try parseFlag("--health-check", healthCheck, SettingParsers.hookCommand) }
        if let healthTimeout {
            rollout.healthTimeout = try parseFlag("--health-timeout", healthTimeout) { try SettingParsers.duration($0, allowZero: false) }
        }
        if let healthRetries {
            guard (0...1000).contains(healthRetries) else { throw .badInput("--health-retries \(healthRetries): give 0 to 1000") }
            rollout.healthRetries = healthRetries
        }
        if let healthInterval {
            rollout.healthInterval = try parseFlag("--health-interval", healthInterval) { try SettingParsers.duration($0, allowZero: false) }
        }
    }
}

extension PayloadFlags {
    func apply(to settings: inout PushSettings) throws(CommandFailure) {
        if let pieceSize {
            settings.pieceSize = pieceSize == "auto" ? nil : try pieceLength()
        }
        if let compression = try compression() { settings.compression = compression }
        // The peers on the hosts announce over HTTP only, so push takes http:// trackers.
        let urls = try trackerTiers().flatMap { $0 }
        if !urls.isEmpty {
            settings.trackers = try urls.map { url throws(CommandFailure) in
                try parseFlag("--tracker", url, SettingParsers.trackerURL)
            }
        }
    }
}

/// Parses a flag's string form with the same parser the Deployfile uses, naming the flag on error.
func parseFlag<Value>(_ flag: String, _ text: String, _ parser: (String) throws -> Value) throws(CommandFailure) -> Value {
    do {
        return try parser(text)
    } catch {
        throw .badInput("\(flag) \(text): \(error)")
    }
}
