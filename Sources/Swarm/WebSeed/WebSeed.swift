/// One BEP 19 web seed: an HTTP server holding the payload file, asked for pieces with
/// byte ranges.
///
/// The host name stays for the `Host` header (and TLS's server name); `addresses`, when
/// given, are what the peer connects to. A push resolves names on the controller: the peer
/// program is linked statically and has no name service of its own.
public struct WebSeed: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http, https
    }

    /// The URL as given (with the file name appended when it ended in '/'), for messages.
    public let url: String
    public let scheme: Scheme
    /// Host name or address; IPv6 without brackets.
    public let host: String
    public let port: Int
    /// Path and query of the request target, e.g. `/releases/app-42.tar`.
    public let path: String
    /// IP addresses to connect to, tried in order; empty: connect to `host`.
    public var addresses: [String]

    /// Parses `url` for a torrent whose file is `fileName`: BEP 19 says a URL ending in '/'
    /// names a directory holding the file under the torrent's name.
    public init(_ url: String, fileName: String, addresses: [String] = []) throws(WebSeedError) {
        func refuse(_ reason: String) -> WebSeedError { WebSeedError(url: url, reason) }
        let lowered = url.lowercased()
        let scheme: Scheme
        let rest: Substring
        if lowered.hasPrefix("http://") {
            scheme = .http
            rest = url.dropFirst("http://".count)
        } else if lowered.hasPrefix("https://") {
            scheme = .https
            rest = url.dropFirst("https://".count)
        } else {
            throw refuse("a web seed URL starts with http:// or https://")
        }
        guard !rest.contains(where: { $0 == " " || $0.isNewline || $0 == "#" }) else {
            throw refuse("the URL contains a space, newline or fragment")
        }
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[rest.startIndex..<authorityEnd]
        var path = String(rest[authorityEnd...])
        let namesDirectory = path.hasSuffix("/")
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        guard !authority.contains("@") else {
            throw refuse("user information in the URL is not supported")
        }
        let hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw refuse("an IPv6 host lacks its closing ']'") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw refuse("unexpected text after the IPv6 host") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[authority.startIndex..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
        }
        guard !hostPart.isEmpty else { throw refuse("the host is empty") }
        var port = scheme == .https ? 443 : 80
        if let portPart {
            guard portPart.allSatisfy(\.isASCII), let number = Int(portPart), (1...65535).contains(number) else {
                throw refuse("the port '\(portPart)' is not 1...65535")
            }
            port = number
        }
        var shown = url
        if namesDirectory {
            let escaped = Self.percentEncoded(fileName)
            path += escaped
            shown += escaped
        }
        self.url = shown
        self.scheme = scheme
        self.host = String(hostPart)
        self.port = port
        self.path = path
        self.addresses = addresses
    }

    /// The `Host` header: the name, with the port unless it is the scheme's own.
    public var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        let defaultPort = scheme == .https ? 443 : 80
        return port == defaultPort ? name : "\(name):\(port)"
    }

    public var description: String { url }

    /// A file name as one path segment (RFC 3986 unreserved characters kept).
    static func percentEncoded(_ name: String) -> String {
        var result = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                result += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return result
    }
}

/// A web seed URL that cannot be used, or a web seed that failed; the message names the URL.
public struct WebSeedError: Error, Sendable, Hashable, CustomStringConvertible {
    public let url: String
    public let reason: String

    public init(url: String, _ reason: String) {
        self.url = url
        self.reason = reason
    }

    public var description: String { "web seed \(url): \(reason)" }
}
