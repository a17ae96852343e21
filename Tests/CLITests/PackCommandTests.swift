import Foundation
import Testing
import TestSupport
import TorrentMetainfo

@Suite("swarmdeploy pack")
struct PackCommandTests {
    let examples = CLI.repositoryRoot.appendingPathComponent("Examples/webapp").path

    /// A link planted at the name pack writes to first must not make it write through the link.
    @Test("a symlink where the temporary file used to be is neither followed nor overwritten")
    func plantedSymlinkIsNotFollowed() async throws {
        let temp = try TemporaryDirectory()
        try temp.write("precious\n", to: "victim")
        try FileManager.default.createSymbolicLink(atPath: temp.path("release.tar.partial"), withDestinationPath: temp.path("victim"))
        let packed = try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("release")])
        #expect(packed.status == 0, "\(packed.stderr)")
        #expect(try String(contentsOfFile: temp.path("victim"), encoding: .utf8) == "precious\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: temp.path("release.tar.partial")) == temp.path("victim"))
    }

    @Test("writes a tarball and a torrent that describe each other, byte-identical on every run")
    func packIsDeterministic() async throws {
        let temp = try TemporaryDirectory()
        let first = try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("one/release"), "--json"])
        #expect(first.status != 0, "pack into a missing directory must fail")
        #expect(first.stderr.contains("one/release.tar.partial"), "names the file it could not create: \(first.stderr)")

        let a = try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("a"), "--json"])
        let b = try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("b.tar")])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 0, "\(b.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: temp.path("a.tar"), andPath: temp.path("b.tar")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).filter { $0.contains("partial") } == [])

        // The torrents differ only in nothing: same name key is not required, so compare info-hash via payload.
        let torrent = try Metainfo(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: temp.path("a.torrent")))))
        let tarSize = try FileManager.default.attributesOfItem(atPath: temp.path("a.tar"))[.size] as! Int
        #expect(torrent.length == Int64(tarSize))
        #expect(torrent.name == "a.tar")
        // Files other clients may read keep the usual 256 KiB floor (push goes lower).
        #expect(torrent.pieceLength == 256 << 10)

        let summary = try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as! [String: Any]
        #expect(summary["info_hash"] as? String == torrent.infoHash.hex)
        #expect(summary["piece_count"] as? Int == torrent.pieceCount)
        #expect(summary["archive_bytes"] as? Int == tarSize)
        // The padding that aligned files cost is stated, and within the 2 % bound.
        let padding = try #require(summary["padding_bytes"] as? Int)
        #expect(padding <= tarSize / 50)
        #expect((summary["aligned_files"] as? Int).map { $0 >= 0 } == true)

        // The peer agrees that the tarball matches its torrent, and notices a flipped byte.
        let verified = try await CLI.peer(["verify", temp.path("a.torrent"), temp.path("a.tar")])
        #expect(verified.status == 0, "\(verified.stderr)")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: temp.path("a.tar")))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: temp.path("a.tar")))
        let corrupt = try await CLI.peer(["verify", temp.path("a.torrent"), temp.path("a.tar")])
        #expect(corrupt.status != 0)
        #expect(corrupt.stderr.contains("piece"), "\(corrupt.stderr)")
    }

    @Test("a compressed pack extracts with the peer to the same tree as the source", arguments: [
        (["--gzip"], ".tar.gz", Data([0x1F, 0x8B])),
        (["--compress", "gzip=9"], ".tar.gz", Data([0x1F, 0x8B])),
        (["--compress", "zstd"], ".tar.zst", Data([0x28, 0xB5, 0x2F, 0xFD])),
    ])
    func compressedRoundTrip(flags: [String], suffix: String, magic: Data) async throws {
        let temp = try TemporaryDirectory()
        let packed = try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("app")] + flags)
        #expect(packed.status == 0, "\(packed.stderr)")
        let archive = try Data(contentsOf: URL(fileURLWithPath: temp.path("app" + suffix)))
        #expect(archive.prefix(magic.count) == magic, "magic bytes")

        let extracted = try await CLI.peer(["extract", temp.path("app" + suffix), "--into", temp.path("out")])
        #expect(extracted.status == 0, "\(extracted.stderr)")
        #expect(try TreeSnapshot(temp.path("out")) == TreeSnapshot(examples))

        let verified = try await CLI.peer(["verify", temp.path("app.torrent"), temp.path("app" + suffix)])
        #expect(verified.status == 0, "\(verified.stderr)")
    }

    @Test("trackers become BEP 12 tiers; bad flag values are refused with exit code 64", arguments: [
        (["--gzip=12"], "--gzip=12"),
        (["--compress", "zstd=20"], "--compress zstd=20"),
        (["--compress", "lz4"], "--compress lz4"),
        (["--compress", "zstd", "--gzip"], "--compress and --gzip"),
        (["--piece-size", "3MiB"], "--piece-size 3MiB"),
        (["--tracker", "ftp://example/announce"], "--tracker ftp://example/announce"),
    ])
    func badFlags(flags: [String], mentioned: String) async throws {
        let temp = try TemporaryDirectory()
        let result = try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("x")] + flags)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(mentioned), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: temp.path("x.tar")))
    }

    @Test("tracker tiers are written to the torrent")
    func trackerTiers() async throws {
        let temp = try TemporaryDirectory()
        let result = try await CLI.swarmdeploy([
            "pack", examples, "-o", temp.path("t"), "--private",
            "--tracker", "http://127.0.0.1:6969/announce,http://127.0.0.2:6969/announce",
            "--tracker", "http://127.0.0.3:6969/announce",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let torrent = try Metainfo(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: temp.path("t.torrent")))))
        #expect(torrent.announce == "http://127.0.0.1:6969/announce")
        #expect(torrent.announceList == [
            ["http://127.0.0.1:6969/announce", "http://127.0.0.2:6969/announce"],
            ["http://127.0.0.3:6969/announce"],
        ])
        #expect(torrent.isPrivate)
    }

    @Test("a missing source directory is bad input")
    func missingSource() async throws {
        let temp = try TemporaryDirectory()
        let result = try await CLI.swarmdeploy(["pack", temp.path("nope"), "-o", temp.path("x")])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("nope"))
    }
}

@Suite("swarmdeploy pack and push of a packed release, without hosts")
struct PackedReleaseCommandTests {
    let examples = CLI.repositoryRoot.appendingPathComponent("Examples/webapp").path

    @Test("pack --web-seed records the URLs in the torrent's url-list and leaves the info-hash as it was")
    func packRecordsWebSeeds() async throws {
        let temp = try TemporaryDirectory()
        let plain = try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("plain")])
        let seeded = try await CLI.swarmdeploy([
            "pack", examples, "-o", temp.path("seeded"), "--web-seed", "http://artifacts.internal/releases/", "--web-seed", "http://10.0.0.9/seeded.tar",
        ])
        #expect(plain.status == 0 && seeded.status == 0, "\(plain.stderr) \(seeded.stderr)")
        let a = try Metainfo(bytes: try temp.read("plain.torrent"))
        let b = try Metainfo(bytes: try temp.read("seeded.torrent"))
        #expect(b.webSeeds == ["http://artifacts.internal/releases/", "http://10.0.0.9/seeded.tar"])
        #expect(a.webSeeds == [])

        let bad = try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("bad"), "--web-seed", "artifacts.internal/r.tar"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--web-seed artifacts.internal/r.tar"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: temp.path("bad.tar")))
    }

    @Test("push --torrent --dry-run checks the tarball against the torrent and describes the release; a changed tarball is refused")
    func pushTorrentDryRun() async throws {
        let temp = try TemporaryDirectory()
        #expect(try await CLI.swarmdeploy(["pack", examples, "-o", temp.path("release-42")]).status == 0)
        try temp.write("root@10.255.0.1\n", to: "hosts.txt")
        let ok = try await CLI.swarmdeploy([
            "push", "--torrent", temp.path("release-42.torrent"), "to", "/opt/app", "on", temp.path("hosts.txt"), "--dry-run", "--json",
            "--listen", "127.0.0.1",
        ])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("release-42.torrent"), "\(ok.stdout)")

        var bytes = try temp.read("release-42.tar")
        bytes[bytes.count / 2] ^= 0x55
        _ = try temp.write(bytes, to: "release-42.tar")
        let changed = try await CLI.swarmdeploy([
            "push", "--torrent", temp.path("release-42.torrent"), "to", "/opt/app", "on", temp.path("hosts.txt"), "--dry-run",
            "--listen", "127.0.0.1",
        ])
        #expect(changed.status == 64)
        #expect(changed.stderr.contains("does not match") && changed.stderr.contains("piece"), "\(changed.stderr)")

        let reshaped = try await CLI.swarmdeploy([
            "push", "--torrent", temp.path("release-42.torrent"), "to", "/opt/app", "on", temp.path("hosts.txt"), "--compress", "zstd",
        ])
        #expect(reshaped.status == 64)
        #expect(reshaped.stderr.contains("pushed as it was packed"), "\(reshaped.stderr)")
    }
}
