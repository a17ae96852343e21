extension Handshake {
    /// BEP 6: the Fast extension messages "are enabled by setting the third
    /// least significant bit of the last reserved byte in the BitTorrent
    /// handshake", and "only if both ends of the connection set this bit."
    public var supportsFastExtension: Bool {
        get { reservedBit(byte: 7, mask: 0x04) }
        set { setReservedBit(byte: 7, mask: 0x04, newValue) }
    }

    /// BEP 5: "Peers supporting the DHT set the last bit of the 8-byte reserved
    /// flags exchanged in the BitTorrent protocol handshake."
    public var supportsDHT: Bool {
        get { reservedBit(byte: 7, mask: 0x01) }
        set { setReservedBit(byte: 7, mask: 0x01, newValue) }
    }

    /// BEP 10: "(reserved_byte[5] & 0x10) is the expression to use for
    /// checking if the client supports extended messaging."
    public var supportsExtensionProtocol: Bool {
        get { reservedBit(byte: 5, mask: 0x10) }
        set { setReservedBit(byte: 5, mask: 0x10, newValue) }
    }

    /// swarmdeploy's peer authentication (`PeerMessage.authChallenge`, `.authProof`): a bit
    /// no BEP assigns. A node holding a push's key sets it and talks only to peers that set
    /// it too and prove they hold the key; other clients never see the messages.
    public var supportsPeerAuthentication: Bool {
        get { reservedBit(byte: 3, mask: 0x01) }
        set { setReservedBit(byte: 3, mask: 0x01, newValue) }
    }

    private func reservedBit(byte: Int, mask: UInt8) -> Bool {
        reserved[byte] & mask != 0
    }

    private mutating func setReservedBit(byte: Int, mask: UInt8, _ value: Bool) {
        if value {
            reserved[byte] |= mask
        } else {
            reserved[byte] &= ~mask
        }
    }
}
