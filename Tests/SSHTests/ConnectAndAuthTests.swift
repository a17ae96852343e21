import Foundation
import SSH
import TestSupport
import Testing

@Suite("Connecting and authenticating")
struct ConnectAndAuthTests {
    @Test func wrongClientKeyListsWhatWasTried() throws {
        let server = try OpenSSHServer()
        try server.knownHostsLine().write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let keys = try TestDirectory("wrongkey")
        try generateKey(at: keys.file("id_ed25519"), comment: "stranger")
        let missing = keys.file("id_rsa")
        let config = server.configuration(identityFiles: [keys.file("id_ed25519"), missing])
        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: config) }
        #expect(error?.stage == .auth)
        let text = error?.description ?? ""
        #expect(text.contains("\(keys.file("id_ed25519")) (rejected by the server)"))
        #expect(text.contains("\(missing) (not a readable file)"))
        #expect(text.contains("The server allows: publickey"))
        #expect(text.contains("user \(OpenSSHServer.user)"))
    }

    @Test func identityWithoutPublicKeyFileIsUsable() throws {
        let server = try OpenSSHServer()
        try FileManager.default.removeItem(atPath: server.clientKeyPath + ".pub")
        let session = try server.trustedSession()
        #expect(try session.execute("echo ok").stdoutText == "ok\n")
    }

    @Test func laterIdentityIsTriedAfterARejectedOne() throws {
        let server = try OpenSSHServer()
        try server.knownHostsLine().write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let keys = try TestDirectory("firstkey")
        try generateKey(at: keys.file("other"), comment: "other")
        let session = try SSHSession(configuration: server.configuration(identityFiles: [keys.file("other"), server.clientKeyPath]))
        #expect(try session.execute("true").succeeded)
    }

    @Test func unreachableAgentIsReportedAndKeysStillWork() throws {
        let server = try OpenSSHServer()
        try server.knownHostsLine().write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        var config = server.configuration()
        config.agent = .socket(server.directory.file("no-agent.sock"))
        let session = try SSHSession(configuration: config)
        #expect(try session.execute("true").succeeded)

        config.identityFiles = []
        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: config) }
        #expect(error?.description.contains("ssh-agent at \(server.directory.file("no-agent.sock")) (cannot connect to it)") == true)
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

    @Test func ipv6Loopback() throws {
        let server = try OpenSSHServer(listenAddress: "::1")
        let session = try SSHSession(configuration: {
            var config = server.configuration(policy: .acceptNew)
            config.host = "::1"
            return config
        }())
        #expect(try session.execute("echo v6").stdoutText == "v6\n")
        #expect(try readText(server.knownHostsPath).hasPrefix("[::1]:\(server.port) ssh-ed25519 "))
    }
}

@Suite("Authenticating through a real ssh-agent")
struct AgentTests {
    @Test func agentKeyIsUsedBeforeIdentityFiles() throws {
        let server = try OpenSSHServer()
        try server.knownHostsLine().write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let socketPath = server.directory.file("agent.sock")
        let agent = try Spawn.start("/usr/bin/ssh-agent", ["-D", "-a", socketPath], outputPath: server.directory.file("agent.log"))
        defer {
            kill(agent, SIGTERM)
            Spawn.wait(agent)
        }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socketPath) && Date() < deadline { usleep(20_000) }
        try runTool("/usr/bin/env", ["SSH_AUTH_SOCK=\(socketPath)", "/usr/bin/ssh-add", "-q", server.clientKeyPath])

        var config = server.configuration(identityFiles: [])
        config.agent = .socket(socketPath)
        let session = try SSHSession(configuration: config)
        #expect(try session.execute("echo agent").stdoutText == "agent\n")

        // With a key the server does not know, the error names the agent's key by its comment.
        try runTool("/usr/bin/env", ["SSH_AUTH_SOCK=\(socketPath)", "/usr/bin/ssh-add", "-q", "-D"])
        let keys = try TestDirectory("agentkey")
        try generateKey(at: keys.file("stranger"), comment: "stranger-in-agent")
        try runTool("/usr/bin/env", ["SSH_AUTH_SOCK=\(socketPath)", "/usr/bin/ssh-add", "-q", keys.file("stranger")])
        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: config) }
        #expect(error?.stage == .auth)
        #expect(error?.description.contains("ssh-agent key stranger-in-agent (rejected)") == true)
    }
}
