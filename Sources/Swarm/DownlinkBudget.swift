/// The download side of a rate cap: a request is sent only while what arrived in the last
/// second, what is requested and not here yet, and the request itself fit in one second of
/// the cap.
///
/// Pacing the requests alone (a token bucket) holds the average, but answers bunch: a peer
/// slow to answer for a while, then fast, delivers requests of the last second and this one
/// together. This rule holds every second instead, whichever second a measurement picks:
/// what arrives in a second either arrived before the last request sent in it (and counted
/// against that request) or was outstanding when it was sent. With no request in the second,
/// what arrives was outstanding at its start, which the last request counted too.
///
/// Time is kept in slots of `slotLength`; a slot leaves the window only when all of it is
/// older than a second, so the window spans up to one slot more than a second.
public struct DownlinkBudget: Sendable, Equatable {
    public let bytesPerSecond: Double
    public static let slotLength = Duration.milliseconds(50)
    static let slotCount = 21
    private var slots: [Int]
    private var newest: Int64 = 0
    private var total = 0

    public init(bitsPerSecond: Double) {
        bytesPerSecond = bitsPerSecond.isFinite && bitsPerSecond > 0 ? bitsPerSecond / 8 : 1
        slots = Array(repeating: 0, count: Self.slotCount)
    }

    /// Bytes arrived (or, for acknowledgements, will arrive) on the downlink at `now`.
    public mutating func arrived(_ bytes: Int, at now: Duration) {
        advance(to: now)
        slots[Int(newest % Int64(Self.slotCount))] += bytes
        total += bytes
    }

    /// Bytes the window has arrived in its last second (and up to one slot more).
    public mutating func lastSecond(at now: Duration) -> Int {
        advance(to: now)
        return total
    }

    /// How many requests of `cost` bytes may go out now, with `outstanding` bytes requested
    /// and not here yet.
    public mutating func requestsAllowed(cost: Int, outstanding: Int, at now: Duration) -> Int {
        let room = Int(bytesPerSecond) - lastSecond(at: now) - outstanding
        return room >= cost ? room / max(cost, 1) : 0
    }

    /// How long until the oldest slot leaves the window (and room may free up).
    public func untilNextSlot(at now: Duration) -> Duration {
        let next = Self.slot(of: now) + 1
        return Self.slotLength * Int(next) - now
    }

    private static func slot(of time: Duration) -> Int64 {
        max(0, Int64((time / slotLength).rounded(.down)))
    }

    private mutating func advance(to now: Duration) {
        let slot = Self.slot(of: now)
        guard slot > newest else { return }
        let steps = min(slot - newest, Int64(Self.slotCount))
        for step in 1...steps {
            let index = Int((newest + step) % Int64(Self.slotCount))
            total -= slots[index]
            slots[index] = 0
        }
        newest = slot
    }
}
