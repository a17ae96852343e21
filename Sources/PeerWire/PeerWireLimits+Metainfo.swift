import TorrentMetainfo

extension PeerWireLimits {
    /// Limits for `metainfo`'s torrent, checking piece indices and block ranges.
    public init(metainfo: Metainfo, maxBlockLength: Int = defaultMaxBlockLength) {
        self.init(pieceLength: metainfo.pieceLength, totalLength: metainfo.length, maxBlockLength: maxBlockLength)
    }
}
