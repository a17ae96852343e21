/// What to do with one HTTP request, decided without touching the state:
/// the HTTP handler asks this first and only announces with the right secret
/// and a well-formed query ever reach the tracker state.
struct TrackerRoutes: Sendable {
    enum Decision: Equatable {
        /// Answer at once with this status and bencoded body.
        case respond(status: Int, body: [UInt8])
        /// Hand the announce to the state; the peer is at `address`.
        case announce(AnnounceRequest, address: IPAddress)
        /// Answer with the counts of these swarms.
        case scrape(ScrapeRequest)
    }

    let secret: String?
    let honorsIPParameter: Bool
    let maximumURILength: Int
    let maximumHeaderCount: Int

    func decide(method: String, uri: String, headerCount: Int, remoteAddress: IPAddress?) -> Decision {
        guard uri.utf8.count <= maximumURILength else {
            return failure(status: 414, "the request target is longer than \(maximumURILength) bytes")
        }
        guard headerCount <= maximumHeaderCount else {
            return failure(status: 431, "the request has more than \(maximumHeaderCount) header fields")
        }
        guard method == "GET" else {
            return failure(status: 405, "only GET is supported")
        }
        let path: Substring
        let query: Substring
        if let mark = uri.firstIndex(of: "?") {
            path = uri[uri.startIndex..<mark]
            query = uri[uri.index(after: mark)...]
        } else {
            path = uri[...]
            query = ""
        }
        let expectedPath = secret.map { "/\($0)/announce" } ?? "/announce"
        let scrapePath = secret.map { "/\($0)/scrape" } ?? "/scrape"
        if ConstantTime.equal(Array(path.utf8), Array(scrapePath.utf8)) {
            do {
                return .scrape(try ScrapeRequest(query: Array(query.utf8)))
            } catch {
                return failure(status: 200, error.description)
            }
        }
        guard ConstantTime.equal(Array(path.utf8), Array(expectedPath.utf8)) else {
            // Trackers answer refusals with HTTP 200 and a failure reason so
            // clients show the reason; anything that is not an announce is 404.
            if path.hasSuffix("/announce") || path == "/announce" {
                return failure(status: 200, TrackerError(.wrongSecret).description)
            }
            return failure(status: 404, "no such resource; announce at /<secret>/announce, scrape at /<secret>/scrape")
        }
        let request: AnnounceRequest
        do {
            request = try AnnounceRequest(query: Array(query.utf8))
        } catch {
            return failure(status: 200, error.description)
        }
        var address = remoteAddress
        if honorsIPParameter, let text = request.ip, let given = IPAddress(text) {
            address = given
        }
        guard let address else {
            return failure(status: 200, "the tracker cannot tell the peer's address")
        }
        return .announce(request, address: address)
    }

    private func failure(status: Int, _ reason: String) -> Decision {
        .respond(status: status, body: AnnounceResponse.failureBody(reason: reason))
    }
}
