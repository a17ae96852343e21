/// The requests a remote peer has made of us and we have not yet answered,
/// served first in, first out.
///
/// Remote input is hostile: a peer could otherwise queue requests without
/// bound, so past `limit` outstanding requests `enqueue` refuses and the
/// connection should be dropped.
public struct InboundRequestQueue: Sendable {
    public static let defaultLimit = 512

    /// The most requests one peer may have outstanding.
    public let limit: Int

    /// Arrival order. Cancelled and served requests stay here until skipped
    /// or compacted away; `pending` says which entries are live.
    private var order: [BlockRequest] = []
    private var head = 0
    private var pending: Set<BlockRequest> = []

    public init(limit: Int = defaultLimit) {
        precondition(limit > 0, "the outstanding request limit must be positive, got \(limit)")
        self.limit = limit
    }

    /// How many requests are outstanding.
    public var count: Int { pending.count }

    public var isEmpty: Bool { pending.isEmpty }

    /// Whether `request` is outstanding.
    public func contains(_ request: BlockRequest) -> Bool {
        pending.contains(request)
    }

    /// Records a request from the peer. A duplicate of an outstanding request
    /// is ignored (returns false); one past the limit is an error.
    @discardableResult
    public mutating func enqueue(_ request: BlockRequest) throws(PeerWireError) -> Bool {
        guard !pending.contains(request) else { return false }
        guard pending.count < limit else {
            throw PeerWireError(
                .tooManyOutstandingRequests,
                "peer already has \(limit) outstanding requests, the limit; refused request for \(request)"
            )
        }
        pending.insert(request)
        order.append(request)
        compactIfSparse()
        return true
    }

    /// BEP 3: "'cancel' messages have the same payload as request messages."
    /// Removes the request if outstanding; returns whether it was.
    @discardableResult
    public mutating func cancel(_ request: BlockRequest) -> Bool {
        pending.remove(request) != nil
    }

    /// The oldest outstanding request, removed from the queue, to be served now.
    public mutating func next() -> BlockRequest? {
        while head < order.count {
            let request = order[head]
            head += 1
            if pending.remove(request) != nil {
                compactIfSparse()
                return request
            }
        }
        return nil
    }

    /// Drops every outstanding request, as when we choke the peer, and returns
    /// them in arrival order (BEP 6 peers must be sent a reject for each).
    public mutating func removeAll() -> [BlockRequest] {
        var drained: [BlockRequest] = []
        drained.reserveCapacity(pending.count)
        while let request = next() {
            drained.append(request)
        }
        order.removeAll(keepingCapacity: true)
        head = 0
        return drained
    }

    /// Keeps `order` within a small multiple of the live requests, whatever
    /// mix of requests and cancels the peer sends.
    private mutating func compactIfSparse() {
        guard order.count - head > 2 * max(pending.count, limit / 2) || head > limit else { return }
        var seen: Set<BlockRequest> = []
        order = order[head...].filter { pending.contains($0) && seen.insert($0).inserted }
        head = 0
    }
}
