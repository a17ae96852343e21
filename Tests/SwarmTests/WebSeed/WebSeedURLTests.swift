import Testing

@testable import Swarm

@Suite("Web seed URLs and HTTP ranges")
struct WebSeedURLTests {
    @Test("a URL is taken apart, and one ending in '/' names the torrent's file in that directory (BEP 19)")
    func parsesURLs() throws {
        let file = try WebSeed("http://artifacts.internal:8080/releases/app-42.tar", fileName: "ignored.tar")
        #expect(file.scheme == .http && file.host == "artifacts.internal" && file.port == 8080)
        #expect(file.path == "/releases/app-42.tar" && file.hostHeader == "artifacts.internal:8080")

        let directory = try WebSeed("http://10.0.0.5/releases/", fileName: "app 42.tar", addresses: ["10.0.0.5"])
        #expect(directory.path == "/releases/app%2042.tar" && directory.url == "http://10.0.0.5/releases/app%2042.tar")
        #expect(directory.port == 80 && directory.hostHeader == "10.0.0.5" && directory.addresses == ["10.0.0.5"])

        let secure = try WebSeed("HTTPS://[fd00::5]/a.tar", fileName: "a.tar")
        #expect(secure.scheme == .https && secure.host == "fd00::5" && secure.port == 443 && secure.hostHeader == "[fd00::5]")
        #expect(try WebSeed("http://h", fileName: "a.tar").path == "/")
    }

    @Test("unusable URLs are refused with the reason", arguments: [
        ("ftp://h/a.tar", "does not start with http:// or https://"),
        ("http:///a.tar", "the host is empty"),
        ("http://h:0/a.tar", "not 1...65535"),
        ("http://h:x/a.tar", "not 1...65535"),
        ("http://user@h/a.tar", "user information"),
        ("http://h/a b.tar", "space"),
        ("http://[fd00::5/a.tar", "closing ']'"),
    ])
    func refusesBadURLs(url: String, reason: String) {
        #expect {
            try WebSeed(url, fileName: "a.tar")
        } throws: { error in
            let description = "\(error)"
            return description.contains(reason) && description.contains(url)
        }
    }

    @Test("Content-Range headers are read strictly")
    func contentRange() {
        #expect(ContentRange("bytes 0-99/1000") == ContentRange(start: 0, end: 99, total: 1000))
        #expect(ContentRange("bytes 100-199/*")?.total == nil)
        for bad in [nil, "", "bytes 5-4/10", "bytes 0-9/5", "items 0-1/2", "bytes 0-9", "bytes -5-9/20", "bytes a-9/20"] {
            #expect(ContentRange(bad) == nil, "\(bad ?? "nil")")
        }
    }
}

extension ContentRange {
    init(start: Int64, end: Int64, total: Int64?) {
        self = ContentRange("bytes \(start)-\(end)/\(total.map(String.init) ?? "*")")!
    }
}
