/// Which pieces one host asks a web seed for, so that the web server carries about one
/// copy however many hosts fetch from it — as the controller's super-seeder does.
///
/// A push gives each host a share: host `rank` of `hosts` fetches pieces
/// `rank * P / hosts ..< (rank + 1) * P / hosts` from the web seed, front to back, and every
/// other piece from the hosts that fetched it. A piece some connected peer holds, or one this
/// host is fetching already, is not fetched from the web seed. Once its own share is done, a
/// host helps with the others' — from the back of each, while their owners work from the
/// front, each helper as many runs from the back as it stands from the share's owner — so a
/// host that is slow, failing, or gone holds no share back. It leaves alone a
/// share whose owner is about to finish it (no more than two requests' worth left) unless
/// the share stands still (the caller decides: `mayHelpWith`): there the two ends would meet
/// and fetch the same pieces twice. (Measured on 4 hosts, helping every share to its last
/// piece cost 18–28 % more from the web server.)
///
/// A plain value with no I/O: the session asks it for the next run of consecutive pieces (one
/// HTTP range request) with what the piece picker knows.
public struct WebSeedPlanner: Sendable, Equatable {
    public let pieceCount: Int
    public let rank: Int
    public let hosts: Int
    /// Most pieces in one request; small enough that two hosts meeting in a share fetch few
    /// pieces twice, large enough that a request's round trip is a small part of its time.
    public let maxRunPieces: Int

    public init(pieceCount: Int, rank: Int, hosts: Int, maxRunPieces: Int) {
        precondition(pieceCount > 0 && hosts > 0 && (0..<hosts).contains(rank) && maxRunPieces > 0, "an invalid web seed share")
        self.pieceCount = pieceCount
        self.rank = rank
        self.hosts = hosts
        self.maxRunPieces = maxRunPieces
    }

    /// A share with no more wanted pieces than this is about to be finished by its owner.
    public var nearlyDone: Int { 2 * maxRunPieces }

    /// Pieces of the share of host `index`.
    public func share(_ index: Int) -> Range<Int> {
        let lower = index * pieceCount / hosts
        let upper = (index + 1) * pieceCount / hosts
        return lower..<upper
    }

    /// The next pieces to ask the web seed for, or nil when none is wanted from it.
    /// `isWanted(piece)`: we lack the piece, nobody is fetching it, and no connected peer has it.
    /// `mayHelp`: whether to help with the others' shares once this host's is done (not while
    /// the push's hosts are still starting: their shares would be fetched twice).
    /// `mayHelpWith(share, wanted)`: whether a share with only `wanted` pieces left stands
    /// still, so this host should fetch them.
    public func nextRun(
        mayHelp: Bool = true, isWanted: (Int) -> Bool, mayHelpWith: (_ share: Int, _ wanted: Int) -> Bool = { _, _ in true }
    ) -> Range<Int>? {
        let own = share(rank)
        if let first = own.first(where: isWanted) {
            var end = first + 1
            while end < own.upperBound, end - first < maxRunPieces, isWanted(end) { end += 1 }
            return first..<end
        }
        guard mayHelp else { return nil }
        // Help the others, the next host's share first, from the back. The hosts that help with
        // one share at once come to it from different distances (`step`): each starts that
        // many runs from the back, so they do not all ask for the same last pieces.
        for step in 1..<max(hosts, 1) {
            let index = (rank + step) % hosts
            let wanted = share(index).reversed().filter(isWanted)
            guard !wanted.isEmpty else { continue }
            let standsStill = wanted.count <= nearlyDone ? mayHelpWith(index, wanted.count) : false
            if wanted.count <= nearlyDone, !standsStill { continue }
            let skip = (step - 1) * maxRunPieces
            guard skip < wanted.count || standsStill else { continue }
            let last = wanted[skip < wanted.count ? skip : 0]
            var start = last
            while start > share(index).lowerBound, last + 1 - start < maxRunPieces, isWanted(start - 1) { start -= 1 }
            return start..<(last + 1)
        }
        return nil
    }
}
