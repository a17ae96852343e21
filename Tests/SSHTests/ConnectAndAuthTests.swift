import Foundation
import SSH
import TestSupport
import Testing

@Suite("Connecting and authenticating")
struct ConnectAndAuthTests {
    @Test func wrongClientKeyListsWhatWasTried() async throws {
        let server = try await OpenSSHServer()
        try server.knownHostsLine().write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let keys = try TemporaryDirectory("wrongkey")
        try await SSHKeys.generate(at: keys.path("id_ed25519"), comment: "stranger")
        let missing = keys.path("id_rsa")
        let config = server.configuration(identityFiles: [keys.path("id_ed25519"), missing])
        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: config) }
        #expect(error?.stage == .auth)
        let text = error?.description ?? ""
        #expect(text.contains("\(keys.path("id_ed25519")) (rejected by the server)"))
        #expect(text.contains("\(missing) (not a readable file)"))
        #expect(text.contains("The server allows: publickey"))
        #expect(text.contains("user \(OpenSSHServer.user)"))
    }

    @Test func identityWithoutPublicKeyFileIsUsable() async throws {
        let server = try await OpenSSHServer()
        try FileManager.default.removeItem(atPath: server.clientKeyPath + ".pub")
        let session = try server.trustedSession()
        #expect(try session.execute("echo ok").stdoutText == "ok\n")
    }

    @Test func laterIdentityIsTriedAfterARejectedOne() async throws {
        let server = try await OpenSSHServer()
        try server.knownHostsLine().write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let keys = try TemporaryDirectory("firstkey")
        try await SSHKeys.generate(at: keys.path("other"), comment: "other")
        let session = try SSHSession(configuration: server.configuration(identityFiles: [keys.path("other"), server.clientKeyPath]))
        #expect(try session.execute("true").succeeded)
    }

    @Test func unreachableAgentIsReportedAndKeysStillWork() async throws {
        let server = try await OpenSSHServer()
        try server.knownHostsLine().write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        var config = server.configuration()
        config.agent = .socket(server.directory.path("no-agent.sock"))
        let session = try SSHSession(configuration: config)
        #expect(try session.execute("true").succeeded)

        config.identityFiles = []
        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: config) }
        #expect(error?.description.contains("ssh-agent at \(server.directory.path("no-agent.sock")) (cannot connect to it)") == true)
    }

    @Test func connectionRefused() throws {
        let port = try Loopback.freePort()
        let config = SSHConfiguration(
            host: "127.0.0.1", port: port, user: "nobody", knownHostsPath: "/nonexistent/known_hosts",
            agent: .disabled, identityFiles: []
        )
        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: config) }
        #expect(error?.stage == .connect)
        #expect(error?.host == "127.0.0.1:\(port)")
        #expect(error?.description.contains("Connection refused") == true)
    }

    @Test func unresolvableHostName() throws {
        let config = SSHConfiguration(
            host: "no-such-host.invalid", user: "nobody", knownHostsPath: "/nonexistent/known_hosts",
            agent: .disabled, identityFiles: []
        )
        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: config) }
        #expect(error?.stage == .connect)
        #expect(error?.description.contains("cannot resolve") == true)
    }

    @Test func serverThatNeverSpeaksTimesOutInTheHandshake() throws {
        let listener = try SilentListener()
        let config = SSHConfiguration(
            host: "127.0.0.1", port: listener.port, user: "nobody", knownHostsPath: "/nonexistent/known_hosts",
            agent: .disabled, identityFiles: [], connectTimeout: .seconds(2), operationTimeout: .milliseconds(700)
        )
        let started = ContinuousClock.now
        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: config) }
        #expect(error?.stage == .connect)
        #expect(error?.description.contains("handshake") == true)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func hostThatNeverAnswersTimesOutInTheConnect() throws {
        let listener = try SilentListener(unanswering: true)
        let config = SSHConfiguration(
            host: "127.0.0.1", port: listener.port, user: "nobody", knownHostsPath: "/nonexistent/known_hosts",
            agent: .disabled, identityFiles: [], connectTimeout: .milliseconds(800)
        )
        let started = ContinuousClock.now
        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: config) }
        let elapsed = ContinuousClock.now - started
        #expect(error?.stage == .connect)
        #expect(error?.description.contains("no answer within") == true)
        #expect(elapsed >= .milliseconds(700) && elapsed < .seconds(4))
    }

    @Test func ipv6Loopback() async throws {
        let server = try await OpenSSHServer(listenAddress: "::1")
        let session = try SSHSession(configuration: {
            var config = server.configuration(policy: .acceptNew)
            config.host = "::1"
            return config
        }())
        #expect(try session.execute("echo v6").stdoutText == "v6\n")
        #expect(try String(contentsOfFile: server.knownHostsPath, encoding: .utf8).hasPrefix("[::1]:\(server.port) ssh-ed25519 "))
    }
}

@Suite("Authenticating through a real ssh-agent")
struct AgentTests {
    @Test func agentKeyIsUsedBeforeIdentityFiles() async throws {
        let server = try await OpenSSHServer()
        try server.knownHostsLine().write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let socketPath = server.directory.path("agent.sock")
        let agent = try BackgroundProcess("/usr/bin/ssh-agent", ["-D", "-a", socketPath], logPath: server.directory.path("agent.log"))
        defer { agent.stop(signal: SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socketPath) && Date() < deadline { usleep(20_000) }
        try await ProcessRunner.output("/usr/bin/env", ["SSH_AUTH_SOCK=\(socketPath)", "/usr/bin/ssh-add", "-q", server.clientKeyPath])

        var config = server.configuration(identityFiles: [])
        config.agent = .socket(socketPath)
        let session = try SSHSession(configuration: config)
        #expect(try session.execute("echo agent").stdoutText == "agent\n")

        // With a key the server does not know, the error names the agent's key by its comment.
        try await ProcessRunner.output("/usr/bin/env", ["SSH_AUTH_SOCK=\(socketPath)", "/usr/bin/ssh-add", "-q", "-D"])
        let keys = try TemporaryDirectory("agentkey")
        try await SSHKeys.generate(at: keys.path("stranger"), comment: "stranger-in-agent")
        try await ProcessRunner.output("/usr/bin/env", ["SSH_AUTH_SOCK=\(socketPath)", "/usr/bin/ssh-add", "-q", keys.path("stranger")])
        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: config) }
        #expect(error?.stage == .auth)
        #expect(error?.description.contains("ssh-agent key stranger-in-agent (rejected)") == true)
    }
}
