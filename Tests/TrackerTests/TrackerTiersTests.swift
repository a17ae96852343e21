import Testing
@testable import Tracker
import TestSupport

struct TrackerTiersTests {
    @Test func triesTiersInOrderAndPromotesASuccess() throws {
        var tiers = try TrackerTiers([["http://a/announce", "http://b/announce"], [], ["http://c/announce"]])
        #expect(tiers.attemptOrder.map(\.text) == ["http://a/announce", "http://b/announce", "http://c/announce"])
        tiers.recordSuccess(try TrackerURL("http://b/announce"))
        #expect(tiers.tiers.map { $0.map(\.text) } == [["http://b/announce", "http://a/announce"], ["http://c/announce"]])
        tiers.recordSuccess(try TrackerURL("http://c/announce"))
        #expect(tiers.attemptOrder.map(\.text) == ["http://b/announce", "http://a/announce", "http://c/announce"])
    }

    @Test func shufflingKeepsTiersApart() throws {
        let urls = (0..<8).map { "http://t\($0)/announce" }
        var tiers = try TrackerTiers([urls, ["http://last/announce"]])
        var generator = SplitMix64(seed: 13)
        tiers.shuffleWithinTiers(using: &generator)
        #expect(Set(tiers.tiers[0].map(\.text)) == Set(urls))
        #expect(tiers.tiers[0].map(\.text) != urls)
        #expect(tiers.tiers[1].map(\.text) == ["http://last/announce"])
    }

    @Test func refusesNoURLs() {
        #expect(throws: TrackerError.self) { try TrackerTiers([[], []]) }
    }

    @Test(arguments: [
        ("http://127.0.0.1:6969/s3cr3t/announce", "127.0.0.1", 6969, "/s3cr3t/announce"),
        ("http://tracker.lan/announce", "tracker.lan", 80, "/announce"),
        ("HTTP://[::1]:8080/announce?passkey=x", "::1", 8080, "/announce?passkey=x"),
        ("http://host:1", "host", 1, "/"),
    ])
    func parsesHTTPURLs(text: String, host: String, port: Int, path: String) throws {
        let url = try TrackerURL(text)
        #expect(url.host == host && url.port == port && url.path == path)
    }

    @Test func appendsTheQueryAfterAnExistingOne() throws {
        #expect(try TrackerURL("http://h/announce").requestTarget(query: "a=1") == "/announce?a=1")
        #expect(try TrackerURL("http://h/announce?k=v").requestTarget(query: "a=1") == "/announce?k=v&a=1")
        #expect(try TrackerURL("http://[fe80::1]:81/a").hostHeader == "[fe80::1]:81")
    }

    @Test(arguments: [
        "https://tracker/announce", "udp://tracker:6969", "tracker/announce", "http://:80/announce",
        "http://host:0/announce", "http://host:99999/announce", "http://user@host/announce",
        "http://[::1/announce", "http://host/ann ounce",
    ])
    func refusesUnsupportedURLs(text: String) {
        #expect {
            try TrackerURL(text)
        } throws: { error in
            guard let error = error as? TrackerError, case .unsupportedURL(let url, _) = error.kind else { return false }
            return url == text
        }
    }
}
