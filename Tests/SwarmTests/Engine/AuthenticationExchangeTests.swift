import PeerWire
import Testing
import TorrentMetainfo

@testable import Swarm

/// The proof of the push's key that both ends of a connection give, without a network.
@Suite struct AuthenticationExchangeTests {
    static let infoHash = InfoHash(bytes: Array(repeating: 7, count: 20))
    static let key = PeerAuthenticationKey(bytes: Array(repeating: 1, count: 32))!

    static func handshake(_ id: PeerID, authenticates: Bool = true) -> Handshake {
        var handshake = Handshake(infoHash: infoHash, peerID: id)
        handshake.supportsPeerAuthentication = authenticates
        return handshake
    }

    /// Runs both ends against each other: each gets the other's handshake, then the messages
    /// the other sends, in order. Returns what each end concluded.
    static func run(
        _ initiator: inout AuthenticationExchange, _ acceptor: inout AuthenticationExchange,
        initiatorID: PeerID, acceptorID: PeerID
    ) -> (initiator: AuthenticationExchange.Step?, acceptor: AuthenticationExchange.Step?) {
        var toAcceptor: [PeerMessage] = []
        var toInitiator: [PeerMessage] = []
        var outcome: (initiator: AuthenticationExchange.Step?, acceptor: AuthenticationExchange.Step?) = (nil, nil)
        func deliver(_ step: AuthenticationExchange.Step?, into queue: inout [PeerMessage], conclusion: inout AuthenticationExchange.Step?) {
            guard let step else { return }
            if case .send(let message) = step { queue.append(message) } else { conclusion = step }
        }
        deliver(acceptor.handshakeReceived(handshake(initiatorID)), into: &toInitiator, conclusion: &outcome.acceptor)
        deliver(initiator.handshakeReceived(handshake(acceptorID)), into: &toAcceptor, conclusion: &outcome.initiator)
        while !toAcceptor.isEmpty || !toInitiator.isEmpty {
            for message in toAcceptor { deliver(acceptor.received(message), into: &toInitiator, conclusion: &outcome.acceptor) }
            toAcceptor = []
            for message in toInitiator { deliver(initiator.received(message), into: &toAcceptor, conclusion: &outcome.initiator) }
            toInitiator = []
        }
        return outcome
    }

    @Test func bothEndsHoldingTheKeyAuthenticateEachOther() {
        let (a, b) = (PeerID.generate(), PeerID.generate())
        var initiator = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: a, isInitiator: true)
        var acceptor = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: b, isInitiator: false)
        let outcome = Self.run(&initiator, &acceptor, initiatorID: a, acceptorID: b)
        #expect(outcome.initiator == .authenticated)
        #expect(outcome.acceptor == .authenticated)
    }

    @Test func anotherKeyIsRefusedByBothEnds() {
        let (a, b) = (PeerID.generate(), PeerID.generate())
        let other = PeerAuthenticationKey(bytes: Array(repeating: 2, count: 32))!
        var initiator = AuthenticationExchange(key: other, infoHash: Self.infoHash, localID: a, isInitiator: true)
        var acceptor = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: b, isInitiator: false)
        let outcome = Self.run(&initiator, &acceptor, initiatorID: a, acceptorID: b)
        guard case .refuse(let reason) = outcome.acceptor, case .refuse = outcome.initiator else {
            Issue.record("expected both ends to refuse, got \(outcome)")
            return
        }
        #expect(reason.contains("does not hold this push's key"))
    }

    @Test func aPeerWithoutTheBitIsRefusedAtItsHandshake() {
        var acceptor = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: .generate(), isInitiator: false)
        let step = acceptor.handshakeReceived(Self.handshake(.generate(), authenticates: false))
        guard case .refuse(let reason) = step else {
            Issue.record("expected a refusal, got \(step)")
            return
        }
        #expect(reason.contains("peer authentication"))
    }

    @Test("nothing but the exchange before it ends: an interested peer gets no further", arguments: [
        PeerMessage.interested, .request(BlockRequest(piece: PieceIndex(0), offset: 0, length: 16384)), .haveAll,
    ])
    func messagesBeforeTheProofAreRefused(message: PeerMessage) {
        var acceptor = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: .generate(), isInitiator: false)
        _ = acceptor.handshakeReceived(Self.handshake(.generate()))
        guard case .refuse = acceptor.received(message) else {
            Issue.record("\(message) before the proof was not refused")
            return
        }
        #expect(acceptor.received(.keepAlive) == nil)
    }

    @Test func aProofFromAnotherConnectionDoesNotFit() {
        let (a, b) = (PeerID.generate(), PeerID.generate())
        // An eavesdropper saw a whole exchange between a and b.
        var initiator = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: a, isInitiator: true)
        var acceptor = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: b, isInitiator: false)
        _ = acceptor.handshakeReceived(Self.handshake(a))
        _ = initiator.handshakeReceived(Self.handshake(b))
        guard case .send(let proof) = initiator.received(.authChallenge(acceptor.localChallenge)) else {
            Issue.record("no proof")
            return
        }
        // It replays a's challenge and proof to b on a new connection, claiming to be a.
        var fresh = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: b, isInitiator: false)
        _ = fresh.handshakeReceived(Self.handshake(a))
        _ = fresh.received(.authChallenge(initiator.localChallenge))
        guard case .refuse = fresh.received(proof) else {
            Issue.record("a replayed proof was accepted")
            return
        }
    }

    @Test func aNodeCannotBeMadeToAnswerItsOwnChallenge() {
        // An outsider opens two connections to b: in the second it sends b's first challenge,
        // hoping b's answer there is the proof the first connection wants.
        let (b, outsider) = (PeerID.generate(), PeerID.generate())
        var first = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: b, isInitiator: false)
        _ = first.handshakeReceived(Self.handshake(outsider))
        var second = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: b, isInitiator: false)
        _ = second.handshakeReceived(Self.handshake(outsider))
        guard case .send(let answer) = second.received(.authChallenge(first.localChallenge)),
            case .authProof(let bytes) = answer
        else {
            Issue.record("no answer")
            return
        }
        _ = first.received(.authChallenge(second.localChallenge))
        guard case .refuse = first.received(.authProof(bytes)) else {
            Issue.record("b's own answer authenticated the outsider")
            return
        }
    }

    @Test func ourOwnChallengeSentBackIsRefused() {
        var acceptor = AuthenticationExchange(key: Self.key, infoHash: Self.infoHash, localID: .generate(), isInitiator: false)
        _ = acceptor.handshakeReceived(Self.handshake(.generate()))
        guard case .refuse = acceptor.received(.authChallenge(acceptor.localChallenge)) else {
            Issue.record("an echoed challenge was answered")
            return
        }
    }

    @Test func keysShorterThan128BitsAreRefused() {
        #expect(PeerAuthenticationKey(bytes: Array(repeating: 1, count: 15)) == nil)
        #expect(PeerAuthenticationKey.random().bytes.count == 32)
        #expect(PeerAuthenticationKey.random() != PeerAuthenticationKey.random())
    }
}
