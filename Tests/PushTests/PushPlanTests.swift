import DeployConfiguration
import DeployProtocol
import Foundation
import Testing
import TestSupport
@testable import Push

/// The plan is made once from the layered settings; these check what it decides, without
/// contacting anything (the route lookup is replaced, so no socket is opened).
@Suite struct PushPlanTests {
    /// A source directory and a hosts file in a fresh directory, and settings naming them.
    struct Fixture {
        let directory: TemporaryDirectory
        var settings: PushSettings

        init(hosts: String) throws {
            directory = try TemporaryDirectory("push-plan")
            try FileManager.default.createDirectory(atPath: directory.path("app"), withIntermediateDirectories: true)
            try "hello\n".write(toFile: directory.path("app/index.html"), atomically: true, encoding: .utf8)
            try hosts.write(toFile: directory.path("hosts.txt"), atomically: true, encoding: .utf8)
            settings = .defaults
            settings.source = directory.path("app")
            settings.destination = "/opt/app/"
            settings.hostsFile = directory.path("hosts.txt")
            settings.user = "deploy"
        }

        func plan(detected: String = "10.9.0.1") throws(PushError) -> PushPlan {
            try PushPlan(settings: settings, environment: ["HOME": "/home/deploy"]) { _, _ throws(PushError) in detected }
        }
    }

    @Test func resolvesEveryHostOnceWithItsUserAndPort() throws {
        var fixture = try Fixture(hosts: "a rack=r1\nops@b:2200\n")
        fixture.settings.port = 2222
        let plan = try fixture.plan()
        #expect(plan.destination == "/opt/app")
        #expect(plan.hosts.map(\.name) == ["deploy@a:2222", "ops@b:2200"])
        #expect(plan.hosts.map(\.configuration.port) == [2222, 2200])
        #expect(plan.hosts[0].entry.labels == ["rack": "r1"])
        #expect(plan.listen == .detected("10.9.0.1", towards: "a"))
    }

    /// A congested link may leave a host's SSH segments unacknowledged for a while; the push's
    /// own watchdog decides when a host is gone, so its connections wait longer than exec's.
    @Test func pushConnectionsOutlastCongestion() throws {
        let plan = try Fixture(hosts: "a\nb\n").plan()
        #expect(plan.hosts.allSatisfy { $0.configuration.deadHostTimeout == .seconds(120) })
    }

    /// Was: push read the hosts file as if every host were on port 22, so with `--port 2222`
    /// "h" and "h:2222" (the same host) passed and "h" and "h:22" (two hosts) were refused.
    @Test func duplicateHostsAreFoundOnTheDefaultPort() throws {
        var fixture = try Fixture(hosts: "h\nh:2222\n")
        fixture.settings.port = 2222
        let error = #expect(throws: PushError.self) { try fixture.plan() }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.description.contains("line 1") == true)

        var distinct = try Fixture(hosts: "h\nh:22\n")
        distinct.settings.port = 2222
        #expect(try distinct.plan().hosts.count == 2)
    }

    /// Was: only the real push refused a wildcard; the dry run showed it as the tracker's address.
    @Test(arguments: ["0.0.0.0", "::", "[::]"])
    func wildcardListenIsRefused(_ wildcard: String) throws {
        var fixture = try Fixture(hosts: "a\n")
        fixture.settings.listen = wildcard
        let error = #expect(throws: PushError.self) { try fixture.plan() }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.description.contains("--listen \(wildcard)") == true)
    }

    @Test func givenListenWinsAndAnUnknownOneStopsOnlyThePush() throws {
        var fixture = try Fixture(hosts: "a\n")
        fixture.settings.listen = "192.0.2.7"
        #expect(try fixture.plan().listen == .given("192.0.2.7"))
        #expect(try fixture.plan().listenAddress() == "192.0.2.7")

        fixture.settings.listen = nil
        let unknown = try PushPlan(settings: fixture.settings, environment: [:]) { _, _ throws(PushError) in
            throw PushError(.addressDetection, "no route to 'a'")
        }
        #expect(unknown.listen == .unknown(problem: "no route to 'a'"))
        let error = #expect(throws: PushError.self) { try unknown.listenAddress() }
        #expect(error?.kind == .addressDetection)
    }

    /// Was: `--tracker` and `transfer.trackers` reached the dry run but never the peers.
    @Test func extraTrackersReachThePeersAfterTheBuiltInOne() throws {
        var fixture = try Fixture(hosts: "a\n")
        fixture.settings.trackers = ["http://tracker-1.example:6969/announce", "http://tracker-2.example/announce"]
        let plan = try fixture.plan()
        let manifest = try plan.scanSource()
        let payload = try plan.pack(manifest)
        let builtIn = "http://10.9.0.1:4000/secret/announce"

        let job = plan.peerJob(for: payload, announceURL: builtIn, hostAddresses: plan.hostAddresses())
        #expect(job.trackers == [builtIn] + fixture.settings.trackers)
        #expect(plan.trackerTiers(announceURL: builtIn) == [[builtIn], [fixture.settings.trackers[0]], [fixture.settings.trackers[1]]])
        // It survives the wire as the peer reads it.
        let wire = job.encoded()
        let body = wire[(wire.firstIndex(of: UInt8(ascii: "\n"))! + 1)...]
        let decoded = try PeerJob(body: Array(body))
        #expect(decoded.trackers == job.trackers)
    }

    @Test func jobCarriesTheDestinationAndTimesOfThePlan() throws {
        var fixture = try Fixture(hosts: "a\n")
        fixture.settings.seedGrace = .milliseconds(1500)
        fixture.settings.timeout = .seconds(90)
        fixture.settings.keepPrevious = false
        fixture.settings.stallTimeout = .seconds(12)
        let plan = try fixture.plan()
        let payload = try plan.pack(try plan.scanSource())
        let job = plan.peerJob(for: payload, announceURL: "http://x/announce", hostAddresses: plan.hostAddresses())
        #expect(job.destination == "/opt/app")
        // A peer gives up on a silent controller when the controller gives up on a silent peer,
        // and hears from it several times in between.
        #expect(job.controllerSilenceMilliseconds == 12_000)
        #expect(plan.heartbeatInterval == .seconds(2))
        #expect(job.seedGraceMilliseconds == 1500)
        #expect(job.timeoutMilliseconds == 90_000)
        #expect(job.keepPrevious == false)
        #expect(job.tarBytes == payload.tarBytes)
        #expect(job.torrent == payload.metainfo.bytes)
    }

    /// Was: the info-hash followed from the tree, so anyone who had the tree (or a dry run of
    /// it) could ask a push's peers for the payload by it.
    @Test func everyPushHasItsOwnInfoHashForTheSameArchive() throws {
        let fixture = try Fixture(hosts: "a\n")
        let plan = try fixture.plan()
        let manifest = try plan.scanSource()
        let (first, second) = (try plan.pack(manifest), try plan.pack(manifest))
        #expect(first.metainfo.infoHash != second.metainfo.infoHash)
        #expect(first.metainfo.payloadSHA256 == second.metainfo.payloadSHA256)
        #expect(first.metainfo.pieceHashes == second.metainfo.pieceHashes)
        #expect(try plan.hash(manifest).metainfo.infoHash != first.metainfo.infoHash)
    }

    @Test func theJobCarriesThePeerKeyAndTheHostsAddresses() throws {
        let fixture = try Fixture(hosts: "10.9.0.2\n10.9.0.3:2222\n[fd00::4]\n10.9.0.2:23\n")
        let plan = try fixture.plan()
        let addresses = plan.peerAddresses(controller: "10.9.0.1", hostAddresses: plan.hostAddresses())
        // The controller first, each address once whatever the port.
        #expect(addresses == ["10.9.0.1", "10.9.0.2", "10.9.0.3", "fd00::4"])
        let key = Array(repeating: UInt8(9), count: 32)
        var job = plan.peerJob(for: try plan.pack(try plan.scanSource()), announceURL: "http://x/announce", peerKey: key, peerAddresses: addresses,
            hostAddresses: plan.hostAddresses())
        job.programToken = Array(repeating: 7, count: 16)
        let wire = job.encoded()
        let decoded = try PeerJob(body: Array(wire[(wire.firstIndex(of: UInt8(ascii: "\n"))! + 1)...]))
        #expect(decoded.peerKey == key)
        #expect(decoded.peerAddresses == addresses)
        #expect(decoded.programToken == job.programToken)
    }

    @Test func withRackSelectionTheJobCarriesTheRacksInTopologyOrder() throws {
        let hosts = "10.9.0.2 rack=r10\n10.9.0.3 rack=r2\n10.9.0.4 rack=r10\n10.9.0.5\n10.9.0.6 rack=r2 dc=b\n"
        var fixture = try Fixture(hosts: hosts)
        fixture.settings.peerSelection = .rack(otherRacks: 1, otherDatacenters: 1, unplaced: 1)
        let plan = try fixture.plan()
        // Unnamed datacenter last, racks in natural order, hosts in file order; unlabelled hosts in none.
        let addresses = plan.hostAddresses()
        #expect(plan.rackTable(hostAddresses: addresses) == [[["10.9.0.6"]], [["10.9.0.3"]], [["10.9.0.2"], ["10.9.0.4"]]])
        let job = plan.peerJob(for: try plan.pack(try plan.scanSource()), announceURL: "http://x/announce", hostAddresses: addresses)
        #expect(job.racks == plan.rackTable(hostAddresses: addresses))
        fixture.settings.peerSelection = .random
        let random = try fixture.plan()
        #expect(random.rackTable(hostAddresses: random.hostAddresses()) == nil)
        var flat = try Fixture(hosts: "10.9.0.2\n10.9.0.3\n")
        flat.settings.peerSelection = .rack(otherRacks: 1, otherDatacenters: 1, unplaced: 1)
        let flatPlan = try flat.plan()
        #expect(flatPlan.rackTable(hostAddresses: flatPlan.hostAddresses()) == nil)
    }

    @Test func withoutTheBuiltInTrackerAnotherOneIsNeeded() throws {
        var fixture = try Fixture(hosts: "a\n")
        fixture.settings.builtinTracker = false
        let error = #expect(throws: PushError.self) { try fixture.plan() }
        #expect(error?.kind == .invalidRequest)
        #expect(error?.description.contains("--tracker") == true)
        fixture.settings.trackers = ["http://opentracker.example:6969/announce"]
        let plan = try fixture.plan()
        #expect(plan.trackerTiers(announceURL: nil) == [["http://opentracker.example:6969/announce"]])
    }

    @Test func pushPiecesStartAt64KiB() throws {
        let fixture = try Fixture(hosts: "a\n")
        let plan = try fixture.plan()
        #expect(plan.payload.automaticMinimumPieceLength == 64 * 1024)
        #expect(try plan.hash(try plan.scanSource()).metainfo.pieceLength == 64 * 1024)
    }

    @Test func missingPartsAreNamed() throws {
        var fixture = try Fixture(hosts: "a\n")
        fixture.settings.destination = nil
        #expect((#expect(throws: PushError.self) { try fixture.plan() })?.description.contains("no destination") == true)
        fixture.settings.destination = "relative/path"
        #expect((#expect(throws: PushError.self) { try fixture.plan() })?.description.contains("absolute") == true)
        fixture.settings.destination = "/opt/app"
        fixture.settings.source = fixture.directory.path("missing")
        #expect((#expect(throws: PushError.self) { try fixture.plan() })?.description.contains("not a directory") == true)
    }
}
