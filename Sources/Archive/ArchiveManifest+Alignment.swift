/// Piece-aligned archives: the data of the largest files starts on a piece boundary, so an
/// unchanged file gives the same pieces in the next release whatever changed before it, and
/// a host can tell from the file alone which pieces it already holds. The padding is a pax
/// `comment` record in the file's own header, which every reader skips: GNU tar extracts the
/// same tree.
extension ArchiveManifest {
    /// The most padding alignment may add, as a share of the archive.
    public static let alignmentPaddingShare = 0.02

    /// This tree with the data of its largest files (each at least a piece long) starting on
    /// a multiple of `pieceLength`. Files are taken largest first while the padding they may
    /// need in the worst case (a piece each) stays within `maxPaddingShare` of the archive;
    /// smaller files stay packed together as before. The choice and the layout depend only on
    /// the entries, so equal trees still give equal archives.
    public func aligningFiles(
        toPieceLength pieceLength: Int, maxPaddingShare: Double = alignmentPaddingShare
    ) throws -> ArchiveManifest {
        guard pieceLength > 0, pieceLength % TarFormat.blockSize == 0 else {
            throw ArchiveError(.invalidEntry, path: root, "cannot align to \(pieceLength)-byte pieces: not a whole number of tar blocks")
        }
        // The lengths without padding: this manifest's own, unless it is padded already.
        let natural = try entries.indices.map { index in
            paddedHeaders[index] == nil ? headerLengths[index] : try TarHeaderEncoder.headerBlocks(for: entries[index]).count
        }
        let budget = Int64(Double(tarLength) * max(0, maxPaddingShare))
        let candidates = entries.indices
            .filter { entries[$0].kind == .file && entries[$0].size >= Int64(pieceLength) }
            .sorted { entries[$0].size != entries[$1].size ? entries[$0].size > entries[$1].size : $0 < $1 }
        var chosen: [Int: Int] = [:]  // entry → its shortest padded header
        var worstCase: Int64 = 0
        for index in candidates {
            let shortest = try TarHeaderEncoder.shortestPaddedLength(for: entries[index])
            let worst = Int64(shortest - natural[index] + pieceLength - TarFormat.blockSize)
            guard worstCase + worst <= budget else { break }
            worstCase += worst
            chosen[index] = shortest
        }
        var padded: [Int: Int] = [:]
        var offset: Int64 = 0
        for (index, entry) in entries.enumerated() {
            var header = natural[index]
            if let shortest = chosen[index], (offset + Int64(header)) % Int64(pieceLength) != 0 {
                let gap = (Int64(pieceLength) - (offset + Int64(shortest)) % Int64(pieceLength)) % Int64(pieceLength)
                header = shortest + Int(gap)
                padded[index] = header
            }
            offset += Int64(header) + TarFormat.paddedLength(entry.size)
        }
        return try ArchiveManifest(root: root, entries: entries, paddedHeaders: padded)
    }

    /// Where each entry's header starts in the archive, in entry order.
    func headerStarts() -> [Int64] {
        var starts: [Int64] = []
        starts.reserveCapacity(entries.count)
        var offset: Int64 = 0
        for (index, entry) in entries.enumerated() {
            starts.append(offset)
            offset += Int64(headerLengths[index]) + TarFormat.paddedLength(entry.size)
        }
        return starts
    }
}
