import Foundation
import Testing
import Archive
import DeployConfiguration
import Fleet
import Push

@Suite struct DryRunPlanTests {
    static let hostsText = """
        a rack=r1 dc=east
        b rack=r1 dc=east
        deploy@c:2222 rack=r1
        d rack=r1 dc=west
        e rack=r2
        [fd00::5]:22
        g
        """

    static func input(
        hosts text: String = hostsText,
        payloadSHA256: String? = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        controller: String? = "10.0.0.1",
        problem: String? = nil,
        keepPrevious: Bool = true
    ) throws -> DryRunInput {
        var settings = PushSettings.defaults
        settings.user = "release"
        settings.compression = .gzip(level: 6)
        settings.keepPrevious = keepPrevious
        settings.linkRateBitsPerSecond = 1e9
        settings.trackers = ["http://backup.example.com/announce"]
        return DryRunInput(
            source: "/src/build",
            destination: "/opt/app",
            hostsFile: "hosts.txt",
            hosts: try Fleet.hosts(try HostsFile.parse(text, path: "hosts.txt"), settings: settings, environment: [:]),
            fileCount: 1234,
            directoryCount: 56,
            symlinkCount: 3,
            payloadBytes: 536_870_912,
            archiveBytes: 250_000_000,
            compressed: true,
            pieceLength: 262_144,
            pieceCount: 954,
            payloadSHA256: payloadSHA256,
            settings: settings,
            controllerAddress: controller,
            controllerAddressProblem: problem
        )
    }

    @Test func textShowsTheNumbers() throws {
        let input = try Self.input()
        let text = DryRunPlan(input).renderText()
        let expectations = [
            "nothing was contacted",
            "/src/build", "/opt/app",
            "1,234 files", "56 directories", "3 symlinks", HumanUnits.bytes(536_870_912), "536,870,912 bytes",
            HumanUnits.bytes(250_000_000), "gzip level 6",
            "954 × 256 KiB", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "7 from hosts.txt",
            "rack=r1", "4 hosts (a, b, c:2222, d)", "rack=r2", "1 host (e)", "dc=east", "2 hosts (a, b)",
            "(no labels)", "2 hosts ([fd00::5]:22, g)",
            "10.0.0.1", "http://10.0.0.1:<port>/announce", "http://backup.example.com/announce",
            "1 Gbit/s",
            HumanUnits.duration(TransferEstimate.sequentialSeconds(bytes: 250_000_000, hosts: 7, bitsPerSecond: 1e9)),
            HumanUnits.duration(TransferEstimate.swarmSeconds(bytes: 250_000_000, hosts: 7, pieces: 954, bitsPerSecond: 1e9)),
            "user release, port 22", "~/.cache/swarmdeploy/", "954 pieces", "/opt/.app.swarmdeploy-<id>.new", "/opt/app.prev", "atomic rename",
        ]
        for expected in expectations {
            #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
        }
        let speedup = TransferEstimate.sequentialSeconds(bytes: 250_000_000, hosts: 7, bitsPerSecond: 1e9)
            / TransferEstimate.swarmSeconds(bytes: 250_000_000, hosts: 7, pieces: 954, bitsPerSecond: 1e9)
        #expect(text.contains(HumanUnits.decimal(speedup, fractionDigits: 1) + "x"))
        #expect(!text.contains("\u{1B}"))
    }

    @Test func theTopologyListsDatacentersAndRacksInNaturalOrder() throws {
        let text = "a dc=east rack=r10\nb dc=east rack=r2\nc dc=east rack=r2\nd rack=r1\n"
        let plan = DryRunPlan(try Self.input(hosts: text))
        let topology = try #require(plan.topology)
        #expect(topology.datacenters.map(\.name) == ["east", nil])
        #expect(topology.datacenters[0].racks.map(\.name) == ["r2", "r10"])
        #expect(topology.datacenters[0].racks.map(\.hosts) == [2, 1])
        #expect(topology.crossRackBytesAtLeast == 3 * 250_000_000)
        #expect(plan.labelGroups.filter { $0.key == "rack" }.map(\.value) == ["r1", "r2", "r10"])
        let rendered = plan.renderText()
        #expect(rendered.contains("east: 2 racks, 3 hosts: r2 2, r10 1"), "\(rendered)")
        #expect(rendered.contains("(no dc): 1 rack, 1 host: r1 1"), "\(rendered)")
        #expect(rendered.contains("at least \(HumanUnits.bytes(750_000_000)) (one copy into each rack)"))
        // Rack peers are the default: their estimate comes first, random peers' in brackets.
        #expect(topology.crossRackBytesRackPeers == 825_000_000)
        #expect(rendered.contains("about \(HumanUnits.bytes(825_000_000)) with rack peers (about"), "\(rendered)")
        #expect(rendered.contains("its share of the pieces into its rack (--peer-selection rack:4,1,1)"), "\(rendered)")
        // Without rack labels there is no topology to show.
        #expect(DryRunPlan(try Self.input(hosts: "a dc=x\nb\n")).topology == nil)
    }

    @Test func valuesAreAligned() throws {
        let text = DryRunPlan(try Self.input()).renderText()
        let rows = text.split(separator: "\n").filter { row in ["Source", "Destination", "Payload", "Hosts", "Controller", "  rack=r1"].contains { row.hasPrefix($0) } }
        let valueStarts = rows.map { row -> Int in
            let label = row.prefix { $0 == " " }
            let afterLabel = row.dropFirst(label.count).drop { $0 != " " }
            let value = afterLabel.drop { $0 == " " }
            return row.distance(from: row.startIndex, to: value.startIndex)
        }
        #expect(rows.count == 6)
        #expect(Set(valueStarts).count == 1, "\(rows)")
    }

    @Test func longHostListsAreAbbreviated() throws {
        let lines = (1...40).map { "web\($0) rack=big" }.joined(separator: "\n")
        let plan = DryRunPlan(try Self.input(hosts: lines))
        let text = plan.renderText()
        #expect(text.contains("40 hosts (web1, web2, web3, web4, web5, web6, … and 34 more)"))
        #expect(!text.contains("web40"))
        #expect(plan.labelGroups.count == 1)
        #expect(plan.labelGroups.first?.key == "rack")
        #expect(plan.labelGroups.first?.value == "big")
        #expect(plan.labelGroups.first?.hosts == (1...40).map { "web\($0)" })
    }

    @Test func unknownControllerSaysWhy() throws {
        let plan = DryRunPlan(try Self.input(payloadSHA256: nil, controller: nil, problem: "no route to 'a': Network is unreachable"))
        let text = plan.renderText()
        #expect(plan.controller.address == nil)
        #expect(plan.controller.trackerURL == nil)
        #expect(text.contains("Network is unreachable"))
        #expect(text.contains("transfer.listen"))
        #expect(text.contains("not computed"))
    }

    @Test func withoutKeepPreviousNoPrevTree() throws {
        let text = DryRunPlan(try Self.input(keepPrevious: false)).renderText()
        #expect(!text.contains("keep the old tree"))
        #expect(text.contains("delete the old tree (and any /opt/app.prev)"))
    }

    @Test func targetsApplyDefaults() throws {
        let plan = DryRunPlan(try Self.input())
        #expect(plan.hostCount == 7)
        #expect(plan.hosts[0].user == "release" && plan.hosts[0].port == 22)
        #expect(plan.hosts[2].user == "deploy" && plan.hosts[2].port == 2222)
        #expect(plan.hosts[5].host == "fd00::5")
        #expect(plan.unlabeledHosts == ["[fd00::5]:22", "g"])
        #expect(plan.nothingContacted)
    }

    @Test(arguments: [true, false])
    func jsonRoundTrips(_ withHash: Bool) throws {
        let plan = DryRunPlan(try Self.input(payloadSHA256: withHash ? "00ff" : nil))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(plan)
        let decoded = try JSONDecoder().decode(DryRunPlan.self, from: data)
        #expect(decoded == plan)

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["nothing_contacted", "source", "destination", "hosts_file", "payload", "archive", "torrent",
                    "host_count", "hosts", "label_groups", "unlabeled_hosts", "controller", "estimate",
                    "host_steps", "controller_steps", "settings"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        let torrent = try #require(object["torrent"] as? [String: Any])
        #expect(torrent["piece_count"] as? Int == 954)
        #expect(torrent["piece_length"] as? Int == 262_144)
        #expect((torrent["payload_sha256"] as? String) == (withHash ? "00ff" : nil))
        let settings = try #require(object["settings"] as? [String: Any])
        #expect(settings["link_rate_bits_per_second"] as? Double == 1e9)
        #expect(settings["keep_previous"] as? Bool == true)
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("Bytes\""), "field names must be snake_case")
    }
}
