import Bencode
import TorrentMetainfo

extension Seeds {
    /// Real torrents from MetainfoBuilder, one like other tools write, and a few bencode shapes.
    func bencodeAndTorrents() throws {
        var hasher = PieceHasher(pieceLength: PieceLength.minimum)
        hasher.update([UInt8](repeating: 7, count: 40_000))
        var builder = MetainfoBuilder(name: "payload.tar", payload: hasher.finish())
        builder.trackers = [["http://10.0.0.1:6969/s3cret/announce"], ["http://tracker.example/announce", "http://[fd00::1]:80/announce"]]
        builder.isPrivate = true
        builder.createdBy = "swarmdeploy 0.1.0"
        let full = try builder.build()
        try write("FuzzMetainfo", "builder-tiers.torrent", full.bytes)
        try write("FuzzBencode", "builder-tiers.torrent", full.bytes)

        var single = PieceHasher(pieceLength: PieceLength.minimum)
        single.update([UInt8](repeating: 1, count: 100))
        var plain = MetainfoBuilder(name: "a", payload: single.finish())
        plain.trackers = [["http://127.0.0.1:6969/announce"]]
        try write("FuzzMetainfo", "builder-one-piece.torrent", try plain.build().bytes)

        // As mktorrent writes it: no sha256, "private": 0, a creation date.
        var info = BencodeDictionary()
        info["length"] = 20_000
        info["name"] = "file.bin"
        info["piece length"] = 16_384
        info["pieces"] = .bytes([UInt8](repeating: 0x5A, count: 40))
        info["private"] = 0
        let other: BencodeValue = [
            "announce": "http://tracker.example/announce", "creation date": 1_700_000_000, "info": .dictionary(info),
        ]
        try write("FuzzMetainfo", "other-tool.torrent", other.encoded)

        let shapes: [(String, BencodeValue)] = [
            ("integers", [0, -1, 9_223_372_036_854_775_807, .integer(-9_223_372_036_854_775_808)]),
            ("nested", ["a": [["b": ["c"]]], "z": .bytes([0, 0xFF, 0x80])]),
            ("empty", [.list([]), .dictionary(BencodeDictionary()), .bytes([])]),
        ]
        for (name, value) in shapes {
            try write("FuzzBencode", name, value.encoded)
        }
    }
}
