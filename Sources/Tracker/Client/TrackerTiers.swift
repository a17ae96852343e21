/// The announce URLs of a torrent in BEP 12 tiers, and the order to try them.
///
/// BEP 12: "all URLs in each tier must be checked before the client goes on
/// to the next tier. URLs within each tier will be processed in a randomly
/// chosen order; in other words, the list will be shuffled when first read,
/// and then parsed in order. In addition, if a connection with a tracker is
/// successful, it will be moved to the front of the tier."
public struct TrackerTiers: Hashable, Sendable {
    public private(set) var tiers: [[TrackerURL]]

    /// Parses every URL; empty tiers are dropped. Fails on the first URL that
    /// is not usable, or when no URL is left.
    public init(_ tiers: [[String]]) throws(TrackerError) {
        var parsed: [[TrackerURL]] = []
        for tier in tiers where !tier.isEmpty {
            var urls: [TrackerURL] = []
            for text in tier {
                urls.append(try TrackerURL(text))
            }
            parsed.append(urls)
        }
        guard !parsed.isEmpty else {
            throw TrackerError(.unsupportedURL("", reason: "the torrent names no announce URL"))
        }
        self.tiers = parsed
    }

    /// Shuffles the URLs within each tier; tiers keep their order.
    public mutating func shuffleWithinTiers(using generator: inout some RandomNumberGenerator) {
        for index in tiers.indices {
            tiers[index].shuffle(using: &generator)
        }
    }

    /// Every URL in the order to try them: tier 0 first, in its current order.
    public var attemptOrder: [TrackerURL] {
        tiers.flatMap { $0 }
    }

    /// Moves `url` to the front of its tier after a successful announce.
    public mutating func recordSuccess(_ url: TrackerURL) {
        for tierIndex in tiers.indices {
            if let position = tiers[tierIndex].firstIndex(of: url) {
                let moved = tiers[tierIndex].remove(at: position)
                tiers[tierIndex].insert(moved, at: 0)
                return
            }
        }
    }
}
