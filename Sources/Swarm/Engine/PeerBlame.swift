import PeerWire
import TorrentMetainfo

/// Who to ban when a piece fails its SHA-1 check. Pure, so the policy is tested on its own.
///
/// - A piece that a banned peer contributed to is explained by that peer: nobody else is blamed.
///   (Without this, honest peers that finished a piece a liar had started would be banned too.)
/// - A piece from one peer alone convicts that peer at once.
/// - A piece from several peers gives each a strike; `strikeLimit` strikes ban a peer.
enum PeerBlame {
    static let strikeLimit = 3

    static func culprits(among contributors: [PeerID], banned: Set<PeerID>, strikes: inout [PeerID: Int]) -> [PeerID] {
        let distinct = Array(Set(contributors))
        guard !distinct.contains(where: banned.contains) else { return [] }
        if distinct.count == 1 { return distinct }
        var convicted: [PeerID] = []
        for id in distinct {
            strikes[id, default: 0] += 1
            if strikes[id]! >= strikeLimit { convicted.append(id) }
        }
        return convicted
    }
}
