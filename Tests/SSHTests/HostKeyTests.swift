import Foundation
import SSH
import TestSupport
import Testing

@Suite("Host key verification against a real sshd")
struct HostKeyTests {
    private func configuration(
        _ server: OpenSSHServer,
        policy: SSHConfiguration.HostKeyPolicy = .strict
    ) -> SSHConfiguration {
        server.configuration(policy: policy)
    }

    @Test func unknownHostFailsWithOpenSSHFingerprintAndRemedy() async throws {
        let server = try await OpenSSHServer()
        let expected = try await SSHKeys.fingerprint(ofPublicKey: server.hostPublicKeyPath)
        let error = #expect(throws: SSHError.self) {
            _ = try SSHSession(configuration: configuration(server))
        }
        #expect(error?.stage == .hostKey)
        #expect(error?.host == "127.0.0.1:\(server.port)")
        #expect(error?.description.contains(expected) == true)
        #expect(error?.description.contains("ssh-keyscan -p \(server.port) 127.0.0.1") == true)
        #expect(error?.description.contains("--accept-new-host-keys") == true)
        // Strict mode never writes the file.
        #expect(!FileManager.default.fileExists(atPath: server.knownHostsPath))
    }

    @Test func acceptNewRecordsTheKeyAndStrictModePassesAfterwards() async throws {
        let server = try await OpenSSHServer()
        let first = try SSHSession(configuration: configuration(server, policy: .acceptNew))
        #expect(first.hostKeyFingerprint == (try await SSHKeys.fingerprint(ofPublicKey: server.hostPublicKeyPath)))
        // What was recorded is told, to be shown.
        #expect(first.recordedHostKey == first.hostKeyFingerprint)
        first.close()
        #expect(first.isClosed)

        // The line is what OpenSSH itself would have written, and ssh-keygen finds it.
        let recorded = try String(contentsOfFile: server.knownHostsPath, encoding: .utf8)
        #expect(recorded == (try server.knownHostsLine()))
        let found = try await ProcessRunner.output("/usr/bin/ssh-keygen", ["-F", "[127.0.0.1]:\(server.port)", "-f", server.knownHostsPath])
        #expect(found.contains("ssh-ed25519"))

        let second = try SSHSession(configuration: configuration(server))
        #expect(second.hostKeyFingerprint == first.hostKeyFingerprint)
        // A known host is not appended a second time.
        _ = try SSHSession(configuration: configuration(server, policy: .acceptNew))
        #expect(try String(contentsOfFile: server.knownHostsPath, encoding: .utf8) == recorded)
    }

    /// libssh2 compares only keys of the type the server presents: a host recorded with an
    /// ED25519 key that now shows only an ECDSA key looked new, and accept-new trusted it.
    @Test(arguments: [SSHConfiguration.HostKeyPolicy.strict, .acceptNew])
    func aKeyOfAnotherTypeIsAChangedKey(_ policy: SSHConfiguration.HostKeyPolicy) async throws {
        let server = try await OpenSSHServer(hostKeyTypes: ["ecdsa"])
        let elsewhere = try TemporaryDirectory("other-key")
        try await SSHKeys.generate(at: elsewhere.path("ed25519"), comment: "recorded", type: "ed25519")
        let recorded = try server.knownHostsLine(forPublicKey: elsewhere.path("ed25519.pub"))
        try recorded.write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)

        let error = #expect(throws: SSHError.self) { _ = try SSHSession(configuration: configuration(server, policy: policy)) }
        #expect(error?.stage == .hostKey)
        #expect(error?.description.contains("HOST KEY CHANGED") == true, "\(String(describing: error))")
        #expect(error?.description.contains("ED25519 key recorded") == true, "\(String(describing: error))")
        #expect(try String(contentsOfFile: server.knownHostsPath, encoding: .utf8) == recorded, "nothing is appended")
    }

    /// A server with several host keys is asked for the type recorded for it, whichever
    /// libssh2 would pick first by itself.
    @Test(arguments: [0, 1])
    func theRecordedKeyTypeIsAskedFor(_ recordedIndex: Int) async throws {
        let server = try await OpenSSHServer(hostKeyTypes: ["ed25519", "ecdsa"])
        let path = server.hostKeyPaths[recordedIndex] + ".pub"
        try server.knownHostsLine(forPublicKey: path).write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let session = try SSHSession(configuration: configuration(server))
        #expect(session.hostKeyFingerprint == (try await SSHKeys.fingerprint(ofPublicKey: path)))
        #expect(session.recordedHostKey == nil)
    }

    @Test func hashedPortEntryIsRecognised() async throws {
        let server = try await OpenSSHServer()
        try ("# a comment line\n\n" + server.knownHostsLine()).write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        try await ProcessRunner.output("/usr/bin/ssh-keygen", ["-H", "-f", server.knownHostsPath])
        let hashed = try String(contentsOfFile: server.knownHostsPath, encoding: .utf8)
        #expect(hashed.contains("|1|"))
        #expect(!hashed.contains("127.0.0.1"))
        let session = try SSHSession(configuration: configuration(server))
        #expect(session.hostKeyFingerprint.hasPrefix("SHA256:"))
    }

    @Test func changedHostKeyFailsEvenWithAcceptNew() async throws {
        let server = try await OpenSSHServer()
        let other = try TemporaryDirectory("otherkey")
        try await SSHKeys.generate(at: other.path("key"), comment: "impostor")
        let publicKey = try String(contentsOfFile: other.path("key.pub"), encoding: .utf8).split(separator: " ")
        try "[127.0.0.1]:\(server.port) \(publicKey[0]) \(publicKey[1])\n"
            .write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let before = try String(contentsOfFile: server.knownHostsPath, encoding: .utf8)
        for policy in [SSHConfiguration.HostKeyPolicy.strict, .acceptNew] {
            let error = #expect(throws: SSHError.self) {
                _ = try SSHSession(configuration: configuration(server, policy: policy))
            }
            #expect(error?.stage == .hostKey)
            #expect(error?.description.contains("HOST KEY CHANGED") == true)
            #expect(error?.description.contains(try await SSHKeys.fingerprint(ofPublicKey: server.hostPublicKeyPath)) == true)
            #expect(error?.description.contains("ssh-keygen -R '[127.0.0.1]:\(server.port)'") == true)
        }
        #expect(try String(contentsOfFile: server.knownHostsPath, encoding: .utf8) == before)
    }

    @Test func unparseableLinesDoNotHideValidEntries() async throws {
        let server = try await OpenSSHServer()
        let junk = "@cert-authority *.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDn\nthis is not a key line\n"
        try (junk + server.knownHostsLine()).write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        _ = try SSHSession(configuration: configuration(server))
    }

    @Test func revokedKeyIsRefused() async throws {
        let server = try await OpenSSHServer()
        let publicKey = try String(contentsOfFile: server.hostPublicKeyPath, encoding: .utf8).split(separator: " ")
        let lines = "@revoked * \(publicKey[0]) \(publicKey[1])\n" + (try server.knownHostsLine())
        try lines.write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let error = #expect(throws: SSHError.self) {
            _ = try SSHSession(configuration: configuration(server))
        }
        #expect(error?.stage == .hostKey)
        #expect(error?.description.contains("@revoked") == true)
    }
}
