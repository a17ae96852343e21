#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the resolver and the routing table say about a host: its addresses, and the local
/// address that faces it. Nothing is sent on the network.
public enum AddressLookup {
    /// Every address `host` (a name or a literal) resolves to, in the resolver's order,
    /// without repeats.
    public static func addresses(of host: String) throws(AddressLookupError) -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        var found: [IPAddress] = []
        try withAddressInfo(host: host, port: 0) { info in
            if let address = IPAddress(socketAddress: info.ai_addr), !found.contains(address) {
                found.append(address)
            }
            return false
        }
        return found
    }

    /// The source address the kernel would use to reach `host` at `port`: a datagram socket
    /// is connected (which only picks a route) and asked its name.
    public static func source(towards host: String, port: Int) throws(AddressLookupError) -> IPAddress {
        guard !host.isEmpty else { throw AddressLookupError(.noHost, "no host to find a route to") }
        guard (1...65535).contains(port) else { throw AddressLookupError(.badPort, "port \(port) is out of range") }
        var lastErrno: Int32 = 0
        var source: IPAddress?
        try withAddressInfo(host: host, port: port) { info in
            source = sourceAddress(for: info, errno: &lastErrno)
            return source != nil
        }
        guard let source else {
            throw AddressLookupError(.noRoute, "no route to '\(host)': \(String(cString: strerror(lastErrno)))")
        }
        return source
    }

    /// Calls `body` with each of `host`'s datagram addresses until it returns true.
    private static func withAddressInfo(
        host: String, port: Int, _ body: (addrinfo) -> Bool
    ) throws(AddressLookupError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_NUMERICSERV
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_DGRAM
        #else
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw AddressLookupError(.unresolved, "cannot resolve '\(host)': \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            if body(info.pointee) { return }
        }
    }

    private static func sourceAddress(for info: addrinfo, errno lastErrno: inout Int32) -> IPAddress? {
        let fd = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
        guard fd >= 0 else {
            lastErrno = errno
            return nil
        }
        defer { close(fd) }
        guard connect(fd, info.ai_addr, info.ai_addrlen) == 0 else {
            lastErrno = errno
            return nil
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            lastErrno = errno
            return nil
        }
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { IPAddress(socketAddress: $0) }
        }
    }
}

extension IPAddress {
    /// The address in a socket address of family AF_INET or AF_INET6; nil for others.
    public init?(socketAddress: UnsafePointer<sockaddr>?) {
        guard let socketAddress else { return nil }
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            let bytes = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                withUnsafeBytes(of: sin.pointee.sin_addr) { Array($0) }
            }
            self = .v4(bytes)
        case AF_INET6:
            let bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                withUnsafeBytes(of: sin6.pointee.sin6_addr) { Array($0) }
            }
            self.init(v6Bytes: bytes)
        default:
            return nil
        }
    }
}

/// A host that does not resolve, or has no route; the message names it.
public struct AddressLookupError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        case noHost, badPort, unresolved, noRoute
    }

    public let kind: Kind
    public let description: String

    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
