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

    // Scratch space kept between steps, so a step allocates nothing per link.
    private var count: [Int32]
    private var slot: [Int32]
    private var touched: [Int32] = []
    private var flowsOnLink: [[Int]] = []

    /// `burst`: what a link of that rate sends at once on top of its queue — a token bucket's
    /// burst, which tc counts in the queue's limit; none by default.
    init(capacity: [Double], queueDelay: Double?, burst: (Double) -> Double = { _ in 0 }) {
        workingConnections = capacity.map { bytesPerSecond in
            guard let queueDelay, bytesPerSecond.isFinite else { return Int.max }
            let packets = (bytesPerSecond * queueDelay + burst(bytesPerSecond)) / 1514
            return max(1, Int(packets / 4))
        }
        count = Array(repeating: 0, count: capacity.count)
        slot = Array(repeating: -1, count: capacity.count)
    }

    /// The connections to stall this step, in ascending order, where connection `f` crosses
    /// the links `links[start[f]..<start[f + 1]]` (as `LinkSharing.rates`): on every link
    /// crossed by more than its working number, the excess, chosen with `random`.
    mutating func excess(links: [Int32], start: [Int32], using random: inout some RandomNumberGenerator) -> [Int] {
        for link in links where workingConnections[Int(link)] != Int.max {
            if count[Int(link)] == 0 { touched.append(link) }
            count[Int(link)] += 1
        }
        defer {
            for link in touched {
                count[Int(link)] = 0
                slot[Int(link)] = -1
            }
            touched.removeAll(keepingCapacity: true)
        }
        let crowded = touched.filter { Int(count[Int($0)]) > workingConnections[Int($0)] }.sorted()
        guard !crowded.isEmpty else { return [] }
        while flowsOnLink.count < crowded.count { flowsOnLink.append([]) }
        for (position, link) in crowded.enumerated() {
            slot[Int(link)] = Int32(position)
            flowsOnLink[position].removeAll(keepingCapacity: true)
        }
        let flows = start.count - 1
        for flow in 0..<flows {
            for position in Int(start[flow])..<Int(start[flow + 1]) where slot[Int(links[position])] >= 0 {
                flowsOnLink[Int(slot[Int(links[position])])].append(flow)
            }
        }
        var isStalled = Array(repeating: false, count: flows)
        for (position, link) in crowded.enumerated() {
            var candidates = flowsOnLink[position].filter { !isStalled[$0] }
            let excess = candidates.count - workingConnections[Int(link)]
            guard excess > 0 else { continue }
            candidates.shuffle(using: &random)
            for flow in candidates.prefix(excess) { isStalled[flow] = true }
        }
        return isStalled.indices.filter { isStalled[$0] }
    }

    /// How long the next timeout of a connection that has had `previous` in a row lasts.
    static func timeout(after previous: Int) -> Double {
        min(maximumTimeout, minimumTimeout * Double(1 << min(previous, 10)))
    }
}
