import Foundation
import Testing
import TestSupport
import TorrentMetainfo

/// Pushes of a release packed earlier, fetched from a web seed (BEP 19): nginx on sandbox host
/// h5, as an artifact store on its own machine, serving the tarball; hosts h1–h4 are the
/// push's. A broken web seed (missing file, no range support, a corrupted piece) is named in
/// the report and dropped; the controller's seeder serves the hosts instead, or, with
/// `--no-local-seed`, the push fails naming the URL.
@Suite(
    "push --torrent with web seeds",
    .sandbox, .interop, .serialized,
    PushFleet.Scope(hosts: 5, unreachable: 0, options: ["--rate", "200mbit", "--disk", "300m"], namePrefix: "sdg")
)
struct PushWebSeedTests {
    static let serverHost = 5
    static let port = 8080

    /// The words that run a command on the web server's host.
    static func onServerHost(_ fleet: PushFleet) -> [String] {
        ["/bin/bash", Sandbox.scriptPath, "host", "\(serverHost)", "--name", fleet.sandbox.name, "--"]
    }

    /// A release of 16 MiB packed into DIR/www (the web server's root) as release-42.tar and
    /// .torrent, the torrent naming the web server; a plain torrent of it in DIR; a copy of the
    /// tarball with piece 20 damaged in DIR/www/corrupt; and the push's hosts file.
    struct Release {
        let temp: TemporaryDirectory
        let fleet: PushFleet
        let server: WebServer
        var www: String { temp.path("www") }
        var tree: String { temp.path("tree") }
        var seededTorrent: String { temp.path("www/release-42.torrent") }
        var plainTorrent: String { temp.path("plain/release-42.torrent") }
        var hostsFile: String { temp.path("hosts.txt") }
        var archiveBytes: Int64 { (try? FileManager.default.attributesOfItem(atPath: temp.path("www/release-42.tar"))[.size] as? Int64) ?? 0 }

        init(_ fleet: PushFleet) async throws {
            self.fleet = fleet
            temp = try TemporaryDirectory("webseed")
            try temp.write(SplitMix64.bytes(count: 16 << 20, seed: 24), to: "tree/data/blob.bin")
            try temp.write("42\n", to: "tree/VERSION")
            for directory in ["www/corrupt", "plain"] {
                try FileManager.default.createDirectory(atPath: temp.path(directory), withIntermediateDirectories: true)
            }
            let address = fleet.sandbox.hostAddresses[PushWebSeedTests.serverHost - 1]
            server = try WebServer(
                serving: temp.path("www"), address: address, port: PushWebSeedTests.port,
                wrap: PushWebSeedTests.onServerHost(fleet))
            let seeded = try await CLI.swarmdeploy(["pack", tree, "-o", temp.path("www/release-42"), "--web-seed", server.url("")])
            let plain = try await CLI.swarmdeploy(["pack", tree, "-o", temp.path("plain/release-42")])
            #expect(seeded.status == 0 && plain.status == 0, "\(seeded.stderr) \(plain.stderr)")
            var bytes = try temp.read("www/release-42.tar")
            bytes[20 * (256 << 10) + 99] ^= 0xFF
            _ = try temp.write(bytes, to: "www/corrupt/release-42.tar")
            try temp.write(fleet.hostLines.prefix(4).joined(separator: "\n") + "\n", to: "hosts.txt")
        }

        /// nginx serving the web server's root over https at `port` on its host, with a
        /// certificate from a test authority naming artifacts.test and the host's address.
        func secureServer(port: Int) async throws -> (TestCertificates, WebServer) {
            let address = fleet.sandbox.hostAddresses[PushWebSeedTests.serverHost - 1]
            let certificates = try await TestCertificates.make(in: temp, names: ["artifacts.test"], addresses: [address])
            let server = try WebServer(
                serving: www, address: address, port: port, tls: certificates,
                wrap: PushWebSeedTests.onServerHost(fleet))
            return (certificates, server)
        }

        func push(_ torrent: String, to destination: String, _ extra: [String]) async throws -> CommandResult {
            try await fleet.push("--torrent=\(torrent)", to: destination, hostsFile: hostsFile, extra: extra)
        }
    }

    @Test("with a web seed, no local seed and only the torrent here, every host installs; the controller sends no payload, the web server about one copy")
    func webSeedOnly() async throws {
        let fleet = try PushFleet.current()
        let release = try await Release(fleet)
        // A first push puts the peer program on the hosts: the measured one starts warm, its
        // hosts within a fraction of a second of each other, as a fleet's usually do (in a
        // cold push they start seconds apart, and shares are helped before their owners start).
        let warm = try await release.push(release.seededTorrent, to: "/srv/web-warm", ["--no-local-seed"])
        #expect(warm.status == 0, "\(warm.stderr)")
        let before = release.server.sentBytes
        // The deploy job has only the torrent: the tarball stays on the web server.
        let deployJob = try release.temp.write(try release.temp.read("www/release-42.torrent"), to: "deploy/release-42.torrent")
        let result = try await release.push(deployJob, to: "/srv/web", ["--no-local-seed"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try result.report()
        #expect(report.totals.succeeded == 4)
        #expect(report.totals.seederBytesSent == 0)
        let copies = Double(report.totals.webSeedBytes) / Double(release.archiveBytes)
        #expect(copies >= 1 && copies <= 1.15, "the hosts took \(copies) copies from the web seed")
        let served = Double(release.server.sentBytes - before) / Double(release.archiveBytes)
        #expect(served >= 1 && served <= 1.15, "nginx sent \(served) copies")
        #expect(report.hosts.allSatisfy { $0.bytesFromWebSeeds > 0 && $0.warnings.isEmpty }, "\(report.hosts)")
        let expected = try await fleet.localListing(of: release.tree)
        for index in 1...4 {
            #expect(try await fleet.listing(of: "/srv/web", onHost: index) == expected, "host \(index)")
        }
        #expect(try await fleet.peersRunning() == [], "no peer may outlive the push")
    }

    @Test(
        "a broken web seed is dropped and named; the controller's seeder serves the hosts instead",
        arguments: [
            ("missing.tar", "answered 404"),
            ("norange/release-42.tar", "ignores Range requests"),
            ("corrupt/release-42.tar", "sent piece 20"),
        ])
    func brokenWebSeedFallsBackToTheSeeder(path: String, reason: String) async throws {
        let fleet = try PushFleet.current()
        let release = try await Release(fleet)
        let url = release.server.url(path)
        let destination = "/srv/broken-\(path.prefix(4))"
        let result = try await release.push(release.plainTorrent, to: destination, ["--web-seed", url, "--stall-timeout", "10s"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try result.report()
        #expect(report.totals.succeeded == 4)
        let warnings = report.hosts.flatMap(\.warnings)
        #expect(warnings.contains { $0.contains(url) && $0.contains(reason) }, "\(warnings)")
        // What the web seed did not bring, the seeder sends about once (not to every host).
        let fromSeeder = Double(report.totals.seederBytesSent) / Double(release.archiveBytes)
        #expect(fromSeeder > 0 && fromSeeder <= 1.15, "the seeder sent \(fromSeeder) copies")
        let expected = try await fleet.localListing(of: release.tree)
        #expect(try await fleet.listing(of: destination, onHost: 1) == expected)
    }

    @Test("with only a missing web seed and no local seed the push fails, each host naming the URL; the destinations stay as they were")
    func brokenWebSeedOnlyFails() async throws {
        let fleet = try PushFleet.current()
        let release = try await Release(fleet)
        let url = release.server.url("missing.tar")
        let result = try await release.push(release.plainTorrent, to: "/srv/none", ["--web-seed", url, "--no-local-seed", "--stall-timeout", "4s"])
        #expect(result.status == 2, "\(result.stderr)")
        let report = try result.report()
        #expect(report.totals.failed == 4)
        #expect(report.hosts.allSatisfy { ($0.error ?? "").contains(url) && ($0.error ?? "").contains("404") }, "\(report.hosts.map(\.error))")
        for index in 1...4 {
            #expect(try await fleet.onHost(index, "test -e /srv/none && echo present || echo absent").stdout == "absent\n")
        }
    }

    @Test("an https web seed, its certificate from the push's own authority (--web-seed-ca), serves the hosts")
    func httpsWebSeed() async throws {
        let fleet = try PushFleet.current()
        let release = try await Release(fleet)
        let (certificates, secure) = try await release.secureServer(port: 8443)
        try await Self.pushesFromItAlone(release, secure, to: "/srv/secure", ["--web-seed-ca", certificates.authority])
    }

    @Test("an https web seed whose authority is in the hosts' own certificate store serves them without --web-seed-ca")
    func httpsWebSeedTrustedByTheHostsStore() async throws {
        let fleet = try PushFleet.current()
        let release = try await Release(fleet)
        let (certificates, secure) = try await release.secureServer(port: 8444)
        // The store as update-ca-certificates leaves it once an internal authority is added,
        // bound over the system's file in each host's own mount namespace (not this machine's).
        let store = "/etc/ssl/certs/ca-certificates.crt"
        let system = (try? Data(contentsOf: URL(fileURLWithPath: store))) ?? Data()
        let ours = try Data(contentsOf: URL(fileURLWithPath: certificates.authority))
        let bundle = try release.temp.write(Array(system + ours), to: "store/ca-certificates.crt")
        try await Self.withStore(bundle, over: store, onHosts: [1, 2, 3, 4], of: fleet) {
            try await Self.pushesFromItAlone(release, secure, to: "/srv/store", [])
        }
    }

    /// Pushes the release with `server` as its only source (`--no-local-seed`): every host
    /// installs the tree with no warning, and the server sent at least the whole tarball.
    static func pushesFromItAlone(_ release: Release, _ server: WebServer, to destination: String, _ extra: [String]) async throws {
        let result = try await release.push(release.plainTorrent, to: destination, ["--web-seed", server.url(""), "--no-local-seed"] + extra)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try result.report()
        #expect(report.totals.succeeded == 4 && report.totals.seederBytesSent == 0)
        #expect(report.hosts.allSatisfy { $0.warnings.isEmpty }, "\(report.hosts.map(\.warnings))")
        #expect(server.sentBytes >= release.archiveBytes)
        let expected = try await release.fleet.localListing(of: release.tree)
        #expect(try await release.fleet.listing(of: destination, onHost: 2) == expected)
    }

    /// Runs `body` with `file` bound over `target` on `hosts`; unbinds afterwards, also when
    /// `body` throws.
    static func withStore(
        _ file: String, over target: String, onHosts hosts: ArraySlice<Int>, of fleet: PushFleet, _ body: () async throws -> Void
    ) async throws {
        guard let host = hosts.first else { return try await body() }
        try await fleet.onHost(host, changedBy: "mount --bind '\(file)' \(target)", undoneBy: "umount \(target)") {
            try await withStore(file, over: target, onHosts: hosts.dropFirst(), of: fleet, body)
        }
    }

    @Test("a release whose tarball no longer matches its torrent is refused before any host is contacted")
    func changedTarballIsRefused() async throws {
        let fleet = try PushFleet.current()
        let release = try await Release(fleet)
        var bytes = try release.temp.read("www/release-42.tar")
        bytes[1000] ^= 1
        _ = try release.temp.write(bytes, to: "www/release-42.tar")
        let before = try await fleet.acceptedLogins()
        let result = try await release.push(release.seededTorrent, to: "/srv/never", [])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("does not match") && result.stderr.contains("piece 0"), "\(result.stderr)")
        #expect(try await fleet.acceptedLogins() == before, "a host was contacted")
    }
}
