import Archive
import DeployConfiguration
import Foundation
import PayloadPacking
import Testing
import TestSupport
import TorrentMetainfo

@testable import Push

/// `push --torrent`: a release packed earlier is checked against its torrent before anything
/// is contacted, and read for what the hosts must know; the plan refuses mixed requests.
@Suite struct PackedReleaseTests {
    /// Packs a small tree into DIR/release.tar[.gz|.zst] and DIR/release.torrent, as `pack` does.
    static func pack(_ directory: TemporaryDirectory, compression: ArchiveCompression = .none, webSeeds: [String] = []) throws -> (torrent: String, tarball: String, payload: Payload) {
        try directory.write(SplitMix64.bytes(count: 900_000, seed: 7), to: "tree/lib/a.bin")
        try directory.write("v42\n", to: "tree/VERSION")
        try FileManager.default.createSymbolicLink(atPath: directory.path("tree/current"), withDestinationPath: "VERSION")
        let manifest = try TreeScanner.scan(root: directory.path("tree"))
        let name = "release.tar" + compression.fileExtension.dropFirst(4)
        var options = PayloadOptions(name: name, pieceLength: 64 << 10, compression: compression)
        options.webSeeds = webSeeds
        var archive: [UInt8] = []
        let payload = try PayloadBuilder.build(manifest, options: options) { archive += $0 }
        let tarball = try directory.write(archive, to: "out/" + name)
        let torrent = try directory.write(payload.metainfo.bytes, to: "out/release.torrent")
        return (torrent, tarball, payload)
    }

    @Test("a packed release is checked and measured: the hosts are told what the packer knew", arguments: [
        ArchiveCompression.none, .gzip(level: 6), .zstd(level: 3),
    ])
    func releaseIsCheckedAndMeasured(compression: ArchiveCompression) throws {
        let directory = try TemporaryDirectory("release")
        let (torrent, _, payload) = try Self.pack(directory, compression: compression)
        var progress: [Int64] = []
        let release = try PackedPayload.release(torrent: torrent, payload: nil) { done, total in
            #expect(total == payload.archiveLength)
            progress.append(done)
        }
        #expect(release.metainfo.infoHash == payload.metainfo.infoHash)
        #expect(release.archiveLength == payload.archiveLength)
        #expect(release.extractedBytes == payload.manifest.payloadBytes)
        #expect(release.tarBytes == payload.manifest.tarLength)
        #expect(release.tally?.files == 2 && release.tally?.symlinks == 1 && release.tally?.directories == payload.manifest.directoryCount)
        #expect(progress.last == payload.archiveLength)
        #expect(release.archiveIndex == nil)
        // The storage serves the tarball itself.
        #expect(try release.storage?.read(at: 0, count: 10) == Array(try directory.read("out/" + release.metainfo.name).prefix(10)))
    }

    @Test("without a local seed the tarball need not be here: the torrent tells the hosts what to expect")
    func releaseWithoutItsTarball() throws {
        let directory = try TemporaryDirectory("release")
        let (torrent, tarball, payload) = try Self.pack(directory, compression: .zstd(level: 3))
        try FileManager.default.removeItem(atPath: tarball)
        let release = try PackedPayload.release(torrent: torrent, payload: nil, seeding: false)
        #expect(release.storage == nil)
        #expect(release.tarBytes == payload.manifest.tarLength && release.extractedBytes == payload.manifest.payloadBytes)
        #expect(payload.metainfo.tarLength == payload.manifest.tarLength && payload.metainfo.treeBytes == payload.manifest.payloadBytes)
        // Seeding needs it.
        #expect { try PackedPayload.release(torrent: torrent, payload: nil, seeding: true) } throws: { "\($0)".contains("beside the torrent") }
    }

    @Test("a tarball that does not match its torrent is named with the piece that differs")
    func mismatchIsNamed() throws {
        let directory = try TemporaryDirectory("release")
        let (torrent, tarball, _) = try Self.pack(directory)
        var bytes = try directory.read("out/release.tar")
        bytes[2 * (64 << 10) + 17] ^= 1
        _ = try directory.write(bytes, to: "elsewhere/release.tar")
        #expect {
            try PackedPayload.release(torrent: torrent, payload: directory.path("elsewhere/release.tar"))
        } throws: { error in
            let text = "\(error)"
            return text.contains("piece 2") && text.contains("elsewhere/release.tar") && text.contains(torrent)
                && (error as? PushError)?.kind == .invalidRequest
        }
        // The original beside the torrent still matches.
        #expect(try PackedPayload.release(torrent: torrent, payload: tarball).archiveLength == Int64(bytes.count))
    }

    @Test("a missing or truncated tarball, and a file that is no torrent, are refused with what to do")
    func missingPieces() throws {
        let directory = try TemporaryDirectory("release")
        let (torrent, tarball, _) = try Self.pack(directory)
        try FileManager.default.removeItem(atPath: tarball)
        #expect { try PackedPayload.release(torrent: torrent, payload: nil) } throws: { "\($0)".contains("beside the torrent as release.tar") }
        _ = try directory.write([1, 2, 3], to: "out/release.tar")
        #expect { try PackedPayload.release(torrent: torrent, payload: nil) } throws: { "\($0)".contains("is 3 bytes") }
        let notTorrent = try directory.write("hello", to: "out/notes.torrent")
        #expect { try PackedPayload.release(torrent: notTorrent, payload: nil) } throws: { "\($0)".contains("is not a usable torrent") }
        #expect { try PackedPayload.release(torrent: directory.path("none.torrent"), payload: nil) } throws: { "\($0)".contains("cannot read the torrent") }
    }

    static func settings(_ directory: TemporaryDirectory) throws -> PushSettings {
        try directory.write("h\n", to: "hosts.txt")
        var settings = PushSettings.defaults
        settings.destination = "/opt/app"
        settings.hostsFile = directory.path("hosts.txt")
        return settings
    }

    static func plan(_ settings: PushSettings) throws(PushError) -> PushPlan {
        try PushPlan(settings: settings, environment: ["HOME": "/root"]) { _, _ throws(PushError) in "10.9.0.1" }
    }

    @Test("the plan refuses a directory and a release at once, --payload or --web-seed without a release, and an unusable URL")
    func planRefusesMixedRequests() throws {
        let directory = try TemporaryDirectory("release")
        let (torrent, _, _) = try Self.pack(directory)
        var settings = try Self.settings(directory)
        settings.torrent = torrent
        #expect(try Self.plan(settings).source == torrent)

        var both = settings
        both.source = directory.path("tree")
        #expect { try Self.plan(both) } throws: { "\($0)".contains("both a directory") }
        var payloadOnly = try Self.settings(directory)
        payloadOnly.source = directory.path("tree")
        payloadOnly.payloadFile = directory.path("out/release.tar")
        #expect { try Self.plan(payloadOnly) } throws: { "\($0)".contains("--payload names the tarball of a packed release") }
        var seedOnly = payloadOnly
        seedOnly.payloadFile = nil
        seedOnly.webSeeds = ["http://10.0.0.9/r/"]
        #expect { try Self.plan(seedOnly) } throws: { "\($0)".contains("serve a release packed earlier") }
        var badURL = settings
        badURL.webSeeds = ["ftp://10.0.0.9/r/"]
        #expect { try Self.plan(badURL) } throws: { "\($0)".contains("web seed ftp://10.0.0.9/r/") }
        var notFile = settings
        notFile.torrent = directory.path("tree")
        #expect { try Self.plan(notFile) } throws: { "\($0)".contains("is not a file") }
    }

    @Test("web seeds: the flags' first, then the torrent's, each once and resolved here")
    func webSeedEntries() throws {
        let directory = try TemporaryDirectory("release")
        let (torrent, _, payload) = try Self.pack(directory, webSeeds: ["http://127.0.0.1:8080/r/", "https://127.0.0.1/r/", "http://10.0.0.9/x.tar"])
        var settings = try Self.settings(directory)
        settings.torrent = torrent
        settings.webSeeds = ["http://10.0.0.9/x.tar", "https://localhost:81/y.tar"]
        let entries = try Self.plan(settings).webSeedEntries(for: payload.metainfo)
        #expect(entries.map(\.url) == ["http://10.0.0.9/x.tar", "https://localhost:81/y.tar", "http://127.0.0.1:8080/r/", "https://127.0.0.1/r/"])
        #expect(entries[0].addresses == ["10.0.0.9"])
        #expect(entries[1].addresses.contains("127.0.0.1"))

        settings.webSeedCA = directory.path("out/release.torrent")
        #expect { try Self.plan(settings) } throws: { "\($0)".contains("--web-seed-ca") }
        settings.webSeedCA = nil
        settings.webSeeds = ["http://no-such-host.invalid/x.tar"]
        #expect { try Self.plan(settings).webSeedEntries(for: payload.metainfo) } throws: { "\($0)".contains("cannot resolve no-such-host.invalid") }
    }
}
