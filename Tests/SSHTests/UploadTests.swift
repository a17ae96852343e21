import Foundation
import SSH
import Testing

@Suite("SFTP upload to a real sshd")
struct UploadTests {
    @Test func largeFileArrivesIntactWithItsModeAndNoTemporaryLeftBehind() throws {
        let server = try OpenSSHServer()
        let session = try server.trustedSession()
        let local = try TestDirectory("upload")
        var payload = [UInt8](repeating: 0, count: 20 * 1024 * 1024 + 12345)
        var generator = SystemRandomNumberGenerator()
        for index in stride(from: 0, to: payload.count, by: 8) {
            let word = generator.next()
            for byte in 0..<min(8, payload.count - index) { payload[index + byte] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(byte))) }
        }
        try Data(payload).write(to: URL(fileURLWithPath: local.file("peer")))
        let remoteDirectory = try TestDirectory("remote")
        let remote = remoteDirectory.file("peer-binary")

        try session.upload(contentsOf: local.file("peer"), to: remote, permissions: 0o755)

        #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(payload))
        let mode = try session.execute("stat -c %a \(remote)").stdoutText
        #expect(mode == "755\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteDirectory.path) == ["peer-binary"])
    }

    @Test func uploadReplacesAnExistingFile() throws {
        let server = try OpenSSHServer()
        let session = try server.trustedSession()
        let remoteDirectory = try TestDirectory("remote")
        let remote = remoteDirectory.file("it's here")
        try session.upload(Array("first version\n".utf8), to: remote, permissions: 0o600)
        try session.upload(Array("second\n".utf8), to: remote, permissions: 0o640)
        #expect(try readText(remote) == "second\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: remote)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteDirectory.path) == ["it's here"])
    }

    @Test func missingRemoteDirectoryFailsAtTheUploadStage() throws {
        let server = try OpenSSHServer()
        let session = try server.trustedSession()
        let error = #expect(throws: SSHError.self) {
            try session.upload([1, 2, 3], to: "/nonexistent-dir-for-test/file")
        }
        #expect(error?.stage == .upload)
        #expect(error?.description.contains("/nonexistent-dir-for-test/file.tmp-") == true)
    }

    @Test func missingLocalFileFailsBeforeTouchingTheHost() throws {
        let server = try OpenSSHServer()
        let session = try server.trustedSession()
        let remoteDirectory = try TestDirectory("remote")
        let error = #expect(throws: SSHError.self) {
            try session.upload(contentsOf: remoteDirectory.file("absent"), to: remoteDirectory.file("target"))
        }
        #expect(error?.stage == .upload)
        #expect(error?.description.contains("No such file") == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteDirectory.path).isEmpty)
    }
}
