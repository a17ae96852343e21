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

    @Test func unknownHostFailsWithOpenSSHFingerprintAndRemedy() throws {
        let server = try OpenSSHServer()
        let expected = try openSSHFingerprint(ofPublicKey: server.hostPublicKeyPath)
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

    @Test func acceptNewRecordsTheKeyAndStrictModePassesAfterwards() throws {
        let server = try OpenSSHServer()
        let first = try SSHSession(configuration: configuration(server, policy: .acceptNew))
        #expect(first.hostKeyFingerprint == (try openSSHFingerprint(ofPublicKey: server.hostPublicKeyPath)))
        first.close()
        #expect(first.isClosed)

        // The line is what OpenSSH itself would have written, and ssh-keygen finds it.
        let recorded = try readText(server.knownHostsPath)
        #expect(recorded == (try server.knownHostsLine()))
        let found = try runTool("/usr/bin/ssh-keygen", ["-F", "[127.0.0.1]:\(server.port)", "-f", server.knownHostsPath])
        #expect(found.contains("ssh-ed25519"))

        let second = try SSHSession(configuration: configuration(server))
        #expect(second.hostKeyFingerprint == first.hostKeyFingerprint)
        // A known host is not appended a second time.
        _ = try SSHSession(configuration: configuration(server, policy: .acceptNew))
        #expect(try readText(server.knownHostsPath) == recorded)
    }

    @Test func hashedPortEntryIsRecognised() throws {
        let server = try OpenSSHServer()
        try ("# a comment line\n\n" + server.knownHostsLine()).write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        try runTool("/usr/bin/ssh-keygen", ["-H", "-f", server.knownHostsPath])
        let hashed = try readText(server.knownHostsPath)
        #expect(hashed.contains("|1|"))
        #expect(!hashed.contains("127.0.0.1"))
        let session = try SSHSession(configuration: configuration(server))
        #expect(session.hostKeyFingerprint.hasPrefix("SHA256:"))
    }

    @Test func changedHostKeyFailsEvenWithAcceptNew() throws {
        let server = try OpenSSHServer()
        let other = try TestDirectory("otherkey")
        try generateKey(at: other.file("key"), comment: "impostor")
        let publicKey = try readText(other.file("key.pub")).split(separator: " ")
        try "[127.0.0.1]:\(server.port) \(publicKey[0]) \(publicKey[1])\n"
            .write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let before = try readText(server.knownHostsPath)
        for policy in [SSHConfiguration.HostKeyPolicy.strict, .acceptNew] {
            let error = #expect(throws: SSHError.self) {
                _ = try SSHSession(configuration: configuration(server, policy: policy))
            }
            #expect(error?.stage == .hostKey)
            #expect(error?.description.contains("HOST KEY CHANGED") == true)
            #expect(error?.description.contains(try openSSHFingerprint(ofPublicKey: server.hostPublicKeyPath)) == true)
            #expect(error?.description.contains("ssh-keygen -R '[127.0.0.1]:\(server.port)'") == true)
        }
        #expect(try readText(server.knownHostsPath) == before)
    }

    @Test func unparseableLinesDoNotHideValidEntries() throws {
        let server = try OpenSSHServer()
        let junk = "@cert-authority *.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDn\nthis is not a key line\n"
        try (junk + server.knownHostsLine()).write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        _ = try SSHSession(configuration: configuration(server))
    }

    @Test func revokedKeyIsRefused() throws {
        let server = try OpenSSHServer()
        let publicKey = try readText(server.hostPublicKeyPath).split(separator: " ")
        let lines = "@revoked * \(publicKey[0]) \(publicKey[1])\n" + (try server.knownHostsLine())
        try lines.write(toFile: server.knownHostsPath, atomically: true, encoding: .utf8)
        let error = #expect(throws: SSHError.self) {
            _ = try SSHSession(configuration: configuration(server))
        }
        #expect(error?.stage == .hostKey)
        #expect(error?.description.contains("@revoked") == true)
    }
}
