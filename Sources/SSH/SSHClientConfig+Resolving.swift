extension SSHClientConfig {
    /// What the configuration says about one host, as written (tokens unexpanded but for
    /// `HostName`'s `%h`); nil where it says nothing.
    public struct HostSettings: Sendable, Equatable {
        public var hostName: String?
        public var user: String?
        public var port: Int?
        /// Every `IdentityFile` that applies, in order (they add up).
        public var identityFiles: [String] = []
        /// `ProxyJump` as written; nil for none (also `ProxyJump none`).
        public var proxyJump: String?
        public var userKnownHostsFiles: [String]?
        /// `yes`, `no`, `ask`, `accept-new` or `off`, lower case.
        public var strictHostKeyChecking: String?
        /// `IdentityAgent` as written (`none` turns the agent off).
        public var identityAgent: String?
        /// Where each keyword that was set came from, for messages.
        public var origins: [String: Origin] = [:]

        public init() {}
    }

    /// The settings for `host` (the name as the hosts file gives it): each keyword takes the
    /// first value met in a block that applies, as `ssh` does.
    public func resolve(_ host: String) throws(SSHConfigError) -> HostSettings {
        // Blocks match the name as given; `%h` stands for it in lower case, as in `ssh`.
        let alias = host.lowercased()
        var settings = HostSettings()
        var seen: Set<String> = []
        var active = true
        // Inside an included file: whether its Host lines may match at all (not when the
        // Include itself stood in a block that did not apply).
        var neverMatch = false
        var saved: [(active: Bool, neverMatch: Bool)] = []
        var proxyCommand: (String, Origin)?

        for item in items {
            switch item {
            case .host(let patterns, _):
                active = !neverMatch && HostPattern.lineMatches(patterns, host)
            case .match(let all, _):
                active = !neverMatch && all
            case .beginInclude:
                saved.append((active, neverMatch))
                neverMatch = neverMatch || !active
                active = !neverMatch
            case .endInclude:
                if let outer = saved.popLast() { (active, neverMatch) = outer }
            case .option(let keyword, let arguments, let origin):
                guard active else { continue }
                if keyword == "identityfile" {
                    guard let file = arguments.first else { throw SSHConfigError("\(origin): IdentityFile needs a file") }
                    settings.identityFiles.append(file)
                    continue
                }
                guard Self.honoured.contains(keyword), !seen.contains(keyword) else { continue }
                // ProxyJump and ProxyCommand exclude each other: the first one set wins.
                if keyword == "proxyjump" || keyword == "proxycommand" {
                    if seen.contains("proxyjump") || seen.contains("proxycommand") { continue }
                }
                seen.insert(keyword)
                settings.origins[keyword] = origin
                guard let value = arguments.first else { throw SSHConfigError("\(origin): \(keyword) needs a value") }
                switch keyword {
                case "hostname":
                    switch SSHConfigTokens.expandHostName(value, alias: alias) {
                    case .success(let name): settings.hostName = name
                    case .failure(let error): throw SSHConfigError("\(origin): HostName \(error)")
                    }
                case "user": settings.user = value
                case "port":
                    guard let port = Int(value), (1...65535).contains(port) else {
                        throw SSHConfigError("\(origin): Port \(value) is not a port (1 to 65535)")
                    }
                    settings.port = port
                case "proxyjump":
                    settings.proxyJump = value.lowercased() == "none" ? nil : arguments.joined(separator: ",")
                case "proxycommand":
                    if value.lowercased() != "none" { proxyCommand = (arguments.joined(separator: " "), origin) }
                case "userknownhostsfile":
                    settings.userKnownHostsFiles = arguments
                case "stricthostkeychecking":
                    let mode = value.lowercased()
                    guard ["yes", "no", "ask", "accept-new", "off"].contains(mode) else {
                        throw SSHConfigError("\(origin): StrictHostKeyChecking \(value) is not yes, no, ask, accept-new or off")
                    }
                    settings.strictHostKeyChecking = mode
                case "identityagent": settings.identityAgent = value
                default: break
                }
            }
        }
        if let (command, origin) = proxyCommand {
            throw SSHConfigError("\(origin): ProxyCommand \(command.prefix(60)) is not supported (swarmdeploy runs no commands to connect); use ProxyJump, or give this host another block")
        }
        return settings
    }

    /// The keywords `resolve` reads (besides `IdentityFile`); others are left to `ssh`.
    static let honoured: Set<String> = [
        "hostname", "user", "port", "proxyjump", "proxycommand", "userknownhostsfile", "stricthostkeychecking", "identityagent",
    ]
}
