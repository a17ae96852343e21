/// How many block requests to keep outstanding with one peer: as many as it delivers in
/// `queueTime` at the rate measured from it, within `minimum...maximum`.
///
/// Too shallow a pipeline leaves a fast link idle between a block and the next request (the
/// internet-era fixed 5 requests caps a LAN far below line rate). Too deep a pipeline hurts
/// as much in a swarm: a peer serves each connection's requests in order, so a request waits
/// behind everything asked before it. With 15 hosts asking one host for 2 MiB each, a request
/// for a piece that just appeared waited seconds, every host lagged seconds behind the
/// seeder, and the whole push took that much longer. Sizing the queue by time keeps a
/// request's wait near `queueTime` whatever the peer's share of its uplink, while a peer that
/// delivers fast is asked for more: with `minimum` blocks outstanding and a round trip of a
/// few milliseconds, one window's rate already lifts the depth to `maximum`.
public struct PipelineDepth: Sendable {
    public struct Settings: Hashable, Sendable {
        /// How long a request should wait at the peer: rate × this is the depth.
        public var queueTime: Duration
        /// Depth before the first measurement.
        public var initial: Int
        public var minimum: Int
        public var maximum: Int
        /// How often the rate is sampled; each sample counts half in the estimate.
        public var window: Duration

        public init(
            queueTime: Duration = .milliseconds(100), initial: Int = 16, minimum: Int = 4, maximum: Int = 128,
            window: Duration = .milliseconds(100)
        ) {
            precondition(minimum >= 1 && minimum <= initial && initial <= maximum, "need 1 <= minimum <= initial <= maximum")
            precondition(queueTime > .zero && window > .zero, "queue time and window must be positive")
            self.queueTime = queueTime
            self.initial = initial
            self.minimum = minimum
            self.maximum = maximum
            self.window = window
        }

        /// For a client other than ours: at least a second of queue (libtorrent keeps three).
        /// Such a client may answer requests in batches — Transmission serves its peers twice
        /// a second — and a depth sized for 100 ms then holds it at `minimum`, its rate set by
        /// the depth alone (128 KiB/s from a Transmission seeder on loopback), which sizes the
        /// depth again. With a second, the depth grows to what the peer can send.
        public var forOtherClients: Settings {
            var settings = self
            settings.queueTime = max(queueTime, .seconds(1))
            return settings
        }
    }

    public let settings: Settings
    /// Requests to keep outstanding now, in 16 KiB blocks.
    public private(set) var blocks: Int
    /// Bytes per second the peer delivered lately; nil before the first full window.
    public private(set) var bytesPerSecond: Double?
    private var windowStart: Duration?
    private var windowBytes = 0

    public init(_ settings: Settings = Settings()) {
        self.settings = settings
        self.blocks = settings.initial
    }

    /// `bytes` of payload arrived from the peer at `now` (any monotonic clock).
    public mutating func received(_ bytes: Int, at now: Duration) {
        guard let start = windowStart else {
            // The clock starts at the first block: the wait for it is the round trip, not the rate.
            windowStart = now
            return
        }
        windowBytes += bytes
        let elapsed = now - start
        guard elapsed >= settings.window else {
            // A peer already delivering faster than the depth allows is asked for more at once,
            // a quarter into the window: a LAN peer held at the initial depth for a whole window
            // idles most of it. Lowering waits for the full window, whose estimate this leaves alone.
            if elapsed >= settings.window / 4 {
                blocks = max(blocks, depth(forRate: Double(windowBytes) / elapsed.seconds))
            }
            return
        }
        let sample = Double(windowBytes) / elapsed.seconds
        let rate = bytesPerSecond.map { ($0 + sample) / 2 } ?? sample
        bytesPerSecond = rate
        windowStart = now
        windowBytes = 0
        blocks = depth(forRate: rate)
    }

    /// How many requests to send at once when the pipeline is topped up after a block: the
    /// session waits until this many slots are free. One request per block costs a write
    /// system call each way (the request, then the peer's reply of a lone block), and at
    /// modest per-connection rates every block arrives in its own read; asking for a
    /// quarter of the depth at a time lets both ends move several blocks per system call,
    /// while three quarters of the depth stays outstanding.
    public var refillBatch: Int {
        min(blocks, max(2, min(8, blocks / 4)))
    }

    private func depth(forRate bytesPerSecond: Double) -> Int {
        let wanted = (bytesPerSecond * settings.queueTime.seconds / Double(PieceLayout.wireBlockLength)).rounded(.up)
        return wanted >= Double(settings.maximum) ? settings.maximum : max(settings.minimum, Int(wanted))
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
