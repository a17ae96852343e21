import Bencode
import Testing
import TestSupport
import TorrentMetainfo

@Suite struct MetainfoBuilderTests {
    static let pieceLength = 16 * 1024
    static let payload = SplitMix64.bytes(count: 5 * 16 * 1024 + 321, seed: 3)
    static let hashed = TestPayload.hash(payload, pieceLength: pieceLength)

    static func builder() -> MetainfoBuilder {
        var builder = MetainfoBuilder(name: "release.tar", payload: hashed)
        builder.trackers = [["http://127.0.0.1:1/announce", "http://127.0.0.1:2/announce"], ["http://127.0.0.1:3/announce"]]
        builder.createdBy = "swarmdeploy test"
        return builder
    }

    @Test func builtTorrentDescribesThePayload() throws {
        let metainfo = try Self.builder().build()
        #expect(metainfo.name == "release.tar")
        #expect(metainfo.length == Int64(Self.payload.count))
        #expect(metainfo.pieceLength == Self.pieceLength)
        #expect(metainfo.pieceCount == 6)
        #expect(metainfo.pieceHashes == Self.hashed.pieceHashes)
        #expect(metainfo.pieceHash(at: 5) == Self.hashed.pieceHashes[100..<120])
        #expect(metainfo.expectedLength(ofPiece: 0) == Self.pieceLength)
        #expect(metainfo.expectedLength(ofPiece: 4) == Self.pieceLength)
        #expect(metainfo.expectedLength(ofPiece: 5) == 321)
        #expect(metainfo.payloadSHA256 == Self.hashed.sha256)
        #expect(metainfo.announce == "http://127.0.0.1:1/announce")
        #expect(metainfo.announceList == Self.builder().trackers)
        #expect(metainfo.trackerTiers == Self.builder().trackers)
        #expect(metainfo.createdBy == "swarmdeploy test")
        #expect(metainfo.isPrivate == false)
    }

    @Test func bytesReadBackToTheSameTorrent() throws {
        let built = try Self.builder().build()
        let read = try Metainfo(bytes: built.bytes)
        #expect(read.infoHash == built.infoHash)
        #expect(read.name == built.name && read.length == built.length && read.pieceHashes == built.pieceHashes)
        #expect(read.announceList == built.announceList && read.payloadSHA256 == built.payloadSHA256)
    }

    @Test func writesExactlyTheDocumentedKeys() throws {
        var builder = Self.builder()
        builder.isPrivate = true
        let root = try BencodeDecoder().decode(builder.build().bytes)
        let topKeys = try #require(root.dictionary).entries.compactMap(\.keyString)
        #expect(topKeys == ["announce", "announce-list", "created by", "info"])  // no "creation date"
        let infoKeys = try #require(root["info"]?.dictionary).entries.compactMap(\.keyString)
        #expect(infoKeys == ["length", "name", "piece length", "pieces", "private", "sha256"])
        #expect(root["info"]?["private"] == 1)
    }

    @Test("web seeds are written as BEP 19 url-list, outside the info dictionary, and read back")
    func webSeedsAreAURLList() throws {
        let base = try Self.builder().build()
        #expect(base.webSeeds == [])
        var builder = Self.builder()
        builder.webSeeds = ["http://a.internal/r/", "http://b.internal/r/release.tar"]
        let seeded = try builder.build()
        #expect(seeded.webSeeds == builder.webSeeds)
        #expect(seeded.infoHash == base.infoHash)
        let root = try BencodeDecoder().decode(seeded.bytes)
        #expect(try #require(root.dictionary).entries.compactMap(\.keyString) == ["announce", "announce-list", "created by", "info", "url-list"])

        builder.webSeeds = ["http://a b/"]
        #expect(throws: MetainfoError.self) { try builder.build() }
    }

    @Test("a url-list of one string, as other tools write it, is read too; a wrong type is refused")
    func urlListForms() throws {
        let base = try Self.builder().build()
        var root = try #require(try BencodeDecoder().decode(base.bytes).dictionary)
        root["url-list"] = .string("http://single.internal/release.tar")
        #expect(try Metainfo(bytes: BencodeEncoder.encode(.dictionary(root))).webSeeds == ["http://single.internal/release.tar"])
        root["url-list"] = .list([.string(""), .string("http://x/")])
        #expect(try Metainfo(bytes: BencodeEncoder.encode(.dictionary(root))).webSeeds == ["http://x/"])
        root["url-list"] = .integer(3)
        #expect(throws: MetainfoError.self) { try Metainfo(bytes: BencodeEncoder.encode(.dictionary(root))) }
    }

    @Test func sameInputsGiveIdenticalBytes() throws {
        let first = try Self.builder().build()
        let second = try Self.builder().build()
        #expect(first.bytes == second.bytes)
        #expect(first.infoHash == second.infoHash)
    }

    @Test func topLevelKeysLeaveTheInfoHashAlone() throws {
        let base = try Self.builder().build()
        var otherTrackers = Self.builder()
        otherTrackers.trackers = [["http://127.0.0.1:9/announce"]]
        otherTrackers.createdBy = nil
        let other = try otherTrackers.build()
        #expect(other.bytes != base.bytes)
        #expect(other.infoHash == base.infoHash)

        var privateBuilder = Self.builder()
        privateBuilder.isPrivate = true
        let privateTorrent = try privateBuilder.build()
        #expect(privateTorrent.isPrivate)
        #expect(privateTorrent.infoHash != base.infoHash)
    }

    @Test func announceListOnlyWhenThereIsMoreThanOneTracker() throws {
        var builder = Self.builder()
        builder.trackers = [[], ["http://127.0.0.1:1/announce"]]
        let single = try builder.build()
        #expect(single.announce == "http://127.0.0.1:1/announce")
        #expect(single.announceList.isEmpty)
        #expect(try BencodeDecoder().decode(single.bytes)["announce-list"] == nil)
        #expect(single.trackerTiers == [["http://127.0.0.1:1/announce"]])

        builder.trackers = [["http://127.0.0.1:1/announce", "http://127.0.0.1:2/announce"]]
        let twoInOneTier = try builder.build()
        #expect(twoInOneTier.announceList == builder.trackers)

        builder.trackers = []
        let none = try builder.build()
        #expect(none.announce == nil)
        #expect(none.announceList.isEmpty)
        #expect(none.trackerTiers.isEmpty)
    }

    @Test func rejectsWhatAPeerWouldReject() {
        var badName = Self.builder()
        badName.name = "../etc"
        #expect(throws: MetainfoError.unsafeName("../etc", reason: "it contains '/', so it would write outside the download directory")) {
            try badName.build()
        }

        let tinyPieces = TestPayload.hash(Self.payload, pieceLength: 1024)
        #expect(throws: MetainfoError.invalidPieceLength(1024, reason: "it is smaller than one 16 KiB block")) {
            try MetainfoBuilder(name: "x", payload: tinyPieces).build()
        }

        var empty = PieceHasher(pieceLength: Self.pieceLength)
        #expect(throws: MetainfoError.emptyPayload) {
            try MetainfoBuilder(name: "x", payload: empty.finish()).build()
        }

        var badTracker = Self.builder()
        badTracker.trackers = [["http://127.0.0.1:1/announce"], ["http://127.0.0.1:2/ announce"]]
        let error = #expect(throws: MetainfoError.self) { try badTracker.build() }
        #expect(error?.description.contains("announce-list[1][0]") == true)
    }
}
