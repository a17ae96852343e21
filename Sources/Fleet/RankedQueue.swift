/// A queue served by rank, lowest first, and in arrival order within a rank: how
/// `BlockingPool` takes jobs and `HostAdmission` lets hosts in.
struct RankedQueue<Element> {
    private var entries: [(rank: Int, element: Element)] = []

    var isEmpty: Bool { entries.isEmpty }

    /// After every element of rank ≤ `rank` (binary search: entries are sorted by rank).
    mutating func insert(_ element: Element, rank: Int) {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].rank <= rank { low = middle + 1 } else { high = middle }
        }
        entries.insert((rank, element), at: low)
    }

    mutating func popFirst() -> Element? {
        entries.isEmpty ? nil : entries.removeFirst().element
    }
}
