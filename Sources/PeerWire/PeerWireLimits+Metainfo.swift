import TorrentMetainfo

extension PeerWireLimits {
    /// Limits for `metainfo`'s torrent, checking piece indices and block ranges.
    public init(metainfo: Metainfo, maxBlockLength: Int = defaultMaxBlockLength) {
        self.init(geometry: metainfo.geometry, maxBlockLength: maxBlockLength)
    }
}
