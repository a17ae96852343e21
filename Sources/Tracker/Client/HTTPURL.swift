/// An `http://` or `https://` URL taken apart for HTTP/1.1 requests: announce URLs
/// (`TrackerURL`) and web seeds share it. No user information, no fragment; an IPv6 host in
/// brackets.
public struct HTTPURL: Hashable, Sendable {
    public enum Scheme: String, Hashable, Sendable {
        case http, https

        public var defaultPort: Int { self == .https ? 443 : 80 }
    }

    public let scheme: Scheme
    /// Host name or address; IPv6 without brackets.
    public let host: String
    public let port: Int
    /// Path and any query: the request target, `/` when the URL has no path.
    public let path: String

    /// Throws the reason `text` cannot be used; the caller's message names the URL.
    public init(_ text: String) throws(HTTPURLError) {
        let lowered = text.lowercased()
        guard let scheme = [Scheme.http, .https].first(where: { lowered.hasPrefix("\($0.rawValue)://") }) else {
            throw HTTPURLError("the URL does not start with http:// or https://")
        }
        let rest = text.dropFirst(scheme.rawValue.count + 3)
        guard !rest.contains(where: { $0 == " " || $0.isNewline || $0 == "#" }) else {
            throw HTTPURLError("the URL contains a space, newline or fragment")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[rest.startIndex..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        guard !authority.contains("@") else { throw HTTPURLError("user information in the URL is not supported") }
        let hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw HTTPURLError("an IPv6 host lacks its closing ']'") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw HTTPURLError("unexpected text after the IPv6 host") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[authority.startIndex..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
        }
        guard !hostPart.isEmpty else { throw HTTPURLError("the host is empty") }
        var port = scheme.defaultPort
        if let portPart {
            guard portPart.allSatisfy(\.isASCII), let number = Int(portPart), (1...65535).contains(number) else {
                throw HTTPURLError("the port '\(portPart)' is not 1...65535")
            }
            port = number
        }
        self.scheme = scheme
        self.host = String(hostPart)
        self.port = port
        self.path = path
    }

    /// The `Host` header: the host, with the port unless it is the scheme's own.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == scheme.defaultPort ? name : "\(name):\(port)"
    }
}

/// Why a URL cannot be used.
public struct HTTPURLError: Error, Hashable, Sendable {
    public let reason: String

    init(_ reason: String) {
        self.reason = reason
    }
}
