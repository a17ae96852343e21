import DeployConfiguration
import DeployProtocol
import Fleet
import Foundation
import PayloadPacking
import Swarm
import TorrentMetainfo

extension PushPlan {
    /// The push's own smallest automatic piece: the torrent exists only for this push, among
    /// our own peers, so smaller pieces than a public torrent's spread sooner through the
    /// swarm (a host can pass a piece on only once it holds all of it).
    public static let automaticMinimumPieceLength = 64 * 1024
    /// How long a host's SSH connection may leave data unacknowledged before it breaks
    /// (TCP_USER_TIMEOUT) during a push; a host that is really gone fails by the stall timeout.
    static let controlConnectionPatience: Duration = .seconds(120)

    /// The plan for `settings` (defaults, then the Deployfile, then flags). Reads the hosts
    /// file and checks the source directory, contacts nothing: a bad request fails here with
    /// `.invalidRequest` before any work. `environment` supplies `HOME` and `SSH_AUTH_SOCK`;
    /// `detectAddress` finds the route to the first host when `--listen` is not given.
    public init(
        settings: PushSettings,
        environment: [String: String],
        detectAddress: (_ host: String, _ port: Int) throws(PushError) -> String = ControllerAddress.detect
    ) throws(PushError) {
        if settings.source != nil, let torrent = settings.torrent {
            throw PushError(
                .invalidRequest, "both a directory (\(settings.source!)) and a packed release (--torrent \(torrent)) are given",
                remedy: "push one: the directory, or the release 'swarmdeploy pack' made")
        }
        guard let source = settings.source ?? settings.torrent else {
            throw PushError(.invalidRequest, "no directory to push", remedy: "give it as 'push DIR to DEST on HOSTS' or set 'source' in the Deployfile, or push a packed release with --torrent FILE")
        }
        if settings.payloadFile != nil, settings.torrent == nil {
            throw PushError(.invalidRequest, "--payload names the tarball of a packed release", remedy: "give its torrent with --torrent FILE too")
        }
        if settings.torrent == nil, !settings.localSeed {
            throw PushError(
                .invalidRequest, "--no-local-seed (transfer.local_seed: false) pushes a packed release from its web seeds, and a directory has none",
                remedy: "push the release 'swarmdeploy pack --web-seed URL' made with --torrent FILE, or seed from here")
        }
        if settings.torrent == nil, !settings.webSeeds.isEmpty {
            throw PushError(
                .invalidRequest, "web seeds (--web-seed, transfer.web_seeds) serve a release packed earlier: the web server must hold the very tarball the hosts verify",
                remedy: "pack it with 'swarmdeploy pack DIR -o NAME', upload NAME.tar, and push --torrent NAME.torrent --web-seed URL")
        }
        for url in settings.webSeeds {
            do {
                _ = try WebSeed(url, fileName: "payload")
            } catch {
                throw PushError(.invalidRequest, "web seed \(url): \(error.reason)", remedy: "give an http:// or https:// URL of the tarball (or of its directory, ending in '/')")
            }
        }
        guard let destination = settings.destination else {
            throw PushError(.invalidRequest, "no destination", remedy: "add 'to DEST' (or --to DEST), or set 'destination' in the Deployfile")
        }
        guard let hostsFile = settings.hostsFile else {
            throw PushError(.invalidRequest, "no hosts file", remedy: "add 'on HOSTS' (or --on HOSTS), or set 'hosts' in the Deployfile")
        }
        do {
            self.destination = try SettingParsers.destination(destination)
        } catch {
            throw PushError(.invalidRequest, "destination \(destination): \(error)")
        }
        var isDirectory: ObjCBool = false
        if settings.torrent == nil {
            guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw PushError(.invalidRequest, "source '\(source)' is not a directory", remedy: "push delivers a directory's contents")
            }
        } else if !FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) || isDirectory.boolValue {
            throw PushError(.invalidRequest, "--torrent \(source) is not a file", remedy: "give the .torrent 'swarmdeploy pack' wrote")
        }
        let entries: [HostEntry]
        do {
            // Hosts without a port are reached on the default port, so duplicates are found there.
            entries = try HostsFile.load(path: hostsFile, defaultPort: settings.port)
        } catch {
            throw PushError(.invalidRequest, "\(error)")
        }

        if let path = settings.webSeedCA {
            do {
                let pem = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
                try WebSeedTrust.check(pem: pem)
                webSeedCertificates = pem
            } catch {
                throw PushError(.invalidRequest, "--web-seed-ca \(path): \(error)", remedy: "give a PEM file of CA certificates")
            }
        } else {
            webSeedCertificates = nil
        }
        self.source = source
        torrentFile = settings.torrent
        payloadFile = settings.payloadFile
        webSeeds = settings.webSeeds
        localSeed = settings.localSeed
        self.hostsFile = hostsFile
        var notices: [String] = []
        let targets: [FleetHost]
        do {
            targets = try Fleet.hosts(entries, settings: settings, environment: environment) { notices.append($0) }
        } catch {
            throw PushError(.invalidRequest, "\(error)")
        }
        self.notices = notices
        hosts = targets.map { host in
            // The push watches its hosts itself (`--stall-timeout`, the peers' heartbeat), so its
            // SSH connections need not break on their own when a congested link drops their
            // segments for half a minute: a 64-host push at 5 Mbit/s lost healthy hosts so.
            var configuration = host.configuration
            configuration.deadHostTimeout = max(configuration.deadHostTimeout, Self.controlConnectionPatience)
            return FleetHost(entry: host.entry, name: host.name, configuration: configuration)
        }
        payload = PayloadOptions(
            name: PayloadOptions.tarballName(forSource: source, compression: settings.compression),
            pieceLength: settings.pieceSize,
            automaticMinimumPieceLength: Self.automaticMinimumPieceLength,
            compression: settings.compression,
            createdBy: "swarmdeploy \(SwarmdeployVersion.current)"
        )
        listen = try Self.listen(settings.listen, firstHost: hosts.first, detectAddress: detectAddress)
        extraTrackers = settings.trackers
        builtinTracker = settings.builtinTracker
        guard builtinTracker || !extraTrackers.isEmpty else {
            throw PushError(
                .invalidRequest, "--no-builtin-tracker leaves the hosts no tracker to find each other through",
                remedy: "name one with --tracker URL (or transfer.trackers in the Deployfile)")
        }
        sshParallel = settings.sshParallel
        connectTimeout = settings.connectTimeout
        seedGrace = settings.seedGrace
        timeout = settings.timeout
        stallTimeout = settings.stallTimeout
        keepPrevious = settings.keepPrevious
        sudo = settings.sudo
        owner = settings.owner
        maxFailures = settings.maxFailures.resolved(of: hosts.count)
        rollout = settings.rollout
        guard rollout.canary <= hosts.count else {
            throw PushError(
                .invalidRequest, "--canary \(rollout.canary) asks for more canaries than the \(hosts.count) hosts in \(hostsFile)",
                remedy: "give at most \(hosts.count)")
        }
        let hostCount = hosts.count
        batchSize = settings.rollout.batch.map { max(1, $0.resolved(of: hostCount, roundingUp: true)) }
        linkRateBitsPerSecond = settings.effectiveRateBitsPerSecond
        self.settings = settings
    }

    /// `--listen`, else the source address of the route to the first host. The address is
    /// also in the tracker URL the hosts are given, so a wildcard is refused: hosts cannot
    /// reach 0.0.0.0.
    static func listen(
        _ given: String?,
        firstHost: FleetHost?,
        detectAddress: (_ host: String, _ port: Int) throws(PushError) -> String
    ) throws(PushError) -> Listen {
        if let given {
            guard !["0.0.0.0", "::", "[::]"].contains(given) else {
                throw PushError(
                    .invalidRequest,
                    "--listen \(given) is a wildcard",
                    remedy: "give the address the hosts reach this machine at"
                )
            }
            return .given(given)
        }
        guard let first = firstHost else { return .unknown(problem: "the hosts file lists no hosts") }
        do {
            let address = try detectAddress(first.configuration.host, first.configuration.port)
            return .detected(address, towards: first.configuration.host)
        } catch {
            return .unknown(problem: error.description)
        }
    }
}
