import SSH
import TestSupport

extension Sandbox {
    /// A configuration for one of the sandbox's addresses with its key and known_hosts, strict.
    func configuration(host: String, connectTimeout: Duration = .seconds(5)) -> SSHConfiguration {
        SSHConfiguration(
            host: host,
            user: "root",
            knownHostsPath: knownHostsFile,
            hostKeyPolicy: .strict,
            agent: .disabled,
            identityFiles: [identityFile],
            connectTimeout: connectTimeout,
            operationTimeout: .seconds(20)
        )
    }
}
