/// TCP's retransmission timeouts on a crowded link. A connection repairs a lost packet
/// quickly only when at least three more packets of its own follow it (three duplicate
/// acknowledgements); a link whose queue holds Q packets gives each of n connections about
/// Q/n of them, so beyond Q/4 connections losses are repaired by timeouts instead: the
/// connection sends nothing for 200 ms, twice that at the next timeout in a row, and the
/// others take the link meanwhile (the "incast" pattern of datacenter switches with shallow
/// buffers). Each step, a link carrying more than Q/4 connections stalls the excess,
/// chosen at random; the swarm sees silent peers, as a real one does.
struct LinkTimeouts {
    /// Connections each link carries before losses turn into timeouts; `Int.max` when unlimited.
    let workingConnections: [Int]
    static let minimumTimeout = 0.2
    static let maximumTimeout = 120.0

    init(capacity: [Double], queueDelay: Double?) {
        workingConnections = capacity.map { bytesPerSecond in
            guard let queueDelay, bytesPerSecond.isFinite else { return Int.max }
            let packets = bytesPerSecond * queueDelay / 1514
            return max(1, Int(packets / 4))
        }
    }

    /// The connections (indices into `paths`) to stall this step: on every link crossed by
    /// more than its working number of `paths`, the excess, chosen with `random`.
    func excess(paths: [[Int32]], using random: inout some RandomNumberGenerator) -> Set<Int> {
        var count = [Int: Int]()
        for path in paths {
            for link in path where workingConnections[Int(link)] != Int.max { count[Int(link), default: 0] += 1 }
        }
        let crowded = count.filter { $0.value > workingConnections[$0.key] }.keys.sorted()
        guard !crowded.isEmpty else { return [] }
        var onLink = [Int: [Int]]()
        for (flow, path) in paths.enumerated() {
            for link in path where count[Int(link)].map({ $0 > workingConnections[Int(link)] }) == true {
                onLink[Int(link), default: []].append(flow)
            }
        }
        var stalled = Set<Int>()
        for link in crowded {
            var flows = onLink[link]!.filter { !stalled.contains($0) }
            let excess = flows.count - workingConnections[link]
            guard excess > 0 else { continue }
            flows.shuffle(using: &random)
            stalled.formUnion(flows.prefix(excess))
        }
        return stalled
    }

    /// How long the next timeout of a connection that has had `previous` in a row lasts.
    static func timeout(after previous: Int) -> Double {
        min(maximumTimeout, minimumTimeout * Double(1 << min(previous, 10)))
    }
}
