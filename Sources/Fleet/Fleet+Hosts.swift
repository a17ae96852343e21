import DeployConfiguration
import SSH

extension Fleet {
    /// The SSH target for each hosts-file entry, in the same order.
    ///
    /// - User and port: the host line's, else `settings.user` / `settings.port`.
    /// - Identity files: `settings.identities` with `~` expanded; when there are
    ///   none, whichever of `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa` exist.
    /// - Known hosts: `settings.knownHosts` with `~` expanded; host keys are
    ///   checked strictly unless `settings.acceptNewHostKeys` (then unknown
    ///   keys are recorded, OpenSSH's `accept-new`).
    /// - Agent: `SSH_AUTH_SOCK` from `environment` when set, else none.
    /// - Connect timeout: `settings.connectTimeout`.
    ///
    /// `environment` (normally the process's) supplies `HOME` and
    /// `SSH_AUTH_SOCK`, so the result depends on nothing else and can be tested.
    public static func hosts(_ entries: [HostEntry], settings: PushSettings, environment: [String: String]) -> [FleetHost] {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        let identities = settings.identities.isEmpty
            ? SSHConfiguration.defaultIdentityFiles(home: home)
            : settings.identities.map { expandTilde($0, home: home) }
        let agent: SSHConfiguration.Agent = environment["SSH_AUTH_SOCK"].flatMap { $0.isEmpty ? nil : $0 }
            .map { .socket($0) } ?? .disabled
        let connectTimeout = max(.zero, settings.connectTimeout)

        return entries.map { entry in
            let user = entry.user ?? settings.user
            let port = entry.address.port ?? settings.port
            let configuration = SSHConfiguration(
                host: entry.address.host,
                port: port,
                user: user,
                knownHostsPath: expandTilde(settings.knownHosts, home: home),
                hostKeyPolicy: settings.acceptNewHostKeys ? .acceptNew : .strict,
                agent: agent,
                identityFiles: identities,
                connectTimeout: connectTimeout
            )
            return FleetHost(entry: entry, name: entry.login(defaultUser: settings.user, defaultPort: settings.port), configuration: configuration)
        }
    }

    /// `~` and `~/x` under `home`; other paths as they are.
    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        guard path.hasPrefix("~/") else { return path }
        let rest = path.dropFirst(2)
        return home.hasSuffix("/") ? home + rest : home + "/" + rest
    }
}
