import TorrentMetainfo
import Tracker

extension Seeds {
    /// Request targets as clients send them, announce URLs, and replies as the tracker writes them.
    func tracker() throws {
        let infoHash = InfoHash(bytes: (0..<20).map { UInt8($0 * 13) })
        let peerID = PeerID(bytes: Array("-SD0100-0123456789ab".utf8))
        let started = AnnounceRequest(
            infoHash: infoHash, peerID: peerID, port: 6881, uploaded: 0, downloaded: 10, left: 1_000_000,
            compact: true, event: .started, numwant: 50, key: [0x00, 0xFF, 0x41], ip: "fd00::7")
        try write("FuzzTrackerRequest", "announce-started", "/s3cret/announce?" + started.query)
        let plain = AnnounceRequest(infoHash: infoHash, peerID: peerID, port: 1, left: 0, compact: false, noPeerID: true, event: .stopped)
        try write("FuzzTrackerRequest", "announce-stopped", "/announce?" + plain.query + "&supportcrypto=1&ip=10.0.0.9")
        try write("FuzzTrackerRequest", "scrape", "/scrape?info_hash=%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13&info_hash=abcdefghijklmnopqrst")
        try write("FuzzTrackerRequest", "url-ipv6", "http://[fd00::1]:6969/s3cret/announce?passkey=a+b")
        try write("FuzzTrackerRequest", "url-name", "http://Tracker.Example/announce")

        let peers = [
            AnnouncedPeer(peerID: peerID, endpoint: PeerEndpoint(address: IPAddress("10.0.0.2")!, port: 6881)),
            AnnouncedPeer(peerID: nil, endpoint: PeerEndpoint(address: IPAddress("fd00::2")!, port: 51413)),
            AnnouncedPeer(peerID: nil, endpoint: PeerEndpoint(address: IPAddress("::ffff:192.168.1.4")!, port: 1)),
        ]
        let response = AnnounceResponse(
            interval: .seconds(30), minInterval: .seconds(5), complete: 2, incomplete: 7, peers: peers, warning: "slow down")
        try write("FuzzTrackerResponse", "compact", response.bencoded(compact: true))
        try write("FuzzTrackerResponse", "dictionaries", response.bencoded(compact: false))
        try write("FuzzTrackerResponse", "no-peer-ids", response.bencoded(compact: false, includePeerIDs: false))
        try write("FuzzTrackerResponse", "failure", AnnounceResponse.failureBody(reason: "unknown torrent"))
    }
}
