import DeployConfiguration
import Fleet

/// What `push --dry-run` knows before contacting anything: the parsed hosts,
/// the effective settings, and plain numbers from the archive scan and the
/// torrent layout (computed, or estimated, by the caller).
public struct DryRunInput: Sendable {
    public var source: String
    public var destination: String
    public var hostsFile: String
    /// As resolved for the push (`Fleet.hosts`).
    public var hosts: [FleetHost]

    // From the archive scan.
    public var fileCount: Int
    public var directoryCount: Int
    public var symlinkCount: Int
    public var payloadBytes: Int64

    /// The tarball: what crosses the network.
    public var archiveBytes: Int64
    public var compressed: Bool

    public var pieceLength: Int
    public var pieceCount: Int
    /// The archive's SHA-256, hex; nil if only estimated. (Its info-hash is new with every
    /// push, see `PushPlan.pack`.)
    public var payloadSHA256: String?

    public var settings: PushSettings

    /// nil if it could not be determined; `controllerAddressProblem` says why.
    public var controllerAddress: String?
    /// Why `controllerAddress` is nil (e.g. the detection error's description).
    public var controllerAddressProblem: String?

    public init(
        source: String,
        destination: String,
        hostsFile: String,
        hosts: [FleetHost],
        fileCount: Int,
        directoryCount: Int,
        symlinkCount: Int,
        payloadBytes: Int64,
        archiveBytes: Int64,
        compressed: Bool,
        pieceLength: Int,
        pieceCount: Int,
        payloadSHA256: String?,
        settings: PushSettings,
        controllerAddress: String?,
        controllerAddressProblem: String? = nil
    ) {
        self.source = source
        self.destination = destination
        self.hostsFile = hostsFile
        self.hosts = hosts
        self.fileCount = fileCount
        self.directoryCount = directoryCount
        self.symlinkCount = symlinkCount
        self.payloadBytes = payloadBytes
        self.archiveBytes = archiveBytes
        self.compressed = compressed
        self.pieceLength = pieceLength
        self.pieceCount = pieceCount
        self.payloadSHA256 = payloadSHA256
        self.settings = settings
        self.controllerAddress = controllerAddress
        self.controllerAddressProblem = controllerAddressProblem
    }
}
