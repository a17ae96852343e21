import Testing
@testable import Tracker
import TestSupport

struct AnnounceScheduleTests {
    let t0 = ContinuousClock.now
    static let exact = AnnounceSchedule.Policy(retryBase: .seconds(1), retryCap: .seconds(60), jitterFraction: 0)

    @Test func firstAnnounceIsDueAtStart() {
        let schedule = AnnounceSchedule(start: t0)
        #expect(schedule.nextAnnounce == t0)
        #expect(schedule.consecutiveFailures == 0)
        #expect(schedule.earliestExtraAnnounce == nil)
    }

    @Test(arguments: [
        // (interval, min interval, expected wait)
        (10, nil as Int?, 10),
        (10, 5, 10),
        (3, 8, 8),
        (0, nil, 1),
        (0, 0, 1),
    ])
    func successWaitsTheTrackersInterval(interval: Int, minInterval: Int?, wait: Int) {
        var schedule = AnnounceSchedule(start: t0, policy: Self.exact)
        let response = AnnounceResponse(interval: .seconds(interval), minInterval: minInterval.map { .seconds($0) })
        schedule.recordSuccess(response, at: t0 + .seconds(2))
        #expect(schedule.nextAnnounce == t0 + .seconds(2 + wait))
        #expect(schedule.interval == .seconds(interval))
    }

    @Test(arguments: [(1, 1), (2, 2), (3, 4), (4, 8), (6, 32), (7, 60), (100, 60), (10_000, 60)])
    func failuresBackOffExponentiallyUpToTheCap(failures: Int, seconds: Int) {
        let schedule = AnnounceSchedule(start: t0, policy: Self.exact)
        #expect(schedule.retryDelay(afterFailures: failures) == .seconds(seconds))
    }

    @Test func consecutiveFailuresGrowTheWaitAndASuccessResetsIt() {
        var schedule = AnnounceSchedule(start: t0, policy: Self.exact)
        var now = t0
        var waits: [Duration] = []
        for _ in 0..<4 {
            schedule.recordFailure(at: now)
            waits.append(schedule.nextAnnounce - now)
            now = schedule.nextAnnounce
        }
        #expect(waits == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        #expect(schedule.consecutiveFailures == 4)
        schedule.recordSuccess(AnnounceResponse(interval: .seconds(10), minInterval: .seconds(5)), at: now)
        #expect(schedule.consecutiveFailures == 0)
        #expect(schedule.earliestExtraAnnounce == now + .seconds(5))
        schedule.recordFailure(at: now)
        #expect(schedule.nextAnnounce == now + .seconds(1))
    }

    @Test func jitterStaysWithinItsFraction() {
        let policy = AnnounceSchedule.Policy(retryBase: .seconds(4), retryCap: .seconds(60), jitterFraction: 0.25)
        var generator = SplitMix64(seed: 12)
        var waits: Set<Duration> = []
        for _ in 0..<50 {
            var schedule = AnnounceSchedule(start: t0, policy: policy)
            schedule.recordFailure(at: t0, using: &generator)
            let wait = schedule.nextAnnounce - t0
            #expect(wait >= .seconds(4) && wait <= .seconds(5))
            waits.insert(wait)
        }
        #expect(waits.count > 1, "jitter spreads retries")
    }
}
