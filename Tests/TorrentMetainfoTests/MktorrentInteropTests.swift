import Foundation
import Testing
import TorrentMetainfo

/// Torrents written by mktorrent, read by us and by libtorrent.
@Suite(.disabled(if: InteropTools.isSkipped, "SWARMDEPLOY_SKIP_INTEROP=1"))
struct MktorrentInteropTests {
    @Test func weAgreeWithLibtorrentOnMktorrentsInfoHash() throws {
        let mktorrent = try InteropTools.requireMktorrent()
        let directory = try TemporaryDirectory(prefix: "mktorrent")
        let payload = TestPayload.bytes(count: 2 * TestPayload.mebibyte + 4321, seed: 314)
        try directory.write(payload, to: "payload")

        let result = try ProcessRunner.run(
            mktorrent, ["-l", "18", "-a", "http://127.0.0.1:1/announce", "-o", "out.torrent", "payload"],
            in: directory.url
        )
        try #require(result.succeeded, "mktorrent failed (\(result.status)): \(result.standardError)")

        let metainfo = try Metainfo(bytes: directory.read("out.torrent"))
        let report = try InteropTools.runPython(
            LibtorrentScripts.inspect, [directory.file("out.torrent").path, directory.url.path], as: LibtorrentReport.self
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
