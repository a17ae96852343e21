import Testing
@testable import Tracker

struct TrackerRoutesTests {
    static let routes = TrackerRoutes(secret: "s3cr3t", honorsIPParameter: false, maximumURILength: 512, maximumHeaderCount: 8)
    static let query = AnnounceRequest(infoHash: Fixtures.infoHash(1), peerID: Fixtures.peerID("A"), port: 6881, left: 1).query
    static let remote = IPAddress("192.0.2.1")!

    func expectFailure(_ decision: TrackerRoutes.Decision, status: Int, containing text: String) {
        guard case .respond(let actualStatus, let body) = decision else {
            Issue.record("expected a refusal, got \(decision)")
            return
        }
        #expect(actualStatus == status)
        #expect {
            try AnnounceResponse(bencoded: body, from: "t")
        } throws: { error in
            guard let error = error as? TrackerError, case .trackerFailure(_, let reason) = error.kind else { return false }
            return reason.contains(text)
        }
    }

    @Test func routesAnAnnounceWithTheSecret() {
        let decision = Self.routes.decide(method: "GET", uri: "/s3cr3t/announce?" + Self.query, headerCount: 3, remoteAddress: Self.remote)
        #expect(decision == .announce(try! AnnounceRequest(query: Self.query), address: Self.remote))
    }

    @Test(arguments: ["/announce", "/wrong/announce", "/s3cr3u/announce", "/S3CR3T/announce", "/s3cr3t/x/announce"])
    func refusesAWrongSecretWithAFailureReason(path: String) {
        expectFailure(
            Self.routes.decide(method: "GET", uri: path + "?" + Self.query, headerCount: 3, remoteAddress: Self.remote),
            status: 200, containing: "secret")
    }

    @Test func refusesOtherPathsMethodsAndOversizedRequests() {
        expectFailure(Self.routes.decide(method: "GET", uri: "/s3cr3t/status", headerCount: 1, remoteAddress: Self.remote), status: 404, containing: "no such resource")
        expectFailure(Self.routes.decide(method: "GET", uri: "/wrong/scrape", headerCount: 1, remoteAddress: Self.remote), status: 404, containing: "no such resource")
        expectFailure(Self.routes.decide(method: "POST", uri: "/s3cr3t/announce?" + Self.query, headerCount: 1, remoteAddress: Self.remote), status: 405, containing: "GET")
        expectFailure(Self.routes.decide(method: "GET", uri: "/s3cr3t/announce?" + Self.query + String(repeating: "x", count: 512), headerCount: 1, remoteAddress: Self.remote), status: 414, containing: "512")
        expectFailure(Self.routes.decide(method: "GET", uri: "/s3cr3t/announce?" + Self.query, headerCount: 9, remoteAddress: Self.remote), status: 431, containing: "8 header")
    }

    @Test func reportsAMalformedAnnounceAsAFailureReason() {
        expectFailure(
            Self.routes.decide(method: "GET", uri: "/s3cr3t/announce?port=1", headerCount: 1, remoteAddress: Self.remote),
            status: 200, containing: "'info_hash'")
    }

    @Test func honoursTheIPParameterOnlyWhenConfigured() throws {
        var request = try AnnounceRequest(query: Self.query)
        request.ip = "10.9.8.7"
        let uri = "/s3cr3t/announce?" + request.query
        #expect(Self.routes.decide(method: "GET", uri: uri, headerCount: 1, remoteAddress: Self.remote) == .announce(request, address: Self.remote))
        let trusting = TrackerRoutes(secret: "s3cr3t", honorsIPParameter: true, maximumURILength: 512, maximumHeaderCount: 8)
        #expect(trusting.decide(method: "GET", uri: uri, headerCount: 1, remoteAddress: Self.remote) == .announce(request, address: IPAddress("10.9.8.7")!))
    }

    @Test func withoutASecretServesPlainAnnounce() {
        let open = TrackerRoutes(secret: nil, honorsIPParameter: false, maximumURILength: 512, maximumHeaderCount: 8)
        #expect(open.decide(method: "GET", uri: "/announce?" + Self.query, headerCount: 1, remoteAddress: Self.remote)
            == .announce(try! AnnounceRequest(query: Self.query), address: Self.remote))
    }

    @Test func comparesSecretsExactly() {
        #expect(ConstantTime.equal(Array("abc".utf8), Array("abc".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abd".utf8)))
        #expect(!ConstantTime.equal(Array("abc".utf8), Array("abcd".utf8)))
    }
}
