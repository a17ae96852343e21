/// When a peer should announce next: at the tracker's interval after a
/// success, and after a failure with exponential backoff, so hundreds of hosts
/// do not hammer a tracker that is down. A plain value; the caller owns the clock.
public struct AnnounceSchedule: Hashable, Sendable {
    public struct Policy: Hashable, Sendable {
        /// Wait after the first failure; doubled after each further one.
        public var retryBase: Duration
        /// Backoff never waits longer than this.
        public var retryCap: Duration
        /// Up to this fraction of a retry delay is added at random, so peers
        /// that failed together do not retry together.
        public var jitterFraction: Double
        /// Used when a tracker asks for an interval of zero.
        public var minimumInterval: Duration

        public init(
            retryBase: Duration = .seconds(1),
            retryCap: Duration = .seconds(60),
            jitterFraction: Double = 0.25,
            minimumInterval: Duration = .seconds(1)
        ) {
            self.retryBase = retryBase
            self.retryCap = retryCap
            self.jitterFraction = jitterFraction
            self.minimumInterval = minimumInterval
        }
    }

    public let policy: Policy
    /// When the next regular announce is due.
    public private(set) var nextAnnounce: ContinuousClock.Instant
    /// Failures since the last success.
    public private(set) var consecutiveFailures = 0
    /// The interval from the latest successful response.
    public private(set) var interval: Duration?
    /// The tracker's `min interval` from the latest successful response.
    public private(set) var minInterval: Duration?
    private var lastSuccess: ContinuousClock.Instant?

    /// A schedule whose first announce is due at `start`.
    public init(start: ContinuousClock.Instant, policy: Policy = Policy()) {
        self.policy = policy
        nextAnnounce = start
    }

    /// After a successful announce at `now`: wait the tracker's interval,
    /// never less than its `min interval` nor the policy's minimum.
    public mutating func recordSuccess(_ response: AnnounceResponse, at now: ContinuousClock.Instant) {
        consecutiveFailures = 0
        interval = response.interval
        minInterval = response.minInterval
        lastSuccess = now
        let wait = max(response.interval, response.minInterval ?? .zero, policy.minimumInterval)
        nextAnnounce = now + wait
    }

    /// After a failed announce at `now`: wait `retryDelay(afterFailures:)`
    /// plus jitter drawn from `generator`.
    public mutating func recordFailure(
        at now: ContinuousClock.Instant, using generator: inout some RandomNumberGenerator
    ) {
        consecutiveFailures += 1
        let delay = retryDelay(afterFailures: consecutiveFailures)
        let jitter = policy.jitterFraction > 0
            ? delay * Double.random(in: 0...policy.jitterFraction, using: &generator) : .zero
        nextAnnounce = now + delay + jitter
    }

    public mutating func recordFailure(at now: ContinuousClock.Instant) {
        var generator = SystemRandomNumberGenerator()
        recordFailure(at: now, using: &generator)
    }

    /// `retryBase × 2^(failures − 1)`, capped at `retryCap`; zero before any failure.
    public func retryDelay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        var delay = policy.retryBase
        for _ in 1..<min(failures, 62) {
            delay = delay * 2
            if delay >= policy.retryCap { return policy.retryCap }
        }
        return min(delay, policy.retryCap)
    }

    /// The earliest moment an unscheduled announce (more peers wanted) may be
    /// sent: the tracker's `min interval` after the last success. Events
    /// (`completed`, `stopped`) are sent at once regardless.
    public var earliestExtraAnnounce: ContinuousClock.Instant? {
        guard let lastSuccess else { return nil }
        return lastSuccess + (minInterval ?? policy.minimumInterval)
    }
}
