import Bencode
import TorrentMetainfo

/// A scrape: the counts of one or more swarms, by the convention most trackers follow (the
/// announce URL with "announce" replaced by "scrape"; BEP 48). Transmission asks for it.
public struct ScrapeRequest: Sendable, Equatable {
    /// The torrents asked about; empty asks about every torrent the tracker serves.
    public var infoHashes: [InfoHash]

    /// More than this many torrents in one scrape is refused.
    public static let maximumInfoHashes = 256

    public init(infoHashes: [InfoHash]) {
        self.infoHashes = infoHashes
    }

    /// Parses the query string (after '?'): `info_hash` may repeat; other parameters are ignored.
    public init(query: [UInt8]) throws(TrackerError) {
        guard query.count <= AnnounceRequest.maximumQueryLength * 4 else {
            throw TrackerError(.malformedQuery("it is \(query.count) bytes, the limit is \(AnnounceRequest.maximumQueryLength * 4)"))
        }
        var hashes: [InfoHash] = []
        for (name, value) in try QueryParameters.parse(query) where name == "info_hash" {
            guard value.count == InfoHash.byteCount else {
                throw TrackerError(.invalidParameter("info_hash", reason: "expected \(InfoHash.byteCount) bytes, got \(value.count)"))
            }
            hashes.append(InfoHash(bytes: value))
        }
        guard hashes.count <= Self.maximumInfoHashes else {
            throw TrackerError(.malformedQuery("it asks about \(hashes.count) torrents, the limit is \(Self.maximumInfoHashes)"))
        }
        infoHashes = hashes
    }
}

/// What a scrape answers for each torrent: BEP 48 `complete` (seeders), `incomplete`
/// (leechers) and `downloaded` (peers that ever finished).
public struct ScrapeCounts: Sendable, Equatable {
    public var complete: Int
    public var incomplete: Int
    public var downloaded: Int

    public init(complete: Int, incomplete: Int, downloaded: Int) {
        self.complete = complete
        self.incomplete = incomplete
        self.downloaded = downloaded
    }

    /// `d5:filesd<20-byte info-hash>d8:completei…e10:downloadedi…e10:incompletei…eeee`.
    public static func bencoded(_ files: [InfoHash: ScrapeCounts]) -> [UInt8] {
        var entries = BencodeDictionary()
        for (infoHash, counts) in files {
            var entry = BencodeDictionary()
            entry["complete"] = .integer(Int64(counts.complete))
            entry["downloaded"] = .integer(Int64(counts.downloaded))
            entry["incomplete"] = .integer(Int64(counts.incomplete))
            entries[infoHash.bytes] = .dictionary(entry)
        }
        var top = BencodeDictionary()
        top["files"] = .dictionary(entries)
        return BencodeEncoder.encode(.dictionary(top))
    }
}

extension TrackerState {
    /// The counts for each torrent asked about that this tracker serves (every registered
    /// one when none is named); unknown info-hashes are left out, as trackers do.
    public func scrape(_ request: ScrapeRequest) -> [InfoHash: ScrapeCounts] {
        let asked = request.infoHashes.isEmpty ? Array(registeredTorrents) : request.infoHashes
        var files: [InfoHash: ScrapeCounts] = [:]
        for infoHash in asked where isRegistered(infoHash) {
            let live = peers(of: infoHash)
            let seeders = live.count { $0.isComplete }
            files[infoHash] = ScrapeCounts(
                complete: seeders, incomplete: live.count - seeders, downloaded: completedCount(of: infoHash)
            )
        }
        return files
    }
}
