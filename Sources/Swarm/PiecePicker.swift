/// Decides which blocks to ask each peer for: finish started pieces first,
/// then rarest first with a random tie-break, then endgame duplicates.
///
/// A plain value with no I/O and no clock: the connection layer reports what
/// peers have and send, and asks for requests when a peer has room in its
/// pipeline. Every call is O(pieces) at worst (64 Ki pieces and 1,000 peers
/// are the design point); the invariants it keeps are listed in INVARIANTS.md.
public struct PiecePicker: Sendable {
    /// Where a piece stands for us. Every piece is in exactly one state.
    public enum PieceState: Hashable, Sendable {
        /// Nothing requested or received.
        case missing
        /// Some blocks requested or received, some still open.
        case partial
        /// Every block requested or received, not all received.
        case requested
        /// Every block received; waiting for the hash check.
        case downloaded
        /// Hash checked; never requested again.
        case verified
    }

    struct PeerRecord: Sendable {
        var have: PieceSet
        /// Seeds are counted once in `seedCount` instead of in every piece's
        /// availability, so a seed connecting costs O(1), not O(pieces).
        var isSeed = false
        /// BEP 3: connections start choked.
        var isChoking = true
        var requests: Set<BlockSpec> = []
        /// Where the peer sits against our rack (see `RackShare`); `.unplaced` without a share.
        var place = PeerPlace.unplaced
        var isRackMate: Bool {
            if case .rackMate = place { true } else { false }
        }
        /// Delivered nothing for too long (`peerStalled`): its pieces and share are not counted on.
        var isStalled = false
        /// A rack mate whose pieces count as in the rack.
        var countsInRack: Bool { isRackMate && !isStalled }
    }

    public let layout: PieceLayout
    /// Extra peers a block may be requested from in endgame (so at most
    /// `1 + maximumDuplicateRequests` holders per block).
    public let maximumDuplicateRequests: Int
    /// In endgame, duplicates only top a peer's outstanding requests up to this many: on a
    /// LAN pipelines are deep (hundreds of blocks), and duplicating a peer's whole queue
    /// would download megabytes twice. A peer that still has this many requests out gets none;
    /// the default of 1 gives an idle peer one duplicate at a time.
    public let endgameQueueLimit: Int

    var states: [PieceState]
    var verified: PieceSet
    /// Missing pieces, by availability.
    var buckets: AvailabilityBuckets
    var active: [Int: ActivePiece] = [:]
    /// Active pieces with open blocks (state `partial`): served before new pieces.
    var openPieces = IndexedPieceList()
    var peers: [PeerKey: PeerRecord] = [:]
    var seedCount = 0
    var missingCount: Int
    /// Set once a duplicate request was handed out; before that no block has two holders.
    var enteredEndgame = false
    /// Pieces fetched before all others, in this order (see `setPriorityPieces`).
    var priorityPieces: [Int] = []
    /// Which pieces this host brings into its rack (see `PiecePicker+Rack.swift`); nil: no rack.
    var rackShare: RackShare?
    /// How many rack mates (not seeds, not choking us) have each piece; empty without a share.
    var rackAvailability: [Int32] = []
    /// Connected rack mates not stalled, by their share index: a share nobody holds is everyone's.
    var rackOwners: [Int32] = []
    var rackSeeds = 0
    /// Pieces we lack that some rack mate has: while none, the rack has nothing for us and
    /// outside peers may be asked for anything.
    var rackWanted = 0

    /// A picker for `layout`, already holding `verified` (e.g. on resume).
    public init(layout: PieceLayout, verified: PieceSet? = nil, maximumDuplicateRequests: Int = 2, endgameQueueLimit: Int = 1) {
        precondition(maximumDuplicateRequests >= 0, "the duplicate limit cannot be negative")
        precondition(endgameQueueLimit >= 1, "the endgame queue limit must be at least 1")
        self.endgameQueueLimit = endgameQueueLimit
        let verified = verified ?? PieceSet(pieceCount: layout.pieceCount)
        precondition(verified.pieceCount == layout.pieceCount, "the verified set does not match the layout")
        self.layout = layout
        self.maximumDuplicateRequests = maximumDuplicateRequests
        self.verified = verified
        self.states = Array(repeating: .missing, count: layout.pieceCount)
        self.buckets = AvailabilityBuckets(pieceCount: layout.pieceCount)
        self.missingCount = 0
        for piece in 0..<layout.pieceCount {
            if verified.contains(piece) {
                states[piece] = .verified
            } else {
                buckets.insert(piece)
                missingCount += 1
            }
        }
    }

    // MARK: Questions

    public func state(of piece: Int) -> PieceState {
        states[piece]
    }

    /// How many connected peers have `piece`.
    public func availability(of piece: Int) -> Int {
        Int(buckets.availability[piece]) + seedCount
    }

    public var verifiedPieces: PieceSet { verified }

    public var isComplete: Bool { verified.isFull }

    /// Every piece we lack is started and every block of it is requested or
    /// received: the only way left to go faster is asking a second peer.
    public var isEndgame: Bool {
        missingCount == 0 && openPieces.isEmpty && !isComplete
    }

    /// Whether `peer` has a piece we have not verified (BEP 3 "interested").
    public func wantsPieces(from peer: PeerKey) -> Bool {
        record(peer).have.containsAny(notIn: verified)
    }

    /// The blocks currently requested from `peer`.
    public func outstandingRequests(of peer: PeerKey) -> Set<BlockSpec> {
        record(peer).requests
    }

    public var connectedPeers: Set<PeerKey> { Set(peers.keys) }

    func record(_ peer: PeerKey) -> PeerRecord {
        guard let record = peers[peer] else {
            preconditionFailure("\(peer) is not connected to the piece picker")
        }
        return record
    }

    // MARK: Our piece state

    /// Moves `piece` to `new`, keeping the buckets, the open list and the
    /// missing count in step with `states` (the one place that does).
    mutating func setState(_ piece: Int, to new: PieceState) {
        let old = states[piece]
        guard old != new else { return }
        if old == .missing {
            buckets.remove(piece)
            missingCount -= 1
        }
        if new == .missing {
            buckets.insert(piece)
            missingCount += 1
        }
        if old == .partial { openPieces.remove(piece) }
        if new == .partial { openPieces.insert(piece) }
        states[piece] = new
    }

    /// Recomputes an active piece's state from its blocks.
    mutating func refresh(_ piece: Int) {
        guard let blocks = active[piece] else { return }
        if blocks.isDownloaded {
            setState(piece, to: .downloaded)
        } else if blocks.isUntouched {
            // Every request released before any data came: the piece is new again.
            active[piece] = nil
            setState(piece, to: .missing)
        } else if blocks.openCount > 0 {
            setState(piece, to: .partial)
        } else {
            setState(piece, to: .requested)
        }
    }
}
