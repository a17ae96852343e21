/// An `http://` announce URL taken apart for a request.
///
/// Only plain HTTP: the tracker of a deploy sits on the same LAN, and the
/// secret in the path is a per-deploy token, not a credential.
public struct TrackerURL: Hashable, Sendable {
    /// The URL as given, for messages and BEP 12 bookkeeping.
    public let text: String
    /// Host name or address; IPv6 without brackets.
    public let host: String
    public let port: Int
    /// Path and any query of the URL, e.g. `/s3cr3t/announce`.
    public let path: String

    public init(_ text: String) throws(TrackerError) {
        func unsupported(_ reason: String) -> TrackerError {
            TrackerError(.unsupportedURL(text, reason: reason))
        }
        let scheme = "http://"
        guard text.lowercased().hasPrefix(scheme) else {
            throw unsupported("only http:// announce URLs are supported")
        }
        let rest = text.dropFirst(scheme.count)
        guard !rest.contains("#"), !rest.contains(where: { $0 == " " || $0.isNewline }) else {
            throw unsupported("the URL contains a space, newline or fragment")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[rest.startIndex..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        guard !authority.contains("@") else {
            throw unsupported("user information in the URL is not supported")
        }
        let hostPart: Substring
        let portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw unsupported("an IPv6 host lacks its closing ']'")
            }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portPart = nil
            } else if after.hasPrefix(":") {
                portPart = after.dropFirst()
            } else {
                throw unsupported("unexpected text after the IPv6 host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[authority.startIndex..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portPart = nil
        }
        guard !hostPart.isEmpty else {
            throw unsupported("the host is empty")
        }
        var port = 80
        if let portPart {
            guard let number = Int(portPart), (1...65535).contains(number), portPart.allSatisfy(\.isASCII) else {
                throw unsupported("the port '\(portPart)' is not 1...65535")
            }
            port = number
        }
        self.text = text
        self.host = String(hostPart)
        self.port = port
        self.path = path
    }

    /// The request target for an announce: the URL's path with `query`
    /// appended, after '&' when the URL already has a query (BEP 3 allows
    /// announce URLs with parameters of their own).
    public func requestTarget(query: String) -> String {
        path + (path.contains("?") ? "&" : "?") + query
    }

    /// The `Host` header value.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }
}

extension TrackerURL: CustomStringConvertible {
    public var description: String { text }
}
