/// An `http://` announce URL taken apart for a request.
///
/// Only plain HTTP: the tracker of a deploy sits on the same LAN, and the
/// secret in the path is a per-deploy token, not a credential.
public struct TrackerURL: Hashable, Sendable {
    /// The URL as given, for messages and BEP 12 bookkeeping.
    public let text: String

    public init(_ text: String) throws(TrackerError) {
        func unsupported(_ reason: String) -> TrackerError {
            TrackerError(.unsupportedURL(text, reason: reason))
        }
        guard text.lowercased().hasPrefix("http://") else {
            throw unsupported("only http:// announce URLs are supported")
        }
        do {
            url = try HTTPURL(text)
        } catch {
            throw unsupported(error.reason)
        }
        self.text = text
    }

    private let url: HTTPURL
    /// Host name or address; IPv6 without brackets.
    public var host: String { url.host }
    public var port: Int { url.port }
    /// Path and any query of the URL, e.g. `/s3cr3t/announce`.
    public var path: String { url.path }

    /// The request target for an announce: the URL's path with `query`
    /// appended, after '&' when the URL already has a query (BEP 3 allows
    /// announce URLs with parameters of their own).
    public func requestTarget(query: String) -> String {
        path + (path.contains("?") ? "&" : "?") + query
    }

    /// The `Host` header value.
    var hostHeader: String { url.hostHeader }
}

extension TrackerURL: CustomStringConvertible {
    public var description: String { text }
}
