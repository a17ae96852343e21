import Bencode
import TorrentMetainfo

extension AnnounceResponse {
    /// The body the tracker sends: a bencoded dictionary per BEP 3.
    ///
    /// With `compact`, IPv4 peers go in `peers` as 6 bytes each (BEP 23: "4
    /// bytes of IP address, 2 bytes of port, all in network byte order") and
    /// IPv6 peers in `peers6` as 18 bytes each (BEP 7). Without it, `peers` is
    /// a list of dictionaries with `peer id` (unless `includePeerIDs` is
    /// false, for `no_peer_id`), `ip` as text and `port`.
    public func bencoded(compact: Bool, includePeerIDs: Bool = true) -> [UInt8] {
        var dictionary = BencodeDictionary()
        dictionary["interval"] = .integer(interval.components.seconds)
        if let minInterval {
            dictionary["min interval"] = .integer(minInterval.components.seconds)
        }
        if let complete { dictionary["complete"] = .integer(Int64(complete)) }
        if let incomplete { dictionary["incomplete"] = .integer(Int64(incomplete)) }
        if let warning { dictionary["warning message"] = .string(warning) }
        if compact {
            var v4: [UInt8] = []
            var v6: [UInt8] = []
            for peer in peers {
                let port = [UInt8(peer.endpoint.port >> 8), UInt8(peer.endpoint.port & 0xFF)]
                switch peer.endpoint.address {
                case .v4(let bytes): v4 += bytes + port
                case .v6(let bytes): v6 += bytes + port
                }
            }
            dictionary["peers"] = .bytes(v4)
            if !v6.isEmpty { dictionary["peers6"] = .bytes(v6) }
        } else {
            dictionary["peers"] = .list(peers.map { peer in
                var entry = BencodeDictionary()
                if includePeerIDs, let peerID = peer.peerID {
                    entry["peer id"] = .bytes(peerID.bytes)
                }
                entry["ip"] = .string(peer.endpoint.address.description)
                entry["port"] = .integer(Int64(peer.endpoint.port))
                return .dictionary(entry)
            })
        }
        return BencodeEncoder.encode(.dictionary(dictionary))
    }

    /// BEP 3: "If a tracker response has a key failure reason, then that maps
    /// to a human readable string which explains why the query failed, and no
    /// other keys are required."
    public static func failureBody(reason: String) -> [UInt8] {
        BencodeEncoder.encode(["failure reason": .string(reason)])
    }

    /// The largest response body the client accepts; 200 non-compact peers
    /// take about 20 KB.
    public static let maximumBodyLength = 512 * 1024

    /// Parses a tracker's answer. A `failure reason` becomes
    /// `TrackerError.trackerFailure`; `url` only names the tracker in errors.
    /// Peers given by host name rather than address are skipped: a swarm on
    /// a LAN is addressed by IP.
    public init(bencoded body: [UInt8], from url: String) throws(TrackerError) {
        func invalid(_ reason: String) -> TrackerError {
            TrackerError(.invalidResponse(url: url, reason: reason))
        }
        let root: BencodeValue
        do {
            root = try BencodeDecoder(limits: .init(maximumDepth: 4, maximumInputLength: Self.maximumBodyLength))
                .decode(body)
        } catch {
            throw invalid("\(error)")
        }
        guard root.dictionary != nil else {
            throw invalid("expected a dictionary, got a \(root.typeName)")
        }
        if let failure = root["failure reason"] {
            let reason = failure.bytes.map { String(decoding: $0, as: UTF8.self) } ?? "\(failure.typeName)"
            throw TrackerError(.trackerFailure(url: url, reason: reason))
        }
        func seconds(_ key: String) throws(TrackerError) -> Duration? {
            guard let value = root[key] else { return nil }
            guard let number = value.integer, number >= 0, number <= 86_400 * 365 else {
                throw invalid("'\(key)' must be a non-negative number of seconds")
            }
            return .seconds(number)
        }
        func count(_ key: String) throws(TrackerError) -> Int? {
            guard let value = root[key] else { return nil }
            guard let number = value.integer, number >= 0, let result = Int(exactly: number) else {
                throw invalid("'\(key)' must be a non-negative integer")
            }
            return result
        }
        guard let interval = try seconds("interval") else {
            throw invalid("'interval' is missing")
        }
        self.interval = interval
        minInterval = try seconds("min interval")
        complete = try count("complete")
        incomplete = try count("incomplete")
        warning = root["warning message"]?.bytes.map { String(decoding: $0, as: UTF8.self) }
        peers = []
        switch root["peers"] {
        case nil:
            break
        case .bytes(let compact)?:
            peers += try Self.compactPeers(compact, stride: 6, key: "peers", url: url)
        case .list(let list)?:
            for (index, entry) in list.enumerated() {
                guard let dictionary = entry.dictionary else {
                    throw invalid("peers[\(index)] is a \(entry.typeName), expected a dictionary")
                }
                guard let port = dictionary["port"]?.integer, let port = UInt16(exactly: port), port > 0 else {
                    throw invalid("peers[\(index)] has no valid 'port'")
                }
                guard let host = dictionary["ip"]?.string else {
                    throw invalid("peers[\(index)] has no 'ip' text")
                }
                guard let address = IPAddress(host) else { continue }
                let peerID = dictionary["peer id"]?.bytes.flatMap { $0.count == PeerID.byteCount ? PeerID(bytes: $0) : nil }
                peers.append(AnnouncedPeer(peerID: peerID, endpoint: PeerEndpoint(address: address, port: port)))
            }
        case let other?:
            throw invalid("'peers' is a \(other.typeName), expected a byte string or a list")
        }
        switch root["peers6"] {
        case nil:
            break
        case .bytes(let compact)?:
            peers += try Self.compactPeers(compact, stride: 18, key: "peers6", url: url)
        case let other?:
            throw invalid("'peers6' is a \(other.typeName), expected a byte string")
        }
    }

    private static func compactPeers(
        _ bytes: [UInt8], stride: Int, key: String, url: String
    ) throws(TrackerError) -> [AnnouncedPeer] {
        guard bytes.count % stride == 0 else {
            throw TrackerError(.invalidResponse(
                url: url, reason: "'\(key)' is \(bytes.count) bytes, not a multiple of \(stride)"))
        }
        var peers: [AnnouncedPeer] = []
        peers.reserveCapacity(bytes.count / stride)
        for start in Swift.stride(from: 0, to: bytes.count, by: stride) {
            let addressBytes = Array(bytes[start..<(start + stride - 2)])
            let port = UInt16(bytes[start + stride - 2]) << 8 | UInt16(bytes[start + stride - 1])
            let address: IPAddress = stride == 6 ? .v4(addressBytes) : IPAddress(v6Bytes: addressBytes)
            peers.append(AnnouncedPeer(peerID: nil, endpoint: PeerEndpoint(address: address, port: port)))
        }
        return peers
    }
}
