import Foundation
import Glibc
import Testing
import TestSupport
import TorrentMetainfo

/// Our seeder, tracker and peer against standard BitTorrent software: libtorrent (Debian's
/// python3-libtorrent, through /usr/bin/python3) and opentracker. Loopback only.
@Suite("Swarm interoperability", .interop)
struct SwarmInteropTests {
    /// Settings that let libtorrent talk to peers and trackers on 127.0.0.1 and nothing else.
    static let sessionSettings = """
        settings = {
            'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
            'listen_interfaces': '127.0.0.1:0', 'allow_multiple_connections_per_ip': True,
            'ssrf_mitigation': False, 'announce_to_all_trackers': True,
        }
        """

    /// Downloads a torrent into a directory; exits 0 once libtorrent has verified every piece.
    static let downloader = """
        import sys, time
        import libtorrent as lt
        torrent, directory = sys.argv[1:3]
        \(sessionSettings)
        session = lt.session(settings)
        handle = session.add_torrent({'ti': lt.torrent_info(torrent), 'save_path': directory})
        deadline = time.time() + 60
        while time.time() < deadline:
            status = handle.status()
            if status.is_seeding:
                print('libtorrent: complete', status.num_pieces, 'pieces', flush=True)
                sys.exit(0)
            time.sleep(0.1)
        print('libtorrent: incomplete', handle.status().progress, flush=True)
        sys.exit(1)
        """

    /// Seeds a payload that is already in `directory` until killed.
    static let seeder = """
        import sys, time
        import libtorrent as lt
        torrent, directory = sys.argv[1:3]
        \(sessionSettings)
        session = lt.session(settings)
        handle = session.add_torrent({'ti': lt.torrent_info(torrent), 'save_path': directory})
        while True:
            status = handle.status()
            print('libtorrent:', status.state, status.num_peers, 'peers', flush=True)
            time.sleep(0.5)
        """

    @Test("libtorrent downloads from our seeder through our tracker")
    func libtorrentFromOurSeeder() async throws {
        try Interop.require(Interop.python, package: "python3-libtorrent")
        let (temp, port, metainfo) = try await packedRelease()

        let (tracker, seeder) = try startTrackerAndSeeder(in: temp, port: port)

        try FileManager.default.createDirectory(atPath: temp.path("libtorrent"), withIntermediateDirectories: true)
        let download = try await ProcessRunner.run(Interop.python, ["-c", Self.downloader, temp.path("release.torrent"), temp.path("libtorrent")])
        #expect(download.status == 0, "\(download.stdout)\(download.stderr)\nseed: \(seeder.log)")
        #expect(
            FileManager.default.contentsEqual(atPath: temp.path("libtorrent/\(metainfo.name)"), andPath: temp.path("release.tar"))
        )

        // Both shut down cleanly on SIGINT, as a user's Ctrl-C would.
        #expect(seeder.stop(), "\(seeder.log)")
        #expect(tracker.stop(), "\(tracker.log)")
        #expect(seeder.log.contains("seed: stopped after uploading"))
    }

    @Test("our peer downloads from a libtorrent seeder, with opentracker as the tracker")
    func ourPeerFromLibtorrent() async throws {
        try Interop.require(Interop.python, package: "python3-libtorrent")
        try Interop.require("/usr/bin/opentracker", package: "opentracker")
        let (temp, port, metainfo) = try await packedRelease()

        // Debian's opentracker serves only whitelisted info-hashes; -w is read inside its -d chroot.
        let jail = temp.path("opentracker")
        try FileManager.default.createDirectory(atPath: jail, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temp.path)
        try (metainfo.infoHash.hex + "\n").write(toFile: jail + "/whitelist", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: jail + "/whitelist")
        let opentracker = try BackgroundProcess(
            "/usr/bin/opentracker",
            ["-i", "127.0.0.1", "-p", String(port), "-d", jail, "-u", "nobody", "-w", "whitelist"],
            logPath: temp.path("opentracker.log")
        )
        defer { opentracker.stop(signal: SIGKILL) }  // opentracker ignores SIGINT and SIGTERM

        let seed = try seedDirectory(in: temp, for: metainfo)
        let seeder = try BackgroundProcess(
            Interop.python, ["-c", Self.seeder, temp.path("release.torrent"), seed],
            logPath: temp.path("libtorrent.log")
        )
        defer { seeder.stop(signal: SIGKILL) }
        #expect(seeder.waitForLog(containing: "seeding"), "\(seeder.log)")

        let download = try await CLI.peer([
            "download", temp.path("release.torrent"), "--out", temp.path("ours.tar"), "--seed-grace", "0", "--timeout", "60",
        ])
        #expect(download.status == 0, "\(download.stderr)\nlibtorrent: \(seeder.log)\nopentracker: \(opentracker.log)")
        #expect(FileManager.default.contentsEqual(atPath: temp.path("ours.tar"), andPath: temp.path("release.tar")))
        #expect(!FileManager.default.fileExists(atPath: temp.path("ours.tar.part")))
    }

    @Test("a mixed swarm completes: our tracker and seeder, a libtorrent peer and two of our peers")
    func mixedSwarm() async throws {
        try Interop.require(Interop.python, package: "python3-libtorrent")
        let (temp, port, metainfo) = try await packedRelease()
        let peer = CLI.peerPath

        let (tracker, seeder) = try startTrackerAndSeeder(in: temp, port: port)
        defer {
            seeder.stop()
            tracker.stop()
        }

        let ours = try (1...2).map { index in
            try BackgroundProcess(
                peer,
                ["download", temp.path("release.torrent"), "--out", temp.path("ours\(index).tar"), "--seed-grace", "3", "--timeout", "60"],
                logPath: temp.path("peer\(index).log")
            )
        }
        try FileManager.default.createDirectory(atPath: temp.path("libtorrent"), withIntermediateDirectories: true)
        let theirs = try await ProcessRunner.run(Interop.python, ["-c", Self.downloader, temp.path("release.torrent"), temp.path("libtorrent")])
        #expect(theirs.status == 0, "\(theirs.stdout)\(theirs.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: temp.path("libtorrent/\(metainfo.name)"), andPath: temp.path("release.tar")))
        for (index, process) in ours.enumerated() {
            #expect(process.waitForExit(timeout: 60) == 0, "peer \(index + 1): \(process.log)")
            #expect(FileManager.default.contentsEqual(atPath: temp.path("ours\(index + 1).tar"), andPath: temp.path("release.tar")))
        }
    }
}

/// BEP 19 web seeds as standard clients read them: a torrent `pack --web-seed` wrote, the
/// tarball on nginx, no seeder and no tracker at all. Loopback only.
@Suite("Web seed interoperability", .interop)
struct WebSeedInteropTests {
    /// A 3 MiB release packed into DIR/www with a url-list naming nginx, which serves DIR/www.
    static func servedRelease() async throws -> (temp: TemporaryDirectory, server: WebServer, torrent: String, tarball: String) {
        let temp = try TemporaryDirectory("webseed-interop")
        try temp.write(SplitMix64.bytes(count: 3 << 20 | 4321, seed: 1919), to: "tree/blob.bin")
        try FileManager.default.createDirectory(atPath: temp.path("www"), withIntermediateDirectories: true)
        let server = try WebServer(serving: temp.path("www"))
        let packed = try await CLI.swarmdeploy(["pack", temp.path("tree"), "-o", temp.path("www/release"), "--web-seed", server.url("")])
        #expect(packed.status == 0, "\(packed.stderr)")
        return (temp, server, temp.path("www/release.torrent"), temp.path("www/release.tar"))
    }

    @Test("libtorrent reads our url-list and downloads the release from the web seed alone")
    func libtorrentFromOurWebSeed() async throws {
        try Interop.require(Interop.python, package: "python3-libtorrent")
        let (temp, server, torrent, tarball) = try await Self.servedRelease()
        try FileManager.default.createDirectory(atPath: temp.path("libtorrent"), withIntermediateDirectories: true)
        let download = try await ProcessRunner.run(Interop.python, ["-c", SwarmInteropTests.downloader, torrent, temp.path("libtorrent")])
        #expect(download.status == 0, "\(download.stdout)\(download.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: temp.path("libtorrent/release.tar"), andPath: tarball))
        #expect(server.responses.contains { $0.status == 206 && $0.target == "/release.tar" }, "\(server.responses)")
    }

    @Test("our peer, run by hand, downloads the release from the torrent's web seed alone")
    func ourPeerFromTheWebSeed() async throws {
        let (temp, server, torrent, tarball) = try await Self.servedRelease()
        let result = try await ProcessRunner.run(
            CLI.peerPath, ["download", torrent, "--out", temp.path("ours.tar"), "--seed-grace", "0", "--timeout", "60"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: temp.path("ours.tar"), andPath: tarball))
        #expect(server.sentBytes >= Int64((try? FileManager.default.attributesOfItem(atPath: tarball)[.size] as? Int) ?? 0))
    }
}
