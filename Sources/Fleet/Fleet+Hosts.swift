import DeployConfiguration
import SSH

extension Fleet {
    /// The SSH target for each hosts-file entry, in the same order, with `ssh`'s precedence:
    /// the host line's `user@` and `:port` first, then what a flag or the Deployfile gave, then
    /// the ssh_config (`settings.sshConfig`, else `~/.ssh/config` and `/etc/ssh/ssh_config`),
    /// then the defaults (the current user, port 22).
    ///
    /// - Host name: the ssh_config's `HostName` for the host as the line names it, else the name.
    /// - Identity files: the given ones, then the ssh_config's `IdentityFile`s (those that
    ///   exist); with neither, whichever of `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa` exist.
    /// - Known hosts: the given file, else the ssh_config's first `UserKnownHostsFile`, else
    ///   `~/.ssh/known_hosts`; unknown keys are refused unless `--accept-new-host-keys` or
    ///   `StrictHostKeyChecking accept-new` (or `no`) says to record them.
    /// - Agent: `SSH_AUTH_SOCK` from `environment` when set (or the ssh_config's
    ///   `IdentityAgent`; `none` turns it off), else none.
    /// - Bastion: the ssh_config's `ProxyJump`, itself resolved through the ssh_config; hosts
    ///   behind the same bastion share one `JumpHost`, so one connection to it.
    ///
    /// `environment` (normally the process's) supplies `HOME`, `USER` and `SSH_AUTH_SOCK`, so the
    /// result depends on nothing else and can be tested. Lines of the ssh_config that cannot
    /// be honoured reach `onNotice` once.
    public static func hosts(
        _ entries: [HostEntry], settings: PushSettings, environment: [String: String],
        onNotice: (String) -> Void = { _ in }
    ) throws(SSHConfigError) -> [FleetHost] {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        let source: SSHClientConfig.Source = switch settings.sshConfig {
        case nil: .userDefault
        case "none"?: .none
        case let path?: .file(SSHConfigTokens.expandTilde(path, home: home))
        }
        let config = try SSHClientConfig.load(source, home: home)
        config.notices.forEach(onNotice)
        var resolver = HostResolver(settings: settings, environment: environment, home: home, config: config)
        return try entries.map { entry throws(SSHConfigError) in
            let configuration = try resolver.configuration(
                alias: entry.address.host, user: entry.user, port: entry.address.port, shown: "\(settings.hostsFile ?? "hosts file"):\(entry.line)")
            let address = HostAddress(host: entry.address.host, port: configuration.port)
            return FleetHost(entry: entry, name: "\(configuration.user)@\(address)", configuration: configuration)
        }
    }

    /// Turns a host name (and the user and port its line gives) into an `SSHConfiguration`,
    /// keeping one `JumpHost` per bastion.
    private struct HostResolver {
        let settings: PushSettings
        let environment: [String: String]
        let home: String
        let config: SSHClientConfig
        var jumpHosts: [String: JumpHost] = [:]

        init(settings: PushSettings, environment: [String: String], home: String, config: SSHClientConfig) {
            self.settings = settings
            self.environment = environment
            self.home = home
            self.config = config
        }

        mutating func configuration(alias: String, user lineUser: String?, port linePort: Int?, shown: String) throws(SSHConfigError) -> SSHConfiguration {
            let found = try config.resolve(alias)
            var configuration = try direct(alias: alias, found: found, user: lineUser, port: linePort)
            if let jump = found.proxyJump {
                let spec: JumpSpec
                switch JumpSpec.parse(jump) {
                case .success(let parsed): spec = parsed
                case .failure(let error): throw SSHConfigError("\(found.origins["proxyjump"].map { "\($0): " } ?? "")\(error) (for \(alias), \(shown))")
                }
                let bastion = try direct(alias: spec.host, found: try config.resolve(spec.host), user: spec.user, port: spec.port)
                let key = "\(bastion.user)@\(bastion.endpoint)"
                let shared = jumpHosts[key] ?? JumpHost(configuration: bastion)
                jumpHosts[key] = shared
                configuration.jump = shared
            }
            return configuration
        }

        /// The host's own settings (`found`: what the ssh_config says for `alias`), without a bastion.
        private func direct(
            alias: String, found: SSHClientConfig.HostSettings, user lineUser: String?, port linePort: Int?
        ) throws(SSHConfigError) -> SSHConfiguration {
            let given = settings.sshGiven
            let user = lineUser ?? (given.contains(.user) ? settings.user : found.user ?? settings.user)
            let port = linePort ?? (given.contains(.port) ? settings.port : found.port ?? settings.port)
            let hostName = found.hostName ?? alias
            let tokens = SSHConfigTokens(
                home: home, localUser: environment["USER"] ?? settings.user, hostName: hostName, alias: alias, remoteUser: user, port: port)
            func expanded(_ path: String, _ keyword: String) throws(SSHConfigError) -> String {
                switch tokens.expand(path) {
                case .success(let value): return value
                case .failure(let error): throw SSHConfigError("\(found.origins[keyword].map { "\($0): " } ?? "")\(keyword): \(error)")
                }
            }

            var identities = settings.identities.map { SSHConfigTokens.expandTilde($0, home: home) }
            for file in found.identityFiles {
                let path = try expanded(file, "identityfile")
                if SSHConfiguration.isReadableFile(path), !identities.contains(path) { identities.append(path) }
            }
            if identities.isEmpty { identities = SSHConfiguration.defaultIdentityFiles(home: home) }

            var knownHosts = SSHConfigTokens.expandTilde(settings.knownHosts, home: home)
            if !given.contains(.knownHosts), let file = found.userKnownHostsFiles?.first {
                knownHosts = try expanded(file, "userknownhostsfile")
            }
            var acceptNew = settings.acceptNewHostKeys
            if !given.contains(.acceptNewHostKeys), let mode = found.strictHostKeyChecking {
                acceptNew = ["accept-new", "no", "off"].contains(mode)
            }

            var agent: SSHConfiguration.Agent = environment["SSH_AUTH_SOCK"].flatMap { $0.isEmpty ? nil : $0 }.map { .socket($0) } ?? .disabled
            if let identityAgent = found.identityAgent {
                switch identityAgent {
                case "none": agent = .disabled
                case "SSH_AUTH_SOCK": break
                default: agent = .socket(try expanded(identityAgent, "identityagent"))
                }
            }
            return SSHConfiguration(
                host: hostName,
                port: port,
                user: user,
                knownHostsPath: knownHosts,
                hostKeyPolicy: acceptNew ? .acceptNew : .strict,
                agent: agent,
                identityFiles: identities,
                connectTimeout: max(.zero, settings.connectTimeout)
            )
        }
    }
}
