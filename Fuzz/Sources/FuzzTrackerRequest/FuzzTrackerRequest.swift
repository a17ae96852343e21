// Feeds a request target ("/announce?info_hash=...") to the tracker's announce and scrape query parsers, and
// the text to TrackerURL. Checks parsed requests survive the client's query building, and addresses their text form.
import FuzzSupport
import TorrentMetainfo
import Tracker

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrackerRequest(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    // NIO hands the tracker the request target as a String; the routes split it at the first '?'.
    let target = String(decoding: bytes, as: UTF8.self)
    let query = target.firstIndex(of: "?").map { Array(target[target.index(after: $0)...].utf8) } ?? Array(target.utf8)

    checkAnnounce(query)
    checkScrape(query)
    checkTrackerURL(target)
    return 0
}

/// An announce the server accepts is one the client can send again, through any announce URL.
private func checkAnnounce(_ query: [UInt8]) {
    let request: AnnounceRequest
    do {
        request = try AnnounceRequest(query: query)
    } catch {
        _ = error.description
        return
    }
    // Escaping can make the query longer than the server takes; only the client's length limit counts.
    guard request.query.utf8.count + 10 <= AnnounceRequest.maximumQueryLength else { return }
    expect((try? AnnounceRequest(query: request.query)) == request, "the request's own query parses differently")
    // A tracker URL with a query of its own (a passkey) keeps it in front of the announce's.
    let url = try! TrackerURL("http://tracker.invalid:6969/announce?passkey=k")
    let sent = url.requestTarget(query: request.query)
    let sentQuery = Array(sent[sent.index(after: sent.firstIndex(of: "?")!)...].utf8)
    expect((try? AnnounceRequest(query: sentQuery)) == request, "the query sent through a tracker URL parses differently")
    if let text = request.ip, let address = IPAddress(text) {
        expect(IPAddress(address.description) == address, "IP address \(text) does not survive its text form")
        _ = PeerEndpoint(address: address, port: request.port).description
    }
}

/// A scrape's info-hashes, percent-encoded again, parse to the same request.
private func checkScrape(_ query: [UInt8]) {
    let request: ScrapeRequest
    do {
        request = try ScrapeRequest(query: query)
    } catch {
        _ = error.description
        return
    }
    let rebuilt = request.infoHashes.map { "info_hash=" + percentEncoded($0.bytes) }.joined(separator: "&")
    // Escaping every byte can take the query past the server's limit.
    guard rebuilt.utf8.count <= 4 * AnnounceRequest.maximumQueryLength else { return }
    expect((try? ScrapeRequest(query: Array(rebuilt.utf8))) == request, "re-encoded scrape parses differently")
}

/// Every byte as %XX: valid for any query value.
private func percentEncoded(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789ABCDEF")
    return String(bytes.flatMap { ["%", digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
}

/// The client takes announce URLs from torrents; one it accepts must be usable as is.
private func checkTrackerURL(_ text: String) {
    guard let url = try? TrackerURL(text) else { return }
    expect(!url.host.isEmpty && (1...65535).contains(url.port), "URL \(text) gave host '\(url.host)' port \(url.port)")
    expect(url.path.hasPrefix("/"), "URL \(text) gave path '\(url.path)'")
    expect((try? TrackerURL(url.text)) == url, "URL \(text) parses differently the second time")
    let requestTarget = url.requestTarget(query: "a=1")
    expect(requestTarget.hasPrefix(url.path) && requestTarget.hasSuffix("a=1"), "request target '\(requestTarget)' for \(text)")
    expect((try? TrackerTiers([[text]]))?.attemptOrder == [url], "tiers of one URL differ from the URL")
}
