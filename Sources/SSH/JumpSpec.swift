/// One `ProxyJump` hop: `[user@]host[:port]` or `ssh://[user@]host[:port]`, an IPv6 address
/// in brackets when a port follows.
public struct JumpSpec: Sendable, Equatable {
    public let user: String?
    public let host: String
    public let port: Int?

    public init(user: String?, host: String, port: Int?) {
        self.user = user
        self.host = host
        self.port = port
    }

    /// Parses a `ProxyJump` value; only a single hop is supported.
    public static func parse(_ text: String) -> Result<JumpSpec, SSHConfigError> {
        guard !text.contains(",") else {
            return .failure(SSHConfigError("ProxyJump \(text) names more than one jump host; swarmdeploy goes through one bastion (chain the others on it, or reach the last hop directly)"))
        }
        var rest = Substring(text)
        if rest.hasPrefix("ssh://") { rest = rest.dropFirst("ssh://".count) }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
            if user?.isEmpty == true { return .failure(SSHConfigError("ProxyJump \(text) has an empty user")) }
        }
        var host = rest
        var port: Int?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return .failure(SSHConfigError("ProxyJump \(text): a '[' is not closed")) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else {
                    return .failure(SSHConfigError("ProxyJump \(text): expected :PORT after the address"))
                }
                port = number
            }
        } else if let colon = rest.lastIndex(of: ":"), rest.firstIndex(of: ":") == colon {
            host = rest[..<colon]
            guard let number = Int(rest[rest.index(after: colon)...]) else {
                return .failure(SSHConfigError("ProxyJump \(text): the port is not a number"))
            }
            port = number
        }
        if let port, !(1...65535).contains(port) { return .failure(SSHConfigError("ProxyJump \(text): port \(port) is not 1 to 65535")) }
        guard !host.isEmpty else { return .failure(SSHConfigError("ProxyJump \(text) names no host")) }
        return .success(JumpSpec(user: user, host: String(host), port: port))
    }
}
