import TorrentMetainfo

extension AnnounceRequest {
    /// A query longer than this is refused before it is split: a real
    /// announce is about 300 bytes even with every escape.
    public static let maximumQueryLength = 4096

    /// Parses the query string of an announce (the part after '?', without it).
    ///
    /// Strict: required parameters must be present exactly once and well
    /// formed. Parameters this tracker does not use (`supportcrypto`,
    /// `corrupt`, `trackerid`, ...) are ignored, as clients add their own.
    public init(query: String) throws(TrackerError) {
        try self.init(query: Array(query.utf8))
    }

    public init(query: [UInt8]) throws(TrackerError) {
        guard query.count <= Self.maximumQueryLength else {
            throw TrackerError(.malformedQuery("it is \(query.count) bytes, the limit is \(Self.maximumQueryLength)"))
        }
        var parameters: [String: [UInt8]] = [:]
        for (key, value) in try QueryParameters.parse(query) {
            guard parameters[key] == nil else {
                throw TrackerError(.duplicateParameter(key))
            }
            parameters[key] = value
        }
        let reader = ParameterReader(parameters: parameters)
        infoHash = InfoHash(bytes: try reader.fixedBytes("info_hash", count: InfoHash.byteCount))
        peerID = PeerID(bytes: try reader.fixedBytes("peer_id", count: PeerID.byteCount))
        guard let port = UInt16(exactly: try reader.integer("port", in: 1...65535)) else {
            throw TrackerError(.invalidParameter("port", reason: "expected 1...65535"))
        }
        self.port = port
        uploaded = try reader.integer("uploaded", in: 0...Int64.max)
        downloaded = try reader.integer("downloaded", in: 0...Int64.max)
        left = try reader.integer("left", in: 0...Int64.max)
        compact = try reader.flag("compact") ?? true
        noPeerID = try reader.flag("no_peer_id") ?? false
        let eventText = try reader.text("event") ?? ""
        guard let event = Event(rawValue: eventText) else {
            throw TrackerError(.invalidParameter(
                "event", reason: "'\(eventText)' is not one of started, completed, stopped or empty"))
        }
        self.event = event
        numwant = try reader.optionalInteger("numwant", in: 0...Int64(Int32.max)).map { Int($0) }
        key = reader.parameters["key"]
        ip = try reader.text("ip")
    }

    /// The query string for this announce, without the leading '?'. Binary
    /// fields are percent-encoded byte by byte; the order is fixed so the
    /// same request always gives the same string.
    public var query: String {
        var parts: [String] = [
            "info_hash=" + PercentEncoding.encode(infoHash.bytes),
            "peer_id=" + PercentEncoding.encode(peerID.bytes),
            "port=\(port)",
            "uploaded=\(uploaded)",
            "downloaded=\(downloaded)",
            "left=\(left)",
            "compact=\(compact ? 1 : 0)",
        ]
        if noPeerID { parts.append("no_peer_id=1") }
        if event != .none { parts.append("event=\(event.rawValue)") }
        if let numwant { parts.append("numwant=\(numwant)") }
        if let key { parts.append("key=" + PercentEncoding.encode(key)) }
        if let ip { parts.append("ip=" + PercentEncoding.encode(ip.utf8)) }
        return parts.joined(separator: "&")
    }
}

/// Typed access to decoded query parameters, each error naming the parameter.
private struct ParameterReader {
    let parameters: [String: [UInt8]]

    func required(_ name: String) throws(TrackerError) -> [UInt8] {
        guard let value = parameters[name] else {
            throw TrackerError(.missingParameter(name))
        }
        return value
    }

    func fixedBytes(_ name: String, count: Int) throws(TrackerError) -> [UInt8] {
        let value = try required(name)
        guard value.count == count else {
            throw TrackerError(.invalidParameter(
                name, reason: "decodes to \(value.count) bytes, expected \(count) raw bytes (percent-encode each byte)"))
        }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int64>) throws(TrackerError) -> Int64 {
        try Self.parseInteger(name, try required(name), in: range)
    }

    func optionalInteger(_ name: String, in range: ClosedRange<Int64>) throws(TrackerError) -> Int64? {
        guard let value = parameters[name] else { return nil }
        return try Self.parseInteger(name, value, in: range)
    }

    /// "0" or "1"; nil when absent.
    func flag(_ name: String) throws(TrackerError) -> Bool? {
        guard let value = parameters[name] else { return nil }
        switch value {
        case [UInt8(ascii: "0")]: return false
        case [UInt8(ascii: "1")]: return true
        default:
            throw TrackerError(.invalidParameter(name, reason: "'\(Self.show(value))' is not 0 or 1"))
        }
    }

    func text(_ name: String) throws(TrackerError) -> String? {
        guard let value = parameters[name] else { return nil }
        guard let text = String(validating: value, as: UTF8.self) else {
            throw TrackerError(.invalidParameter(name, reason: "is not valid UTF-8 text"))
        }
        return text
    }

    /// Base-ten ASCII digits only: no sign, no spaces, at most 19 digits.
    private static func parseInteger(
        _ name: String, _ value: [UInt8], in range: ClosedRange<Int64>
    ) throws(TrackerError) -> Int64 {
        guard !value.isEmpty, value.count <= 19,
            value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let number = Int64(String(decoding: value, as: UTF8.self))
        else {
            throw TrackerError(.invalidParameter(name, reason: "'\(show(value))' is not a non-negative base-10 integer"))
        }
        guard range.contains(number) else {
            throw TrackerError(.invalidParameter(name, reason: "\(number) is outside \(range.lowerBound)...\(range.upperBound)"))
        }
        return number
    }

    /// The value for an error message: printable ASCII as is, the rest escaped,
    /// cut short so a hostile value cannot flood the log.
    private static func show(_ value: [UInt8]) -> String {
        let shown = value.prefix(32).map { byte in
            byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "'")
                ? String(Character(Unicode.Scalar(byte))) : PercentEncoding.encode([byte])
        }.joined()
        return value.count > 32 ? shown + "..." : shown
    }
}
