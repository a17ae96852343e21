import Bencode

/// What the controller asks one host's peer to do, sent on the SSH channel's standard
/// input — never on the command line, where `ps` on the host would show the tracker's
/// secret.
///
/// On the wire: one header line `swarmdeploy-job 1 <length>\n`, then `<length>` bytes of a
/// bencoded dictionary. Whatever follows on standard input are `PeerControl` lines.
public struct PeerJob: Sendable, Equatable {
    /// The wire format's version; a peer refuses any other.
    public static let formatVersion = 1
    /// Refuse headers that announce more than this: a torrent for the largest payload is far smaller.
    public static let maximumLength = 64 << 20
    /// The largest payload or tree a job may describe (1 PiB): sizes are added and scaled on
    /// the host, and must stay far from overflowing.
    public static let maximumBytes: Int64 = 1 << 50
    /// The longest time a job may give (30 days, as the controller's settings).
    public static let maximumMilliseconds: Int64 = 30 * 24 * 3600 * 1000

    /// The .torrent file's bytes.
    public var torrent: [UInt8]
    /// Announce URLs, each its own tier, tried in order; they carry the deploy's secret.
    public var trackers: [String]
    /// Absolute path the tree is switched into.
    public var destination: String
    /// Bytes the extracted tree occupies (file contents), for the free-space check.
    public var extractedBytes: Int64
    /// Length of the uncompressed tar stream (headers and padding included): extraction
    /// refuses anything longer, so a gzip bomb or a lying archive cannot fill the disk.
    public var tarBytes: Int64
    /// Keep the replaced tree as `DESTINATION.prev`.
    public var keepPrevious: Bool
    /// Milliseconds to keep seeding after installing, unless told to finish sooner.
    public var seedGraceMilliseconds: Int64
    /// Milliseconds the download may take before the peer gives up.
    public var timeoutMilliseconds: Int64
    /// The lowest swift-log level ("trace" ... "critical") the peer sends back as `log`
    /// events; nil sends none. Optional on the wire.
    public var logLevel: String?
    /// The controller sends `PeerControl.alive` more often than this; a peer that hears
    /// nothing for this long takes the controller as gone, as if standard input had closed.
    /// (A host cut off from the controller gets no EOF.) Nil: wait for EOF only. Optional on
    /// the wire.
    public var controllerSilenceMilliseconds: Int64?
    /// The push's peer key: the peer serves and downloads only from peers that prove they
    /// hold it (see `Swarm.AuthenticationExchange`). Nil: plain BitTorrent. Optional on the wire.
    public var peerKey: [UInt8]?
    /// IP addresses of the push's hosts and the controller; the peer closes connections
    /// from any other. Nil: any. Optional on the wire.
    public var peerAddresses: [String]?
    /// The push's racks (with rack peer selection and `rack=` labels): each rack's hosts,
    /// each host's addresses, in the same order for every host. A host finds itself in it and
    /// fetches from other racks only its share of the pieces (see `Swarm.RackPlacement`).
    /// Nil: no racks. Optional on the wire.
    public var racks: [[[String]]]?
    /// When set, the peer serves its own program (gzip-compressed) to the push's hosts that
    /// present this token (see `PeerEvent.serving`), so hosts without it fetch it from each
    /// other rather than from the controller. Optional on the wire.
    public var programToken: [UInt8]?
    /// How the destination is laid out. Optional on the wire: sibling.
    public var layout: DestinationLayout = .sibling
    /// The release's id (see `ReleaseID`): the directory name in the release layout, and what
    /// `status` reports in either layout. Optional on the wire.
    public var releaseID: String?
    /// In the release layout, how many releases to keep (the current and previous ones are
    /// always kept). Optional on the wire: 5.
    public var keepReleases = 5
    /// Stage the new tree and wait for the controller's `activate` (or `abort`) before the
    /// switch. Optional on the wire: switch as soon as the tree is verified and extracted.
    public var waitsForActivation = false
    /// Commands to run around the switch. Optional on the wire: none.
    public var hooks = HookCommands()
    /// Give the installed tree to this user and group (the peer runs as root then). Optional on
    /// the wire: the tree belongs to whoever runs the peer.
    public var owner: FileOwner?

    /// Bits per second the peer's swarm traffic may put on the host's link, each way, headers
    /// included (`--max-rate`). Nil: no cap. Optional on the wire.
    public var maxRateBitsPerSecond: Int64?
    /// The smallest and largest caps a job may give (1 Mbit/s, 10 Tbit/s).
    public static let maxRateRange: ClosedRange<Int64> = 1_000_000...10_000_000_000_000

    /// The new archive's index (see `Archive.ArchiveManifest.encodedIndex`): with it the peer
    /// builds the pieces of files it already holds instead of downloading them. Nil: download
    /// everything (`--no-reuse`, or a compressed archive). Optional on the wire.
    public var archiveIndex: [UInt8]?

    /// BEP 19 web seeds the peer fetches pieces from besides its peers, each with the IP
    /// addresses the controller resolved its host to: the peer program is linked statically
    /// and has no name service. Optional on the wire: none.
    public var webSeeds: [WebSeedEntry] = []
    /// PEM certificates of the authorities to trust for https:// web seeds instead of the
    /// host's own store (`--web-seed-ca`). Optional on the wire.
    public var webSeedCertificates: [UInt8]?
    /// With web seeds: every host's addresses, in the push's order. A host finds itself by
    /// its address and fetches from the web seeds the share of the pieces its place gives
    /// (see `Swarm.WebSeedPlanner`); not found, it takes a random share. Optional on the wire.
    public var webSeedHosts: [[String]]?

    public struct WebSeedEntry: Sendable, Equatable {
        public var url: String
        public var addresses: [String]

        public init(url: String, addresses: [String]) {
            self.url = url
            self.addresses = addresses
        }
    }

    /// Keys shorter than this are refused (the swarm needs 128 bits).
    public static let minimumPeerKeyLength = 16
    /// The most addresses a job may list, and the longest one (an IPv6 literal is at most 45).
    public static let maximumPeerAddresses = 1 << 20
    static let maximumAddressLength = 64

    public init(
        torrent: [UInt8],
        trackers: [String],
        destination: String,
        extractedBytes: Int64,
        tarBytes: Int64,
        keepPrevious: Bool,
        seedGraceMilliseconds: Int64,
        timeoutMilliseconds: Int64,
        logLevel: String? = nil,
        controllerSilenceMilliseconds: Int64? = nil,
        peerKey: [UInt8]? = nil,
        peerAddresses: [String]? = nil,
        programToken: [UInt8]? = nil
    ) {
        self.torrent = torrent
        self.trackers = trackers
        self.destination = destination
        self.extractedBytes = extractedBytes
        self.tarBytes = tarBytes
        self.keepPrevious = keepPrevious
        self.seedGraceMilliseconds = seedGraceMilliseconds
        self.timeoutMilliseconds = timeoutMilliseconds
        self.logLevel = logLevel
        self.controllerSilenceMilliseconds = controllerSilenceMilliseconds
        self.peerKey = peerKey
        self.peerAddresses = peerAddresses
        self.programToken = programToken
    }

    /// Header line and body, ready to write to the channel.
    public func encoded() -> [UInt8] {
        var dictionary = BencodeDictionary()
        if let controllerSilenceMilliseconds { dictionary["controller silence ms"] = .integer(controllerSilenceMilliseconds) }
        dictionary["destination"] = .string(destination)
        dictionary["extracted bytes"] = .integer(extractedBytes)
        if let archiveIndex { dictionary["archive index"] = .bytes(archiveIndex) }
        dictionary["keep previous"] = .integer(keepPrevious ? 1 : 0)
        if let logLevel { dictionary["log level"] = .string(logLevel) }
        if let maxRateBitsPerSecond { dictionary["max rate bps"] = .integer(maxRateBitsPerSecond) }
        if let peerAddresses { dictionary["peer addresses"] = .list(peerAddresses.map { .string($0) }) }
        if let racks { dictionary["racks"] = .list(racks.map { .list($0.map { .list($0.map { .string($0) }) }) }) }
        if let peerKey { dictionary["peer key"] = .bytes(peerKey) }
        if let programToken { dictionary["program token"] = .bytes(programToken) }
        if layout != .sibling { dictionary["layout"] = .string(layout.rawValue) }
        if let releaseID { dictionary["release id"] = .string(releaseID) }
        dictionary["keep releases"] = .integer(Int64(keepReleases))
        if waitsForActivation { dictionary["waits for activation"] = .integer(1) }
        if hooks != HookCommands() { dictionary["hooks"] = hooks.bencoded }
        if let owner { dictionary["owner"] = .string(owner.description) }
        dictionary["seed grace ms"] = .integer(seedGraceMilliseconds)
        dictionary["tar bytes"] = .integer(tarBytes)
        dictionary["timeout ms"] = .integer(timeoutMilliseconds)
        dictionary["torrent"] = .bytes(torrent)
        dictionary["trackers"] = .list(trackers.map { .string($0) })
        if !webSeeds.isEmpty {
            dictionary["web seeds"] = .list(webSeeds.map { seed in .list(([seed.url] + seed.addresses).map { .string($0) }) })
        }
        if let webSeedCertificates { dictionary["web seed ca"] = .bytes(webSeedCertificates) }
        if let webSeedHosts {
            dictionary["web seed hosts"] = .list(webSeedHosts.map { .list($0.map { .string($0) }) })
        }
        let body = BencodeEncoder.encode(.dictionary(dictionary))
        return Array("\(Self.headerWord) \(Self.formatVersion) \(body.count)\n".utf8) + body
    }

    static let headerWord = "swarmdeploy-job"

    /// Parses the header line (without its newline) and returns the body's length.
    public static func bodyLength(fromHeader line: String) throws(PeerJobError) -> Int {
        let words = line.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 3, words[0] == headerWord else {
            throw PeerJobError("expected a job header \"\(headerWord) \(formatVersion) <length>\", got \"\(line.prefix(80))\"; this program is started by swarmdeploy push")
        }
        guard words[1] == "\(formatVersion)" else {
            throw PeerJobError("job format \(words[1]) is not the \(formatVersion) this peer speaks; the controller and the cached peer differ in version")
        }
        guard let length = Int(words[2]), length > 0, length <= maximumLength else {
            throw PeerJobError("job length \(words[2]) is not between 1 and \(maximumLength)")
        }
        return length
    }

    /// A list of strings; nil for any other shape.
    private static func strings(from value: BencodeValue) -> [String]? {
        value.list.flatMap { list in
            let texts = list.compactMap(\.string)
            return texts.count == list.count ? texts : nil
        }
    }

    /// A list of racks, each a list of hosts, each a list of address strings; nil for any other shape.
    private static func racks(from value: BencodeValue) -> [[[String]]]? {
        guard let racks = value.list else { return nil }
        var result: [[[String]]] = []
        for rack in racks {
            guard let hosts = rack.list else { return nil }
            var addresses: [[String]] = []
            for host in hosts {
                guard let texts = strings(from: host) else { return nil }
                addresses.append(texts)
            }
            result.append(addresses)
        }
        return result
    }

    /// Whether `texts` are few enough and each short and non-empty, as addresses are.
    private static func mayBeAddresses(_ texts: some Collection<String>) -> Bool {
        texts.count <= maximumPeerAddresses && texts.allSatisfy { !$0.isEmpty && $0.utf8.count <= maximumAddressLength }
    }

    /// Decodes the body that follows the header.
    public init(body: [UInt8]) throws(PeerJobError) {
        let value: BencodeValue
        do {
            value = try BencodeDecoder().decode(body)
        } catch {
            throw PeerJobError("the job is not valid bencode: \(error)")
        }
        func field<T>(_ key: String, _ read: (BencodeValue) -> T?) throws(PeerJobError) -> T {
            guard let raw = value[key] else { throw PeerJobError("the job has no \"\(key)\"") }
            guard let typed = read(raw) else { throw PeerJobError("the job's \"\(key)\" has the wrong type") }
            return typed
        }
        torrent = try field("torrent") { $0.bytes }
        trackers = try field("trackers") { value in value.list?.compactMap(\.string) }
        destination = try field("destination") { $0.string }
        extractedBytes = try field("extracted bytes") { $0.integer }
        keepPrevious = try field("keep previous") { $0.integer } != 0
        seedGraceMilliseconds = try field("seed grace ms") { $0.integer }
        tarBytes = try field("tar bytes") { $0.integer }
        timeoutMilliseconds = try field("timeout ms") { $0.integer }
        if value["log level"] != nil {
            logLevel = try field("log level") { $0.string }
        } else {
            logLevel = nil
        }
        if value["controller silence ms"] != nil {
            controllerSilenceMilliseconds = try field("controller silence ms") { $0.integer }
        } else {
            controllerSilenceMilliseconds = nil
        }
        peerKey = value["peer key"] == nil ? nil : try field("peer key") { $0.bytes }
        peerAddresses = value["peer addresses"] == nil ? nil : try field("peer addresses") { Self.strings(from: $0) }
        racks = value["racks"] == nil ? nil : try field("racks") { value in Self.racks(from: value) }
        programToken = value["program token"] == nil ? nil : try field("program token") { $0.bytes }
        archiveIndex = value["archive index"] == nil ? nil : try field("archive index") { $0.bytes }
        maxRateBitsPerSecond = value["max rate bps"] == nil ? nil : try field("max rate bps") { $0.integer }
        if value["web seeds"] != nil {
            let lists = try field("web seeds") { value in value.list?.compactMap { Self.strings(from: $0) } }
            guard lists.count == value["web seeds"]?.list?.count, lists.allSatisfy({ !$0.isEmpty && Self.mayBeAddresses($0.dropFirst()) }) else {
                throw PeerJobError("the job's \"web seeds\" are not each a URL followed by addresses")
            }
            webSeeds = lists.map { WebSeedEntry(url: $0[0], addresses: Array($0.dropFirst())) }
        }
        webSeedCertificates = value["web seed ca"] == nil ? nil : try field("web seed ca") { $0.bytes }
        if value["web seed hosts"] != nil {
            let hosts = try field("web seed hosts") { value in value.list?.compactMap { Self.strings(from: $0) } }
            guard hosts.count == value["web seed hosts"]?.list?.count, hosts.count <= Self.maximumPeerAddresses,
                hosts.allSatisfy({ Self.mayBeAddresses($0) })
            else {
                throw PeerJobError("the job's \"web seed hosts\" are not each a list of addresses")
            }
            webSeedHosts = hosts
        }
        if let maxRateBitsPerSecond, !Self.maxRateRange.contains(maxRateBitsPerSecond) {
            throw PeerJobError("the job caps the rate at \(maxRateBitsPerSecond) bit/s; \(Self.maxRateRange.lowerBound) to \(Self.maxRateRange.upperBound) are allowed")
        }
        if value["layout"] != nil {
            let name = try field("layout") { $0.string }
            guard let layout = DestinationLayout(rawValue: name) else { throw PeerJobError("the job's layout \"\(name.prefix(40))\" is not sibling or releases") }
            self.layout = layout
        }
        releaseID = value["release id"] == nil ? nil : try field("release id") { $0.string }
        if let releaseID, let problem = ReleaseID.problem(with: releaseID) {
            throw PeerJobError("the job's release id \"\(releaseID.prefix(100))\" is unusable: \(problem)")
        }
        if value["keep releases"] != nil {
            let keep = try field("keep releases") { $0.integer }
            guard (1...10_000).contains(keep) else { throw PeerJobError("the job keeps \(keep) releases; 1 to 10000 are allowed") }
            keepReleases = Int(keep)
        }
        waitsForActivation = value["waits for activation"] == nil ? false : try field("waits for activation") { $0.integer } != 0
        if let raw = value["hooks"] { hooks = try HookCommands(bencoded: raw) }
        if value["owner"] != nil {
            let text = try field("owner") { $0.string }
            switch FileOwner.parse(text) {
            case .success(let owner): self.owner = owner
            case .failure(let error): throw PeerJobError("the job's owner is unusable: \(error)")
            }
        }
        if layout == .releases, releaseID == nil {
            throw PeerJobError("the job asks for the release layout but names no release id")
        }
        if let programToken, programToken.count < Self.minimumPeerKeyLength {
            throw PeerJobError("the job's program token has \(programToken.count) bytes; at least \(Self.minimumPeerKeyLength) are needed")
        }
        if let peerKey, peerKey.count < Self.minimumPeerKeyLength {
            throw PeerJobError("the job's peer key has \(peerKey.count) bytes; at least \(Self.minimumPeerKeyLength) are needed")
        }
        if let peerAddresses {
            guard Self.mayBeAddresses(peerAddresses) else {
                throw PeerJobError("the job's peer addresses are too many or not addresses")
            }
        }
        if let racks {
            guard Self.mayBeAddresses(Array(racks.joined().joined())) else {
                throw PeerJobError("the job's racks hold too many addresses or something that is not one")
            }
        }
        guard destination.hasPrefix("/") else {
            throw PeerJobError("the destination \"\(destination)\" is not an absolute path")
        }
        guard extractedBytes >= 0, tarBytes > 0, seedGraceMilliseconds >= 0, timeoutMilliseconds > 0,
            (controllerSilenceMilliseconds ?? 1) > 0
        else {
            throw PeerJobError("the job has a size or duration out of range (negative, or zero where a wait is needed)")
        }
        guard extractedBytes <= Self.maximumBytes, tarBytes <= Self.maximumBytes else {
            throw PeerJobError("the job describes more than \(Self.maximumBytes) bytes; no payload is that large")
        }
        for (name, milliseconds) in [
            ("seed grace", seedGraceMilliseconds), ("timeout", timeoutMilliseconds),
            ("controller silence", controllerSilenceMilliseconds ?? 0),
        ] where milliseconds > Self.maximumMilliseconds {
            throw PeerJobError("the job's \(name) of \(milliseconds) ms is longer than 30 days")
        }
    }
}

/// A job the peer cannot use; the message says why.
public struct PeerJobError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Lines the controller may send after the job.
public enum PeerControl: String, Sendable {
    /// Every host is done: stop seeding now instead of waiting out the grace period.
    case finish
    /// Nothing to do: the controller is there (see `PeerJob.controllerSilenceMilliseconds`).
    case alive
    /// Switch the staged tree into place now (see `PeerJob.waitsForActivation`).
    case activate
    /// Do not switch: remove the staged tree and leave the destination as it is.
    case abort
}
