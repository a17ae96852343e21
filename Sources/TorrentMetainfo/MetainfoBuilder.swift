import Bencode

/// Writes a single-file torrent for a hashed payload.
///
/// The output depends only on the inputs: no "creation date" is written and
/// keys are encoded in canonical order, so the same payload and settings give
/// a byte-identical torrent (and the same info-hash) on every run.
public struct MetainfoBuilder {
    public var name: String
    public var payload: HashedPayload
    /// Tracker tiers (BEP 12). "announce" is the first URL of the first tier;
    /// "announce-list" is written when there is more than one URL in total.
    /// Empty tiers are ignored.
    public var trackers: [[String]] = []
    /// Writes "private": 1 into the info dictionary (BEP 27) when true.
    public var isPrivate = false
    /// Written as "created by" when set.
    public var createdBy: String?
    /// Random bytes written as "nonce" into the info dictionary, so the info-hash cannot be
    /// worked out from the payload: a push's torrent is new each time. Nil writes none (the
    /// deterministic torrent `pack` makes).
    public var nonce: [UInt8]?
    /// The tar stream's length unpacked and its files' bytes, written as the info keys
    /// "tar length" and "tree bytes" when set (see `Metainfo.tarLength`).
    public var tarLength: Int64?
    public var treeBytes: Int64?
    /// BEP 19 web seeds, written as "url-list" (outside the info dictionary: the info-hash
    /// does not depend on them).
    public var webSeeds: [String] = []

    public init(name: String, payload: HashedPayload) {
        self.name = name
        self.payload = payload
    }

    public func build() throws(MetainfoError) -> Metainfo {
        try Metainfo.validateName(name)
        try PieceLength.validate(payload.pieceLength)
        guard payload.length > 0 else {
            throw .emptyPayload
        }
        let tiers = trackers.filter { !$0.isEmpty }
        for (tierIndex, tier) in tiers.enumerated() {
            for (urlIndex, url) in tier.enumerated() where url.isEmpty || url.contains(where: \.isWhitespace) {
                throw .invalidValue(
                    key: "announce-list[\(tierIndex)][\(urlIndex)]",
                    reason: "tracker URL \"\(url)\" is empty or contains whitespace"
                )
            }
        }

        for (index, url) in webSeeds.enumerated() where url.isEmpty || url.contains(where: \.isWhitespace) {
            throw .invalidValue(key: "url-list[\(index)]", reason: "web seed URL \"\(url)\" is empty or contains whitespace")
        }

        // BEP 3 single-file info dictionary, plus our "sha256" of the whole
        // payload. Clients ignore unknown info keys, but it is covered by the
        // info-hash, so a peer can trust it as much as the piece hashes.
        var info = BencodeDictionary()
        info["name"] = .string(name)
        info["length"] = .integer(payload.length)
        info["piece length"] = .integer(Int64(payload.pieceLength))
        info["pieces"] = .bytes(payload.pieceHashes)
        if isPrivate {
            info["private"] = 1
        }
        info["sha256"] = .bytes(payload.sha256)
        if let tarLength { info["tar length"] = .integer(tarLength) }
        if let treeBytes { info["tree bytes"] = .integer(treeBytes) }
        if let nonce {
            info["nonce"] = .bytes(nonce)
        }

        var top = BencodeDictionary()
        if let first = tiers.first?.first {
            top["announce"] = .string(first)
        }
        if tiers.joined().count > 1 {
            top["announce-list"] = .list(tiers.map { tier in .list(tier.map { .string($0) }) })
        }
        if let createdBy {
            top["created by"] = .string(createdBy)
        }
        top["info"] = .dictionary(info)
        if !webSeeds.isEmpty {
            top["url-list"] = .list(webSeeds.map { .string($0) })
        }

        // Reading our own output back applies every check a receiving peer applies.
        return try Metainfo(bytes: BencodeEncoder.encode(.dictionary(top)))
    }
}
