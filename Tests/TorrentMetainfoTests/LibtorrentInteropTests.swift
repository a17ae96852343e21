import Foundation
import Testing
import TestSupport
import TorrentMetainfo

/// Our torrents as libtorrent reads them, and libtorrent's torrents as we
/// read them. These run the real library; see `InteropTools`.
@Suite(.interop)
struct LibtorrentInteropTests {
    static let pieceLength = 256 * 1024
    static let trackers = [
        ["http://127.0.0.1:1/announce", "http://127.0.0.1:2/announce"],
        ["http://127.0.0.1:3/announce"],
    ]

    @Test func libtorrentReadsOurTorrentAndVerifiesThePayload() async throws {
        let directory = try TemporaryDirectory("lt-ours")
        let payload = SplitMix64.bytes(count: 3 * TestPayload.mebibyte + 123, seed: 2024)
        try directory.write(payload, to: "release.tar")

        // Hash the payload as the tool will: streamed, in odd-sized chunks.
        var hasher = PieceHasher(pieceLength: Self.pieceLength)
        for start in stride(from: 0, to: payload.count, by: 100_000) {
            payload[start..<min(start + 100_000, payload.count)].withUnsafeBytes { hasher.update($0) }
        }
        var builder = MetainfoBuilder(name: "release.tar", payload: hasher.finish())
        builder.trackers = Self.trackers
        builder.createdBy = "swarmdeploy interop test"
        let metainfo = try builder.build()
        let torrent = try directory.write(metainfo.bytes, to: "release.torrent")

        let report = try await InteropTools.runPython(
            LibtorrentScripts.inspect, [torrent, directory.path], as: LibtorrentReport.self
        )

        #expect(report.infoHash == metainfo.infoHash.hex)
        #expect(report.name == "release.tar")
        #expect(report.totalSize == Int64(payload.count))
        #expect(report.pieceLength == Self.pieceLength)
        #expect(report.numPieces == metainfo.pieceCount)
        #expect(report.numPieces == 13)
        #expect(report.lastPieceSize == metainfo.expectedLength(ofPiece: 12))
        #expect(report.isPrivate == false)
        // BEP 12: libtorrent takes the tiers from announce-list, in order,
        // and shuffles the URLs within each tier, so compare tiers as sets.
        let expectedTrackers = Self.trackers.enumerated().flatMap { tier, urls in
            urls.map { LibtorrentReport.Tracker(tier: tier, url: $0) }
        }
        #expect(report.trackers.map(\.tier) == expectedTrackers.map(\.tier))
        #expect(Set(report.trackers) == Set(expectedTrackers))
        #expect(report.pieceHashes == (0..<metainfo.pieceCount).map { TestPayload.hex(metainfo.pieceHash(at: $0)) })

        // The payload checks out against the piece hashes: in Python's
        // hashlib, and in a libtorrent session that rechecks the file.
        #expect(report.hashlibMatchingPieces == 13)
        #expect(report.hashlibSHA256 == metainfo.payloadSHA256.map { TestPayload.hex($0) })
        #expect(report.libtorrentState == "seeding")
        #expect(report.libtorrentVerifiedPieces == 13)
    }

    @Test func libtorrentSeesThePrivateFlag() async throws {
        let directory = try TemporaryDirectory("lt-private")
        let payload = SplitMix64.bytes(count: 40_000, seed: 8)
        var builder = MetainfoBuilder(name: "p.tar", payload: TestPayload.hash(payload, pieceLength: 16 * 1024))
        builder.isPrivate = true
        builder.trackers = [["http://127.0.0.1:1/announce"]]
        let metainfo = try builder.build()
        let torrent = try directory.write(metainfo.bytes, to: "p.torrent")

        let report = try await InteropTools.runPython(LibtorrentScripts.inspect, [torrent], as: LibtorrentReport.self)
        #expect(report.isPrivate == true)
        #expect(report.infoHash == metainfo.infoHash.hex)
        #expect(report.trackers == [.init(tier: 0, url: "http://127.0.0.1:1/announce")])
        #expect(report.numPieces == 3)
    }

    /// libtorrent 2 writes hybrid v1+v2 torrents by default, whose info
    /// dictionary has keys we do not model ("file tree", "meta version");
    /// the v1 info-hash must still be the SHA-1 of the dictionary as written.
    @Test(arguments: ["v1", "hybrid"])
    func weReadTorrentsLibtorrentCreates(kind: String) async throws {
        let directory = try TemporaryDirectory("lt-theirs")
        let payload = SplitMix64.bytes(count: TestPayload.mebibyte + 777, seed: 77)
        let payloadPath = try directory.write(payload, to: "data.bin")
        let torrent = directory.path("data.torrent")

        let created = try await InteropTools.runPython(
            LibtorrentScripts.create, [payloadPath, torrent, kind], as: LibtorrentCreated.self
        )
        let metainfo = try Metainfo(bytes: directory.read("data.torrent"))

        #expect(metainfo.infoHash.hex == created.infoHash)
        #expect(metainfo.name == "data.bin")
        #expect(metainfo.length == Int64(payload.count))
        #expect(metainfo.pieceLength == Self.pieceLength)
        #expect(metainfo.pieceHashes == TestPayload.hash(payload, pieceLength: Self.pieceLength).pieceHashes)
        #expect(metainfo.payloadSHA256 == nil)
        #expect(metainfo.announce == "http://127.0.0.1:1/announce")
    }
}
