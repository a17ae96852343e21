import Bencode
import TorrentMetainfo
import Testing
@testable import Tracker

/// Scrape (BEP 48): the route, the query, the counts and the bencoded answer.
@Suite struct ScrapeTests {
    static let routes = TrackerRoutes(secret: "s3cr3t", honorsIPParameter: false, maximumURILength: 512, maximumHeaderCount: 8)

    static func escaped(_ hash: InfoHash) -> String {
        hash.bytes.map { "%" + String($0, radix: 16, uppercase: true).leftPadded() }.joined()
    }

    @Test func theScrapeURLIsTheAnnounceURLWithScrape() {
        let a = Fixtures.infoHash(1), b = Fixtures.infoHash(2)
        let uri = "/s3cr3t/scrape?info_hash=\(Self.escaped(a))&info_hash=\(Self.escaped(b))&peer_id=x"
        let decision = Self.routes.decide(method: "GET", uri: uri, headerCount: 2, remoteAddress: nil)
        #expect(decision == .scrape(ScrapeRequest(infoHashes: [a, b])))
        #expect(Self.routes.decide(method: "GET", uri: "/s3cr3t/scrape", headerCount: 2, remoteAddress: nil) == .scrape(ScrapeRequest(infoHashes: [])))
    }

    @Test func aShortInfoHashIsRefused() {
        #expect(throws: TrackerError.self) { try ScrapeRequest(query: Array("info_hash=%01%02".utf8)) }
    }

    /// Seeders, leechers and everyone who ever finished, for served torrents only.
    @Test func countsFollowTheSwarm() {
        var harness = StateHarness()
        harness.announce("A", left: 0, event: .started)
        harness.announce("B", left: 500, event: .started)
        harness.announce("C", left: 0, event: .completed)
        harness.announce("C", left: 0, event: .stopped)
        let unknown = Fixtures.infoHash(0x77)
        let files = harness.state.scrape(ScrapeRequest(infoHashes: [StateHarness.torrent, unknown]))
        #expect(files == [StateHarness.torrent: ScrapeCounts(complete: 1, incomplete: 1, downloaded: 2)])
        #expect(harness.state.scrape(ScrapeRequest(infoHashes: [])) == files)
    }

    @Test func theAnswerIsTheConventionalDictionary() throws {
        let hash = Fixtures.infoHash(9)
        let body = ScrapeCounts.bencoded([hash: ScrapeCounts(complete: 3, incomplete: 4, downloaded: 5)])
        let expected = Array("d5:filesd20:".utf8) + hash.bytes + Array("d8:completei3e10:downloadedi5e10:incompletei4eeee".utf8)
        #expect(body == expected)
    }
}

extension String {
    fileprivate func leftPadded() -> String { count == 1 ? "0" + self : self }
}
