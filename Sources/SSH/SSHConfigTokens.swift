/// The `%` tokens and `~` that OpenSSH expands in `IdentityFile`, `UserKnownHostsFile` and
/// `HostName`, once the final values are known.
public struct SSHConfigTokens: Sendable, Equatable {
    /// `%d`: the local home directory.
    public var home: String
    /// `%u`: the local user.
    public var localUser: String
    /// `%h`: the host name connected to (after `HostName`).
    public var hostName: String
    /// `%n`: the host as the hosts file names it.
    public var alias: String
    /// `%r`: the remote user.
    public var remoteUser: String
    /// `%p`: the port.
    public var port: Int

    public init(home: String, localUser: String, hostName: String, alias: String, remoteUser: String, port: Int) {
        self.home = home
        self.localUser = localUser
        self.hostName = hostName
        self.alias = alias
        self.remoteUser = remoteUser
        self.port = port
    }

    /// `~` at the start, then `%d %u %h %n %r %p %%`; another token is an error naming it.
    public func expand(_ text: String) -> Result<String, SSHConfigError> {
        let withHome = Self.expandTilde(text, home: home)
        return Self.expandPercent(withHome) { token in
            switch token {
            case "d": home
            case "u": localUser
            case "h": hostName
            case "n": alias
            case "r": remoteUser
            case "p": String(port)
            default: nil
            }
        }
    }

    /// `%h` and `%%`, the tokens `HostName` takes.
    static func expandHostName(_ text: String, alias: String) -> Result<String, SSHConfigError> {
        expandPercent(text) { $0 == "h" ? alias : nil }
    }

    static func expandPercent(_ text: String, _ value: (Character) -> String?) -> Result<String, SSHConfigError> {
        var result = ""
        var characters = text.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                result.append(character)
                continue
            }
            guard let token = characters.next() else { return .failure(SSHConfigError("'\(text)' ends with a lone %")) }
            if token == "%" {
                result.append("%")
            } else if let replacement = value(token) {
                result += replacement
            } else {
                return .failure(SSHConfigError("'\(text)' uses %\(token), which swarmdeploy does not expand here"))
            }
        }
        return .success(result)
    }

    /// `~` and `~/x` under `home`; other paths as they are.
    public static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        guard path.hasPrefix("~/") else { return path }
        let rest = path.dropFirst(2)
        return home.hasSuffix("/") ? home + rest : home + "/" + rest
    }
}
