import ArgumentParser
import Archive
import DeployConfiguration
import TorrentMetainfo

/// Flags that shape the tarball and its torrent, shared by `push` and `pack`.
struct PayloadFlags: ParsableArguments {
    @Option(
        name: .customLong("piece-size"),
        help: ArgumentHelp(
            "Torrent piece size, a power of two from 16KiB to 64MiB (e.g. 1MiB), or 'auto'.",
            discussion: "auto picks the smallest power of two up to 16MiB that gives at most 4,000 pieces, from 64KiB for push (its torrent lives only among its own hosts) and from 256KiB for pack.",
            valueName: "size"
        )
    )
    var pieceSize: String?

    @Option(
        name: .customLong("compress"),
        help: ArgumentHelp(
            "Compress the tarball: none, gzip[=1-9] or zstd[=1-19] (default: none).",
            discussion: "zstd alone means level \(SettingParsers.defaultZstdLevel). Hosts cannot build the pieces of a compressed tarball from the files they hold; see the README's codec table for when compression pays.",
            valueName: "codec[=level]"
        )
    )
    var compress: String?

    @Option(
        name: .customLong("gzip"),
        help: ArgumentHelp(
            "Compress the tarball with gzip (as --compress gzip=LEVEL); '--gzip' alone means level \(SettingParsers.defaultGzipLevel).",
            discussion: "Off by default: on a fast LAN compressing usually costs more time than it saves.",
            valueName: "level"
        )
    )
    var gzipLevel: Int?

    @Option(
        name: .customLong("tracker"),
        help: ArgumentHelp(
            "Tracker announce URL; repeat for more tiers, separate URLs of one tier with commas (BEP 12).",
            valueName: "url"
        )
    )
    var trackers: [String] = []

    /// Piece size in bytes, nil for automatic.
    func pieceLength() throws(CommandFailure) -> Int? {
        guard let pieceSize, pieceSize != "auto" else { return nil }
        do {
            let length = try SettingParsers.size(pieceSize)
            try PieceLength.validate(length)
            return length
        } catch {
            throw .badInput("--piece-size \(pieceSize): \(error)")
        }
    }

    /// The compression `--compress` or `--gzip` asks for; nil when neither is given.
    func compression() throws(CommandFailure) -> ArchiveCompression? {
        if let gzipLevel {
            guard compress == nil else { throw .badInput("--compress and --gzip both ask for a codec; give one") }
            guard (1...9).contains(gzipLevel) else {
                throw .badInput("--gzip=\(gzipLevel): the level must be 1 (fastest) to 9 (smallest)")
            }
            return .gzip(level: gzipLevel)
        }
        guard let compress else { return nil }
        do {
            return try SettingParsers.compression(compress)
        } catch {
            throw .badInput("--compress \(compress): \(error)")
        }
    }

    /// Tracker tiers: each `--tracker` is a tier, commas separate URLs within it.
    func trackerTiers() throws(CommandFailure) -> [[String]] {
        try trackers.map { flag throws(CommandFailure) in
            let urls = flag.split(separator: ",").map { String($0).trimmingSpaces() }
            for url in urls where !(url.hasPrefix("http://") || url.hasPrefix("https://") || url.hasPrefix("udp://")) {
                throw .badInput("--tracker \(url): an announce URL starts with http://, https:// or udp://")
            }
            return urls
        }.filter { !$0.isEmpty }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while view.first?.isWhitespace == true { view = view.dropFirst() }
        while view.last?.isWhitespace == true { view = view.dropLast() }
        return String(view)
    }
}
