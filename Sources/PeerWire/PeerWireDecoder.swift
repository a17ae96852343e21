import NIOCore
import TorrentMetainfo

/// Turns the bytes a peer sends into a handshake followed by messages,
/// refusing anything outside `limits` before buffering it.
///
/// A plain value: feed it through `ByteToMessageHandler` in a pipeline, or call
/// `decodeEvent(from:)` directly until it returns nil.
public struct PeerWireDecoder: Sendable {
    enum State: Hashable, Sendable {
        /// The 68-byte handshake has not fully arrived.
        case awaitingHandshake
        /// Next comes a length prefix.
        case awaitingMessage
        /// Discarding the payload of a message with an unknown type, as it arrives.
        case skippingPayload(remaining: Int)
    }

    public let limits: PeerWireLimits
    /// The torrent this connection must be about, if known before the handshake.
    public let expectedInfoHash: InfoHash?
    /// Whether our own handshake sets the BEP 6 bit.
    public let advertisesFastExtension: Bool
    /// Whether BEP 6 messages are allowed: both handshakes set its bit.
    public private(set) var fastExtensionEnabled: Bool
    /// Whether our own handshake sets the peer authentication bit.
    public let advertisesAuthentication: Bool
    /// Whether the authentication messages are understood: both handshakes set its bit.
    public private(set) var authenticationEnabled = false
    private(set) var state: State
    /// Bytes consumed so far, so errors can say where in the stream they are.
    private(set) var streamOffset = 0

    /// - Parameters:
    ///   - limits: what the remote peer may send.
    ///   - expectsHandshake: false to decode messages only, for a connection
    ///     whose handshake was read elsewhere.
    ///   - expectedInfoHash: if given, a handshake for any other torrent is an
    ///     error as soon as its info-hash has arrived.
    ///   - advertisesFastExtension: whether our handshake sets the BEP 6 bit.
    ///     Without a handshake to read, pass whether BEP 6 was negotiated.
    ///   - advertisesAuthentication: whether our handshake sets the peer authentication bit.
    public init(
        limits: PeerWireLimits,
        expectsHandshake: Bool = true,
        expectedInfoHash: InfoHash? = nil,
        advertisesFastExtension: Bool = false,
        advertisesAuthentication: Bool = false
    ) {
        self.limits = limits
        self.advertisesAuthentication = advertisesAuthentication
        self.expectedInfoHash = expectedInfoHash
        self.advertisesFastExtension = advertisesFastExtension
        self.fastExtensionEnabled = !expectsHandshake && advertisesFastExtension
        self.state = expectsHandshake ? .awaitingHandshake : .awaitingMessage
    }

    /// Decodes one event, or returns nil when more bytes are needed.
    public mutating func decodeEvent(from buffer: inout ByteBuffer) throws(PeerWireError) -> PeerWireEvent? {
        switch state {
        case .awaitingHandshake:
            guard let handshake = try decodeHandshake(from: &buffer) else { return nil }
            // BEP 6: "The extension is enabled only if both ends of the
            // connection set this bit."
            fastExtensionEnabled = advertisesFastExtension && handshake.supportsFastExtension
            authenticationEnabled = advertisesAuthentication && handshake.supportsPeerAuthentication
            state = .awaitingMessage
            return .handshake(handshake)
        case .awaitingMessage:
            return try decodeMessage(from: &buffer).map(PeerWireEvent.message)
        case .skippingPayload(let remaining):
            let skipped = min(remaining, buffer.readableBytes)
            consume(skipped, from: &buffer)
            guard skipped == remaining else {
                state = .skippingPayload(remaining: remaining - skipped)
                return nil
            }
            state = .awaitingMessage
            return try decodeMessage(from: &buffer).map(PeerWireEvent.message)
        }
    }

    private mutating func decodeHandshake(from buffer: inout ByteBuffer) throws(PeerWireError) -> Handshake? {
        do throws(PeerWireError) {
            guard let handshake = try buffer.readHandshake(expectedInfoHash: expectedInfoHash) else { return nil }
            streamOffset += Handshake.byteCount
            return handshake
        } catch {
            throw error.at(streamOffset: streamOffset)
        }
    }

    /// BEP 3: "next comes an alternating stream of length prefixes and
    /// messages." Each length is checked against the limits before the
    /// payload is waited for, so a peer cannot make us buffer more.
    private mutating func decodeMessage(from buffer: inout ByteBuffer) throws(PeerWireError) -> PeerMessage? {
        guard let prefix = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        let length = Int(prefix)

        // BEP 3: "Messages of length zero are keepalives, and ignored."
        if length == 0 {
            consume(4, from: &buffer)
            return .keepAlive
        }
        guard length <= limits.maxMessageLength else {
            throw PeerWireError(
                .messageTooLong,
                "message length \(length) exceeds the \(limits.maxMessageLength)-byte limit "
                    + "(a \(limits.maxBlockLength)-byte block with its header, or a bitfield of \(limits.pieceCount) pieces)"
            ).at(streamOffset: streamOffset)
        }
        guard let typeByte = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt8.self) else { return nil }

        guard let id = PeerMessageID(rawValue: typeByte), !id.requiresAuthentication || authenticationEnabled else {
            // An extension we do not speak: skip its payload as it streams in
            // rather than holding it.
            consume(5, from: &buffer)
            if length > 1 {
                state = .skippingPayload(remaining: length - 1)
            }
            return .unknown(id: typeByte)
        }
        if let fixed = id.fixedLength, fixed != length {
            throw PeerWireError(
                .invalidMessageLength,
                "\(id.name) message has length \(length), but its length is always \(fixed)"
            ).at(streamOffset: streamOffset)
        }
        guard buffer.readableBytes >= 4 + length else { return nil }

        var payload = buffer.getSlice(at: buffer.readerIndex + 5, length: length - 1)!
        let message: PeerMessage
        do throws(PeerWireError) {
            message = try parsePayload(of: id, from: &payload)
            try checkAllowed(id)
        } catch {
            throw error.at(streamOffset: streamOffset)
        }
        consume(4 + length, from: &buffer)
        return message
    }

    /// BEP 3: "'bitfield' is only ever sent as the first message", but real clients send it
    /// later (aria2 after other messages), and a late bitfield tells nothing harmful: the
    /// session adds what it lists to what it knew (a peer does not lose pieces). So only
    /// BEP 6's rule is enforced here.
    private func checkAllowed(_ id: PeerMessageID) throws(PeerWireError) {
        // BEP 6: "When the fast extension is disabled, if a peer receives [one
        // of its messages] then the peer MUST close the connection." Reject
        // is exempt: BEP 3 itself now lists it.
        if id.requiresFastExtension && !fastExtensionEnabled {
            throw PeerWireError(
                .unexpectedMessage,
                "\(id.name) message arrived, but the Fast extension (BEP 6) was not negotiated on this connection"
            )
        }
    }

    private mutating func consume(_ count: Int, from buffer: inout ByteBuffer) {
        buffer.moveReaderIndex(forwardBy: count)
        streamOffset += count
    }
}

extension PeerWireDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = PeerWireEvent

    public mutating func decode(buffer: inout ByteBuffer) throws -> PeerWireEvent? {
        try decodeEvent(from: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> PeerWireEvent? {
        try decodeEvent(from: &buffer)
    }
}
