/// A problem in a `[user@]host[:port]` string, with the 0-based character
/// offset it was found at so the hosts file can report a column.
struct HostSpecProblem: Error {
    let message: String
    let remedy: String
    let offset: Int

    func error(kind: DeployError.Kind = .malformedHost) -> DeployError {
        DeployError(kind, message, remedy: remedy)
    }
}

extension HostAddress {
    /// Parses `host`, `host:port`, `[ipv6]`, `[ipv6]:port` or a bare IPv6 literal.
    public init(parsing text: String) throws {
        do {
            self = try HostAddress.parse(Array(text), offset: 0, whole: text)
        } catch let problem as HostSpecProblem {
            throw problem.error()
        }
    }

    /// Splits `[user@]host[:port]`; the user is nil when there is no `@`.
    static func parseLogin(_ spec: String) throws -> (user: String?, address: HostAddress) {
        let chars = Array(spec)
        let ats = chars.indices.filter { chars[$0] == "@" }
        guard ats.count <= 1 else {
            throw HostSpecProblem(
                message: "'\(spec)' has more than one '@'",
                remedy: "write user@host[:port] with a single '@'",
                offset: ats[1]
            )
        }
        guard let at = ats.first else {
            return (nil, try parse(chars, offset: 0, whole: spec))
        }
        let user = String(chars[..<at])
        guard !user.isEmpty else {
            throw HostSpecProblem(
                message: "empty user before '@' in '\(spec)'",
                remedy: "write user@host, or just host to log in as ssh.user",
                offset: 0
            )
        }
        if let bad = user.firstIndex(where: { !isUserCharacter($0) }) {
            let index = user.distance(from: user.startIndex, to: bad)
            throw HostSpecProblem(
                message: "invalid character '\(user[bad])' in user '\(user)'",
                remedy: "user names may contain letters, digits, '.', '_' and '-'",
                offset: index
            )
        }
        if user.first == "-" {
            throw HostSpecProblem(
                message: "user '\(user)' starts with '-'",
                remedy: "user names cannot start with '-'",
                offset: 0
            )
        }
        let address = try parse(Array(chars[(at + 1)...]), offset: at + 1, whole: spec)
        return (user, address)
    }

    private static func isUserCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-")
    }

    /// Parses the part after any `user@`; `offset` is where `chars` starts in `whole`.
    private static func parse(_ chars: [Character], offset: Int, whole: String) throws -> HostAddress {
        func problem(_ message: String, _ remedy: String, at index: Int) -> HostSpecProblem {
            HostSpecProblem(message: message, remedy: remedy, offset: offset + index)
        }
        guard !chars.isEmpty else {
            throw problem("missing host in '\(whole)'", "write [user@]host[:port]", at: 0)
        }
        if let space = chars.firstIndex(where: { $0.isWhitespace }) {
            throw problem("space inside host '\(whole)'", "remove the space; labels follow the host as key=value", at: space)
        }
        if chars[0] == "[" {
            guard let close = chars.firstIndex(of: "]") else {
                throw problem(
                    "unbalanced '[' in '\(whole)'",
                    "write an IPv6 address with a port as [addr]:port, without spaces",
                    at: 0
                )
            }
            let inner = String(chars[1..<close])
            guard !inner.isEmpty, IPLiteral.isIPv6(inner) else {
                throw problem(
                    "'\(inner)' inside brackets is not an IPv6 address",
                    "brackets are only for IPv6 literals, e.g. [fd00::5]:22",
                    at: 1
                )
            }
            let after = chars[(close + 1)...]
            if after.isEmpty { return HostAddress(host: inner, port: nil) }
            guard after.first == ":" else {
                throw problem(
                    "unexpected '\(String(after))' after ']' in '\(whole)'",
                    "write [addr] or [addr]:port",
                    at: close + 1
                )
            }
            let port = try parsePort(Array(after.dropFirst()), offset: offset + close + 2, whole: whole)
            return HostAddress(host: inner, port: port)
        }
        if let bracket = chars.firstIndex(where: { $0 == "[" || $0 == "]" }) {
            throw problem(
                "unbalanced '\(chars[bracket])' in '\(whole)'",
                "write an IPv6 address with a port as [addr]:port",
                at: bracket
            )
        }
        let colons = chars.indices.filter { chars[$0] == ":" }
        if colons.count >= 2 {
            let text = String(chars)
            guard IPLiteral.isIPv6(text) else {
                throw problem(
                    "'\(text)' is not a valid IPv6 address",
                    "write an IPv6 address with a port as [addr]:port",
                    at: 0
                )
            }
            return HostAddress(host: text, port: nil)
        }
        let hostEnd = colons.first ?? chars.count
        let host = String(chars[..<hostEnd])
        try validateHostName(host, offset: offset, whole: whole)
        guard let colon = colons.first else { return HostAddress(host: host, port: nil) }
        let port = try parsePort(Array(chars[(colon + 1)...]), offset: offset + colon + 1, whole: whole)
        return HostAddress(host: host, port: port)
    }

    private static func parsePort(_ chars: [Character], offset: Int, whole: String) throws -> Int {
        let text = String(chars)
        guard !text.isEmpty else {
            throw HostSpecProblem(
                message: "missing port after ':' in '\(whole)'",
                remedy: "write host:port with a port from 1 to 65535, or leave out ':' to use ssh.port",
                offset: offset
            )
        }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw HostSpecProblem(
                message: "port '\(text)' in '\(whole)' is not a number",
                remedy: "use a port from 1 to 65535",
                offset: offset
            )
        }
        guard text.count <= 5, let port = Int(text), (1...65535).contains(port) else {
            throw HostSpecProblem(
                message: "port \(text) in '\(whole)' is out of range",
                remedy: "use a port from 1 to 65535",
                offset: offset
            )
        }
        return port
    }

    /// DNS-style names (letters, digits, '-', '.', '_') or an IPv4 literal.
    private static func validateHostName(_ host: String, offset: Int, whole: String) throws {
        func problem(_ message: String, _ remedy: String, at index: Int = 0) -> HostSpecProblem {
            HostSpecProblem(message: message, remedy: remedy, offset: offset + index)
        }
        guard !host.isEmpty else {
            throw problem("missing host in '\(whole)'", "write [user@]host[:port]")
        }
        let allowed = "letters, digits, '-', '.' and '_'"
        if let bad = host.firstIndex(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0))) }) {
            throw problem(
                "invalid character '\(host[bad])' in host '\(host)'",
                "host names may contain \(allowed); IPv6 addresses with a port go in brackets",
                at: host.distance(from: host.startIndex, to: bad)
            )
        }
        if host.allSatisfy({ $0.isNumber || $0 == "." }) {
            guard IPLiteral.isIPv4(host) else {
                throw problem("'\(host)' is not a valid IPv4 address", "write four numbers 0-255 separated by '.'")
            }
            return
        }
        guard host.count <= 253 else {
            throw problem("host name '\(host.prefix(40))…' is longer than 253 characters", "use a shorter name or an IP address")
        }
        if host.first == "-" || host.first == "." {
            throw problem("host '\(host)' starts with '\(host.first!)'", "host names start with a letter or digit")
        }
        if host.contains("..") {
            throw problem("host '\(host)' has an empty label ('..')", "remove the extra '.'")
        }
    }
}
