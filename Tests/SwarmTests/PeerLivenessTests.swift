import Testing
@testable import Swarm

/// Liveness decided from times alone: seconds in, actions out.
@Suite struct PeerLivenessTests {
    static let settings = PeerLiveness.Settings(
        idleTimeout: .seconds(10), foreignIdleTimeout: .seconds(150), keepAliveInterval: .seconds(3),
        requestTimeout: .seconds(3), maximumSnubPenalty: .seconds(20)
    )

    static func peer(ownKind: Bool = true) -> PeerLiveness {
        PeerLiveness(settings: settings, isOwnKind: ownKind, now: .zero)
    }

    /// An idle but live peer: we keep the connection alive; it does too, and is never closed.
    @Test func liveIdlePeersStayAndAreKeptAlive() {
        var liveness = Self.peer()
        var actions: [PeerLiveness.Action] = []
        for second in 1...60 {
            let now = Duration.seconds(second)
            if second % 3 == 0 { liveness.received(at: now) }  // its keep-alives
            actions += liveness.check(at: now, outstanding: 0, expectedWait: nil)
        }
        #expect(actions.allSatisfy { $0 == .sendKeepAlive })
        #expect(actions.count == 20)
    }

    /// One of our peers that goes silent (frozen, unplugged) is closed after the idle
    /// timeout; another client only after its own, longer one.
    @Test(arguments: [(true, 10), (false, 150)])
    func silentPeersAreClosed(_ ownKind: Bool, _ closeAfter: Int) {
        var liveness = Self.peer(ownKind: ownKind)
        let before = liveness.check(at: .seconds(closeAfter - 1), outstanding: 0, expectedWait: nil)
        #expect(before.allSatisfy { $0 == .sendKeepAlive })
        let actions = liveness.check(at: .seconds(closeAfter), outstanding: 0, expectedWait: nil)
        #expect(actions == [.close(reason: "nothing received for \(closeAfter).0 s")])
    }

    /// Requests with no block for the request timeout: snubbed, then asked again after a
    /// penalty that doubles with each repeat, up to the maximum; a delivered block forgives.
    @Test func stalledRequestsSnubThePeerWithGrowingPenalties() {
        var liveness = Self.peer()
        var snubbedAt: [Int] = []
        var unsnubbedAt: [Int] = []
        for tenth in 1...800 {
            let now = Duration.milliseconds(tenth * 100)
            liveness.received(at: now)  // keep-alives keep coming: alive, but delivering nothing
            for action in liveness.check(at: now, outstanding: 4, expectedWait: .milliseconds(100)) {
                if action == .snub { snubbedAt.append(tenth) }
                if action == .unsnub { unsnubbedAt.append(tenth) }
            }
        }
        // Snubbed at 3 s; penalties 3, 6, 12, 20, 20 s, each followed by a fresh 3 s wait.
        #expect(snubbedAt == [30, 90, 180, 330, 560, 790])
        #expect(unsnubbedAt == [60, 150, 300, 530, 760])
        #expect(liveness.isSnubbed)
    }

    @Test func deliveringPeersAreNeverSnubbed() {
        var liveness = Self.peer()
        for tenth in 1...200 {
            let now = Duration.milliseconds(tenth * 100)
            liveness.received(at: now)
            liveness.blockReceived(at: now)
            #expect(!liveness.check(at: now, outstanding: 16, expectedWait: .milliseconds(50)).contains(.snub))
        }
    }

    /// A slow peer's deadline follows its rate: four times what its queue needs.
    @Test func theDeadlineFollowsTheMeasuredRate() {
        var liveness = Self.peer()
        liveness.received(at: .seconds(7))
        #expect(!liveness.check(at: .seconds(7), outstanding: 8, expectedWait: .seconds(2)).contains(.snub))
        liveness.received(at: .seconds(8))
        #expect(liveness.check(at: .seconds(8), outstanding: 8, expectedWait: .seconds(2)).contains(.snub))
    }

    /// A super-seeder's window shown to a peer that asks for none of it is taken back; a peer
    /// that keeps asking keeps it.
    @Test func unfetchedAdvertisedPiecesAreTakenBack() {
        var asking = Self.peer()
        var silent = Self.peer()
        var takenFromAsking = 0
        var takenFromSilent: [Int] = []
        for second in 1...7 {
            let now = Duration.seconds(second)
            asking.received(at: now)
            asking.requestReceived(at: now)
            silent.received(at: now)
            takenFromAsking += asking.check(at: now, outstanding: 0, expectedWait: nil, awaitingRequests: true).filter { $0 == .takeBackAdvertised }.count
            if silent.check(at: now, outstanding: 0, expectedWait: nil, awaitingRequests: true).contains(.takeBackAdvertised) {
                takenFromSilent.append(second)
            }
        }
        #expect(takenFromAsking == 0)
        #expect(takenFromSilent == [3, 6])
    }
}
