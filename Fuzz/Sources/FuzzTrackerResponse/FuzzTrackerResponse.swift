// Feeds a tracker's HTTP body to AnnounceResponse(bencoded:from:), the client's reading of an announce reply.
// Checks a reply re-encodes (compact and not) and reads back to the same values, and failure reasons round-trip.
import FuzzSupport
import Tracker

private let url = "http://tracker.invalid/announce"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrackerResponse(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let body = fuzzBytes(start, count)
    let response: AnnounceResponse
    do {
        response = try AnnounceResponse(bencoded: body, from: url)
    } catch {
        _ = error.description
        if case .trackerFailure(_, let reason) = error.kind {
            let echoed = Result { try AnnounceResponse(bencoded: AnnounceResponse.failureBody(reason: reason), from: url) }
            guard case .failure(let again as TrackerError) = echoed, case .trackerFailure(_, reason) = again.kind else {
                expect(false, "failure reason '\(reason)' does not survive its own failure body")
                return 0
            }
        }
        return 0
    }
    for peer in response.peers { _ = peer.endpoint.description }

    // Compact: IPv4 peers in "peers", IPv6 in "peers6", no peer ids.
    let compact = response.peers.filter { $0.endpoint.address.isIPv4 } + response.peers.filter { !$0.endpoint.address.isIPv4 }
    var expected = response
    expected.peers = compact.map { AnnouncedPeer(peerID: nil, endpoint: $0.endpoint) }
    let readBack = try? AnnounceResponse(bencoded: response.bencoded(compact: true), from: url)
    expect(readBack == expected, "compact re-encoding reads back differently")

    // Dictionaries keep order and peer ids; they cannot carry port 0, which compact lists can.
    if response.peers.allSatisfy({ $0.endpoint.port > 0 }) {
        let full = try? AnnounceResponse(bencoded: response.bencoded(compact: false), from: url)
        expect(full == response, "dictionary re-encoding reads back differently")
    }
    return 0
}
