extension Handshake {
    /// BEP 6: "The Fast Extension is enabled by setting the third least
    /// significant bit of the last reserved byte (reserved[7] |= 0x04)."
    public var supportsFastExtension: Bool {
        get { reservedBit(byte: 7, mask: 0x04) }
        set { setReservedBit(byte: 7, mask: 0x04, newValue) }
    }

    /// BEP 5: "reserved[7] |= 0x01" announces a DHT node (and the `port` message).
    public var supportsDHT: Bool {
        get { reservedBit(byte: 7, mask: 0x01) }
        set { setReservedBit(byte: 7, mask: 0x01, newValue) }
    }

    /// BEP 10: the extension protocol is "reserved_byte[5] & 0x10".
    public var supportsExtensionProtocol: Bool {
        get { reservedBit(byte: 5, mask: 0x10) }
        set { setReservedBit(byte: 5, mask: 0x10, newValue) }
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
