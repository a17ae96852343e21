/// What a peer reports to the controller, one line each on its standard output, as the
/// SSH channel carries them: `swarmdeploy-peer <kind> key=value ...`. A `message=` field
/// is always last and runs to the end of the line. Lines without the prefix are ignored
/// by the controller (they are shown in verbose logs only).
public enum PeerEvent: Sendable, Equatable {
    /// The peer read its job and is listening for other peers. `peerID` is its BitTorrent
    /// peer id as trackers print it (no spaces), so the controller can tell how much of the
    /// payload this host took from the seeder.
    case started(version: String, peerID: String, listenPort: Int)
    case progress(PeerProgress)
    /// Every piece and the payload's SHA-256 verified.
    case downloaded
    /// The new tree is verified and extracted beside the destination; the peer waits for the
    /// controller's `activate` (see `PeerJob.waitsForActivation`), seeding meanwhile.
    case staged
    /// The new tree is in use (`release`; `previous` was before it). Hooks and the health
    /// check follow; `installed` says they passed.
    case switched(release: String?, previous: String?)
    /// A line a hook wrote (standard output and error alike).
    case hook(name: HookName, message: String)
    /// A hook or the health check failed after the switch: the host is back on `release`
    /// (nil: there was none, and the destination is gone again as before the push).
    case rolledBack(to: String?)
    /// The new tree is in place at the destination (and passed the hooks and health check).
    case installed(files: Int, bytes: Int64)
    /// Seeding is over; the peer exits 0 next.
    case finished(PeerProgress)
    /// The peer gives up; the destination is as it was unless `stage` is after `.install`.
    case failed(stage: PeerStage, message: String)
    /// A diagnostic line from the peer, at a swift-log level name ("debug", "info", ...), sent
    /// only when the job asks for logs; the controller shows it with the host's name.
    case log(level: String, message: String)
    /// The peer serves its own program to the push's hosts at `address` and `port` (see
    /// `PeerJob.programToken`).
    case serving(address: String, port: Int)
    /// Something the operator has to mend though the host goes on (a web seed dropped, with
    /// its URL and why), sent whatever the log level.
    case warning(message: String)

    static let prefix = "swarmdeploy-peer "

    public var line: String {
        switch self {
        case .started(let version, let peerID, let port):
            return Self.prefix + "started version=\(version) id=\(peerID) port=\(port)"
        case .progress(let progress):
            return Self.prefix + "progress " + progress.fields
        case .downloaded:
            return Self.prefix + "downloaded"
        case .staged:
            return Self.prefix + "staged"
        case .switched(let release, let previous):
            return Self.prefix + "switched release=\(release ?? "") previous=\(previous ?? "")"
        case .hook(let name, let message):
            let flat = message.split(whereSeparator: \.isNewline).joined(separator: " ")
            return Self.prefix + "hook name=\(name.rawValue) message=\(flat)"
        case .rolledBack(let release):
            return Self.prefix + "rolled-back release=\(release ?? "")"
        case .installed(let files, let bytes):
            return Self.prefix + "installed files=\(files) bytes=\(bytes)"
        case .finished(let progress):
            return Self.prefix + "finished " + progress.fields
        case .failed(let stage, let message):
            let flat = message.split(whereSeparator: \.isNewline).joined(separator: " ")
            return Self.prefix + "failed stage=\(stage.rawValue) message=\(flat)"
        case .log(let level, let message):
            let flat = message.split(whereSeparator: \.isNewline).joined(separator: " ")
            return Self.prefix + "log level=\(level) message=\(flat)"
        case .serving(let address, let port):
            return Self.prefix + "serving address=\(address) port=\(port)"
        case .warning(let message):
            let flat = message.split(whereSeparator: \.isNewline).joined(separator: " ")
            return Self.prefix + "warning message=\(flat)"
        }
    }

    /// Parses one line; nil when it is not an event (any other output of the peer).
    ///
    /// Split by Unicode scalars, not Characters: a message that starts with a combining mark
    /// would otherwise fuse with the `=` before it, and the line would not read back.
    public init?(line: String) {
        guard let (kind, fields) = Self.split(line) else { return nil }
        func int(_ key: Substring) -> Int64? { fields[key].flatMap { Int64($0) } }

        switch kind {
        case "started":
            guard let version = fields["version"], let id = fields["id"], let port = int("port") else { return nil }
            self = .started(version: String(version), peerID: String(id), listenPort: Int(port))
        case "progress", "finished":
            guard let progress = PeerProgress(fields: fields) else { return nil }
            self = kind == "progress" ? .progress(progress) : .finished(progress)
        case "downloaded":
            self = .downloaded
        case "staged":
            self = .staged
        case "switched":
            self = .switched(release: Self.release(fields["release"]), previous: Self.release(fields["previous"]))
        case "hook":
            guard let name = fields["name"].flatMap({ HookName(rawValue: String($0)) }) else { return nil }
            self = .hook(name: name, message: String(fields["message"] ?? ""))
        case "rolled-back":
            self = .rolledBack(to: Self.release(fields["release"]))
        case "installed":
            guard let files = int("files"), let bytes = int("bytes") else { return nil }
            self = .installed(files: Int(files), bytes: bytes)
        case "failed":
            guard let stage = fields["stage"].flatMap({ PeerStage(rawValue: String($0)) }) else { return nil }
            self = .failed(stage: stage, message: String(fields["message"] ?? ""))
        case "serving":
            guard let address = fields["address"], !address.isEmpty, let port = int("port"), (1...65535).contains(port) else { return nil }
            self = .serving(address: String(address), port: Int(port))
        case "warning":
            self = .warning(message: String(fields["message"] ?? ""))
        case "log":
            guard let level = fields["level"] else { return nil }
            self = .log(level: String(level), message: String(fields["message"] ?? ""))
        default:
            return nil
        }
    }
}

extension PeerEvent {
    /// A peer's line as its kind and its `key=value` fields (`message=` runs to the end of the
    /// line); nil for a line without the prefix or with a field that is not `key=value`. The
    /// peer's other lines (`DestinationStatus`) share the form.
    static func split(_ line: String) -> (kind: String, fields: [Substring: Substring])? {
        let scalars = line.unicodeScalars
        guard scalars.starts(with: prefix.unicodeScalars) else { return nil }
        var rest = scalars.dropFirst(prefix.unicodeScalars.count)
        let kind = String(String.UnicodeScalarView(rest.prefix { $0 != " " }))
        rest = rest.drop { $0 != " " }.drop { $0 == " " }
        var fields: [Substring: Substring] = [:]
        let messageKey = "message=".unicodeScalars
        while !rest.isEmpty {
            if rest.starts(with: messageKey) {
                fields["message"] = Substring(String(String.UnicodeScalarView(rest.dropFirst(messageKey.count))))
                break
            }
            let token = rest.prefix { $0 != " " }
            rest = rest.dropFirst(token.count).drop { $0 == " " }
            guard let equals = token.firstIndex(of: "=") else { return nil }
            let key = String(String.UnicodeScalarView(token[..<equals]))
            fields[Substring(key)] = Substring(String(String.UnicodeScalarView(token[token.index(after: equals)...])))
        }
        return (kind, fields)
    }

    private static func release(_ field: Substring?) -> String? { ReleaseID.field(field) }
}

/// How far a peer got. Stages happen in this order; only `install` changes the destination
/// (and a rollback after it).
public enum PeerStage: String, Sendable, CaseIterable, Comparable {
    /// Reading the job, checking the destination and free space.
    case prepare
    case download
    case extract
    /// Verified and extracted, waiting for the controller's word to switch.
    case staged
    case beforeActivate = "before-activate"
    /// Switching the new tree into place (the only step that touches the destination).
    case install
    case afterActivate = "after-activate"
    case healthCheck = "health-check"
    /// Seeding for the others after installing.
    case seed

    public static func < (lhs: PeerStage, rhs: PeerStage) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A peer's transfer counters, as reported in `progress` and `finished` lines.
public struct PeerProgress: Sendable, Equatable {
    public var verifiedPieces: Int
    public var pieceCount: Int
    /// Payload bytes received, from the seeder and other peers together.
    public var bytesDownloaded: Int64
    /// Of those, blocks received twice (endgame races).
    public var bytesDuplicate: Int64
    /// Payload bytes the host built from the tree it already held instead of receiving them
    /// (see `PieceReuse`). Optional on the wire.
    public var bytesReused: Int64
    /// Payload bytes sent to other peers.
    public var bytesUploaded: Int64
    public var connectedPeers: Int
    /// Bytes of the archive extracted so far: it moves while the tail is extracted after the
    /// download, so the controller sees a busy host as busy. Optional on the wire.
    public var bytesExtracted: Int64
    /// Peers this host banned for sending data that failed SHA-1 checks, by peer id (as in
    /// `started`, escaped so that no id holds a comma or space). Optional on the wire.
    public var bannedPeerIDs: [String]
    /// Payload bytes sent to each peer, by peer id (escaped as in `bannedPeerIDs`): the final
    /// progress carries it, so the controller can tell which bytes crossed racks. Optional on
    /// the wire.
    public var uploadedTo: [String: Int64]
    /// CPU time the peer process has used so far, user and system, in milliseconds (from its
    /// own accounting): what receiving, hashing, writing, extracting and serving cost the
    /// host. Optional on the wire.
    public var cpuMilliseconds: Int64 = 0
    /// Of `bytesDownloaded`, payload bytes fetched from BEP 19 web seeds. Optional on the wire.
    public var bytesFromWebSeeds: Int64 = 0

    public init(
        verifiedPieces: Int, pieceCount: Int, bytesDownloaded: Int64, bytesDuplicate: Int64 = 0,
        bytesUploaded: Int64, connectedPeers: Int, bytesExtracted: Int64 = 0, bannedPeerIDs: [String] = [],
        uploadedTo: [String: Int64] = [:], bytesReused: Int64 = 0
    ) {
        self.bytesReused = bytesReused
        self.verifiedPieces = verifiedPieces
        self.pieceCount = pieceCount
        self.bytesDownloaded = bytesDownloaded
        self.bytesDuplicate = bytesDuplicate
        self.bytesUploaded = bytesUploaded
        self.connectedPeers = connectedPeers
        self.bytesExtracted = bytesExtracted
        self.bannedPeerIDs = bannedPeerIDs
        self.uploadedTo = uploadedTo
    }

    var fields: String {
        let banned = bannedPeerIDs.isEmpty ? "" : " banned=" + bannedPeerIDs.joined(separator: ",")
        let sent = uploadedTo.isEmpty ? "" : " sent=" + uploadedTo.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
        let reused = bytesReused == 0 ? "" : " reused=\(bytesReused)"
        let cpu = cpuMilliseconds == 0 ? "" : " cpu=\(cpuMilliseconds)"
        let web = bytesFromWebSeeds == 0 ? "" : " web=\(bytesFromWebSeeds)"
        return "pieces=\(verifiedPieces)/\(pieceCount) down=\(bytesDownloaded) dup=\(bytesDuplicate) up=\(bytesUploaded) peers=\(connectedPeers) extracted=\(bytesExtracted)" + reused + cpu + web + banned + sent
    }

    init?(fields: [Substring: Substring]) {
        guard let pieces = fields["pieces"], let slash = pieces.firstIndex(of: "/"),
            let verified = Int(pieces[..<slash]), let count = Int(pieces[pieces.index(after: slash)...]),
            let down = fields["down"].flatMap({ Int64($0) }), let duplicate = fields["dup"].flatMap({ Int64($0) }), let up = fields["up"].flatMap({ Int64($0) }),
            let peers = fields["peers"].flatMap({ Int($0) })
        else { return nil }
        self.init(
            verifiedPieces: verified, pieceCount: count, bytesDownloaded: down, bytesDuplicate: duplicate,
            bytesUploaded: up, connectedPeers: peers, bytesExtracted: fields["extracted"].flatMap { Int64($0) } ?? 0,
            bannedPeerIDs: fields["banned"].map { $0.split(separator: ",").map(String.init) } ?? [],
            uploadedTo: fields["sent"].map(Self.uploads) ?? [:],
            bytesReused: fields["reused"].flatMap { Int64($0) }.map { max(0, $0) } ?? 0
        )
        cpuMilliseconds = fields["cpu"].flatMap { Int64($0) }.map { max(0, $0) } ?? 0
        bytesFromWebSeeds = fields["web"].flatMap { Int64($0) }.map { max(0, $0) } ?? 0
    }

    /// `id:bytes,id:bytes`; entries that do not parse are left out (the report is then short,
    /// never wrong about a host it names).
    static func uploads(_ text: Substring) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for entry in text.split(separator: ",") {
            guard let colon = entry.lastIndex(of: ":"), let bytes = Int64(entry[entry.index(after: colon)...]), bytes >= 0 else { continue }
            result[String(entry[..<colon]), default: 0] += bytes
        }
        return result
    }
}
