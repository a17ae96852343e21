/// Shares links among the flows crossing them, as TCP roughly does: every flow first gets an
/// equal share of its tightest link, then flows whose links all have room left grow into it
/// (a few rounds of scaling each flow by its tightest link's spare ratio, which approaches the
/// max-min fair share). A pure value: link capacities in, one rate per flow out.
struct LinkSharing {
    /// Bytes per second each link carries; `.infinity` for a link that is never the limit.
    var capacity: [Double]
    /// Rounds of growing into spare capacity; three get within a percent of max-min here.
    var rounds = 3

    private var flowCount: [Int32]
    private var load: [Double]

    init(capacity: [Double]) {
        self.capacity = capacity
        flowCount = Array(repeating: 0, count: capacity.count)
        load = Array(repeating: 0, count: capacity.count)
    }

    /// The rate of each flow, where flow `f` crosses the links `links[start[f]..<start[f + 1]]`.
    mutating func rates(links: [Int32], start: [Int32], into rates: inout [Double]) {
        let flows = start.count - 1
        rates.removeAll(keepingCapacity: true)
        guard flows > 0 else { return }
        for index in flowCount.indices { flowCount[index] = 0 }
        for link in links { flowCount[Int(link)] += 1 }
        for flow in 0..<flows {
            var rate = Double.infinity
            for position in Int(start[flow])..<Int(start[flow + 1]) {
                let link = Int(links[position])
                rate = min(rate, capacity[link] / Double(flowCount[link]))
            }
            rates.append(rate)
        }
        for _ in 0..<rounds {
            for index in load.indices { load[index] = 0 }
            for flow in 0..<flows {
                for position in Int(start[flow])..<Int(start[flow + 1]) {
                    load[Int(links[position])] += rates[flow]
                }
            }
            var grew = false
            for flow in 0..<flows {
                var ratio = Double.infinity
                for position in Int(start[flow])..<Int(start[flow + 1]) {
                    let link = Int(links[position])
                    ratio = min(ratio, capacity[link] / load[link])
                }
                if ratio.isFinite && ratio > 1.000_001 {
                    rates[flow] *= ratio
                    grew = true
                }
            }
            if !grew { break }
        }
    }
}
