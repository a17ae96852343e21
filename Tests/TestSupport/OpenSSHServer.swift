import Foundation

/// A real OpenSSH sshd on 127.0.0.1 with its own host key, a generated client
/// key (or the one given, so many servers can share it) in its
/// authorized_keys, and everything in a temp directory. Killed on `stop()` or
/// deinit.
public final class OpenSSHServer {
    public let directory: TemporaryDirectory
    public let port: Int
    /// The first host key (of `hostKeyTypes`).
    public let hostKeyPath: String
    /// Every host key, in the order of `hostKeyTypes`.
    public let hostKeyPaths: [String]
    public let clientKeyPath: String
    private var sshd: BackgroundProcess?

    public var hostPublicKeyPath: String { hostKeyPath + ".pub" }
    /// The path of an empty known-hosts file for tests to use (created on demand by the session).
    public var knownHostsPath: String { directory.path("known_hosts") }
    /// The user the tests log in as: whoever runs them (root in CI).
    public static var user: String { NSUserName() }

    /// - Parameters:
    ///   - clientKey: a private key whose `.pub` the server accepts; nil generates one for
    ///     this server alone.
    ///   - hostKeyTypes: the host keys it offers, as `ssh-keygen -t` names them.
    public init(listenAddress: String = "127.0.0.1", clientKey: String? = nil, hostKeyTypes: [String] = ["ed25519"]) async throws {
        directory = try TemporaryDirectory("sshd")
        var paths: [String] = []
        for type in hostKeyTypes {
            let path = directory.path("ssh_host_\(type)_key")
            try await SSHKeys.generate(at: path, comment: "test-host", type: type)
            paths.append(path)
        }
        hostKeyPaths = paths
        hostKeyPath = paths[0]
        if let clientKey {
            clientKeyPath = clientKey
        } else {
            clientKeyPath = directory.path("client_ed25519")
            try await SSHKeys.generate(at: clientKeyPath, comment: "test-client")
        }
        try FileManager.default.copyItem(atPath: clientKeyPath + ".pub", toPath: directory.path("authorized_keys"))

        port = try Loopback.freePort()
        let config = """
            ListenAddress \(listenAddress)
            Port \(port)
            \(hostKeyPaths.map { "HostKey \($0)" }.joined(separator: "\n"))
            AuthorizedKeysFile \(directory.path("authorized_keys"))
            PidFile \(directory.path("sshd.pid"))
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            Subsystem sftp internal-sftp
            LogLevel ERROR
            MaxStartups 100
            SetEnv SHLVL=2
            """
        // SHLVL=2: Debian's bash sources ~/.bashrc for commands run over SSH,
        // unless it is a nested shell; the tester's shell start-up (slow or
        // noisy on a developer machine) then stays out of every test.
        try config.write(toFile: directory.path("sshd_config"), atomically: true, encoding: .utf8)
        // sshd insists on its privilege-separation directory.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)

        let sshd = try BackgroundProcess(
            "/usr/sbin/sshd", ["-D", "-e", "-f", directory.path("sshd_config")], logPath: directory.path("sshd.log"))
        self.sshd = sshd

        let deadline = Date().addingTimeInterval(15)
        while !Loopback.accepts(address: listenAddress, port: port) {
            if !sshd.isRunning || Date() > deadline {
                let output = sshd.log
                stop()
                throw TestSetupError("sshd did not start on port \(port): \(output)")
            }
            usleep(20_000)
        }
    }

    /// `count` servers, one after another (each takes a moment to start listening).
    public static func start(_ count: Int, clientKey: String? = nil) async throws -> [OpenSSHServer] {
        var servers: [OpenSSHServer] = []
        for _ in 0..<count { servers.append(try await OpenSSHServer(clientKey: clientKey)) }
        return servers
    }

    /// Stops the listener; sessions already open keep their own sshd child until they end.
    public func stop() {
        sshd?.stop(signal: SIGTERM, grace: 10)
        sshd = nil
    }

    deinit { stop() }

    /// Stops (SIGSTOP) every process serving the connections open now, as a host that froze or
    /// lost its link would; the returned closure resumes them. Synchronous, so a test can
    /// freeze the server from inside a blocking SSH call's callback.
    public func freezeConnections() throws -> @Sendable () -> Void {
        let pidText = try String(contentsOfFile: directory.path("sshd.pid"), encoding: .utf8)
        guard let listener = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestSetupError("sshd.pid holds no pid: \(pidText)")
        }
        let pids = Self.descendants(of: listener)
        guard !pids.isEmpty else { throw TestSetupError("no sshd connection to freeze") }
        for pid in pids { kill(pid, SIGSTOP) }
        return { for pid in pids { kill(pid, SIGCONT) } }
    }

    /// Every process below `root`, from the parent pids in /proc.
    private static func descendants(of root: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name),
                let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // "pid (comm) state ppid ...": the name may hold spaces, so count from its ")".
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(pid) }
        }
        var found: [Int32] = []
        var queue = [root]
        while let next = queue.popLast() {
            for child in children[next] ?? [] {
                found.append(child)
                queue.append(child)
            }
        }
        return found
    }

    /// The known_hosts line OpenSSH would write for this server at 127.0.0.1.
    public func knownHostsLine() throws -> String {
        try knownHostsLine(forPublicKey: hostPublicKeyPath)
    }

    /// The known_hosts line for this server under any public key file (one of its own, or
    /// another machine's, to pose as a changed key).
    public func knownHostsLine(forPublicKey path: String) throws -> String {
        let publicKey = try String(contentsOfFile: path, encoding: .utf8).split(separator: " ")
        return "[127.0.0.1]:\(port) \(publicKey[0]) \(publicKey[1])\n"
    }
}
