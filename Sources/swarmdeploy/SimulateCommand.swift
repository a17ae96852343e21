import ArgumentParser
import DeployConfiguration
import Foundation
import SwarmSimulation

/// `swarmdeploy simulate`: a push played out by the swarm's own decision code on a model of
/// the network, for fleets and topologies no sandbox holds.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a push to a modelled fleet: completion times against the lower bound, bytes across racks.",
        discussion: """
            The hosts run swarmdeploy's own piece picker, choker, liveness rules, super-seeding \
            planner and tracker on a model of the network: host links, rack uplinks and \
            datacenter links shared among connections as TCP shares them, latency, disk and hash \
            rates, hosts that freeze, vanish or crawl. Nothing is contacted. The same seed gives \
            the same result.

            Examples:
              swarmdeploy simulate --hosts 16 --host-rate 25mbit --size 50MiB
              swarmdeploy simulate --hosts 10000 --racks 250 --host-rate 1gbit --rack-uplink 10gbit --size 2GiB --peer-selection rack
              swarmdeploy simulate --hosts 10000 --racks 250 --host-rate 1gbit --rack-uplink 10gbit --size 2GiB --freeze 1% --json
            """
    )

    @Option(name: .long, help: "Hosts in the fleet.")
    var hosts: Int

    @Option(name: .long, help: "The payload's size, e.g. 100MiB, 2GiB.")
    var size: String

    @Option(name: .long, help: "Each host's link, each way, e.g. 1gbit, 25mbit.")
    var hostRate = "1gbit"

    @Option(name: .long, help: "The controller's link (default: a host's).")
    var seederRate: String?

    @Option(name: .long, help: "Racks the hosts are spread over in turn (0: one flat network).")
    var racks = 0

    @Option(name: .long, help: "Each rack's uplink to the spine, each way (default: unlimited).")
    var rackUplink: String?

    @Option(name: .long, help: "Datacenters the racks are spread over in turn.")
    var datacenters = 1

    @Option(name: .long, help: "Each datacenter's link to the others, each way (default: unlimited).")
    var datacenterLink: String?

    @Option(name: .long, help: "One-way delay between hosts, e.g. 0.2ms, 1ms.")
    var latency = "0.2ms"

    @Option(name: .long, help: "How long each link's queue holds at its rate; crowded links stall connections with TCP timeouts ('none': never).")
    var queue = "20ms"

    @Option(name: .long, help: "Bytes each host writes per second, as a rate in bits, e.g. 4gbit (default: no limit).")
    var diskRate: String?

    @Option(name: .long, help: "Bytes each host SHA-1-hashes per second, as a rate in bits, e.g. 8gbit (default: no limit).")
    var hashRate: String?

    @Option(name: .long, help: "Piece size (default: what a push would choose for --size).")
    var pieceSize: String?

    @Option(name: .long, help: "The block each request asks for: 16KiB as on the wire, up to a piece (default: 16KiB, or a piece for large runs).")
    var block: String?

    @Option(name: .long, help: "random, rack, or rack:R,D,U (as push --peer-selection; default: rack, random without --racks).")
    var peerSelection = "rack"

    @Flag(name: .long, help: "With rack selection, hosts ask peers in other racks for any piece instead of only their share of the rack's.")
    var noRackShare = false

    @Option(name: .long, help: "Hosts that freeze mid-transfer: a count or a share, e.g. 3 or 1%.")
    var freeze = "0"

    @Option(name: .long, help: "Hosts that vanish mid-transfer: a count or a share.")
    var vanish = "0"

    @Option(name: .long, help: "Hosts whose links drop to 5 % mid-transfer: a count or a share.")
    var crawl = "0"

    @Option(name: .long, help: "Hosts start their peers spread over this long (the SSH fan-out).")
    var startSpread = "200ms"

    @Option(name: .long, help: "Peers each host unchokes at once (default: the peer's own).")
    var maxUnchoked: Int?

    @Option(name: .long, help: "Connections each host keeps at most (default: the peer's own).")
    var maxConnections: Int?

    @Option(name: .long, help: "Peers each announce asks the tracker for (default: the peer's own).")
    var numwant: Int?

    @Option(name: .long, help: "Random seed: the same seed gives the same run.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Simulated time per step, e.g. 10ms.")
    var step = "10ms"

    @Flag(name: .long, help: "Print the result as JSON on stdout.")
    var json = false

    func run() throws {
        let scenario = try makeScenario()
        let simulation: Simulation
        do {
            simulation = try Simulation(scenario)
        } catch {
            throw CommandFailure.badInput(error)
        }
        let bound = simulation.lowerBound.seconds
        StandardError.write(
            "simulating \(scenario.hosts) hosts, \(HumanUnits.bytes(scenario.size)) in pieces of "
                + "\(HumanUnits.bytes(Int64(scenario.pieceLength))), lower bound \(HumanUnits.duration(bound))\n")
        var lastPrinted = ContinuousClock.now
        let result = simulation.run { seconds, done in
            guard ContinuousClock.now - lastPrinted >= .seconds(5) else { return }
            lastPrinted = .now
            StandardError.write("  at \(HumanUnits.duration(seconds)) simulated: \(done) of \(scenario.hosts) hosts done\n")
        }
        if json {
            print(try JSONOutput.text(result))
        } else {
            print(Self.text(result))
        }
    }

    private func makeScenario() throws(CommandFailure) -> SimulationScenario {
        func parse<T>(_ flag: String, _ body: () throws -> T) throws(CommandFailure) -> T {
            do {
                return try body()
            } catch {
                throw .badInput("\(flag): \(error)")
            }
        }
        let selection = try parse("--peer-selection") { try SettingParsers.peerSelection(peerSelection) }
        let peerChoice: SimulationScenario.PeerSelection = switch selection {
        case .random: .random
        case .rack(let otherRacks, let otherDatacenters, let unplaced):
            .rack(otherRacks: otherRacks, otherDatacenters: otherDatacenters, unplaced: unplaced)
        }
        let faults = SimulationScenario.Faults(
            freeze: try parse("--freeze") { try share(freeze) },
            vanish: try parse("--vanish") { try share(vanish) },
            crawl: try parse("--crawl") { try share(crawl) })
        let scenario = SimulationScenario(
            hosts: hosts,
            racks: racks,
            datacenters: datacenters,
            hostRate: try parse("--host-rate") { try SettingParsers.linkRate(hostRate) },
            seederRate: try parse("--seeder-rate") { try seederRate.map(SettingParsers.linkRate) },
            rackUplink: try parse("--rack-uplink") { try rackUplink.map(SettingParsers.linkRate) },
            datacenterLink: try parse("--datacenter-link") { try datacenterLink.map(SettingParsers.linkRate) },
            latency: try parse("--latency") { try SettingParsers.duration(latency).inSeconds },
            diskRate: try parse("--disk-rate") { try diskRate.map { try SettingParsers.linkRate($0) / 8 } },
            hashRate: try parse("--hash-rate") { try hashRate.map { try SettingParsers.linkRate($0) / 8 } },
            queueDelay: try parse("--queue") { queue == "none" ? nil : try SettingParsers.duration(queue, allowZero: false).inSeconds },
            size: Int64(try parse("--size") { try SettingParsers.size(size) }),
            pieceLength: try parse("--piece-size") { try pieceSize.map(SettingParsers.size) },
            blockLength: try parse("--block") { try block.map(SettingParsers.size) },
            peerSelection: peerChoice,
            faults: faults,
            startSpread: try parse("--start-spread") { try SettingParsers.duration(startSpread).inSeconds },
            seed: seed,
            step: try parse("--step") { try SettingParsers.duration(step, allowZero: false).inSeconds })
        var configured = scenario
        configured.rackShares = !noRackShare
        if let maxUnchoked {
            guard maxUnchoked >= 1 else { throw .badInput("--max-unchoked must be at least 1") }
            configured.swarm.maxUnchoked = maxUnchoked
        }
        if let maxConnections {
            guard maxConnections >= 1 else { throw .badInput("--max-connections must be at least 1") }
            configured.swarm.maxConnections = maxConnections
        }
        if let numwant {
            guard (1...200).contains(numwant) else { throw .badInput("--numwant must be 1 to 200") }
            configured.swarm.numwant = numwant
        }
        do {
            try configured.validate()
        } catch {
            throw .badInput(error)
        }
        return configured
    }

    /// The share of the fleet `text` names: hosts (`3`) or a percentage (`1%`), as `--batch`
    /// and `--max-failures` take them.
    func share(_ text: String) throws -> Double {
        let count = try HostCount.parse(text).resolved(of: hosts)
        guard count <= hosts else { throw SimulationError("'\(text)' is more hosts than the fleet's \(hosts)") }
        return Double(count) / Double(max(1, hosts))
    }

    static func text(_ result: SimulationResult) -> String {
        func seconds(_ value: Double?) -> String {
            guard let value else { return "-" }
            return "\(HumanUnits.decimal(value, fractionDigits: 2)) s (\(HumanUnits.decimal(value / result.lowerBound, fractionDigits: 3)) × bound)"
        }
        var lines = [
            "hosts: \(result.completed) done, \(result.incomplete) unfinished, \(result.struck) struck by faults",
            "p50:  \(seconds(result.p50))",
            "p99:  \(seconds(result.p99))",
            "last: \(seconds(result.last))",
            "lower bound: \(HumanUnits.decimal(result.lowerBound, fractionDigits: 2)) s (Kumar-Ross \(HumanUnits.decimal(result.kumarRossBound, fractionDigits: 2)) s)",
            "seeder sent: \(HumanUnits.decimal(result.seederCopies, fractionDigits: 2)) copies",
            "duplicates: \(HumanUnits.bytes(result.duplicateBytes))",
        ]
        if !result.racks.isEmpty {
            lines.append("across racks: \(HumanUnits.bytes(result.crossRackBytes)); most copies into one rack: "
                + HumanUnits.decimal(result.mostRackCopies ?? 0, fractionDigits: 2))
        }
        if result.crossDatacenterBytes > 0 {
            lines.append("across datacenters: \(HumanUnits.bytes(result.crossDatacenterBytes))")
        }
        lines.append(
            "connections: \(result.connections) opened, \(HumanUnits.decimal(result.meanActiveConnections, fractionDigits: 0)) "
                + "carrying bytes in an average step")
        lines.append(
            "pieces: \(result.pieceCount) of \(HumanUnits.bytes(Int64(result.pieceLength))), requests of "
                + "\(HumanUnits.bytes(Int64(result.blockLength))); \(result.steps) steps in "
                + "\(HumanUnits.decimal(result.wallSeconds, fractionDigits: 1)) s, "
                + "\(HumanUnits.decimal(result.microsecondsPerHostPiece, fractionDigits: 2)) µs per host and piece")
        return lines.joined(separator: "\n")
    }
}
