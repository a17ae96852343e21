import DeployConfiguration
import DeployProtocol
import Fleet
import PayloadPacking
import Swarm
import TorrentMetainfo
import Tracker

/// Everything a push will do, decided once from the layered settings before anything is
/// packed or contacted: `--dry-run` renders it and a real push carries it out, so the two
/// cannot disagree.
public struct PushPlan: Sendable {
    /// Where the hosts reach the controller's seeder and tracker.
    public enum Listen: Sendable, Equatable {
        /// `--listen` (or `transfer.listen`).
        case given(String)
        /// The source address of the route towards `towards`, the first host.
        case detected(String, towards: String)
        /// It could not be found; a dry run shows why, a push refuses to start.
        case unknown(problem: String)

        public var address: String? {
            switch self {
            case .given(let address), .detected(let address, _): address
            case .unknown: nil
            }
        }
    }

    /// The directory packed into the payload; with `torrentFile`, that torrent's path.
    public var source: String
    /// A release packed earlier, pushed as it is (`--torrent`), and its tarball when it is not
    /// beside the torrent (`--payload`).
    public var torrentFile: String?
    public var payloadFile: String?
    /// BEP 19 web seeds given for this push (`--web-seed`); a packed release's own follow them.
    public var webSeeds: [String]
    /// Whether the controller seeds (`--no-local-seed`: web seeds only).
    public var localSeed: Bool
    /// The PEM certificates of `--web-seed-ca`, read and checked.
    public var webSeedCertificates: [UInt8]?
    /// Absolute path on every host, normalized.
    public var destination: String
    public var hostsFile: String
    /// Every host with its resolved user, port, labels and SSH settings, in file order.
    public var hosts: [FleetHost]
    public var payload: PayloadOptions
    public var listen: Listen
    /// Trackers the peers (and the seeder) announce to after the controller's own (BEP 12 tiers).
    public var extraTrackers: [String]
    /// Whether the controller runs its own tracker (otherwise `extraTrackers` is not empty).
    public var builtinTracker: Bool
    /// Hosts connecting and launching their peer at once.
    public var sshParallel: Int
    public var connectTimeout: Duration
    /// How long peers keep seeding once they installed, unless every host is done sooner.
    public var seedGrace: Duration
    /// The whole push; hosts still working then fail.
    public var timeout: Duration
    /// A host whose peer reports nothing for this long before installing fails alone.
    public var stallTimeout: Duration
    public var keepPrevious: Bool
    /// Run the peer as root through `sudo -n`.
    public var sudo: Bool
    /// Who the installed tree is given to; nil: whoever runs the peer.
    public var owner: FileOwner?
    /// Hosts that may fail while the push succeeds (and further waves still start).
    public var maxFailures: Int
    /// Layout, hooks and when each host switches.
    public var rollout: RolloutSettings
    /// Hosts per wave after the canaries (`--batch` resolved); nil: one wave.
    public var batchSize: Int?
    /// For estimates and the report's efficiency only: the link rate, or `--max-rate` where lower.
    public var linkRateBitsPerSecond: Double
    /// Lines of the ssh_config the push cannot honour, for the user to see.
    public var notices: [String]
    /// The layered settings the plan was made from, as a dry run's JSON echoes them.
    public var settings: PushSettings
}

extension PushPlan {
    /// How long a peer goes on without hearing from the controller: as long as the controller
    /// waits for a silent peer, so a host cut off from it (which gets no EOF) gives up too.
    public var controllerSilence: Duration { stallTimeout }

    /// How often the controller tells every peer it is there: several times per
    /// `controllerSilence`, at most every quarter second.
    public var heartbeatInterval: Duration { max(.milliseconds(250), min(.seconds(2), controllerSilence / 4)) }

    /// The tracker tiers every peer and the seeder announce to: the controller's own tracker
    /// (`announceURL`, which carries the push's secret; nil without it) first, then each extra
    /// tracker as a tier of its own.
    public func trackerTiers(announceURL: String?) -> [[String]] {
        (announceURL.map { [[$0]] } ?? []) + extraTrackers.map { [$0] }
    }

    /// Every host's addresses as its name resolves here, in the plan's order: the one lookup
    /// a push makes of its hosts' names, handed to the functions below. A name that does not
    /// resolve here has none; its SSH connection fails anyway.
    public func hostAddresses() -> [[IPAddress]] {
        hosts.map { host in (try? AddressLookup.addresses(of: host.configuration.host)) ?? [] }
    }

    /// The addresses the push's peers and seeder accept connections from: the controller's
    /// and every host's (`hostAddresses()`). A peer still admits every address its tracker
    /// hands it.
    public func peerAddresses(controller: String, hostAddresses: [[IPAddress]]) -> [String] {
        var addresses: [String] = []
        var seen: Set<IPAddress> = []
        for address in ((try? AddressLookup.addresses(of: controller)) ?? []) + hostAddresses.joined()
        where seen.insert(address).inserted {
            addresses.append(address.description)
        }
        return addresses
    }

    /// The push's web seeds — `--web-seed` URLs, then the torrent's own (`url-list`) — each
    /// with the addresses its host name resolves to here: the hosts' peer program has no name
    /// service. A name that does not resolve fails the push before any host is contacted.
    public func webSeedEntries(for metainfo: Metainfo) throws(PushError) -> [PeerJob.WebSeedEntry] {
        var seen: Set<String> = []
        var entries: [PeerJob.WebSeedEntry] = []
        for url in webSeeds + metainfo.webSeeds where seen.insert(url).inserted {
            let seed: WebSeed
            do {
                seed = try WebSeed(url, fileName: metainfo.name)
            } catch {
                throw PushError(.invalidRequest, "\(error)", remedy: "give an http:// or https:// URL of the tarball")
            }

            let addresses: [IPAddress]
            do {
                addresses = try AddressLookup.addresses(of: seed.host)
            } catch {
                throw PushError(.invalidRequest, "web seed \(url): cannot resolve \(seed.host): \(error)", remedy: "check the name, or give the server's address")
            }
            entries.append(PeerJob.WebSeedEntry(url: url, addresses: addresses.map(\.description)))
        }
        return entries
    }

    /// Where each host sits (its `dc=` and `rack=` labels) by its addresses
    /// (`hostAddresses()`), for the tracker's rack-aware hand-out; nil with
    /// `--peer-selection random` or when no host names a rack.
    public func peerLocality(hostAddresses: [[IPAddress]]) -> PeerLocality? {
        guard case .rack(let otherRacks, let otherDatacenters, let unplaced) = settings.peerSelection,
            !FleetTopology(hosts.map(\.entry)).isFlat
        else { return nil }
        var locations: [IPAddress: PeerLocation] = [:]
        for (host, addresses) in zip(hosts, hostAddresses) {
            let labels = host.entry.labels
            let location = PeerLocation(datacenter: labels[FleetTopology.datacenterLabel], rack: labels[FleetTopology.rackLabel])
            for address in addresses { locations[address] = location }
        }
        return PeerLocality(locations: locations, otherRacks: otherRacks, otherDatacenters: otherDatacenters, unplaced: unplaced)
    }

    /// The push's named racks for the peers' job (`PeerJob.racks`): each rack's hosts in
    /// hosts-file order, each host's addresses (`hostAddresses()`); nil when `peerLocality` is.
    /// Hosts without a `rack=` label are in none.
    public func rackTable(hostAddresses: [[IPAddress]]) -> [[[String]]]? {
        guard case .rack = settings.peerSelection else { return nil }
        let topology = FleetTopology(hosts.map(\.entry))
        guard !topology.isFlat, hostAddresses.count == hosts.count else { return nil }
        return topology.datacenters.flatMap { datacenter in
            datacenter.racks.filter { $0.name != nil }.map { rack in rack.hosts.map { hostAddresses[$0].map(\.description) } }
        }
    }

    /// The address the seeder and tracker bind to, or why the push cannot start.
    public func listenAddress() throws(PushError) -> String {
        switch listen {
        case .given(let address), .detected(let address, _):
            return address
        case .unknown(let problem):
            throw PushError(
                .addressDetection,
                "cannot tell which address hosts reach this machine at: \(problem)",
                remedy: "give it with --listen ADDR"
            )
        }
    }
}
