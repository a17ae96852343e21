import Testing

@testable import Push

/// Who gets the peer program from whom, without a network.
@Suite struct ProgramDistributionTests {
    @Test func theFirstHostsGetUploadsAndTheRestWaitForThem() {
        var plan = ProgramDistribution(directUploads: 2, fanout: 2)
        #expect(plan.assign(host: 0) == .upload)
        #expect(plan.assign(host: 1) == .upload)
        #expect(plan.assign(host: 2) == .wait)
        // Host 0's peer runs and serves: two hosts may fetch from it at once.
        plan.uploadEnded(host: 0, succeeded: true)
        plan.serving(host: 0, address: "10.0.0.10", port: 4000)
        #expect(plan.assign(host: 2) == .fetch(source: 0, address: "10.0.0.10", port: 4000))
        #expect(plan.assign(host: 3) == .fetch(source: 0, address: "10.0.0.10", port: 4000))
        #expect(plan.assign(host: 4) == .wait)
        plan.fetchEnded(host: 2, from: 0, succeeded: true)
        #expect(plan.assign(host: 4) == .fetch(source: 0, address: "10.0.0.10", port: 4000))
    }

    @Test func theLeastBusySourceIsAskedFirst() {
        var plan = ProgramDistribution(directUploads: 1, fanout: 3)
        plan.serving(host: 5, address: "a", port: 1)
        plan.serving(host: 6, address: "b", port: 2)
        #expect(plan.assign(host: 0) == .fetch(source: 5, address: "a", port: 1))
        #expect(plan.assign(host: 1) == .fetch(source: 6, address: "b", port: 2))
        #expect(plan.assign(host: 2) == .fetch(source: 5, address: "a", port: 1))
    }

    @Test func aHostNeverFetchesFromItselfNorFromSourcesThatFailedIt() {
        var plan = ProgramDistribution(directUploads: 1, fanout: 2)
        plan.serving(host: 0, address: "a", port: 1)
        // Its own server, restarted: nobody else serves, and no upload is in flight.
        #expect(plan.assign(host: 0) == .upload)
        plan.uploadEnded(host: 0, succeeded: true)
        plan.serving(host: 0, address: "a", port: 1)
        plan.serving(host: 1, address: "b", port: 2)
        #expect(plan.assign(host: 2, tried: [1]) == .fetch(source: 0, address: "a", port: 1))
        // Host 2 will serve once it has it: host 3, whom both sources failed, waits for it...
        #expect(plan.assign(host: 3, tried: [0, 1]) == .wait)
        // ...unless that fetch fails too.
        plan.fetchEnded(host: 2, from: 0, succeeded: false)
        #expect(plan.assign(host: 3, tried: [0, 1]) == .upload)
    }

    @Test func aSourceThatFailsTwiceIsDropped() {
        var plan = ProgramDistribution(directUploads: 1, fanout: 1)
        plan.serving(host: 0, address: "a", port: 1)
        for _ in 0..<2 {
            #expect(plan.assign(host: 1) == .fetch(source: 0, address: "a", port: 1))
            plan.fetchEnded(host: 1, from: 0, succeeded: false)
        }
        #expect(plan.sourceCount == 0)
        #expect(plan.assign(host: 1) == .upload)
    }

    @Test func anUploadedHostWhosePeerIsStartingIsWaitedFor() {
        var plan = ProgramDistribution(directUploads: 2, fanout: 1)
        #expect(plan.assign(host: 0) == .upload)
        plan.uploadEnded(host: 0, succeeded: true)
        #expect(plan.assign(host: 1) == .wait)
        // Its peer never served (it failed to start): the next host is uploaded to.
        plan.stoppedServing(host: 0)
        #expect(plan.assign(host: 1) == .upload)
    }

    @Test func anImpatientHostIsUploadedToWhateverElseHappens() {
        var plan = ProgramDistribution(directUploads: 1, fanout: 1)
        #expect(plan.assign(host: 0) == .upload)
        #expect(plan.assign(host: 1) == .wait)
        #expect(plan.assign(host: 1, impatient: true) == .upload)
    }

    @Test func whileFetchesAreInFlightNobodyIsUploadedTo() {
        var plan = ProgramDistribution(directUploads: 1, fanout: 1)
        plan.serving(host: 0, address: "a", port: 1)
        #expect(plan.assign(host: 1) == .fetch(source: 0, address: "a", port: 1))
        // Host 0's peer is done and gone; host 1 will serve once its fetch ends.
        plan.stoppedServing(host: 0)
        #expect(plan.assign(host: 2) == .wait)
        plan.fetchEnded(host: 1, from: 0, succeeded: true)
        // Its peer is starting: host 2 waits for it rather than have the controller upload.
        #expect(plan.assign(host: 2) == .wait)
        plan.serving(host: 1, address: "b", port: 2)
        #expect(plan.assign(host: 2) == .fetch(source: 1, address: "b", port: 2))
    }

    @Test func aSourceWhosePeerEndedIsNotAsked() {
        var plan = ProgramDistribution(directUploads: 1, fanout: 1)
        plan.serving(host: 0, address: "a", port: 1)
        plan.stoppedServing(host: 0)
        #expect(plan.assign(host: 1) == .upload)
    }

    /// A cold fleet of 64 hosts in rounds where each fetch takes one round: the controller
    /// uploads twice, and every host has the program after a few doublings.
    @Test func copiesSpreadAsATree() {
        var plan = ProgramDistribution(directUploads: 2, fanout: 2)
        var lacking = Set(0..<64)
        var rounds = 0
        var uploads = 0
        while !lacking.isEmpty, rounds < 20 {
            rounds += 1
            var fetched: [(Int, Int?)] = []
            for host in lacking.sorted() {
                switch plan.assign(host: host) {
                case .upload: uploads += 1; fetched.append((host, nil))
                case .fetch(let source, _, _): fetched.append((host, source))
                case .wait: break
                }
            }
            for (host, source) in fetched {
                if let source {
                    plan.fetchEnded(host: host, from: source, succeeded: true)
                } else {
                    plan.uploadEnded(host: host, succeeded: true)
                }
                plan.serving(host: host, address: "h\(host)", port: 1)
                lacking.remove(host)
            }
        }
        #expect(lacking.isEmpty)
        #expect(uploads == 2)
        #expect(rounds <= 5, "\(rounds) rounds for 64 hosts")
    }

    @Test func copiesAndCopiesUnderWayAreCounted() {
        var plan = ProgramDistribution(directUploads: 1, fanout: 1)
        #expect(plan.copiesMade == 0 && !plan.isCopying)
        #expect(plan.assign(host: 0) == .upload)
        #expect(plan.isCopying)
        plan.uploadEnded(host: 0, succeeded: true)
        plan.serving(host: 0, address: "a", port: 1)
        #expect(plan.copiesMade == 1 && !plan.isCopying)
        #expect(plan.assign(host: 1) == .fetch(source: 0, address: "a", port: 1))
        plan.fetchEnded(host: 1, from: 0, succeeded: false)
        #expect(plan.copiesMade == 1)
        #expect(plan.assign(host: 2) == .fetch(source: 0, address: "a", port: 1))
        plan.fetchEnded(host: 2, from: 0, succeeded: true)
        #expect(plan.copiesMade == 2)
    }
}

/// When a waiting host stops waiting for other hosts.
@Suite struct SpreadWatchTests {
    /// Copies arriving now and then keep a host waiting far longer than the patience.
    @Test func slowButSteadyCopiesAreNotStuck() {
        var watch = SpreadWatch(patience: .seconds(30), copies: 0, now: .zero)
        for second in stride(from: 0, through: 120, by: 5) {
            // A copy every 20 s; none under way in between.
            let stuck = watch.isStuck(copies: second / 20, copying: false, now: .seconds(second))
            #expect(!stuck, "at \(second) s")
        }
    }

    /// No copy for longer than the patience and none under way: stuck. A copy under way
    /// postpones it (its fetch has a timeout of its own); a new copy starts the count again.
    @Test func noCopyForThePatienceIsStuckUnlessOneIsUnderWay() {
        var watch = SpreadWatch(patience: .seconds(30), copies: 3, now: .seconds(10))
        let steps: [(copies: Int, copying: Bool, second: Int, stuck: Bool)] = [
            (3, false, 40, false),
            (3, true, 41, false),
            (3, false, 41, true),
            (4, false, 42, false),
            (4, false, 73, true),
        ]
        for step in steps {
            let stuck = watch.isStuck(copies: step.copies, copying: step.copying, now: .seconds(step.second))
            #expect(stuck == step.stuck, "at \(step.second) s")
        }
    }
}
