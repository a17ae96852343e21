import SSH

extension OpenSSHServer {
    /// A configuration that reaches this server with its generated client key,
    /// never the agent or the real ~/.ssh.
    public func configuration(
        knownHosts: String? = nil,
        policy: SSHConfiguration.HostKeyPolicy = .strict,
        identityFiles: [String]? = nil
    ) -> SSHConfiguration {
        SSHConfiguration(
            host: "127.0.0.1",
            port: port,
            user: OpenSSHServer.user,
            knownHostsPath: knownHosts ?? knownHostsPath,
            hostKeyPolicy: policy,
            agent: .disabled,
            identityFiles: identityFiles ?? [clientKeyPath],
            connectTimeout: .seconds(5),
            operationTimeout: .seconds(20)
        )
    }

    /// A session to this server whose host key is already trusted.
    public func trustedSession() throws -> SSHSession {
        try knownHostsLine().write(toFile: knownHostsPath, atomically: true, encoding: .utf8)
        return try SSHSession(configuration: configuration())
    }
}
