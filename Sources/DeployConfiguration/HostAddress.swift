/// Where to reach one host: a name or IP literal and an optional SSH port.
///
/// `host` is kept as written (without IPv6 brackets); `port` is nil when the
/// hosts file did not give one, so the Deployfile's `ssh.port` applies.
public struct HostAddress: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int?

    public init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }

    /// True when `host` is an IPv6 literal, which needs brackets before a port.
    public var isIPv6: Bool { host.contains(":") }

    /// `host`, `host:2222` or `[::1]:2222`.
    public var description: String {
        guard let port else { return host }
        return isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The same address with `defaultPort` filled in when no port was given.
    public func withDefaultPort(_ defaultPort: Int) -> HostAddress {
        HostAddress(host: host, port: port ?? defaultPort)
    }

    /// Identity used to find duplicates: DNS names are case-insensitive and an
    /// IPv6 address has many spellings.
    func identity(defaultPort: Int) -> String {
        let name = IPLiteral.canonicalIPv6(host) ?? host.lowercased()
        let trimmed = name.hasSuffix(".") ? String(name.dropLast()) : name
        return "\(trimmed)|\(port ?? defaultPort)"
    }
}
