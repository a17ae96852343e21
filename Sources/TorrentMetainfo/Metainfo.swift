import Bencode
import Crypto

/// A single-file BitTorrent v1 torrent (BEP 3), read strictly from its bytes.
///
/// Torrents arrive from other machines and other tools, so everything the
/// swarm relies on is checked here once: required keys and their types, one
/// 20-byte hash per piece, a name that is safe as a file name, and a size
/// limit on the file itself.
public struct Metainfo: Sendable {
    /// Torrent files larger than this are refused before decoding. Ours are
    /// about 80 KB; even 16 KiB pieces of a 50 GB payload stay below it.
    public static let maximumSize = 64 * 1024 * 1024

    /// The encoded torrent file.
    public let bytes: [UInt8]
    /// SHA-1 of the raw `info` dictionary bytes exactly as they appear in `bytes`.
    public let infoHash: InfoHash
    /// BEP 3 "name": the suggested file name. Checked safe: not empty, not
    /// "." or "..", no '/' or NUL, at most 255 bytes.
    public let name: String
    /// BEP 3 "length": the payload size in bytes (at least 1).
    public let length: Int64
    /// BEP 3 "piece length", a power of two from 16 KiB to 64 MiB.
    public let pieceLength: Int
    /// Pieces and blocks of the payload.
    public let geometry: PieceGeometry
    /// BEP 3 "pieces": the 20-byte SHA-1 of each piece, concatenated.
    public let pieceHashes: [UInt8]
    /// Our extra info key "sha256" (32 raw bytes); nil for torrents from other tools.
    public let payloadSHA256: [UInt8]?
    /// Our extra info keys "tar length" (the tar stream's length unpacked, which a compressed
    /// payload does not show) and "tree bytes" (the bytes of its files): what a host must
    /// know before it downloads, so a push can go ahead without the tarball on hand. Nil for
    /// torrents from other tools.
    public let tarLength: Int64?
    public let treeBytes: Int64?
    /// BEP 3 "announce": the tracker URL, if any.
    public let announce: String?
    /// BEP 12 "announce-list": tracker tiers; empty when absent. Empty tiers are dropped.
    public let announceList: [[String]]
    /// BEP 27 "private": 1 in the info dictionary.
    public let isPrivate: Bool
    /// "created by": the program that wrote the torrent, if recorded.
    public let createdBy: String?
    /// BEP 19 "url-list": HTTP(S) web seeds serving the payload file; empty when absent. It is
    /// outside the info dictionary, so adding web seeds leaves the info-hash as it was.
    public let webSeeds: [String]

    public init(bytes: [UInt8]) throws(MetainfoError) {
        guard bytes.count <= Self.maximumSize else {
            throw .tooLarge(size: bytes.count, limit: Self.maximumSize)
        }
        let document: BencodeDocument
        do {
            document = try BencodeDecoder().decodeDocument(bytes)
        } catch {
            throw .malformedBencode(error)
        }
        let top = try MetainfoReader(document.root, path: nil, expected: "dictionary at the top level")
        let info = try top.dictionary("info")

        if info.value("files") != nil {
            throw .multiFileNotSupported
        }
        let name = try info.string("name")
        try Self.validateName(name)
        let length = try info.integer("length")
        guard length > 0 else {
            throw length == 0 ? .emptyPayload : .invalidValue(key: "info.length", reason: "\(length) is negative")
        }
        let pieceLengthValue = try info.integer("piece length")
        guard let pieceLength = Int(exactly: pieceLengthValue) else {
            throw .invalidPieceLength(Int(clamping: pieceLengthValue), reason: "it does not fit in an Int")
        }
        try PieceLength.validate(pieceLength)
        let pieceHashes = try info.bytes("pieces")
        guard pieceHashes.count % 20 == 0 else {
            throw .invalidValue(
                key: "info.pieces",
                reason: "its \(pieceHashes.count) bytes are not a whole number of 20-byte SHA-1 hashes"
            )
        }
        let geometry = try PieceGeometry(totalLength: length, pieceLength: pieceLength)
        guard pieceHashes.count / 20 == geometry.pieceCount else {
            throw .pieceCountMismatch(expected: geometry.pieceCount, found: pieceHashes.count / 20)
        }
        let isPrivate: Bool
        switch try info.optionalInteger("private") {
        case nil, 0: isPrivate = false
        case 1: isPrivate = true
        case let other?: throw .invalidValue(key: "info.private", reason: "\(other) is neither 0 nor 1")
        }
        let tarLength = try info.optionalInteger("tar length")
        let treeBytes = try info.optionalInteger("tree bytes")
        for (key, value) in [("info.tar length", tarLength), ("info.tree bytes", treeBytes)] where (value ?? 0) < 0 {
            throw .invalidValue(key: key, reason: "\(value!) is negative")
        }
        let payloadSHA256 = try info.optionalBytes("sha256")
        if let payloadSHA256, payloadSHA256.count != 32 {
            throw .invalidValue(key: "info.sha256", reason: "it is \(payloadSHA256.count) bytes, a SHA-256 digest is 32")
        }

        // The info-hash covers the info dictionary's original bytes; hashing
        // a re-encoding would differ for any encoder quirk we did not mirror.
        guard let infoRange = document.rawRange(at: ["info"]) else {
            throw .missingKey("info")
        }
        var hasher = Insecure.SHA1()
        bytes[infoRange].withUnsafeBytes { hasher.update(bufferPointer: $0) }

        self.bytes = bytes
        self.infoHash = InfoHash(bytes: Array(hasher.finalize()))
        self.name = name
        self.length = length
        self.pieceLength = pieceLength
        self.geometry = geometry
        self.pieceHashes = pieceHashes
        self.payloadSHA256 = payloadSHA256
        self.tarLength = tarLength
        self.treeBytes = treeBytes
        self.announce = try top.optionalString("announce")
        self.announceList = try top.trackerTiers("announce-list")
        self.isPrivate = isPrivate
        self.createdBy = try top.optionalString("created by")
        self.webSeeds = try top.urlList("url-list")
    }

    public var pieceCount: Int {
        geometry.pieceCount
    }

    /// The 20-byte SHA-1 the piece at `index` must hash to.
    public func pieceHash(at index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < pieceCount, "piece \(index) is out of range 0..<\(pieceCount)")
        return pieceHashes[index * 20..<index * 20 + 20]
    }

    /// The size of the piece at `index`: `pieceLength`, except the last
    /// piece, which holds whatever remains.
    public func expectedLength(ofPiece index: Int) -> Int {
        geometry.length(ofPiece: index)
    }

    /// The trackers to use, by tier. BEP 12: when "announce-list" is present
    /// clients use it and ignore "announce".
    public var trackerTiers: [[String]] {
        if !announceList.isEmpty {
            return announceList
        }
        return announce.map { [[$0]] } ?? []
    }

    /// Throws `MetainfoError.unsafeName` unless `name` is usable as a single
    /// file name on the receiving hosts.
    public static func validateName(_ name: String) throws(MetainfoError) {
        if name.isEmpty {
            throw .unsafeName(name, reason: "it is empty")
        }
        if name == "." || name == ".." {
            throw .unsafeName(name, reason: "it refers to a directory, not a file")
        }
        if name.utf8.contains(UInt8(ascii: "/")) {
            throw .unsafeName(name, reason: "it contains '/', so it would write outside the download directory")
        }
        if name.utf8.contains(0) {
            throw .unsafeName(name, reason: "it contains a NUL byte")
        }
        if name.utf8.count > 255 {
            throw .unsafeName(name, reason: "it is \(name.utf8.count) bytes, file names are limited to 255")
        }
    }
}
