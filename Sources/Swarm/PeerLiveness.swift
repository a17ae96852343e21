/// Whether one connection is alive, idle or stalled, decided from times alone: a plain value
/// the session updates as bytes come and go and asks on every tick (`check`). A frozen or
/// unplugged host sends nothing, and TCP alone may wait minutes to say so; these rules let the
/// swarm route around it in seconds (`INVARIANTS.md`, rules 22–24).
public struct PeerLiveness: Sendable, Equatable {
    public struct Settings: Hashable, Sendable {
        /// A peer of our own kind that sends nothing for this long is dead: it sends a
        /// keep-alive every `keepAliveInterval` while idle.
        public var idleTimeout: Duration
        /// The same for other clients, which keep a connection alive every two minutes (BEP 3's
        /// convention), so only a longer silence means they are gone.
        public var foreignIdleTimeout: Duration
        /// Send a keep-alive after this long without writing anything.
        public var keepAliveInterval: Duration
        /// Requests outstanding with no block arriving for this long (or for four times what the
        /// peer's measured rate needs for them, if longer): they go to other peers, and this
        /// peer gets no more for a while ("snubbed"), twice as long at each repeat.
        public var requestTimeout: Duration
        /// The longest a snubbed peer waits before it is asked again.
        public var maximumSnubPenalty: Duration

        public init(
            idleTimeout: Duration = .seconds(10),
            foreignIdleTimeout: Duration = .seconds(150),
            keepAliveInterval: Duration = .seconds(3),
            requestTimeout: Duration = .seconds(3),
            maximumSnubPenalty: Duration = .seconds(60)
        ) {
            self.idleTimeout = idleTimeout
            self.foreignIdleTimeout = foreignIdleTimeout
            self.keepAliveInterval = keepAliveInterval
            self.requestTimeout = requestTimeout
            self.maximumSnubPenalty = maximumSnubPenalty
        }
    }

    public enum Action: Sendable, Equatable {
        case sendKeepAlive
        /// Hand this peer's outstanding requests to others and ask it nothing until `unsnub`.
        case snub
        /// The penalty is over: it may be asked again.
        case unsnub
        /// The peer was shown pieces to fetch (a super-seeder's window) and asks for nothing:
        /// give them to others (`SuperSeedPlanner.peerStalled`).
        case takeBackAdvertised
        /// Close the connection.
        case close(reason: String)
    }

    public let settings: Settings
    /// Whether the remote end is a swarmdeploy peer (and so keeps the connection alive often).
    public let isOwnKind: Bool
    private(set) var lastReceived: Duration
    private(set) var lastSent: Duration
    /// The last block received, or when requests started being outstanding.
    private(set) var lastProgress: Duration
    public private(set) var snubbedUntil: Duration?
    private(set) var snubs = 0
    /// The peer's last request to us, or the last time it was shown new pieces to fetch.
    private(set) var lastAskedOrShown: Duration

    public init(settings: Settings, isOwnKind: Bool, now: Duration) {
        self.settings = settings
        self.isOwnKind = isOwnKind
        lastReceived = now
        lastSent = now
        lastProgress = now
        lastAskedOrShown = now
    }

    public var isSnubbed: Bool { snubbedUntil != nil }

    /// Any message arrived (a keep-alive too).
    public mutating func received(at now: Duration) { lastReceived = now }

    /// Anything was written.
    public mutating func sent(at now: Duration) { lastSent = now }

    /// A block we asked for arrived: the peer delivers, and a past snub is forgiven.
    public mutating func blockReceived(at now: Duration) {
        lastProgress = now
        snubs = 0
    }

    /// Requests were sent while none was outstanding: the wait for a block starts now.
    public mutating func requestsStarted(at now: Duration) { lastProgress = now }

    /// The peer asked us for a block.
    public mutating func requestReceived(at now: Duration) { lastAskedOrShown = now }

    /// The peer was shown new pieces to fetch.
    public mutating func advertised(at now: Duration) { lastAskedOrShown = now }

    /// What to do now. `outstanding` is the number of requests waiting at this peer,
    /// `expectedWait` how long its measured rate needs to deliver them (nil before measured),
    /// and `awaitingRequests` whether it holds pieces it was shown and has not fetched.
    public mutating func check(
        at now: Duration, outstanding: Int, expectedWait: Duration?, awaitingRequests: Bool = false
    ) -> [Action] {
        let idleLimit = isOwnKind ? settings.idleTimeout : settings.foreignIdleTimeout
        if now - lastReceived >= idleLimit {
            return [.close(reason: "nothing received for \(Self.seconds(now - lastReceived))")]
        }
        var actions: [Action] = []
        if now - lastSent >= settings.keepAliveInterval {
            actions.append(.sendKeepAlive)
            lastSent = now
        }
        if let until = snubbedUntil {
            if now >= until {
                snubbedUntil = nil
                lastProgress = now
                actions.append(.unsnub)
            }
        } else if outstanding > 0 {
            let deadline = max(settings.requestTimeout, (expectedWait ?? .zero) * 4)
            if now - lastProgress >= deadline {
                let penalty = min(settings.maximumSnubPenalty, settings.requestTimeout * (1 << min(snubs, 16)))
                snubs += 1
                snubbedUntil = now + penalty
                actions.append(.snub)
            }
        }
        if awaitingRequests, now - lastAskedOrShown >= settings.requestTimeout {
            lastAskedOrShown = now
            actions.append(.takeBackAdvertised)
        }
        return actions
    }

    private static func seconds(_ duration: Duration) -> String {
        let tenths = duration.components.seconds * 10 + duration.components.attoseconds / 100_000_000_000_000_000
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
