import Bencode
import Testing
@testable import Tracker
import PeerWire
import TorrentMetainfo

struct AnnounceResponseTests {
    static let peerA = AnnouncedPeer(
        peerID: PeerID(bytes: Array("AAAAAAAAAAAAAAAAAAAA".utf8)),
        endpoint: PeerEndpoint(address: IPAddress("127.0.0.1")!, port: 6881))
    static let peerB = AnnouncedPeer(
        peerID: PeerID(bytes: Array("BBBBBBBBBBBBBBBBBBBB".utf8)),
        endpoint: PeerEndpoint(address: IPAddress("10.1.2.3")!, port: 0x1AE2))
    static let peerC = AnnouncedPeer(
        peerID: PeerID(bytes: Array("CCCCCCCCCCCCCCCCCCCC".utf8)),
        endpoint: PeerEndpoint(address: IPAddress("2001:db8::7")!, port: 443))

    static let response = AnnounceResponse(
        interval: .seconds(10), minInterval: .seconds(5), complete: 1, incomplete: 2, peers: [peerA, peerB, peerC])

    /// Hand-written bencode: text and raw bytes, concatenated.
    struct Part: ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
        let bytes: [UInt8]
        init(stringLiteral text: String) { bytes = Array(text.utf8) }
        init(arrayLiteral elements: UInt8...) { bytes = elements }
    }

    static func bytes(_ parts: Part...) -> [UInt8] {
        parts.flatMap(\.bytes)
    }

    @Test func compactPutsIPv4InPeersAndIPv6InPeers6() {
        let expected = Self.bytes(
            "d8:completei1e10:incompletei2e8:intervali10e12:min intervali5e",
            "5:peers12:", [127, 0, 0, 1, 0x1A, 0xE1, 10, 1, 2, 3, 0x1A, 0xE2],
            "6:peers618:", [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0x01, 0xBB],
            "e")
        #expect(Self.response.bencoded(compact: true) == expected)
    }

    @Test func compactWithoutIPv6PeersHasNoPeers6() {
        var response = Self.response
        response.peers = [Self.peerB]
        #expect(response.bencoded(compact: true) == Self.bytes(
            "d8:completei1e10:incompletei2e8:intervali10e12:min intervali5e5:peers6:", [10, 1, 2, 3, 0x1A, 0xE2], "e"))
    }

    @Test func nonCompactListsDictionariesWithPeerIDs() {
        let expected = Self.bytes(
            "d8:completei1e10:incompletei2e8:intervali10e12:min intervali5e5:peersl",
            "d2:ip9:127.0.0.17:peer id20:AAAAAAAAAAAAAAAAAAAA4:porti6881ee",
            "d2:ip8:10.1.2.37:peer id20:BBBBBBBBBBBBBBBBBBBB4:porti6882ee",
            "d2:ip11:2001:db8::77:peer id20:CCCCCCCCCCCCCCCCCCCC4:porti443ee",
            "ee")
        #expect(Self.response.bencoded(compact: false) == expected)
    }

    @Test func nonCompactWithoutPeerIDs() {
        var response = Self.response
        response.peers = [Self.peerA]
        response.minInterval = nil
        response.complete = nil
        response.incomplete = nil
        #expect(response.bencoded(compact: false, includePeerIDs: false)
            == Self.bytes("d8:intervali10e5:peersld2:ip9:127.0.0.14:porti6881eeee"))
    }

    @Test func failureCarriesOnlyTheReason() {
        #expect(AnnounceResponse.failureBody(reason: "no such torrent")
            == Self.bytes("d14:failure reason15:no such torrente"))
    }

    @Test func clientDecodesWhatTheServerEncodes() throws {
        let compact = try AnnounceResponse(bencoded: Self.response.bencoded(compact: true), from: "test")
        var withoutIDs = Self.response
        withoutIDs.peers = Self.response.peers.map { AnnouncedPeer(peerID: nil, endpoint: $0.endpoint) }
        #expect(compact == withoutIDs)
        let full = try AnnounceResponse(bencoded: Self.response.bencoded(compact: false), from: "test")
        #expect(full == Self.response)
    }

    @Test func clientReadsAWarningAndAnIPv4MappedAddress() throws {
        let body = Self.bytes(
            "d8:intervali30e5:peersld2:ip16:::ffff:192.0.2.54:porti1ee",
            "d2:ip15:tracker.example4:porti2eee",
            "15:warning message4:slowe")
        let response = try AnnounceResponse(bencoded: body, from: "test")
        #expect(response.warning == "slow")
        #expect(response.interval == .seconds(30))
        #expect(response.peers == [AnnouncedPeer(peerID: nil, endpoint: PeerEndpoint(address: .v4([192, 0, 2, 5]), port: 1))])
    }

    @Test func clientTurnsAFailureReasonIntoAnError() {
        #expect(throws: TrackerError(.trackerFailure(url: "http://t/announce", reason: "no such torrent"))) {
            try AnnounceResponse(bencoded: Self.bytes("d14:failure reason15:no such torrente"), from: "http://t/announce")
        }
    }

    @Test(arguments: [
        "i3e",
        "d5:peers0:e",
        "d8:intervali-1e5:peers0:e",
        "d8:intervali10e5:peers5:abcdee",
        "d8:intervali10e5:peersi3ee",
        "d8:intervali10e6:peers62:abe",
        "d8:intervali10e5:peersld2:ip9:127.0.0.1eee",
        "d8:intervali10e",
    ])
    func clientRefusesMalformedResponses(body: String) {
        #expect {
            try AnnounceResponse(bencoded: Array(body.utf8), from: "test")
        } throws: { error in
            guard let error = error as? TrackerError, case .invalidResponse = error.kind else { return false }
            return true
        }
    }
}
