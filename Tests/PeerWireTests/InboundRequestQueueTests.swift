import PeerWire
import Testing
import TestSupport

@Suite struct InboundRequestQueueTests {
    static func block(_ piece: Int, _ number: Int) -> BlockRequest {
        BlockRequest(piece: PieceIndex(piece), offset: number * 16_384, length: 16_384)
    }

    /// Serves everything left, in the queue's order.
    static func drain(_ queue: inout InboundRequestQueue) -> [BlockRequest] {
        var served: [BlockRequest] = []
        while let request = queue.next() {
            served.append(request)
        }
        return served
    }

    @Test func servesInArrivalOrderAndIgnoresDuplicates() throws {
        var queue = InboundRequestQueue(limit: 8)
        let added = [
            try queue.enqueue(Self.block(2, 0)),
            try queue.enqueue(Self.block(0, 1)),
            try queue.enqueue(Self.block(2, 0)),
            try queue.enqueue(Self.block(1, 0)),
        ]
        #expect(added == [true, true, false, true])
        #expect(queue.count == 3)
        let served = Self.drain(&queue)
        #expect(served == [Self.block(2, 0), Self.block(0, 1), Self.block(1, 0)])
        #expect(queue.isEmpty)
    }

    @Test func cancelRemovesAnOutstandingRequest() throws {
        var queue = InboundRequestQueue(limit: 8)
        try queue.enqueue(Self.block(0, 0))
        try queue.enqueue(Self.block(0, 1))
        let cancelled = [
            queue.cancel(Self.block(0, 0)),
            queue.cancel(Self.block(0, 0)),
            queue.cancel(Self.block(5, 5)),
        ]
        #expect(cancelled == [true, false, false])
        #expect(!queue.contains(Self.block(0, 0)))
        #expect(queue.contains(Self.block(0, 1)))
        let served = Self.drain(&queue)
        #expect(served == [Self.block(0, 1)])
    }

    @Test func refusesRequestsPastTheLimit() throws {
        var queue = InboundRequestQueue(limit: 3)
        for number in 0..<3 {
            try queue.enqueue(Self.block(0, number))
        }
        do {
            try queue.enqueue(Self.block(0, 3))
            Issue.record("a fourth request was accepted")
        } catch {
            #expect(error.kind == .tooManyOutstandingRequests)
            #expect(error.description.contains("already has 3 outstanding requests"))
            #expect(error.description.contains("piece 0 offset 49152 length 16384"))
        }
        // Serving one frees a slot.
        let first = queue.next()
        #expect(first == Self.block(0, 0))
        let accepted = try queue.enqueue(Self.block(0, 3))
        #expect(accepted)
        #expect(queue.count == 3)
    }

    @Test func defaultLimitIs512() throws {
        var queue = InboundRequestQueue()
        for number in 0..<512 {
            try queue.enqueue(Self.block(number / 64, number % 64))
        }
        #expect(throws: PeerWireError.self) { try queue.enqueue(Self.block(99, 0)) }
    }

    @Test func removeAllDrainsInOrder() throws {
        var queue = InboundRequestQueue(limit: 8)
        try queue.enqueue(Self.block(1, 0))
        try queue.enqueue(Self.block(1, 1))
        try queue.enqueue(Self.block(1, 2))
        queue.cancel(Self.block(1, 1))
        let dropped = queue.removeAll()
        #expect(dropped == [Self.block(1, 0), Self.block(1, 2)])
        #expect(queue.isEmpty)
        try queue.enqueue(Self.block(3, 0))
        let served = Self.drain(&queue)
        #expect(served == [Self.block(3, 0)])
    }

    /// Random requests, cancels and serves against a plain array model.
    @Test func churnOfRequestsAndCancelsMatchesAModel() throws {
        var queue = InboundRequestQueue(limit: 4)
        var generator = SplitMix64(seed: 42)
        var model: [BlockRequest] = []
        for _ in 0..<20_000 {
            let request = Self.block(Int.random(in: 0..<3, using: &generator), Int.random(in: 0..<3, using: &generator))
            switch Int.random(in: 0..<3, using: &generator) {
            case 0:
                if model.contains(request) {
                    let added = try queue.enqueue(request)
                    #expect(!added)
                } else if model.count < 4 {
                    let added = try queue.enqueue(request)
                    #expect(added)
                    model.append(request)
                } else {
                    #expect(throws: PeerWireError.self) { try queue.enqueue(request) }
                }
            case 1:
                let cancelled = queue.cancel(request)
                #expect(cancelled == model.contains(request))
                model.removeAll { $0 == request }
            default:
                let served = queue.next()
                if let served {
                    #expect(model.contains(served))
                } else {
                    #expect(model.isEmpty)
                }
                model.removeAll { $0 == served }
            }
            #expect(queue.count == model.count)
        }
    }
}
