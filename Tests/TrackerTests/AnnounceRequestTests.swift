import Testing
import TorrentMetainfo
@testable import Tracker
import PeerWire
import TestSupport

struct AnnounceRequestTests {
    /// Info-hash bytes 0x00...0x13 escaped byte by byte, in upper case.
    static let escapedUpper = (0..<20).map { "%" + hex($0, uppercase: true) }.joined()
    static let peerIDText = "-SD0001-abcdefghijkl"

    static func hex(_ byte: Int, uppercase: Bool) -> String {
        let text = String(byte, radix: 16, uppercase: uppercase)
        return text.count == 1 ? "0" + text : text
    }

    static func query(replacing name: String? = nil, with value: String? = nil, dropping dropped: String? = nil) -> String {
        var fields: [(String, String)] = [
            ("info_hash", escapedUpper), ("peer_id", peerIDText), ("port", "6881"),
            ("uploaded", "10"), ("downloaded", "20"), ("left", "30"),
        ]
        if let name, let value {
            if let index = fields.firstIndex(where: { $0.0 == name }) {
                fields[index].1 = value
            } else {
                fields.append((name, value))
            }
        }
        fields.removeAll { $0.0 == dropped }
        return fields.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    @Test func parsesAMinimalAnnounceWithDefaults() throws {
        let request = try AnnounceRequest(query: Self.query())
        #expect(request.infoHash.bytes == (0..<20).map { UInt8($0) })
        #expect(request.peerID.bytes == Array(Self.peerIDText.utf8))
        #expect(request.port == 6881)
        #expect(request.uploaded == 10)
        #expect(request.downloaded == 20)
        #expect(request.left == 30)
        #expect(request.compact == true)
        #expect(request.noPeerID == false)
        #expect(request.event == .none)
        #expect(request.numwant == nil)
        #expect(request.key == nil)
        #expect(request.ip == nil)
    }

    struct EscapeCase: Sendable, CustomTestStringConvertible {
        let name: String
        let escaped: String
        let expected: [UInt8]
        var testDescription: String { name }
    }

    // Upper-case escapes, lower-case escapes, and unescaped bytes and '+' mixed in.
    static let escapeCases: [EscapeCase] = [
        EscapeCase(
            name: "upper", escaped: (0..<20).map { "%" + hex($0, uppercase: true) }.joined(),
            expected: (0..<20).map { UInt8($0) }),
        EscapeCase(
            name: "lower", escaped: (0xEC..<0x100).map { "%" + hex($0, uppercase: false) }.joined(),
            expected: (0xEC..<0x100).map { UInt8($0) }),
        EscapeCase(
            name: "mixed", escaped: "abc%FF%fe%00+0123456789~.-",
            expected: Array("abc".utf8) + [0xFF, 0xFE, 0x00, 0x20] + Array("0123456789~.-".utf8)),
    ]

    @Test(arguments: AnnounceRequestTests.escapeCases)
    func decodesBinaryInfoHashes(escape: EscapeCase) throws {
        let request = try AnnounceRequest(query: Self.query(replacing: "info_hash", with: escape.escaped))
        #expect(request.infoHash.bytes == escape.expected)
    }

    @Test func readsEveryOptionalParameter() throws {
        let query = Self.query() + "&compact=0&no_peer_id=1&event=completed&numwant=7&key=K3y%21&ip=10.0.0.9&supportcrypto=1"
        let request = try AnnounceRequest(query: query)
        #expect(request.compact == false)
        #expect(request.noPeerID == true)
        #expect(request.event == .completed)
        #expect(request.numwant == 7)
        #expect(request.key == Array("K3y!".utf8))
        #expect(request.ip == "10.0.0.9")
    }

    /// aria2 sends a binary key; it is opaque, so any bytes will do.
    @Test func acceptsABinaryKey() throws {
        let request = try AnnounceRequest(query: Self.query() + "&key=%15%A5%D5I%8C%D8h%1B")
        #expect(request.key == [0x15, 0xA5, 0xD5, 0x49, 0x8C, 0xD8, 0x68, 0x1B])
    }

    @Test(arguments: AnnounceRequest.Event.allCases)
    func readsEachEvent(event: AnnounceRequest.Event) throws {
        let request = try AnnounceRequest(query: Self.query(replacing: "event", with: event.rawValue))
        #expect(request.event == event)
    }

    @Test func encodingAndParsingRoundTrip() throws {
        var generator = SplitMix64(seed: 7)
        for index in 0..<50 {
            let infoHash = InfoHash(bytes: (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let request = AnnounceRequest(
                infoHash: infoHash,
                peerID: PeerID.generate(using: &generator),
                port: UInt16.random(in: 1...65535, using: &generator),
                uploaded: Int64.random(in: 0...Int64.max, using: &generator),
                downloaded: Int64(index),
                left: Int64.random(in: 0...1 << 40, using: &generator),
                compact: index % 2 == 0,
                noPeerID: index % 3 == 0,
                event: AnnounceRequest.Event.allCases[index % 4],
                numwant: index % 5 == 0 ? nil : index,
                key: index % 2 == 0 ? Array("k+y &=\(index)".utf8) + [0x94, 0xFF] : nil,
                ip: index % 7 == 0 ? "fe80::1" : nil)
            let query = request.query
            #expect(query.utf8.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: " ") })
            #expect(try AnnounceRequest(query: query) == request)
        }
    }

    @Test func encodesBinaryFieldsByteByByte() {
        let request = AnnounceRequest(
            infoHash: InfoHash(bytes: [0x00, 0x41, 0x7E, 0x20, 0xFF] + Array(repeating: 0x2E, count: 15)),
            peerID: PeerID(bytes: Array("-SD0001-0123456789ab".utf8)),
            port: 6881, left: 5)
        #expect(request.query == "info_hash=%00A~%20%FF..............."
            + "&peer_id=-SD0001-0123456789ab&port=6881&uploaded=0&downloaded=0&left=5&compact=1")
    }

    @Test(arguments: ["info_hash", "peer_id", "port", "uploaded", "downloaded", "left"])
    func refusesAMissingRequiredParameter(name: String) {
        #expect(throws: TrackerError(.missingParameter(name))) {
            try AnnounceRequest(query: Self.query(dropping: name))
        }
    }

    @Test(arguments: [
        ("info_hash", "%00%01"),
        ("info_hash", AnnounceRequestTests.escapedUpper + "%00"),
        ("peer_id", "short"),
        ("port", "0"),
        ("port", "65536"),
        ("port", "-1"),
        ("port", "68x1"),
        ("port", ""),
        ("uploaded", "+5"),
        ("downloaded", "99999999999999999999"),
        ("left", "1.5"),
        ("compact", "2"),
        ("no_peer_id", "yes"),
        ("event", "paused"),
        ("numwant", "-3"),
    ])
    func refusesAnInvalidParameter(name: String, value: String) {
        #expect {
            try AnnounceRequest(query: Self.query(replacing: name, with: value))
        } throws: { error in
            guard let error = error as? TrackerError, case .invalidParameter(let field, _) = error.kind else {
                return false
            }
            return field == name && error.description.contains("'\(name)'")
        }
    }

    @Test func refusesARepeatedParameter() {
        #expect(throws: TrackerError(.duplicateParameter("port"))) {
            try AnnounceRequest(query: Self.query() + "&port=6882")
        }
    }

    @Test(arguments: ["%G0", "%4", "%", "abc%2"])
    func refusesBadPercentEscapes(escape: String) {
        #expect {
            try AnnounceRequest(query: Self.query(replacing: "key", with: escape))
        } throws: { error in
            guard let error = error as? TrackerError, case .malformedQuery(let reason) = error.kind else {
                return false
            }
            return reason.contains("percent escape at byte")
        }
    }

    @Test func refusesAnOverlongQuery() {
        let query = Self.query(replacing: "key", with: String(repeating: "k", count: AnnounceRequest.maximumQueryLength))
        #expect {
            try AnnounceRequest(query: query)
        } throws: { error in
            guard let error = error as? TrackerError, case .malformedQuery = error.kind else { return false }
            return true
        }
    }

    @Test func describesErrorsWithTheParameterAndTheRemedy() throws {
        do {
            _ = try AnnounceRequest(query: Self.query(replacing: "info_hash", with: "abc"))
            Issue.record("a 3-byte info_hash was accepted")
        } catch {
            #expect(error.description == "announce parameter 'info_hash' is invalid: decodes to 3 bytes, "
                + "expected 20 raw bytes (percent-encode each byte)")
        }
    }
}
