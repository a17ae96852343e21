import Archive
import TorrentMetainfo

/// What the payload is made of and how to describe it as a torrent.
public struct PayloadOptions: Sendable {
    /// The torrent's `name`: the tarball's file name, e.g. "app.tar.gz".
    public var name: String
    /// Piece length in bytes; nil chooses one from the archive's size, no smaller than
    /// `automaticMinimumPieceLength`.
    public var pieceLength: Int?
    public var automaticMinimumPieceLength: Int
    public var compression: ArchiveCompression
    /// Start the data of the largest files on piece boundaries (see
    /// `ArchiveManifest.aligningFiles`), so hosts can reuse the pieces of files they hold.
    /// Only a plain tar is aligned: compressing the whole stream moves every byte anyway.
    public var alignsFiles = true
    /// Take each file's content digest as it is packed (see `ArchiveFileDigests`), for the
    /// archive's index: a plain tar only, as for alignment.
    public var digestsFiles = false
    /// Tracker tiers (BEP 12), first URL of the first tier is `announce`.
    public var trackers: [[String]]
    public var isPrivate: Bool
    /// The torrent's `created by`, e.g. "swarmdeploy 0.1.0"; not part of the info-hash.
    public var createdBy: String?
    /// See `MetainfoBuilder.nonce`.
    public var nonce: [UInt8]?
    /// BEP 19 web seeds for the torrent's "url-list" (see `MetainfoBuilder.webSeeds`).
    public var webSeeds: [String] = []

    public init(
        name: String,
        pieceLength: Int? = nil,
        automaticMinimumPieceLength: Int = PieceLength.automaticMinimum,
        compression: ArchiveCompression = .none,
        trackers: [[String]] = [],
        isPrivate: Bool = false,
        createdBy: String? = nil
    ) {
        self.name = name
        self.pieceLength = pieceLength
        self.automaticMinimumPieceLength = automaticMinimumPieceLength
        self.compression = compression
        self.trackers = trackers
        self.isPrivate = isPrivate
        self.createdBy = createdBy
    }
}

/// A packed and hashed payload: the tree it came from, the tarball's length and its torrent.
public struct Payload: Sendable {
    public let manifest: ArchiveManifest
    public let archiveLength: Int64
    public let metainfo: Metainfo
    /// Each regular file's content digest by entry, when `PayloadOptions.digestsFiles` asked.
    public let fileDigests: [Int: FileDigest]

    /// The archive's index (see `ArchiveIndex`): the manifest and the file digests.
    public var index: ArchiveIndex { ArchiveIndex(manifest: manifest, digests: fileDigests) }
}

/// Packs a scanned tree into a tarball and hashes it into a torrent in one streaming pass.
///
/// The tarball is handed to `output` chunk by chunk and never held whole here, so the
/// caller decides whether it goes to a file, to memory or nowhere (a dry run).
public enum PayloadBuilder {
    public static func build(
        _ manifest: ArchiveManifest,
        options: PayloadOptions,
        progress: ((_ archiveBytesDone: Int64) -> Void)? = nil,
        output: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Payload {
        // The plain tar's length is known before writing; a compressed one is smaller,
        // so sizing pieces from the tar errs towards fewer, larger pieces.
        let pieceLength = try options.pieceLength.map { length in
            try PieceLength.validate(length)
            return length
        } ?? PieceLength.automatic(
            forPayloadLength: manifest.tarLength, minimum: options.automaticMinimumPieceLength)

        let manifest = options.alignsFiles && options.compression == .none
            ? try manifest.aligningFiles(toPieceLength: pieceLength) : manifest
        let hasher = BackgroundHasher(pieceLength: pieceLength)
        var digests = options.digestsFiles && options.compression == .none ? ArchiveFileDigests(manifest) : nil
        var written: Int64 = 0
        do {
            _ = try ArchivePacker.pack(manifest, options: PackOptions(compression: options.compression)) { chunk in
                hasher.update(chunk)
                digests?.update(chunk)
                try output(chunk)
                written += Int64(chunk.count)
                progress?(written)
            }
        } catch {
            _ = hasher.finish()  // let the hashing thread drain before the error leaves
            throw error
        }
        let hashed = hasher.finish()

        var builder = MetainfoBuilder(name: options.name, payload: hashed)
        builder.trackers = options.trackers
        builder.isPrivate = options.isPrivate
        builder.createdBy = options.createdBy
        builder.nonce = options.nonce
        builder.webSeeds = options.webSeeds
        // A host needs both before it downloads; with them a packed release can be pushed
        // from a machine that does not hold its tarball.
        builder.tarLength = manifest.tarLength
        builder.treeBytes = manifest.payloadBytes
        return Payload(
            manifest: manifest, archiveLength: hashed.length, metainfo: try builder.build(), fileDigests: digests?.digests ?? [:])
    }
}

extension PayloadOptions {
    /// The tarball's name for a source directory: "build/" gives "build.tar" (or "build.tar.gz",
    /// "build.tar.zst"), so `push --dry-run` and `pack DIR -o DIR-NAME` show the same info-hash.
    public static func tarballName(forSource source: String, compression: ArchiveCompression) -> String {
        var base = Substring(source)
        while base.count > 1, base.hasSuffix("/") { base = base.dropLast() }
        var name = base.split(separator: "/").last.map(String.init) ?? "payload"
        if name.isEmpty || name == "." || name == ".." { name = "payload" }
        return name + compression.fileExtension
    }
}
