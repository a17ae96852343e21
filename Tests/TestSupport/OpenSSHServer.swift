import Foundation

/// A real OpenSSH sshd on 127.0.0.1 with its own host key, a generated client
/// key (or the one given, so many servers can share it) in its
/// authorized_keys, and everything in a temp directory. Killed on `stop()` or
/// deinit.
public final class OpenSSHServer {
    public let directory: TestDirectory
    public let port: Int
    public let hostKeyPath: String
    public let clientKeyPath: String
    private var pid: pid_t = 0

    public var hostPublicKeyPath: String { hostKeyPath + ".pub" }
    /// The path of an empty known-hosts file for tests to use (created on demand by the session).
    public var knownHostsPath: String { directory.file("known_hosts") }
    /// The user the tests log in as: whoever runs them (root in CI).
    public static var user: String { NSUserName() }

    /// - Parameter clientKey: a private key whose `.pub` the server accepts;
    ///   nil generates one for this server alone.
    public init(listenAddress: String = "127.0.0.1", clientKey: String? = nil) throws {
        directory = try TestDirectory("sshd")
        hostKeyPath = directory.file("ssh_host_ed25519_key")
        try generateKey(at: hostKeyPath, comment: "test-host")
        if let clientKey {
            clientKeyPath = clientKey
        } else {
            clientKeyPath = directory.file("client_ed25519")
            try generateKey(at: clientKeyPath, comment: "test-client")
        }
        try FileManager.default.copyItem(atPath: clientKeyPath + ".pub", toPath: directory.file("authorized_keys"))

        port = try Loopback.freePort()
        let config = """
            ListenAddress \(listenAddress)
            Port \(port)
            HostKey \(hostKeyPath)
            AuthorizedKeysFile \(directory.file("authorized_keys"))
            PidFile \(directory.file("sshd.pid"))
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
        try config.write(toFile: directory.file("sshd_config"), atomically: true, encoding: .utf8)
        // sshd insists on its privilege-separation directory.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)

        pid = try Spawn.start("/usr/sbin/sshd", ["-D", "-e", "-f", directory.file("sshd_config")], outputPath: directory.file("sshd.log"))

        let deadline = Date().addingTimeInterval(15)
        while !Loopback.accepts(address: listenAddress, port: port) {
            if !checkRunning() || Date() > deadline {
                let output = (try? readText(directory.file("sshd.log"))) ?? ""
                stop()
                throw TestSetupError("sshd did not start on port \(port): \(output)")
            }
            usleep(20_000)
        }
    }

    /// Whether sshd still runs; reaps it (and forgets its pid) once it has exited.
    private func checkRunning() -> Bool {
        guard pid > 0 else { return false }
        if waitpid(pid, nil, WNOHANG) == 0 { return true }
        pid = 0
        return false
    }

    /// Stops the listener; sessions already open keep their own sshd child until they end.
    public func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        Spawn.wait(pid)
        pid = 0
    }

    deinit { stop() }

    /// The known_hosts line OpenSSH would write for this server at 127.0.0.1.
    public func knownHostsLine() throws -> String {
        let publicKey = try readText(hostPublicKeyPath).split(separator: " ")
        return "[127.0.0.1]:\(port) \(publicKey[0]) \(publicKey[1])\n"
    }
}
