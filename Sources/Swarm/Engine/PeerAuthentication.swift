#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import PeerWire
import TorrentMetainfo
import Tracker

/// The key every node of one push holds (the controller makes it and hands it to each host's
/// peer in its job). Nodes that hold one talk only to peers that prove they hold it too.
public struct PeerAuthenticationKey: Sendable, Equatable {
    /// Shorter keys are refused: 128 bits is the least an outsider must not guess.
    public static let minimumLength = 16

    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count >= Self.minimumLength else { return nil }
        self.bytes = bytes
    }

    /// A key written as hexadecimal digits (at least 32), surrounding whitespace ignored.
    public init?(hex text: String) {
        let isSpace = { (byte: UInt8) in byte == 0x20 || (0x09...0x0D).contains(byte) }
        let trimmed = String(decoding: text.utf8.drop(while: isSpace).reversed().drop(while: isSpace).reversed(), as: UTF8.self)
        guard let bytes = Hex.decode(trimmed) else { return nil }
        self.init(bytes: bytes)
    }

    /// The key in `path` (hex, as `init(hex:)`), so it stays off command lines where `ps`
    /// would show it. The error names the file and what it must hold.
    public static func fromFile(_ path: String) throws -> PeerAuthenticationKey {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SwarmNodeError("cannot read the peer key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(fd, &buffer, buffer.count)
        guard count >= 0 else {
            throw SwarmNodeError("cannot read the peer key file \(path): \(String(cString: strerror(errno)))")
        }
        guard count < buffer.count, let key = PeerAuthenticationKey(hex: String(decoding: buffer[..<count], as: UTF8.self)) else {
            throw SwarmNodeError("\(path) does not hold a peer key: write at least 32 hexadecimal digits (128 bits), e.g. from `openssl rand -hex 32`")
        }
        return key
    }

    /// 256 fresh bits from the system's random source.
    public static func random() -> PeerAuthenticationKey {
        PeerAuthenticationKey(bytes: RandomBytes.make(32))!
    }
}

/// One connection's proof of the key, both ways, right after the BitTorrent handshakes.
///
/// Each side sends a fresh random challenge; each answers the other's challenge with
/// HMAC-SHA256 over the whole exchange (info-hash, both peer ids and both challenges, the
/// initiator's first) and which side it is. A proof fits only the connection it was made
/// for: the other side's challenge is new on every connection, and a proof made as the
/// side that accepted a connection is never one made as the side that opened it, so a
/// node cannot be used to answer its own challenges.
///
/// A plain value: the connection handler feeds it what arrives and carries out the steps.
struct AuthenticationExchange {
    enum Step: Equatable {
        case send(PeerMessage)
        /// The remote peer proved it holds the key: the connection may join the session.
        case authenticated
        /// Close the connection, for this reason.
        case refuse(String)
    }

    private let key: SymmetricKey
    private let infoHash: InfoHash
    private let localID: PeerID
    private let isInitiator: Bool
    let localChallenge: [UInt8]
    private var remoteID: PeerID?
    private var remoteChallenge: [UInt8]?

    init(key: PeerAuthenticationKey, infoHash: InfoHash, localID: PeerID, isInitiator: Bool, challenge: [UInt8]? = nil) {
        self.key = SymmetricKey(data: key.bytes)
        self.infoHash = infoHash
        self.localID = localID
        self.isInitiator = isInitiator
        if let challenge {
            localChallenge = challenge
        } else {
            localChallenge = RandomBytes.make(PeerMessage.authChallengeLength)
        }
    }

    /// The remote handshake arrived (ours is sent or about to be).
    mutating func handshakeReceived(_ handshake: Handshake) -> Step {
        guard handshake.supportsPeerAuthentication else {
            return .refuse("it does not offer swarmdeploy's peer authentication, which this push requires")
        }
        guard handshake.peerID != localID else { return .refuse("it is this node") }
        remoteID = handshake.peerID
        return .send(.authChallenge(localChallenge))
    }

    /// A message arrived before the remote peer was authenticated.
    mutating func received(_ message: PeerMessage) -> Step? {
        switch message {
        case .keepAlive:
            return nil
        case .authChallenge(let challenge):
            guard remoteID != nil, remoteChallenge == nil else { return .refuse("a second challenge") }
            guard challenge != localChallenge else { return .refuse("it sent back our own challenge") }
            remoteChallenge = challenge
            return .send(.authProof(proof(fromInitiator: isInitiator)))
        case .authProof(let proof):
            guard remoteChallenge != nil else { return .refuse("a proof before its challenge") }
            let expected = self.proof(fromInitiator: !isInitiator)
            // Constant time: how much of a guessed proof was right must not show.
            guard ConstantTime.equal(proof, expected) else { return .refuse("its proof is wrong: it does not hold this push's key") }
            return .authenticated
        default:
            return .refuse("\(message) before authenticating")
        }
    }

    /// The proof the initiator (or the acceptor) of this connection gives.
    private func proof(fromInitiator: Bool) -> [UInt8] {
        guard let remoteID, let remoteChallenge else { return [] }
        let (initiatorID, acceptorID) = isInitiator ? (localID, remoteID) : (remoteID, localID)
        let (initiatorChallenge, acceptorChallenge) = isInitiator ? (localChallenge, remoteChallenge) : (remoteChallenge, localChallenge)
        var message = Array(Self.label.utf8)
        message.append(fromInitiator ? 1 : 2)
        message += infoHash.bytes + initiatorID.bytes + acceptorID.bytes + initiatorChallenge + acceptorChallenge
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }

    private static let label = "swarmdeploy peer authentication 1"
}
