import Crypto

extension Metainfo {
    /// Whether `bytes` are piece `index` as the torrent describes it (its SHA-1).
    public func pieceMatches(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard (0..<pieceCount).contains(index) else { return false }
        let expected = pieceHashes[(index * 20)..<(index * 20 + 20)]
        return Insecure.SHA1.hash(data: bytes).elementsEqual(expected)
    }
}
