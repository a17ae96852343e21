import Foundation
import Testing
import TestSupport
import TorrentMetainfo

/// Torrents written by mktorrent, read by us and by libtorrent.
@Suite(.interop)
struct MktorrentInteropTests {
    @Test func weAgreeWithLibtorrentOnMktorrentsInfoHash() async throws {
        let mktorrent = try InteropTools.requireMktorrent()
        let directory = try TemporaryDirectory("mktorrent")
        let payload = SplitMix64.bytes(count: 2 * TestPayload.mebibyte + 4321, seed: 314)
        try directory.write(payload, to: "payload")

        let result = try await ProcessRunner.run(
            mktorrent, ["-l", "18", "-a", "http://127.0.0.1:1/announce", "-o", "out.torrent", "payload"],
            in: directory.path
        )
        try #require(result.succeeded, "mktorrent failed (\(result.status)): \(result.stderr)")

        let metainfo = try Metainfo(bytes: directory.read("out.torrent"))
        let report = try await InteropTools.runPython(
            LibtorrentScripts.inspect, [directory.path("out.torrent"), directory.path], as: LibtorrentReport.self
        )

        #expect(metainfo.infoHash.hex == report.infoHash)
        #expect(metainfo.name == "payload" && report.name == "payload")
        #expect(metainfo.length == Int64(payload.count) && report.totalSize == Int64(payload.count))
        #expect(metainfo.pieceLength == 1 << 18 && report.pieceLength == 1 << 18)
        #expect(metainfo.pieceCount == 9 && report.numPieces == 9)
        #expect(metainfo.announce == "http://127.0.0.1:1/announce")
        #expect(metainfo.createdBy?.hasPrefix("mktorrent") == true)
        // mktorrent's piece hashes equal ours for the same bytes.
        #expect(metainfo.pieceHashes == TestPayload.hash(payload, pieceLength: 1 << 18).pieceHashes)
        #expect(report.libtorrentVerifiedPieces == 9)
    }
}
