import PeerWire
import Testing

@testable import Swarm
import TorrentMetainfo

@Suite("Blame for corrupt pieces")
struct PeerBlameTests {
    let liar = PeerID(bytes: Array(repeating: 1, count: 20))
    let honest = PeerID(bytes: Array(repeating: 2, count: 20))
    let other = PeerID(bytes: Array(repeating: 3, count: 20))

    @Test("a sole contributor is banned at once")
    func soleContributor() {
        var strikes: [PeerID: Int] = [:]
        #expect(PeerBlame.culprits(among: [liar, liar], banned: [], strikes: &strikes) == [liar])
        #expect(strikes.isEmpty)
    }

    @Test("a piece a banned peer touched blames nobody else")
    func bannedPeerExplainsFailure() {
        var strikes: [PeerID: Int] = [:]
        for _ in 0..<10 {
            #expect(PeerBlame.culprits(among: [liar, honest], banned: [liar], strikes: &strikes).isEmpty)
        }
        #expect(strikes[honest] == nil)
    }

    @Test("shared failures give strikes; the limit bans")
    func strikesAccumulate() {
        var strikes: [PeerID: Int] = [:]
        #expect(PeerBlame.culprits(among: [liar, honest], banned: [], strikes: &strikes).isEmpty)
        #expect(PeerBlame.culprits(among: [liar, other], banned: [], strikes: &strikes).isEmpty)
        #expect(PeerBlame.culprits(among: [liar, honest], banned: [], strikes: &strikes) == [liar])
        #expect(strikes[honest] == 2)
        #expect(strikes[other] == 1)
    }
}
