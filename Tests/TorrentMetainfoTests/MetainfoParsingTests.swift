import Bencode
import Testing
import TestSupport
import TorrentMetainfo

@Suite struct MetainfoParsingTests {
    static let pieceLength: Int64 = 16 * 1024
    static let length: Int64 = 3 * pieceLength + 5  // four pieces

    static func validInfo() -> BencodeDictionary {
        var info = BencodeDictionary()
        info["name"] = "payload.tar"
        info["length"] = .integer(length)
        info["piece length"] = .integer(pieceLength)
        info["pieces"] = .bytes(SplitMix64.bytes(count: 80, seed: 1))
        return info
    }

    static func torrent(info: BencodeValue?, _ edit: (inout BencodeDictionary) -> Void = { _ in }) -> [UInt8] {
        var top = BencodeDictionary()
        top["announce"] = "http://127.0.0.1:1/announce"
        top["info"] = info
        edit(&top)
        return BencodeValue.dictionary(top).encoded
    }

    static func torrent(editingInfo edit: (inout BencodeDictionary) -> Void) -> [UInt8] {
        var info = validInfo()
        edit(&info)
        return torrent(info: .dictionary(info))
    }

    @Test func acceptsAMinimalTorrentFromAnotherTool() throws {
        let metainfo = try Metainfo(bytes: Self.torrent(info: .dictionary(Self.validInfo())))
        #expect(metainfo.name == "payload.tar")
        #expect(metainfo.pieceCount == 4)
        #expect(metainfo.expectedLength(ofPiece: 3) == 5)
        #expect(metainfo.payloadSHA256 == nil)
        #expect(metainfo.isPrivate == false)
        #expect(metainfo.announceList.isEmpty)
        #expect(metainfo.trackerTiers == [["http://127.0.0.1:1/announce"]])
        #expect(metainfo.createdBy == nil)
    }

    @Test func infoHashCoversUnknownInfoKeysAndIgnoresTopLevelOnes() throws {
        let plain = try Metainfo(bytes: Self.torrent(info: .dictionary(Self.validInfo())))
        let extraInfo = try Metainfo(bytes: Self.torrent { $0["x-extra"] = "anything" })
        let extraTop = try Metainfo(bytes: Self.torrent(info: .dictionary(Self.validInfo())) {
            $0["creation date"] = 1_700_000_000
            $0["comment"] = "hello"
        })
        #expect(extraInfo.infoHash != plain.infoHash)
        #expect(extraTop.infoHash == plain.infoHash)
    }

    struct Rejection: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let bytes: [UInt8]
        let error: MetainfoError
        /// A fragment the message must contain, usually the key it names.
        let mentions: String
    }

    static let rejections: [Rejection] = [
        Rejection(testDescription: "not bencode", bytes: Array("hello".utf8),
                  error: .malformedBencode(BencodeError(.unexpectedByte(UInt8(ascii: "h"), expected: "a value ('i', 'l', 'd' or a digit)"), at: 0)),
                  mentions: "at byte 0"),
        Rejection(testDescription: "trailing bytes", bytes: torrent(info: .dictionary(validInfo())) + [0x0A],
                  error: .malformedBencode(BencodeError(.trailingBytes(count: 1), at: torrent(info: .dictionary(validInfo())).count)),
                  mentions: "follow the top-level value"),
        Rejection(testDescription: "top level is a list", bytes: BencodeValue.list([]).encoded,
                  error: .wrongType(key: "(top level)", expected: "dictionary at the top level", found: "list"),
                  mentions: "top level"),
        Rejection(testDescription: "missing info", bytes: torrent(info: nil),
                  error: .missingKey("info"), mentions: "\"info\""),
        Rejection(testDescription: "info is a list", bytes: torrent(info: .list([])),
                  error: .wrongType(key: "info", expected: "dictionary", found: "list"), mentions: "\"info\""),
        Rejection(testDescription: "missing name", bytes: torrent { $0["name"] = nil },
                  error: .missingKey("info.name"), mentions: "info.name"),
        Rejection(testDescription: "missing length", bytes: torrent { $0["length"] = nil },
                  error: .missingKey("info.length"), mentions: "info.length"),
        Rejection(testDescription: "missing piece length", bytes: torrent { $0["piece length"] = nil },
                  error: .missingKey("info.piece length"), mentions: "info.piece length"),
        Rejection(testDescription: "missing pieces", bytes: torrent { $0["pieces"] = nil },
                  error: .missingKey("info.pieces"), mentions: "info.pieces"),
        Rejection(testDescription: "name is an integer", bytes: torrent { $0["name"] = 7 },
                  error: .wrongType(key: "info.name", expected: "byte string", found: "integer"), mentions: "info.name"),
        Rejection(testDescription: "name is not UTF-8", bytes: torrent { $0["name"] = .bytes([0x61, 0xFF]) },
                  error: .invalidValue(key: "info.name", reason: "it is not valid UTF-8 text"), mentions: "info.name"),
        Rejection(testDescription: "name with slash", bytes: torrent { $0["name"] = "dir/file" },
                  error: .unsafeName("dir/file", reason: "it contains '/', so it would write outside the download directory"),
                  mentions: "dir/file"),
        Rejection(testDescription: "name is ..", bytes: torrent { $0["name"] = ".." },
                  error: .unsafeName("..", reason: "it refers to a directory, not a file"), mentions: "\"..\""),
        Rejection(testDescription: "name is .", bytes: torrent { $0["name"] = "." },
                  error: .unsafeName(".", reason: "it refers to a directory, not a file"), mentions: "\".\""),
        Rejection(testDescription: "empty name", bytes: torrent { $0["name"] = "" },
                  error: .unsafeName("", reason: "it is empty"), mentions: "empty"),
        Rejection(testDescription: "name with NUL", bytes: torrent { $0["name"] = .bytes([0x61, 0x00, 0x62]) },
                  error: .unsafeName("a\0b", reason: "it contains a NUL byte"), mentions: "\"a\\0b\""),
        Rejection(testDescription: "name too long", bytes: torrent { $0["name"] = .string(String(repeating: "n", count: 256)) },
                  error: .unsafeName(String(repeating: "n", count: 256), reason: "it is 256 bytes, file names are limited to 255"),
                  mentions: "255"),
        Rejection(testDescription: "negative length", bytes: torrent { $0["length"] = -1 },
                  error: .invalidValue(key: "info.length", reason: "-1 is negative"), mentions: "info.length"),
        Rejection(testDescription: "zero length", bytes: torrent { $0["length"] = 0; $0["pieces"] = .bytes([]) },
                  error: .emptyPayload, mentions: "empty"),
        Rejection(testDescription: "length is a string", bytes: torrent { $0["length"] = "5" },
                  error: .wrongType(key: "info.length", expected: "integer", found: "byte string"), mentions: "info.length"),
        Rejection(testDescription: "piece length not a power of two", bytes: torrent { $0["piece length"] = 20000 },
                  error: .invalidPieceLength(20000, reason: "it is not a power of two"), mentions: "20000"),
        Rejection(testDescription: "piece length zero", bytes: torrent { $0["piece length"] = 0 },
                  error: .invalidPieceLength(0, reason: "it is not a power of two"), mentions: "piece length 0"),
        Rejection(testDescription: "piece length too large", bytes: torrent { $0["piece length"] = .integer(1 << 40) },
                  error: .invalidPieceLength(1 << 40, reason: "it is larger than 64 MiB"), mentions: "64 MiB"),
        Rejection(testDescription: "pieces not a multiple of 20", bytes: torrent { $0["pieces"] = .bytes(Array(repeating: 1, count: 79)) },
                  error: .invalidValue(key: "info.pieces", reason: "its 79 bytes are not a whole number of 20-byte SHA-1 hashes"),
                  mentions: "info.pieces"),
        Rejection(testDescription: "one piece hash too many", bytes: torrent { $0["pieces"] = .bytes(Array(repeating: 1, count: 100)) },
                  error: .pieceCountMismatch(expected: 4, found: 5), mentions: "need 4"),
        Rejection(testDescription: "length needs more pieces", bytes: torrent { $0["length"] = .integer(4 * pieceLength + 1) },
                  error: .pieceCountMismatch(expected: 5, found: 4), mentions: "info.pieces"),
        Rejection(testDescription: "multi-file", bytes: torrent { $0["files"] = [["length": 1, "path": ["a"]]] },
                  error: .multiFileNotSupported, mentions: "multi-file torrents are not supported"),
        Rejection(testDescription: "private is 2", bytes: torrent { $0["private"] = 2 },
                  error: .invalidValue(key: "info.private", reason: "2 is neither 0 nor 1"), mentions: "info.private"),
        Rejection(testDescription: "private is a string", bytes: torrent { $0["private"] = "1" },
                  error: .wrongType(key: "info.private", expected: "integer", found: "byte string"), mentions: "info.private"),
        Rejection(testDescription: "sha256 too short", bytes: torrent { $0["sha256"] = .bytes(Array(repeating: 0, count: 31)) },
                  error: .invalidValue(key: "info.sha256", reason: "it is 31 bytes, a SHA-256 digest is 32"), mentions: "info.sha256"),
        Rejection(testDescription: "announce is an integer", bytes: torrent(info: .dictionary(validInfo())) { $0["announce"] = 1 },
                  error: .wrongType(key: "announce", expected: "byte string", found: "integer"), mentions: "\"announce\""),
        Rejection(testDescription: "announce-list is a string", bytes: torrent(info: .dictionary(validInfo())) { $0["announce-list"] = "x" },
                  error: .wrongType(key: "announce-list", expected: "list of tracker tiers", found: "byte string"),
                  mentions: "announce-list"),
        Rejection(testDescription: "announce-list tier is a string", bytes: torrent(info: .dictionary(validInfo())) { $0["announce-list"] = [["a"], "b"] },
                  error: .wrongType(key: "announce-list[1]", expected: "list of tracker URLs", found: "byte string"),
                  mentions: "announce-list[1]"),
        Rejection(testDescription: "announce-list URL is a list", bytes: torrent(info: .dictionary(validInfo())) { $0["announce-list"] = [["a", []]] },
                  error: .wrongType(key: "announce-list[0][1]", expected: "byte string", found: "list"),
                  mentions: "announce-list[0][1]"),
    ]

    @Test(arguments: rejections)
    func rejectsMalformedTorrent(_ example: Rejection) {
        let error = #expect(throws: MetainfoError.self) { try Metainfo(bytes: example.bytes) }
        #expect(error == example.error)
        #expect(error?.description.contains(example.mentions) == true, "\(String(describing: error))")
    }

    @Test func rejectsOversizedFilesBeforeDecoding() {
        // Not even bencode: the size check must come first.
        let bytes = [UInt8](repeating: UInt8(ascii: "x"), count: Metainfo.maximumSize + 1)
        #expect(throws: MetainfoError.tooLarge(size: Metainfo.maximumSize + 1, limit: Metainfo.maximumSize)) {
            try Metainfo(bytes: bytes)
        }
    }

    @Test func emptyTiersAreDropped() throws {
        let metainfo = try Metainfo(bytes: Self.torrent(info: .dictionary(Self.validInfo())) {
            $0["announce-list"] = [[], ["http://127.0.0.1:5/announce"], []]
        })
        #expect(metainfo.announceList == [["http://127.0.0.1:5/announce"]])
        #expect(metainfo.trackerTiers == [["http://127.0.0.1:5/announce"]])
    }
}

extension MetainfoParsingTests {
    @Test func messagesNameTheKeyAndReadCleanly() {
        #expect(MetainfoError.wrongType(key: "info.length", expected: "integer", found: "byte string").description
            == "torrent key \"info.length\" holds a byte string, expected an integer")
        #expect(MetainfoError.missingKey("info.pieces").description == "torrent is missing the required key \"info.pieces\"")
    }
}
