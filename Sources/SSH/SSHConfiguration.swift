/// Everything needed to reach one host: where, as whom, how to trust it and how
/// to prove who we are. A value, so one can be built per host from the hosts
/// file and handed to whichever thread runs that session.
public struct SSHConfiguration: Sendable {
    /// What to do with a host whose key is not in the known-hosts file.
    public enum HostKeyPolicy: Sendable, Equatable {
        /// Refuse, telling the user the fingerprint and how to add it.
        case strict
        /// Add the key to the known-hosts file and go on (OpenSSH's `accept-new`).
        /// A key that *differs* from a recorded one is still refused.
        case acceptNew
    }

    /// Where the ssh-agent is, if anywhere.
    public enum Agent: Sendable, Equatable {
        /// Use `SSH_AUTH_SOCK` from the environment, if it is set.
        case environment
        /// Use this socket path.
        case socket(String)
        /// Do not ask any agent.
        case disabled
    }

    public var host: String
    public var port: Int
    public var user: String
    /// The OpenSSH known-hosts file to check (and, with `.acceptNew`, append to).
    public var knownHostsPath: String
    public var hostKeyPolicy: HostKeyPolicy
    public var agent: Agent
    /// Private key files to try, in order, after the agent. Their `.pub` files
    /// are used when present; otherwise libssh2 derives the public key.
    public var identityFiles: [String]
    /// Passphrase for encrypted identity files; empty for none.
    public var passphrase: String
    /// How long the TCP connect may take, across all addresses of the host.
    public var connectTimeout: Duration
    /// How long any single blocking libssh2 call (handshake, auth, SFTP) may wait.
    public var operationTimeout: Duration
    /// SSH keep-alives are sent this often while a command runs, and data the host leaves
    /// unacknowledged for `deadHostTimeout` breaks the connection (TCP_USER_TIMEOUT): a host
    /// that lost its link or froze is noticed even when its command prints nothing.
    public var keepAliveInterval: Duration
    public var deadHostTimeout: Duration
    /// The bastion this host is reached through (`ProxyJump`); nil: connect directly. Hosts
    /// that share the object share its one connection.
    public var jump: JumpHost?

    public init(
        host: String,
        port: Int = 22,
        user: String,
        knownHostsPath: String,
        hostKeyPolicy: HostKeyPolicy = .strict,
        agent: Agent = .environment,
        identityFiles: [String],
        passphrase: String = "",
        connectTimeout: Duration = .seconds(10),
        operationTimeout: Duration = .seconds(30),
        keepAliveInterval: Duration = .seconds(5),
        deadHostTimeout: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.knownHostsPath = knownHostsPath
        self.hostKeyPolicy = hostKeyPolicy
        self.agent = agent
        self.identityFiles = identityFiles
        self.passphrase = passphrase
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
        self.keepAliveInterval = keepAliveInterval
        self.deadHostTimeout = deadHostTimeout
    }

    /// "host:port", as errors and logs name the host.
    public var endpoint: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether `path` is a file this process can read (an identity file worth offering).
    public static func isReadableFile(_ path: String) -> Bool {
        FileSystem.isReadableFile(path)
    }

    /// The usual identity files under `home` (`~/.ssh/id_ed25519`, `id_ecdsa`,
    /// `id_rsa`), only those that exist.
    public static func defaultIdentityFiles(home: String) -> [String] {
        ["id_ed25519", "id_ecdsa", "id_rsa"]
            .map { "\(home)/.ssh/\($0)" }
            .filter { FileSystem.isReadableFile($0) }
    }
}
