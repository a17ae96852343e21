/// One direction of a rate cap: bytes accrue at `bytesPerSecond`, up to `capacity`, and every
/// transfer pays its whole cost when it starts.
///
/// A transfer may start whenever the balance is not negative, so the balance dips below zero
/// by at most one transfer and a block larger than the capacity still moves; over any span
/// the bytes started are at most `capacity + rate × span + one transfer`. The clock is any
/// monotonic `Duration` the caller supplies, so the bucket is a value tested without I/O.
public struct TokenBucket: Sendable, Equatable {
    public let bytesPerSecond: Double
    public let capacity: Double
    /// Bytes that may be spent now; negative while the last transfer is being paid off.
    public private(set) var balance: Double
    private var updated: Duration

    /// A full bucket at `now`. A rate or capacity that is not positive and finite is taken as
    /// the smallest that is (the settings refuse such caps before they get here).
    public init(bytesPerSecond: Double, capacity: Double, now: Duration) {
        self.bytesPerSecond = bytesPerSecond.isFinite && bytesPerSecond > 0 ? bytesPerSecond : 1
        self.capacity = capacity.isFinite && capacity > 0 ? capacity : 0
        self.balance = self.capacity
        self.updated = now
    }

    /// How long a transfer must wait before it may start: zero when it may start now.
    public mutating func delay(at now: Duration) -> Duration {
        refill(at: now)
        return balance >= 0 ? .zero : .seconds(-balance / bytesPerSecond)
    }

    /// How many transfers of `cost` bytes may start now, one after the other.
    public mutating func affordable(cost: Int, at now: Duration) -> Int {
        refill(at: now)
        guard balance >= 0 else { return 0 }
        let whole = balance / Double(max(cost, 1))
        return whole >= Double(Int.max - 1) ? Int.max : Int(whole) + 1
    }

    /// A transfer of `bytes` starts now.
    public mutating func spend(_ bytes: Int, at now: Duration) {
        refill(at: now)
        balance -= Double(bytes)
    }

    private mutating func refill(at now: Duration) {
        guard now > updated else { return }
        balance = min(capacity, balance + (now - updated).seconds * bytesPerSecond)
        updated = now
    }
}
