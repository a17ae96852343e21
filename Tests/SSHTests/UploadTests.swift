import Foundation
import SSH
import TestSupport
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

@Suite("Content-addressed upload")
struct FileCacheTests {
    @Test func uploadsOnceSkipsWhenTheHostHasTheSameBytesAndRepairsADifferentFile() throws {
        let server = try OpenSSHServer()
        let session = try server.trustedSession()
        let local = try TestDirectory("cachesource")
        let payload = (0..<(3 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        try Data(payload).write(to: URL(fileURLWithPath: local.file("peer")))
        let digest = String(try runTool("/usr/bin/sha256sum", [local.file("peer")]).prefix(64))
        let remoteRoot = try TestDirectory("cache")
        let remote = remoteRoot.file("nested/dir/peer-\(digest)")

        #expect(try session.ensureFile(contentsOf: local.file("peer"), sha256: digest, at: remote))
        #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(payload))
        let inode = try FileManager.default.attributesOfItem(atPath: remote)[.systemFileNumber] as? NSNumber

        #expect(try session.ensureFile(contentsOf: local.file("peer"), sha256: digest, at: remote) == false)
        #expect(try FileManager.default.attributesOfItem(atPath: remote)[.systemFileNumber] as? NSNumber == inode)

        // Same name, different bytes: the name is not trusted.
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: remote))
        #expect(try session.ensureFile(contentsOf: local.file("peer"), sha256: digest, at: remote))
        #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(payload))
    }

    @Test func aCompressedUploadIsUnpackedInPlaceWithItsMode() throws {
        let server = try OpenSSHServer()
        let session = try server.trustedSession()
        let local = try TestDirectory("gzsource")
        let payload = (0..<(2 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 / 5) }
        try Data(payload).write(to: URL(fileURLWithPath: local.file("peer")))
        let digest = String(try runTool("/usr/bin/sha256sum", [local.file("peer")]).prefix(64))
        _ = try runTool("/bin/sh", ["-c", "gzip -c \"$0\" > \"$0.gz\"", local.file("peer")])
        let compressed = try [UInt8](Data(contentsOf: URL(fileURLWithPath: local.file("peer.gz"))))
        let remoteRoot = try TestDirectory("gzcache")
        let remote = remoteRoot.file("peer-\(digest)")

        var asked = 0
        #expect(try session.ensureFile(contentsOf: local.file("peer"), sha256: digest, at: remote, gzipped: {
            asked += 1
            return compressed
        }))
        #expect(asked == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(payload))
        let mode = try FileManager.default.attributesOfItem(atPath: remote)[.posixPermissions] as? Int
        #expect(mode == 0o755)
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteRoot.path) == ["peer-\(digest)"], "nothing else left behind")
        // Cached now: the compressed form is not even asked for.
        #expect(try session.ensureFile(contentsOf: local.file("peer"), sha256: digest, at: remote, gzipped: {
            asked += 1
            return compressed
        }) == false)
        #expect(asked == 1)
    }

    @Test func wrongExpectedDigestIsCaughtAfterTheUpload() throws {
        let server = try OpenSSHServer()
        let session = try server.trustedSession()
        let local = try TestDirectory("cachesource")
        try Data("content".utf8).write(to: URL(fileURLWithPath: local.file("peer")))
        let remoteRoot = try TestDirectory("cache")
        // What the path held before stays until a copy with the right digest replaces it.
        try Data("previous".utf8).write(to: URL(fileURLWithPath: remoteRoot.file("peer")))
        let wrong = String(repeating: "ab", count: 32)
        let error = #expect(throws: SSHError.self) {
            try session.ensureFile(contentsOf: local.file("peer"), sha256: wrong, at: remoteRoot.file("peer"))
        }
        #expect(error?.stage == .upload)
        #expect(error?.description.contains("not \(wrong)") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: remoteRoot.file("peer"))) == Data("previous".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: remoteRoot.path) == ["peer"], "the rejected copy is removed")

        let malformed = #expect(throws: SSHError.self) {
            try session.ensureFile(contentsOf: local.file("peer"), sha256: "xyz", at: remoteRoot.file("peer"))
        }
        #expect(malformed?.description.contains("not a SHA-256 digest") == true)
    }
}
