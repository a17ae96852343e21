/// Which hosts get the peer program from whom, as a plain value: the controller uploads it
/// to a few hosts, whose peers then serve it (`PeerEvent.serving`); every other host that
/// lacks it fetches it from a host that has it, so a cold push costs about one copy of the
/// program through the controller's link whatever the fleet's size, and the copies spread
/// as a tree whose every new holder serves too.
///
/// The runner asks `assign` for a host that lacks the program and carries out the answer;
/// the rules are tested without a network (`ProgramDistributionTests`).
public struct ProgramDistribution: Sendable, Equatable {
    public enum Assignment: Sendable, Equatable {
        /// Fetch it from host `source`'s peer at `address`:`port`.
        case fetch(source: Int, address: String, port: Int)
        /// Let the controller upload it.
        case upload
        /// Ask again shortly: a source will have room, or one is on its way.
        case wait
    }

    struct Source: Sendable, Equatable {
        var address: String
        var port: Int
        /// Fetches from it now.
        var active = 0
        var failures = 0
    }

    /// Uploads the controller makes at once while no host serves the program yet.
    public let directUploads: Int
    /// Fetches one host serves at once: its uplink also carries the payload.
    public let fanout: Int
    /// A source that failed this many fetches is not asked again.
    static let failureLimit = 2

    private var sources: [Int: Source] = [:]
    private(set) var uploading = 0
    /// Fetches in flight, also from sources that have since stopped: each soon makes a new source.
    private(set) var fetching = 0
    /// Hosts that got the program in this push and whose peers have not said yet that they
    /// serve it: sources on their way.
    private var coming: Set<Int> = []
    /// Copies that reached a host so far (uploads and fetches): the spread's progress.
    public private(set) var copiesMade = 0

    /// Whether an upload or a fetch is under way: a copy may still come of it.
    public var isCopying: Bool { uploading > 0 || fetching > 0 }

    public init(directUploads: Int = 2, fanout: Int = 2) {
        self.directUploads = max(1, directUploads)
        self.fanout = max(1, fanout)
    }

    /// What host `host` should do. `tried` are the sources that already failed it;
    /// `impatient` is set once the spread looks stuck (see `PushRunner.obtainProgram`), and
    /// then it never waits again.
    public mutating func assign(host: Int, tried: Set<Int> = [], impatient: Bool = false) -> Assignment {
        let candidates = sources.filter { $0.key != host && !tried.contains($0.key) && $0.value.active < fanout }
        if let (index, source) = candidates.min(by: { ($0.value.active, $0.key) < ($1.value.active, $1.key) }) {
            sources[index]?.active += 1
            fetching += 1
            return .fetch(source: index, address: source.address, port: source.port)
        }
        // Every source that could serve it is busy, or copies on their way will serve soon (the
        // first uploads, fetches in flight, hosts whose peers are starting; a small payload's
        // peers may be done and gone before every host has the program): wait, unless it
        // waited too long already.
        let busy = sources.keys.contains { $0 != host && !tried.contains($0) }
        let onTheirWay = fetching > 0 || !coming.subtracting([host]).isEmpty
        if !impatient && (busy || onTheirWay || uploading >= directUploads) {
            return .wait
        }
        uploading += 1
        return .upload
    }

    /// Host `host`'s fetch from `source` that `assign` handed out ended.
    public mutating func fetchEnded(host: Int, from source: Int, succeeded: Bool) {
        fetching = max(0, fetching - 1)
        if succeeded {
            coming.insert(host)
            copiesMade += 1
        }
        guard var entry = sources[source] else { return }
        entry.active = max(0, entry.active - 1)
        if !succeeded { entry.failures += 1 }
        sources[source] = entry.failures >= Self.failureLimit ? nil : entry
    }

    /// Host `host`'s upload that `assign` handed out ended.
    public mutating func uploadEnded(host: Int, succeeded: Bool) {
        uploading = max(0, uploading - 1)
        if succeeded {
            coming.insert(host)
            copiesMade += 1
        }
    }

    /// Host `host`'s peer serves the program.
    public mutating func serving(host: Int, address: String, port: Int) {
        coming.remove(host)
        sources[host] = Source(address: address, port: port, active: sources[host]?.active ?? 0)
    }

    /// Host `host`'s peer ended (or never started): it serves no more.
    public mutating func stoppedServing(host: Int) {
        coming.remove(host)
        sources[host] = nil
    }

    var sourceCount: Int { sources.count }
}

/// When a host waiting for the program gives up on the spread: only once no copy has reached
/// any host for `patience` and none is under way. A slow link makes every copy slow — at
/// 5 Mbit/s one takes some 15 s, and a level of the tree twice that — without the spread
/// being stuck; counting from the host's own wait instead had the controller upload most
/// copies itself on such a fleet.
public struct SpreadWatch: Sendable, Equatable {
    public let patience: Duration
    private var copies: Int
    private var lastCopy: Duration

    /// Starts watching at `now` (any clock's offset), with `copies` made so far.
    public init(patience: Duration, copies: Int, now: Duration) {
        self.patience = patience
        self.copies = copies
        lastCopy = now
    }

    /// Whether the spread is stuck at `now`, given the copies made so far and whether one is under way.
    public mutating func isStuck(copies: Int, copying: Bool, now: Duration) -> Bool {
        if copies != self.copies {
            self.copies = copies
            lastCopy = now
        }
        return !copying && now - lastCopy > patience
    }
}

