/// The 20-byte name a peer gives itself in the handshake and in announces (BEP 3).
public struct PeerID: Hashable, Sendable {
    public static let byteCount = 20

    /// Azureus-style client tag for this tool: `-` + two letters + four version digits + `-`.
    public static let clientPrefix = "-SD0100-"

    /// Whether the peer announced itself as swarmdeploy (any version).
    public var isSwarmdeploy: Bool { bytes.starts(with: Array(Self.clientPrefix.utf8.prefix(3))) }

    /// The 20 raw bytes.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "a peer id is \(Self.byteCount) bytes, got \(bytes.count)")
        self.bytes = bytes
    }

    /// A fresh id: `prefix` followed by random letters and digits, which keep
    /// ids readable in logs and tracker responses.
    public static func generate<Generator: RandomNumberGenerator>(
        prefix: String = clientPrefix,
        using generator: inout Generator
    ) -> PeerID {
        let head = Array(prefix.utf8)
        precondition(head.count <= byteCount, "a peer id prefix is at most \(byteCount) bytes, got \(head.count)")
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        var bytes = head
        while bytes.count < byteCount {
            bytes.append(alphabet.randomElement(using: &generator)!)
        }
        return PeerID(bytes: bytes)
    }

    /// A fresh id from the system's random source.
    public static func generate(prefix: String = clientPrefix) -> PeerID {
        var generator = SystemRandomNumberGenerator()
        return generate(prefix: prefix, using: &generator)
    }
}

extension PeerID: CustomStringConvertible {
    /// Printable ASCII as is, other bytes as `%XX`, as trackers show ids.
    public var description: String {
        var text = ""
        for byte in bytes {
            // "%" escapes; "," is escaped too, so ids can be listed with commas.
            if byte >= 0x21 && byte <= 0x7E && byte != UInt8(ascii: "%") && byte != UInt8(ascii: ",") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                text.unicodeScalars.append("%")
                text.unicodeScalars.append(digits[Int(byte >> 4)])
                text.unicodeScalars.append(digits[Int(byte & 0x0F)])
            }
        }
        return text
    }
}
