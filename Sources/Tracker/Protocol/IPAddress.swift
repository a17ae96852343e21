#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A peer's IP address as raw network-order bytes: 4 for IPv4, 16 for IPv6.
///
/// Raw bytes because that is what the compact peer lists carry (BEP 23,
/// BEP 7) and what sockets report; text only at the edges.
public enum IPAddress: Hashable, Sendable {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses a literal IPv4 (dotted quad) or IPv6 address; nil for anything
    /// else, host names included. An IPv4-mapped IPv6 address (::ffff:a.b.c.d)
    /// becomes IPv4, so one host is one address whichever socket it used.
    public init?(_ text: String) {
        // inet_pton stops at a NUL: "10.0.0.1\0junk" would read as 10.0.0.1.
        guard !text.utf8.contains(0) else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.init(v6Bytes: withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    /// An IPv6 address from 16 bytes, unmapping IPv4-mapped addresses.
    public init(v6Bytes bytes: [UInt8]) {
        precondition(bytes.count == 16, "an IPv6 address is 16 bytes, got \(bytes.count)")
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
        if Array(bytes.prefix(12)) == mappedPrefix {
            self = .v4(Array(bytes.suffix(4)))
        } else {
            self = .v6(bytes)
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .v4(let bytes), .v6(let bytes): bytes
        }
    }

    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }
}

extension IPAddress: CustomStringConvertible {
    /// The conventional text form (dotted quad, or RFC 5952 IPv6).
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = isIPv4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Where a peer listens: address and TCP port.
public struct PeerEndpoint: Hashable, Sendable {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }
}

extension PeerEndpoint: CustomStringConvertible {
    public var description: String {
        address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}
