import DeployProtocol
import Foundation
import Testing

@Suite("The job a peer reads from its control channel")
struct PeerJobTests {
    private let job = PeerJob(
        torrent: Array("d4:infod6:lengthi1eee".utf8),
        trackers: ["http://10.0.0.1:4000/s3cret/announce", "http://backup:6969/announce"],
        destination: "/opt/app",
        extractedBytes: 123_456,
        tarBytes: 140_800,
        keepPrevious: true,
        seedGraceMilliseconds: 30_000,
        timeoutMilliseconds: 600_000
    )

    @Test func roundTripThroughHeaderAndBody() throws {
        let wire = job.encoded()
        let newline = try #require(wire.firstIndex(of: UInt8(ascii: "\n")))
        let length = try PeerJob.bodyLength(fromHeader: String(decoding: wire[..<newline], as: UTF8.self))
        #expect(length == wire.count - newline - 1)
        #expect(try PeerJob(body: Array(wire[(newline + 1)...])) == job)
    }

    @Test func theReleaseLayoutHooksAndActivationRoundTrip() throws {
        var releases = job
        releases.layout = .releases
        releases.releaseID = "20261206T133501Z-1a2b3c4d"
        releases.keepReleases = 2
        releases.waitsForActivation = true
        releases.archiveIndex = [0x1F, 0x8B, 0, 1, 2, 3]
        releases.maxRateBitsPerSecond = 20_000_000
        releases.hooks = HookCommands(afterActivate: "systemctl restart app", healthCheck: "curl -fsS localhost/up", healthRetries: 0)
        let wire = releases.encoded()
        let body = Array(wire.drop { $0 != UInt8(ascii: "\n") }.dropFirst())
        #expect(try PeerJob(body: body) == releases)
        // Only limits, no command: still the same job after the trip.
        var limits = job
        limits.hooks.healthTimeoutMilliseconds = 5
        #expect(try PeerJob(body: Array(limits.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst())) == limits)
    }

    @Test("web seeds with their resolved addresses, and the hosts' addresses for the shares, round-trip")
    func webSeedsRoundTrip() throws {
        var seeded = job
        seeded.webSeeds = [
            PeerJob.WebSeedEntry(url: "http://artifacts.internal/releases/", addresses: ["10.0.0.9", "fd00::9"]),
            PeerJob.WebSeedEntry(url: "http://10.0.0.8/r.tar", addresses: []),
        ]
        seeded.webSeedHosts = [["10.0.0.11"], ["10.0.0.12", "fd00::12"]]
        let wire = seeded.encoded()
        let body = Array(wire.drop { $0 != UInt8(ascii: "\n") }.dropFirst())
        #expect(try PeerJob(body: body) == seeded)
        // Without them nothing is written: an older peer reads the job as before.
        #expect(!String(decoding: job.encoded(), as: UTF8.self).contains("web seed"))
    }

    @Test("malformed web seed fields are refused")
    func malformedWebSeeds() throws {
        let wire = job.encoded()
        let body = Array(wire.drop { $0 != UInt8(ascii: "\n") }.dropFirst())
        let plain = String(decoding: body.dropLast(), as: UTF8.self)
        for extra in ["9:web seedsli3ee", "9:web seedsllee", "14:web seed hostsl3:abce"] {
            // The web seed keys sort after every other key of the job: appended, the keys stay in order.
            let spliced = plain + extra + "e"
            #expect(throws: PeerJobError.self, "\(extra)") { try PeerJob(body: Array(spliced.utf8)) }
        }
    }

    @Test func aReleaseJobWithoutAUsableIdIsRefused() {
        var releases = job
        releases.layout = .releases
        for id in [nil, "../../etc", ""] as [String?] {
            releases.releaseID = id
            #expect(throws: PeerJobError.self, "\(id ?? "nil")") {
                try PeerJob(body: Array(releases.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst()))
            }
        }
    }

    @Test func aShortPeerKeyOrAnAddressListOfNonTextIsRefused() {
        var short = job
        short.peerKey = Array(repeating: 1, count: 8)
        let error = #expect(throws: (any Error).self) {
            try PeerJob(body: Array(short.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst()))
        }
        #expect(text(error).contains("peer key"), "\(text(error))")
        var empty = job
        empty.peerAddresses = [""]
        #expect(throws: (any Error).self) {
            try PeerJob(body: Array(empty.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst()))
        }
        var shortToken = job
        shortToken.programToken = [1, 2, 3]
        let token = #expect(throws: (any Error).self) {
            try PeerJob(body: Array(shortToken.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst()))
        }
        #expect(text(token).contains("program token"), "\(text(token))")
        var plain = job
        plain.peerKey = nil
        plain.peerAddresses = nil
        #expect(throws: Never.self) {
            try PeerJob(body: Array(plain.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst()))
        }
    }

    @Test func theRackTableRoundTripsAndAMalformedOneIsRefused() throws {
        var racked = job
        racked.racks = [[["10.0.1.1"], ["10.0.1.2", "fd00::12"]], [["10.0.2.1"]]]
        #expect(try PeerJob(body: Array(racked.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst())) == racked)
        racked.racks = [[[""]]]
        let empty = #expect(throws: (any Error).self) {
            try PeerJob(body: Array(racked.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst()))
        }
        #expect(text(empty).contains("racks"), "\(text(empty))")
        // A rack that is not a list of hosts, each a list of addresses.
        racked.racks = [[["X"]]]
        let wire = String(decoding: racked.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst(), as: UTF8.self)
        #expect(wire.contains("5:rackslll1:Xeee"))
        let flat = Array(wire.replacingOccurrences(of: "5:rackslll1:Xeee", with: "5:racksl1:Xe").utf8)
        let shape = #expect(throws: (any Error).self) { try PeerJob(body: flat) }
        #expect(text(shape).contains("racks"), "\(text(shape))")
    }

    @Test func headerFromAnotherProgramIsRefusedWithAHint() {
        let foreign = #expect(throws: (any Error).self) { try PeerJob.bodyLength(fromHeader: "hello") }
        #expect(text(foreign).contains("swarmdeploy push"), "\(text(foreign))")
        let newer = #expect(throws: (any Error).self) { try PeerJob.bodyLength(fromHeader: "swarmdeploy-job 2 10") }
        #expect(text(newer).contains("version"), "\(text(newer))")
        #expect(throws: (any Error).self) { try PeerJob.bodyLength(fromHeader: "swarmdeploy-job 1 999999999999") }
        #expect(throws: (any Error).self) { try PeerJob.bodyLength(fromHeader: "swarmdeploy-job 1 -5") }
    }

    @Test func bodyWithAMissingOrMistypedFieldNamesIt() {
        var relative = job
        relative.destination = "opt/app"
        let notAbsolute = #expect(throws: (any Error).self) {
            try PeerJob(body: Array(relative.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst()))
        }
        #expect(text(notAbsolute).contains("absolute"), "\(text(notAbsolute))")
        let missing = #expect(throws: (any Error).self) { try PeerJob(body: Array("d7:torrent3:abce".utf8)) }
        #expect(text(missing).contains("\"trackers\""), "\(text(missing))")
        #expect(throws: (any Error).self) { try PeerJob(body: Array("not bencode".utf8)) }
    }

    /// Sizes the host adds and scales, and times it sleeps for, are bounded: a job whose
    /// extracted size is near 2^63 once trapped in the free-space check.
    @Test func sizesAndTimesBeyondAnyPayloadAreRefused() {
        var cases: [(PeerJob, String)] = []
        var huge = job
        huge.extractedBytes = .max - 10
        cases.append((huge, "bytes"))
        var forever = job
        forever.timeoutMilliseconds = .max
        cases.append((forever, "timeout"))
        var silent = job
        silent.controllerSilenceMilliseconds = 0
        cases.append((silent, "out of range"))
        for rate: Int64 in [0, -1, 999_999, .max] {
            var capped = job
            capped.maxRateBitsPerSecond = rate
            cases.append((capped, "caps the rate at \(rate) bit/s"))
        }
        for (bad, mentioned) in cases {
            let error = #expect(throws: (any Error).self) {
                try PeerJob(body: Array(bad.encoded().drop { $0 != UInt8(ascii: "\n") }.dropFirst()))
            }
            #expect(text(error).contains(mentioned), "\(text(error))")
        }
    }

    /// What an error says, as a person reading the failure would see it.
    private func text(_ error: (any Error)?) -> String {
        error.map { "\($0)" } ?? "no error"
    }
}
