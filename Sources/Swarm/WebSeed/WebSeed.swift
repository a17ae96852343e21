import Tracker

/// One BEP 19 web seed: an HTTP server holding the payload file, asked for pieces with
/// byte ranges.
///
/// The host name stays for the `Host` header (and TLS's server name); `addresses`, when
/// given, are what the peer connects to. A push resolves names on the controller: the peer
/// program is linked statically and has no name service of its own.
public struct WebSeed: Sendable, Hashable, CustomStringConvertible {
    public typealias Scheme = HTTPURL.Scheme

    /// The URL as given (with the file name appended when it ended in '/'), for messages.
    public let url: String
    private let parts: HTTPURL
    /// IP addresses to connect to, tried in order; empty: connect to `host`.
    public var addresses: [String]

    /// Parses `url` for a torrent whose file is `fileName`: BEP 19 says a URL ending in '/'
    /// names a directory holding the file under the torrent's name.
    public init(_ url: String, fileName: String, addresses: [String] = []) throws(WebSeedError) {
        let full = url.hasSuffix("/") ? url + Self.percentEncoded(fileName) : url
        do {
            parts = try HTTPURL(full)
        } catch {
            throw WebSeedError(url: url, error.reason)
        }
        self.url = full
        self.addresses = addresses
    }

    public var scheme: Scheme { parts.scheme }
    /// Host name or address; IPv6 without brackets.
    public var host: String { parts.host }
    public var port: Int { parts.port }
    /// Path and query of the request target, e.g. `/releases/app-42.tar`.
    public var path: String { parts.path }
    /// The `Host` header: the name, with the port unless it is the scheme's own.
    public var hostHeader: String { parts.hostHeader }

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
