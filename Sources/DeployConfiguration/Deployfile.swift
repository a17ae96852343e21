import Archive
import DeployProtocol

/// The contents of a Deployfile (YAML) as written: every field is nil when the
/// key is absent, so the file can be layered over defaults and under flags.
///
/// Values are already checked (types, ranges, units); relative paths are kept
/// as written and resolved by `PushSettings.apply(_:)` against `directory`.
public struct Deployfile: Sendable, Equatable {
    /// `auto`, or a value the user chose.
    public enum Choice<Value: Sendable & Equatable>: Sendable, Equatable {
        case auto
        case value(Value)
    }

    /// The `gzip` key: `false`, or `true` / a level (1-9).
    public enum Gzip: Sendable, Equatable {
        case off
        case level(Int)
    }

    /// Where the file was read from (for messages and relative paths).
    public var path: String

    // Top level.
    public var source: String?
    public var destination: String?
    public var hosts: String?

    // ssh:
    public var user: String?
    public var port: Int?
    public var identities: [String]?
    public var knownHosts: String?
    public var acceptNewHostKeys: Bool?
    public var parallel: Int?
    /// Seconds.
    public var connectTimeout: Duration?
    public var sudo: Bool?
    /// An OpenSSH client configuration file, or `none`.
    public var sshConfig: String?

    // transfer:
    /// Bytes.
    public var pieceSize: Choice<Int>?
    public var gzip: Gzip?
    public var compress: ArchiveCompression?
    public var reuse: Bool?
    public var trackers: [String]?
    public var builtinTracker: Bool?
    public var listen: Choice<String>?
    public var linkRateBitsPerSecond: Double?
    /// `.auto` is `none`: no cap, even where another layer set one.
    public var maxRateBitsPerSecond: Choice<Double>?
    public var seedGrace: Duration?
    public var peerSelection: PushSettings.PeerSelection?
    public var webSeeds: [String]?
    public var localSeed: Bool?

    // deploy:
    public var timeout: Duration?
    public var stallTimeout: Duration?
    public var maxFailures: HostCount?
    public var keepPrevious: Bool?
    public var layout: DestinationLayout?
    public var keepReleases: Int?
    public var activation: RolloutSettings.Activation?
    public var canary: Int?
    public var batch: HostCount?
    public var owner: FileOwner?

    // hooks:
    public var beforeActivate: String?
    public var afterActivate: String?
    public var healthCheck: String?
    public var hookTimeout: Duration?
    public var healthTimeout: Duration?
    public var healthRetries: Int?
    public var healthInterval: Duration?

    /// An empty Deployfile: every setting left to its default.
    public init(path: String) {
        self.path = path
    }

    /// The directory relative paths in this file are resolved against.
    public var directory: String {
        PathResolution.directory(of: path)
    }

    /// Reads and parses the Deployfile at `path`.
    public static func load(path: String) throws -> Deployfile {
        let text = try TextFile.read(
            path,
            what: "Deployfile",
            remedy: "create it (see Deployfile.sample) or pass the right path"
        )
        return try parse(text, path: path)
    }
}
